//! `omnitok.train`: a tokenizer trained by `omnitok_corpus::train` on files or on texts in
//! memory.

use std::sync::Arc;

use crate::errors::input_error;
use omnitok_corpus::report;
use omnitok_corpus::tokenize::dotted_path;
use pyo3::prelude::*;

use crate::encoding::{Encoding, Origin};
use crate::report_err;

/// Trains a tokenizer on files (`inputs`) or on texts in memory (`texts`, `[(language,
/// [document, ...]), ...]`); writes the output directory when one is given.
#[pyfunction]
#[pyo3(signature = (inputs, texts, vocab_size, output_dir=None, pattern=None,
    special_tokens=Vec::new(), min_frequency=None, max_token_bytes=None, lang_temperature=None,
    lang_from=None, lang_field=None, field=None, glob=None, parity_aware=false,
    parity_dev=None, reference=None, global_merges=None, parity_window=None,
    parity_alpha=None, parity_weighted=None, parity_budget=None, threads=None, name=None,
    progress=None))]
// One parameter per keyword argument of the Python function, as pyo3 binds them.
#[allow(clippy::too_many_arguments)]
pub fn _train(
    py: Python<'_>,
    inputs: Vec<std::path::PathBuf>,
    texts: Option<Vec<(String, Vec<String>)>>,
    vocab_size: usize,
    output_dir: Option<std::path::PathBuf>,
    pattern: Option<String>,
    special_tokens: Vec<String>,
    min_frequency: Option<u64>,
    max_token_bytes: Option<usize>,
    lang_temperature: Option<f64>,
    lang_from: Option<String>,
    lang_field: Option<String>,
    field: Option<String>,
    glob: Option<String>,
    parity_aware: bool,
    parity_dev: Option<std::path::PathBuf>,
    reference: Option<String>,
    global_merges: Option<usize>,
    parity_window: Option<usize>,
    parity_alpha: Option<f64>,
    parity_weighted: Option<f64>,
    parity_budget: Option<f64>,
    threads: Option<usize>,
    name: Option<String>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Encoding> {
    use omnitok_corpus::tokenize::ReadOptions;
    use omnitok_corpus::train::{self as corpus_train, DevSet, Labels, TrainRunProgress};
    use omnitok_tokenizer::train::{ParityConfig, ParityWindow, TrainConfig, DEFAULT_PATTERN_NAME};
    let labels = match (lang_from.as_deref(), &lang_field) {
        (Some("field") | None, Some(_)) => Labels::Field,
        (Some("field"), None) => return Err(input_error("lang_from=\"field\" needs lang_field")),
        (Some("file"), _) => Labels::FileName,
        (Some("none") | None, _) => Labels::None,
        (Some(other), _) => {
            return Err(input_error(format!(
                "lang_from is \"file\", \"field\" or \"none\", not {other:?}"
            )))
        }
    };
    let defaults = TrainConfig::default();
    let config = TrainConfig {
        vocab_size,
        pattern: pattern.unwrap_or_else(|| DEFAULT_PATTERN_NAME.to_owned()),
        specials: special_tokens,
        min_frequency: min_frequency.unwrap_or(defaults.min_frequency),
        max_token_bytes,
        lang_temperature: lang_temperature.unwrap_or(defaults.lang_temperature),
        parity: parity_aware.then(|| ParityConfig {
            dev: Vec::new(),
            global_merges: global_merges.unwrap_or(ParityConfig::default().global_merges),
            window: parity_window.map(|window| ParityWindow {
                window,
                alpha: parity_alpha.unwrap_or(ParityWindow::DEFAULT_ALPHA),
            }),
            weighted: parity_weighted,
        }),
    };
    let dev = parity_dev.map(|path| DevSet {
        path,
        options: report::InputOptions {
            reference: Some(
                reference.unwrap_or_else(|| corpus_train::DEFAULT_REFERENCE.to_owned()),
            ),
            ..report::InputOptions::default()
        },
    });
    let threads = threads.unwrap_or_else(rayon::current_num_threads);
    let name = name.unwrap_or_else(|| corpus_train::DEFAULT_NAME.to_owned());
    let field = dotted_path(field.as_deref().unwrap_or(ReadOptions::DEFAULT_TEXT_FIELD));
    let callback = progress;
    let progress = TrainRunProgress::default();
    let documents_total: u64 = texts.as_ref().map_or(0, |texts| {
        texts.iter().map(|(_, docs)| docs.len() as u64).sum()
    });
    let counts = || {
        use std::sync::atomic::Ordering::Relaxed;
        let merges_total = progress.training.merges_total.load(Relaxed);
        if merges_total > 0 {
            (
                "merging",
                progress.training.merges.load(Relaxed),
                merges_total,
            )
        } else if documents_total > 0 {
            (
                "counting",
                progress.documents.load(Relaxed),
                documents_total,
            )
        } else {
            let total = progress.input_bytes_total.load(Relaxed);
            ("reading", progress.input_bytes.load(Relaxed), total)
        }
    };
    let reporter = callback.map(|callback| crate::interrupt::Progress {
        callback,
        counts: &counts,
    });
    let outcome =
        crate::interrupt::interruptible(py, &progress.training.stop, reporter, || match texts {
            Some(texts) => corpus_train::train_texts(
                &texts,
                &corpus_train::TextTraining {
                    config: &config,
                    dev: dev.as_ref(),
                    parity_budget,
                    output_dir: output_dir.as_deref(),
                    name: &name,
                    threads,
                },
                &progress,
            ),
            None => {
                let options = corpus_train::TrainOptions {
                    inputs,
                    selection: omnitok_corpus::tokenize::InputSelection {
                        glob,
                        ..Default::default()
                    },
                    read: omnitok_corpus::tokenize::ReadOptions {
                        field: field.clone(),
                        lang_field: lang_field.as_deref().map(dotted_path),
                        column: field,
                        ..Default::default()
                    },
                    labels,
                    config,
                    dev,
                    parity_budget,
                    output_dir,
                    name,
                    threads,
                };
                corpus_train::train_corpus(&options, &progress)
            }
        })?;
    let outcome = outcome.map_err(report_err)?;
    Ok(Encoding::wrap(Arc::new(outcome.tokenizer), Origin::Value))
}
