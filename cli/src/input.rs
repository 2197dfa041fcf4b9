//! Reading inputs (files or stdin), choosing the tokenizer, and writing to stdout.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::builder::PossibleValuesParser;
use clap::Args;
use omnitok_corpus::tokenize::ReadOptions;
use omnitok_files::BoundedReadError;
use omnitok_tokenizer::{get_encoding, Tokenizer, ENCODING_NAMES};

/// The tokenizer of `encode` and `decode`: a built-in encoding or a file.
#[derive(Args, Debug)]
pub struct TokenizerArgs {
    /// Built-in encoding.
    #[arg(
        short,
        long,
        value_name = "NAME",
        default_value = omnitok_tokenizer::DEFAULT_ENCODING,
        value_parser = PossibleValuesParser::new(ENCODING_NAMES),
        conflicts_with = "tokenizer"
    )]
    pub encoding: String,

    /// Tokenizer file instead of a built-in encoding: tokenizer.json, or a tiktoken rank file
    /// (whose pattern and special tokens come from its side file FILE.json, if any).
    #[arg(short, long, value_name = "FILE")]
    pub tokenizer: Option<PathBuf>,

    /// Pre-tokenization regex for a rank file (overrides its side file's; required without one).
    #[arg(long, value_name = "REGEX", requires = "tokenizer")]
    pub pattern: Option<String>,
}

impl TokenizerArgs {
    /// Loads the chosen tokenizer.
    pub fn load(&self) -> Result<Arc<Tokenizer>> {
        match &self.tokenizer {
            Some(path) => load_file(path, self.pattern.as_deref()),
            None => load_encoding(&self.encoding),
        }
    }
}

/// The built-in encoding `name`.
pub fn load_encoding(name: &str) -> Result<Arc<Tokenizer>> {
    Ok(get_encoding(name)?)
}

/// A tokenizer file; the library's errors already name the file.
pub fn load_file(path: &Path, pattern: Option<&str>) -> Result<Arc<Tokenizer>> {
    Ok(Arc::new(Tokenizer::from_file(path, pattern)?))
}

/// The tokenizers of `count`, `stats` and `show`: built-in encodings and tokenizer files, each
/// repeatable.
#[derive(Args, Debug)]
pub struct TokenizerListArgs {
    /// Built-in encoding; repeat for several (o200k_base when no tokenizer is given).
    #[arg(
        short,
        long = "encoding",
        value_name = "NAME",
        value_parser = PossibleValuesParser::new(ENCODING_NAMES)
    )]
    pub encodings: Vec<String>,

    /// Tokenizer file (tokenizer.json, a SentencePiece .model, or a tiktoken rank file),
    /// named by its path, or by LABEL when given as LABEL=FILE; repeat for several.
    #[arg(short, long = "tokenizer", value_name = "[LABEL=]FILE")]
    pub tokenizers: Vec<PathBuf>,

    /// Pre-tokenization regex for the rank files given with --tokenizer (overrides their side
    /// files'; required without one).
    #[arg(long, value_name = "REGEX", requires = "tokenizers")]
    pub pattern: Option<String>,
}

impl TokenizerListArgs {
    /// Loads the tokenizers ([`load_tokenizers`]).
    pub fn load(&self) -> Result<Vec<(String, Arc<Tokenizer>)>> {
        load_tokenizers(&self.encodings, &self.tokenizers, self.pattern.as_deref())
    }
}

/// The tokenizers of `count` and `stats`: every built-in encoding in `encodings`, then every
/// file in `files` (reported under its path), without repeats; o200k_base when both are empty.
pub fn load_tokenizers(
    encodings: &[String],
    files: &[PathBuf],
    pattern: Option<&str>,
) -> Result<Vec<(String, Arc<Tokenizer>)>> {
    let mut loaded: Vec<(String, Arc<Tokenizer>)> = Vec::new();
    let default = ["o200k_base".to_string()];
    let encodings = if encodings.is_empty() && files.is_empty() {
        &default[..]
    } else {
        encodings
    };
    for name in encodings {
        if !loaded.iter().any(|(n, _)| n == name) {
            loaded.push((name.clone(), load_encoding(name)?));
        }
    }
    for given in files {
        let (name, path) = labelled_path(given);
        if !loaded.iter().any(|(n, _)| *n == name) {
            loaded.push((name, load_file(&path, pattern)?));
        }
    }
    Ok(loaded)
}

/// `LABEL=FILE` as its label and file (when `given` is not itself a file); otherwise the path,
/// named by itself.
fn labelled_path(given: &Path) -> (String, PathBuf) {
    let text = given.to_string_lossy();
    if !given.exists() {
        if let Some((label, path)) = text.split_once('=') {
            if !label.is_empty() && !path.is_empty() {
                return (label.to_string(), PathBuf::from(path));
            }
        }
    }
    (given.display().to_string(), given.to_path_buf())
}

/// One input: its name for messages (the path, or `<stdin>`) and its bytes.
pub struct Input {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// How much of an input `encode`, `decode` and `count` read.
#[derive(Args, Debug, Clone, Copy)]
pub struct InputLimitArgs {
    /// Largest input read, in bytes (one document; a corpus is for `omnitok tokenize`).
    #[arg(long, value_name = "BYTES", default_value_t = ReadOptions::DEFAULT_MAX_DOCUMENT_BYTES as u64)]
    pub max_input_bytes: u64,
}

/// Reads `path`, or stdin when it is absent or `-`: at most `limit.max_input_bytes`, counted
/// as they are read (an input that never ends is refused too).
pub fn read(path: Option<&Path>, limit: InputLimitArgs) -> Result<Input> {
    let max_bytes = limit.max_input_bytes;
    let (name, read) = match path {
        Some(path) if path != Path::new("-") => (
            path.display().to_string(),
            omnitok_files::read_bounded(path, max_bytes),
        ),
        _ => (
            "<stdin>".to_string(),
            omnitok_files::read_to_end_bounded(std::io::stdin().lock(), max_bytes),
        ),
    };
    match read {
        Ok(bytes) => Ok(Input { name, bytes }),
        Err(BoundedReadError::Io(e)) => Err(e).with_context(|| format!("cannot read {name}")),
        Err(too_large) => anyhow::bail!(
            "{name}: {too_large} for one document; tokenize a corpus with omnitok tokenize"
        ),
    }
}

/// Reads `path` (or stdin) as UTF-8 text; other bytes are an error naming the input and offset.
pub fn read_text(path: Option<&Path>, limit: InputLimitArgs) -> Result<(String, String)> {
    let Input { name, bytes } = read(path, limit)?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok((name, text)),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            anyhow::bail!("{name}: not valid UTF-8 at byte {offset}")
        }
    }
}

/// Writes `bytes` to stdout and flushes.
pub fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .context("cannot write to stdout")
}

/// Whether `error` comes from writing to a closed pipe.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
