//! `omnitok.tokenize_corpus`: the CLI's `omnitok tokenize` as a function, so that one machine
//! or many (`omnitok.dask`) write the same shards and manifest.

use std::path::PathBuf;

use crate::errors::input_error;
use omnitok_corpus::tokenize::{
    self, dotted_path, InputFormatChoice, InputSelection, OnError, OutputFormat, ReadOptions,
    Split, TokenizeOptions, TokenizeOutcome, DEFAULT_SHARD_TOKENS,
};
use omnitok_corpus::CorpusError;
use pyo3::prelude::*;

/// `name` as a `T`, or `T`'s default when not given.
fn chosen<T: std::str::FromStr<Err = CorpusError> + Default>(name: Option<&str>) -> PyResult<T> {
    name.map_or_else(|| Ok(T::default()), str::parse)
        .map_err(crate::report_err)
}

/// Tokenizes `inputs` into `output_dir` exactly as `omnitok tokenize` does with the same
/// options (`None`: the CLI's default); returns manifest.json's text.
#[pyfunction]
#[pyo3(signature = (encoding, tokenizer_name, inputs, output_dir, glob, input_format, field, column, split, max_document_bytes, on_error, append_eot, allow_special, format, shard_tokens, threads, resume, progress=None))]
// One parameter per keyword argument of the Python function, as pyo3 binds them.
#[allow(clippy::too_many_arguments)]
pub fn _tokenize_corpus(
    py: Python<'_>,
    encoding: &crate::encoding::Encoding,
    tokenizer_name: String,
    inputs: Vec<PathBuf>,
    output_dir: PathBuf,
    glob: Option<String>,
    input_format: Option<&str>,
    field: Option<&str>,
    column: Option<&str>,
    split: Option<&str>,
    max_document_bytes: Option<usize>,
    on_error: Option<&str>,
    append_eot: Option<String>,
    allow_special: bool,
    format: Option<&str>,
    shard_tokens: Option<u64>,
    threads: usize,
    resume: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<String> {
    let callback = progress;
    let defaults = ReadOptions::default();
    let options = TokenizeOptions {
        tokenizer: encoding.inner.clone(),
        tokenizer_name,
        inputs,
        selection: InputSelection {
            glob,
            format: chosen::<InputFormatChoice>(input_format)?.format(),
            exclude: None,
        },
        read: ReadOptions {
            split: chosen::<Split>(split)?,
            on_error: chosen::<OnError>(on_error)?,
            field: field.map_or(defaults.field, dotted_path),
            lang_field: None,
            column: column.map_or(defaults.column, dotted_path),
            max_document_bytes: max_document_bytes.unwrap_or(defaults.max_document_bytes),
        },
        output_dir,
        format: chosen::<OutputFormat>(format)?,
        shard_tokens: shard_tokens.unwrap_or(DEFAULT_SHARD_TOKENS),
        append_eot,
        allow_special,
        threads,
        resume,
        multimodal: None,
    };
    let progress = tokenize::TokenizeProgress::default();
    let counts = || {
        use std::sync::atomic::Ordering::Relaxed;
        let total = progress.input_bytes_total.load(Relaxed);
        ("reading", progress.input_bytes.load(Relaxed), total)
    };
    let reporter = callback.map(|callback| crate::interrupt::Progress {
        callback,
        counts: &counts,
    });
    let outcome = crate::interrupt::interruptible(py, &progress.stop, reporter, || {
        tokenize::tokenize(&options, &progress)
    })?
    .map_err(crate::report_err)?;
    let manifest = match outcome {
        TokenizeOutcome::Finished(manifest) | TokenizeOutcome::AlreadyFinished(manifest) => {
            manifest
        }
    };
    serde_json::to_string_pretty(&manifest).map_err(|e| input_error(e.to_string()))
}
