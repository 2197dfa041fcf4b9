//! The one error type of this crate.

use omnitok_vocab::TokenId;

/// What went wrong, in categories a caller can act on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenizerError {
    /// A vocabulary file (rank file, tokenizer.json) is malformed; `location` names the line or
    /// the JSON field.
    #[error("{path}: {location}: {message}")]
    BadVocabulary {
        path: String,
        location: String,
        message: String,
    },

    /// The vocabulary uses a feature this crate does not implement.
    #[error("{path}: unsupported: {message}")]
    Unsupported { path: String, message: String },

    /// An input is larger than this crate reads (a vocabulary file over
    /// [`crate::files::MAX_VOCAB_FILE_BYTES`]).
    #[error("{path}: {message}")]
    Limit { path: String, message: String },

    /// A caller-supplied parameter is invalid (unknown encoding name, bad regex, ...).
    #[error("invalid parameter: {0}")]
    BadParameter(String),

    /// Text contains the string of a special token that the policy does not allow.
    #[error(
        "text contains the special token {token:?} at byte {byte_offset}; allow it explicitly, \
         or encode it as ordinary text"
    )]
    DisallowedSpecial { token: String, byte_offset: usize },

    /// A token ID that the vocabulary does not define.
    #[error("unknown token ID {id} at position {position} (vocabulary has {n_vocab} IDs)")]
    UnknownId {
        id: TokenId,
        position: usize,
        n_vocab: usize,
    },

    /// Decoded bytes are not valid UTF-8.
    #[error(
        "decoded bytes are not valid UTF-8 at byte {byte_offset} (inside token {position} of \
         the input); use decode_bytes, or lossy decoding"
    )]
    InvalidUtf8 { byte_offset: usize, position: usize },

    /// Training was stopped by its caller (see `TrainProgress::stop`).
    #[error("interrupted")]
    Interrupted,

    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

impl TokenizerError {
    pub(crate) fn bad_vocab(
        path: &str,
        location: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self::BadVocabulary {
            path: path.to_string(),
            location: location.into(),
            message: message.into(),
        }
    }

    /// A tokenizer-assembly error (ID collisions, ID range) restated as an error of the file
    /// `source`; other errors stay as they are.
    pub(crate) fn in_file(self, source: &str) -> Self {
        match self {
            Self::BadParameter(message) => Self::bad_vocab(source, "token IDs", message),
            other => other,
        }
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, TokenizerError>;
