//! The error type of corpus tokenization.

use omnitok_tokenizer::TokenizerError;

/// What went wrong while tokenizing a corpus, in categories a caller can act on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CorpusError {
    /// A caller-supplied option is invalid.
    #[error("invalid parameter: {0}")]
    BadParameter(String),

    /// An input holds data that cannot be used (invalid UTF-8, malformed JSON, a missing field)
    /// and the error policy says to fail. `line` is the line (text, JSON Lines) or row (Parquet),
    /// counted from 1.
    #[error("{path}:{line}: {message}")]
    BadInput {
        path: String,
        line: u64,
        message: String,
    },

    /// An input is in a format this build cannot read.
    #[error("{path}: unsupported: {message}")]
    Unsupported { path: String, message: String },

    /// A document is larger than the configured limit.
    #[error("{path}:{line}: {message}")]
    Limit {
        path: String,
        line: u64,
        message: String,
    },

    /// The output directory cannot be used as asked (not empty, or does not match the run being
    /// resumed).
    #[error("{path}: {message}")]
    OutputDir { path: String, message: String },

    /// Tokenizing failed.
    #[error("{path}: {source}")]
    Tokenizer {
        path: String,
        source: TokenizerError,
    },

    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
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
