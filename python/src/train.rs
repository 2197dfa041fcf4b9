//! `omnitok.train`: a tokenizer trained by `omnitok_corpus::train` on files or on texts in
//! memory.

use std::sync::Arc;

use omnitok_corpus::report;
use omnitok_corpus::tokenize::dotted_path;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::encoding::{Encoding, Origin};
use crate::report_err;

/// Trains a tokenizer on files (`inputs`) or on texts in memory (`texts`, `[(language,
/// [document, ...]), ...]`); writes the output directory when one is given.
#[pyfunction]
#[pyo3(signature = (inputs, texts, vocab_size, output_dir=None, pattern="o200k".to_string(),
    special_tokens=Vec::new(), min_frequency=2, max_token_bytes=None, lang_temperature=1.0,
    lang_from=None, lang_field=None, field="text".to_string(), glob=None, parity_aware=false,
    parity_dev=None, reference="en".to_string(), global_merges=0, parity_window=None,
    parity_alpha=2.0, parity_weighted=None, parity_budget=None, threads=None,
    name="trained".to_string()))]
// One parameter per keyword argument of the Python function, as pyo3 binds them.
#[allow(clippy::too_many_arguments)]
pub fn _train(
    py: Python<'_>,
    inputs: Vec<std::path::PathBuf>,
    texts: Option<Vec<(String, Vec<String>)>>,
    vocab_size: usize,
    output_dir: Option<std::path::PathBuf>,
    pattern: String,
    special_tokens: Vec<String>,
    min_frequency: u64,
    max_token_bytes: Option<usize>,
    lang_temperature: f64,
    lang_from: Option<String>,
    lang_field: Option<String>,
    field: String,
    glob: Option<String>,
    parity_aware: bool,
    parity_dev: Option<std::path::PathBuf>,
    reference: String,
    global_merges: usize,
    parity_window: Option<usize>,
    parity_alpha: f64,
    parity_weighted: Option<f64>,
    parity_budget: Option<f64>,
    threads: Option<usize>,
    name: String,
) -> PyResult<Encoding> {
    use omnitok_corpus::train::{self as corpus_train, DevSet, Labels, TrainRunProgress};
    use omnitok_tokenizer::train::{ParityConfig, ParityWindow, TrainConfig};
    let labels = match (lang_from.as_deref(), &lang_field) {
        (Some("field") | None, Some(_)) => Labels::Field,
        (Some("field"), None) => {
            return Err(PyValueError::new_err(
                "lang_from=\"field\" needs lang_field",
            ))
        }
        (Some("file"), _) => Labels::FileName,
        (Some("none") | None, _) => Labels::None,
        (Some(other), _) => {
            return Err(PyValueError::new_err(format!(
                "lang_from is \"file\", \"field\" or \"none\", not {other:?}"
            )))
        }
    };
    let config = TrainConfig {
        vocab_size,
        pattern,
        specials: special_tokens,
        min_frequency,
        max_token_bytes,
        lang_temperature,
        parity: parity_aware.then(|| ParityConfig {
            dev: Vec::new(),
            global_merges,
            window: parity_window.map(|window| ParityWindow {
                window,
                alpha: parity_alpha,
            }),
            weighted: parity_weighted,
        }),
    };
    let dev = parity_dev.map(|path| DevSet {
        path,
        options: report::InputOptions {
            reference: Some(reference),
            ..report::InputOptions::default()
        },
    });
    let threads = threads.unwrap_or_else(rayon::current_num_threads);
    let progress = TrainRunProgress::default();
    let outcome = py.detach(|| match texts {
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
                    field: dotted_path(&field),
                    lang_field: lang_field.as_deref().map(dotted_path),
                    column: dotted_path(&field),
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
    });
    let outcome = outcome.map_err(report_err)?;
    Ok(Encoding {
        inner: Arc::new(outcome.tokenizer),
        origin: Origin::Value,
    })
}
