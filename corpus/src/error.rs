//! The one error type of this crate.

use omnitok_tokenizer::TokenizerError;

/// What went wrong while tokenizing a corpus or measuring compression, in categories a caller
/// can act on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CorpusError {
    /// A caller-supplied option is invalid (an unknown baseline tokenizer or reference
    /// language, no tokenizer at all, zero threads, ...).
    #[error("invalid parameter: {0}")]
    BadParameter(String),

    /// An input holds data that cannot be used (invalid UTF-8, malformed JSON, a missing or
    /// non-string field). `line` is the line (text, JSON Lines) or row (Parquet), counted from
    /// 1; 0 means the input as a whole.
    #[error("{path}{}: {message}", line_suffix(*.line))]
    BadInput {
        path: String,
        line: u64,
        message: String,
    },

    /// An input holds nothing to measure (an empty folder, a JSON Lines file without lines).
    #[error("{path}: {message}")]
    Empty { path: String, message: String },

    /// An input or a document is larger than the configured limit.
    #[error("{path}{}: {message}", line_suffix(*.line))]
    Limit {
        path: String,
        line: u64,
        message: String,
    },

    /// An input or output format this build cannot handle.
    #[error("{path}: unsupported: {message}")]
    Unsupported { path: String, message: String },

    /// The output directory cannot be used as asked (not empty, or does not match the run being
    /// resumed).
    #[error("{path}: {message}")]
    OutputDir { path: String, message: String },

    /// Tokenizing failed; `context` names the document (file and line) or the language and
    /// tokenizer.
    #[error("{context}: {source}")]
    Tokenizer {
        context: String,
        #[source]
        source: TokenizerError,
    },

    /// Two inputs would write their outputs under the same name.
    #[error("{first} and {second} would both be written as {name}")]
    OutputName {
        first: String,
        second: String,
        name: String,
    },

    /// Drawing a chart failed.
    #[error("{path}: cannot draw the chart: {message}")]
    Plot { path: String, message: String },

    /// A layout or its IDs are wrong (overlapping ranges, an unknown marker, a code out of
    /// range), as the shared token space reports it.
    #[error(transparent)]
    Vocab(#[from] omnitok_vocab::VocabError),

    /// An image or image quantizer is wrong, as omnitok-vision reports it.
    #[error(transparent)]
    Vision(#[from] omnitok_vision::VisionError),

    /// Audio or a codec is wrong, as omnitok-audio reports it.
    #[error(transparent)]
    Audio(#[from] omnitok_audio::AudioError),

    /// The run was stopped by its caller (a progress structure's `stop` flag); a tokenize run
    /// stopped so resumes as after any interruption.
    #[error("interrupted")]
    Interrupted,

    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

fn line_suffix(line: u64) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(":{line}")
    }
}

impl CorpusError {
    /// An I/O error on `path`.
    pub(crate) fn io(path: impl std::fmt::Display, source: std::io::Error) -> Self {
        CorpusError::Io {
            path: path.to_string(),
            source,
        }
    }

    /// An output-directory error on `path`.
    pub(crate) fn output_dir(path: impl std::fmt::Display, message: impl Into<String>) -> Self {
        CorpusError::OutputDir {
            path: path.to_string(),
            message: message.into(),
        }
    }
}

/// Result with [`CorpusError`].
pub type Result<T, E = CorpusError> = std::result::Result<T, E>;
