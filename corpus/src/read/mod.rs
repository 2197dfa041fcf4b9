//! Reading corpora: finding the inputs, opening them (plain, gzip, zstd), and reading their
//! documents (text, JSON Lines, Parquet) in order, under an error policy.
//!
//! - [`inputs`]: files, directories (recursive, sorted, `--glob`) and stdin; the format of each.
//! - [`open`]: decompression by magic bytes, and a BLAKE3 fingerprint of the bytes as stored.
//! - [`json_line`]: the string fields of one JSON line, parsed once.
//! - [`documents`]: text and JSON Lines into documents (whole or line by line), with the error
//!   policy for invalid UTF-8, malformed JSON, missing fields and oversized documents.
//! - `parquet` (feature `parquet`): a text column of Parquet files.
//! - [`find_readable_inputs`], [`read_inputs`]: all of it, input after input.

pub mod documents;
pub mod inputs;
pub mod json_line;
pub mod open;
#[cfg(feature = "parquet")]
mod parquet;

use std::fs::File;
use std::path::Path;
use std::sync::atomic::AtomicU64;

use serde::{Deserialize, Serialize};

use crate::error::{CorpusError, Result};
use documents::{Context, Emit, ErrorLog, OnError, ReadOptions};
use inputs::{find_inputs, Input, InputFormat, InputSelection, InputState, SkippedInput, Source};
use open::{with_decompressed, Compression, Fingerprint, HashingReader};

/// One input that was read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputRecord {
    pub path: String,
    pub format: InputFormat,
    pub compression: Compression,
    /// Size in bytes as stored (compressed, if it is).
    pub size: u64,
    /// BLAKE3 hash of the bytes as stored (lower-case hex, as `b3sum` prints it).
    pub blake3: String,
    pub documents: u64,
    pub bytes: u64,
}

/// How [`read_inputs`] reads.
pub struct Reading<'a> {
    pub options: &'a ReadOptions,
    /// Where Parquet inputs that are compressed or on stdin are unpacked while read.
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    pub scratch_dir: &'a Path,
    /// Bytes read as stored, counted as they are read.
    pub input_bytes: &'a AtomicU64,
}

/// One document: its text, the index of its input, its line (or Parquet row), and its language
/// when the input labels it.
#[derive(Debug, Clone, Copy)]
pub struct Document<'a> {
    pub text: &'a str,
    pub input: usize,
    pub line: u64,
    pub lang: Option<&'a str>,
}

/// What reading found.
#[derive(Default)]
pub struct ReadSummary {
    pub inputs: Vec<InputRecord>,
    pub skipped: Vec<SkippedInput>,
    pub errors: ErrorLog,
    pub documents: u64,
    pub empty_documents: u64,
    pub bytes: u64,
}

/// The inputs a run reads: [`find_inputs`] under `selection`, and the state of each (its size
/// and last modification). An input that cannot be read is listed as skipped, or, under
/// [`OnError::Fail`], is the error.
pub fn find_readable_inputs(
    paths: &[std::path::PathBuf],
    selection: &InputSelection,
    on_error: OnError,
) -> Result<(Vec<Input>, Vec<SkippedInput>, Vec<InputState>)> {
    let (inputs, skipped) = find_inputs(paths, selection)?;
    if on_error == OnError::Fail {
        if let Some(first) = skipped.first() {
            return Err(CorpusError::io(
                &first.path,
                std::io::Error::other(first.reason.clone()),
            ));
        }
    }
    let states = InputState::of_all(&inputs);
    Ok((inputs, skipped, states))
}

