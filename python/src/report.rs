//! `omnitok.compression_report`: compression per language, measured by
//! `omnitok_corpus::report`, returned as the CLI's JSON report.

use std::sync::Arc;

use crate::errors::{argument_type_error, input_error};
use omnitok_corpus::report;
use omnitok_corpus::CorpusError;
use omnitok_tokenizer::{get_encoding as builtin_encoding, TokenId, Tokenizer};
use pyo3::prelude::*;

use crate::encoding::{to_py_err, Encoding};
use crate::report_err;

/// The tokenizers of a compression report: built-in encoding names or `Encoding` objects, each
/// reported under its name.
pub(crate) fn report_tokenizers(
    py: Python<'_>,
    encodings: &Bound<'_, PyAny>,
) -> PyResult<Vec<(String, Arc<Tokenizer>)>> {
    let mut out = Vec::new();
    for item in encodings.try_iter()? {
        let item = item?;
        if let Ok(encoding) = item.cast::<Encoding>() {
            let inner = encoding.get().inner.clone();
            out.push((inner.name().to_string(), inner));
        } else if let Ok(name) = item.extract::<String>() {
            let tokenizer =
                crate::threads::detach(py, || builtin_encoding(&name)).map_err(to_py_err)?;
            out.push((name, tokenizer));
        } else if item.hasattr("_mergeable_ranks")? && item.hasattr("_pat_str")? {
            // A tiktoken Encoding: the same ranks, pattern and specials make the same encoder.
            let name: String = item.getattr("name")?.extract()?;
            let ranks: std::collections::HashMap<Vec<u8>, TokenId> =
                item.getattr("_mergeable_ranks")?.extract()?;
            let pattern: String = item.getattr("_pat_str")?.extract()?;
            let specials: std::collections::HashMap<String, TokenId> =
                item.getattr("_special_tokens")?.extract()?;
            let tokenizer = crate::threads::detach(py, || {
                Tokenizer::from_ranks(
                    name.clone(),
                    ranks.into_iter().collect(),
                    &name,
                    &pattern,
                    specials.into_iter().collect(),
                )
            })
            .map_err(to_py_err)?;
            out.push((name, Arc::new(tokenizer)));
        } else {
            return Err(argument_type_error(format!(
                "encodings holds encoding names, omnitok Encoding objects or tiktoken Encoding \
                 objects, not {}",
                item.get_type().name()?
            )));
        }
    }
    Ok(out)
}

/// A report, sorted as asked, as JSON text (the CLI's `--format json`).
fn report_json(mut measured: report::Report, sort: Option<&str>) -> Result<String, CorpusError> {
    if let Some(sort) = sort {
        measured.sort(sort_by(sort)?);
    }
    Ok(report::format::json(&measured))
}

fn sort_by(name: &str) -> Result<report::SortBy, CorpusError> {
    Ok(match name {
        "lang" => report::SortBy::Lang,
        "tokens" => report::SortBy::Tokens,
        "ratio" => report::SortBy::Ratio,
        "premium" => report::SortBy::Premium,
        other => {
            return Err(CorpusError::BadParameter(format!(
                "sort is one of \"lang\", \"tokens\", \"ratio\", \"premium\", not {other:?}"
            )))
        }
    })
}

/// Compression report of a folder of `<language>.txt` files or a JSON Lines file, as JSON text.
#[pyfunction]
#[pyo3(signature = (path, encodings, baseline=None, reference=None, lang_field=None, field=None, sort=None))]
// One parameter per keyword argument of the Python function, as pyo3 binds them.
#[allow(clippy::too_many_arguments)]
pub fn _compression_report_path(
    py: Python<'_>,
    path: std::path::PathBuf,
    encodings: &Bound<'_, PyAny>,
    baseline: Option<String>,
    reference: Option<String>,
    lang_field: Option<String>,
    field: Option<String>,
    sort: Option<String>,
) -> PyResult<String> {
    let tokenizers = report_tokenizers(py, encodings)?;
    let defaults = report::InputOptions::default();
    let options = report::InputOptions {
        reference,
        lang_field: lang_field.unwrap_or(defaults.lang_field),
        field,
        ..defaults
    };
    crate::threads::detach(py, || {
        let measured = report::measure_input(&path, &options, &tokenizers, baseline.as_deref())?;
        report_json(measured, sort.as_deref())
    })
    .map_err(report_err)
}

/// Compression report of texts in memory, `[(language, [text, ...]), ...]`, as JSON text.
#[pyfunction]
#[pyo3(signature = (texts, encodings, baseline=None, reference=None, sort=None))]
pub fn _compression_report_texts(
    py: Python<'_>,
    texts: Vec<(String, Vec<String>)>,
    encodings: &Bound<'_, PyAny>,
    baseline: Option<String>,
    reference: Option<String>,
    sort: Option<String>,
) -> PyResult<String> {
    let tokenizers = report_tokenizers(py, encodings)?;
    crate::threads::detach(py, || {
        let corpus = report::Corpus::from_texts(texts, reference.as_deref())?;
        let measured = report::compute(&corpus, &tokenizers, baseline.as_deref())?;
        report_json(measured, sort.as_deref())
    })
    .map_err(report_err)
}

/// Draws a compression report into `path` (`.png` or `.svg`), as `omnitok stats --plot` does.
/// `languages` holds `(lang, bytes, chars, tokens, reference_tokens)`, tokens in `encodings`
/// order; `metric` is "tokens", "ratio" or "premium".
#[pyfunction]
#[pyo3(signature = (encodings, baseline, reference, languages, path, metric="tokens", title=None))]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
pub fn _plot_report(
    py: Python<'_>,
    encodings: Vec<String>,
    baseline: String,
    reference: Option<String>,
    languages: Vec<(String, u64, u64, Vec<u64>, Option<Vec<u64>>)>,
    path: std::path::PathBuf,
    metric: &str,
    title: Option<String>,
) -> PyResult<()> {
    let metric = match metric {
        "tokens" => report::plot::PlotMetric::Tokens,
        "ratio" => report::plot::PlotMetric::Ratio,
        "premium" => report::plot::PlotMetric::Premium,
        other => {
            return Err(input_error(format!(
                "metric is one of \"tokens\", \"ratio\", \"premium\", not {other:?}"
            )))
        }
    };
    let baseline = encodings
        .iter()
        .position(|name| *name == baseline)
        .ok_or_else(|| input_error(format!("baseline {baseline:?} is not an encoding")))?;
    let wrong = languages.iter().find(|(_, _, _, tokens, reference)| {
        tokens.len() != encodings.len()
            || reference
                .as_ref()
                .is_some_and(|r| r.len() != encodings.len())
    });
    if let Some((lang, ..)) = wrong {
        return Err(input_error(format!(
            "language {lang:?}: one count per encoding is needed ({})",
            encodings.len()
        )));
    }
    let languages = languages
        .into_iter()
        .map(
            |(lang, bytes, chars, tokens, reference_tokens)| report::LanguageStats {
                lang,
                bytes,
                chars,
                tokens,
                reference_tokens,
            },
        )
        .collect();
    let measured = report::Report {
        tokenizers: encodings,
        baseline,
        reference,
        languages,
    };
    let options = report::plot::PlotOptions { metric, title };
    crate::threads::detach(py, || report::plot::plot(&measured, &path, &options))
        .map_err(report_err)
}
