//! `omnitok.tokenize_corpus`: the CLI's `omnitok tokenize` as a function, so that one machine
//! or many (`omnitok.dask`) write the same shards and manifest.

use std::path::PathBuf;

use omnitok_corpus::tokenize::{
    self, InputFormat, InputSelection, OnError, Outcome, OutputFormat, ReadOptions, Split,
    TokenizeOptions,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// Tokenizes `inputs` into `output_dir` exactly as `omnitok tokenize` does with the same
/// options; returns manifest.json's text.
#[pyfunction]
#[pyo3(signature = (encoding, tokenizer_name, inputs, output_dir, glob, input_format, field, column, split, max_document_bytes, on_error, append_eot, allow_special, format, shard_tokens, threads, resume))]
#[allow(clippy::too_many_arguments)]
pub fn _tokenize_corpus(
    py: Python<'_>,
    encoding: &crate::Encoding,
    tokenizer_name: String,
    inputs: Vec<PathBuf>,
    output_dir: PathBuf,
    glob: Option<String>,
    input_format: &str,
    field: &str,
    column: &str,
    split: &str,
    max_document_bytes: usize,
    on_error: &str,
    append_eot: Option<String>,
    allow_special: bool,
    format: &str,
    shard_tokens: u64,
    threads: usize,
    resume: bool,
) -> PyResult<String> {
    let bad = |what: &str, value: &str, choices: &str| {
        PyValueError::new_err(format!("{what} {value:?}; one of {choices}"))
    };
    let dotted = |path: &str| path.split('.').map(str::to_owned).collect::<Vec<_>>();
    let options = TokenizeOptions {
        tokenizer: encoding.inner.clone(),
        tokenizer_name,
        inputs,
        selection: InputSelection {
            glob,
            format: match input_format {
                "auto" => None,
                "text" => Some(InputFormat::Text),
                "jsonl" => Some(InputFormat::Jsonl),
                "parquet" => Some(InputFormat::Parquet),
                other => return Err(bad("input_format", other, "auto, text, jsonl, parquet")),
            },
            exclude: None,
        },
        read: ReadOptions {
            split: match split {
                "doc" => Split::Doc,
                "line" => Split::Line,
                other => return Err(bad("split", other, "doc, line")),
            },
            on_error: match on_error {
                "skip" => OnError::Skip,
                "replace" => OnError::Replace,
                "fail" => OnError::Fail,
                other => return Err(bad("on_error", other, "skip, replace, fail")),
            },
            field: dotted(field),
            lang_field: None,
            column: dotted(column),
            max_document_bytes,
        },
        output_dir,
        format: match format {
            "bin" => OutputFormat::Bin,
            "npy" => OutputFormat::Npy,
            "jsonl" => OutputFormat::Jsonl,
            other => return Err(bad("format", other, "bin, npy, jsonl")),
        },
        shard_tokens,
        append_eot,
        allow_special,
        threads,
        resume,
        multimodal: None,
    };
    let progress = tokenize::Progress::default();
    let outcome = py
        .detach(|| tokenize::tokenize(&options, &progress))
        .map_err(crate::report_err)?;
    let manifest = match outcome {
        Outcome::Finished(manifest) | Outcome::AlreadyFinished(manifest) => manifest,
    };
    serde_json::to_string_pretty(&manifest).map_err(|e| PyValueError::new_err(e.to_string()))
}