/// Reads every input in order, calling `each` with every non-empty document. An input that
/// cannot be read is skipped (and listed) unless the error policy is to fail.
pub fn read_inputs(
    reading: &Reading,
    inputs: &[Input],
    each: &mut dyn FnMut(Document) -> Result<()>,
) -> Result<ReadSummary> {
    let mut summary = ReadSummary::default();
    for (index, input) in inputs.iter().enumerate() {
        let name = input.name();
        let mut record = InputRecord {
            path: name.clone(),
            format: input.format,
            compression: Compression::None,
            size: 0,
            blake3: String::new(),
            documents: 0,
            bytes: 0,
        };
        let mut context = Context {
            path: &name,
            options: reading.options,
            errors: &mut summary.errors,
        };
        let (documents, empty, bytes) = (
            &mut summary.documents,
            &mut summary.empty_documents,
            &mut summary.bytes,
        );
        let mut emit = |text: &str, line: u64, lang: Option<&str>| -> Result<()> {
            if text.is_empty() {
                *empty += 1;
                return Ok(());
            }
            *documents += 1;
            *bytes += text.len() as u64;
            record.documents += 1;
            record.bytes += text.len() as u64;
            each(Document {
                text,
                input: index,
                line,
                lang,
            })
        };
        match read_input(reading, input, &name, &mut context, &mut emit) {
            Ok((compression, fingerprint)) => {
                record.compression = compression;
                record.size = fingerprint.size;
                record.blake3 = fingerprint.blake3;
                summary.inputs.push(record);
            }
            Err(CorpusError::Io { path, source }) if reading.options.on_error != OnError::Fail => {
                let reason = if record.documents > 0 {
                    format!("{source} (after {} documents were read)", record.documents)
                } else {
                    source.to_string()
                };
                summary.skipped.push(SkippedInput { path, reason });
            }
            Err(e) => return Err(e),
        }
    }
    Ok(summary)
}

/// Reads one input's documents; returns its compression and fingerprint.
fn read_input(
    reading: &Reading,
    input: &Input,
    name: &str,
    context: &mut Context,
    emit: &mut Emit,
) -> Result<(Compression, Fingerprint)> {
    let raw: Box<dyn std::io::Read> = match &input.source {
        Source::Stdin => Box::new(std::io::stdin().lock()),
        Source::File(path) => Box::new(File::open(path).map_err(|e| CorpusError::io(name, e))?),
    };
    let raw = HashingReader::new(raw, reading.input_bytes);
    match input.format {
        InputFormat::Text | InputFormat::Jsonl => {
            let ((), compression, fingerprint) = with_decompressed(raw, name, |reader, _| {
                if input.format == InputFormat::Text {
                    documents::read_text(reader, context, emit)
                } else {
                    documents::read_jsonl(reader, context, emit)
                }
            })?;
            Ok((compression, fingerprint))
        }
        InputFormat::Parquet => read_parquet_input(reading, input, name, raw, context, emit),
    }
}

/// Parquet needs random access: a plain file is read where it is; a compressed file or stdin is
/// first unpacked into a temporary file in the scratch directory.
#[cfg(feature = "parquet")]
fn read_parquet_input<R: std::io::Read>(
    reading: &Reading,
    input: &Input,
    name: &str,
    raw: HashingReader<'_, R>,
    context: &mut Context,
    emit: &mut Emit,
) -> Result<(Compression, Fingerprint)> {
    let spool_path = reading.scratch_dir.join(".parquet-input.tmp");
    let needs_spool =
        |compression| compression != Compression::None || input.source == Source::Stdin;
    let (spooled, compression, fingerprint) =
        with_decompressed(raw, name, |reader, compression| {
            if !needs_spool(compression) {
                return Ok(false);
            }
            let io = |e| CorpusError::io(name, e);
            let mut spool = File::create(&spool_path).map_err(io)?;
            std::io::copy(reader, &mut spool).map_err(io)?;
            std::io::Write::flush(&mut spool).map_err(io)?;
            Ok(true)
        })?;
    let file = match (&input.source, spooled) {
        (Source::File(path), false) => File::open(path),
        _ => File::open(&spool_path),
    }
    .map_err(|e| CorpusError::io(name, e))?;
    let result = parquet::read_parquet(file, context, emit);
    if spooled {
        let _ = std::fs::remove_file(&spool_path);
    }
    result.map(|()| (compression, fingerprint))
}

#[cfg(not(feature = "parquet"))]
fn read_parquet_input<R: std::io::Read>(
    _reading: &Reading,
    _input: &Input,
    name: &str,
    _raw: HashingReader<'_, R>,
    _context: &mut Context,
    _emit: &mut Emit,
) -> Result<(Compression, Fingerprint)> {
    Err(CorpusError::Unsupported {
        path: name.to_string(),
        message: "this build reads no Parquet (feature \"parquet\" is off)".to_string(),
    })
}
