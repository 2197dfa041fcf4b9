//! The one error type of this crate.

use crate::TokenId;

/// Why a set of ranges is not a valid layout.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VocabError {
    /// A range ends before it starts.
    #[error("range {name:?} ends ({end}) before it starts ({start})")]
    Inverted {
        name: String,
        start: TokenId,
        end: TokenId,
    },
    /// Two ranges share at least one ID.
    #[error("ranges {first:?} and {second:?} overlap at ID {id}")]
    Overlap {
        first: String,
        second: String,
        id: TokenId,
    },
    /// Two ranges, or two tokens, carry the same name.
    #[error("two ranges or tokens are both named {name:?}")]
    DuplicateName { name: String },
    /// Two tokens share an ID.
    #[error("{first:?} and {second:?} both have ID {id}")]
    DuplicateId {
        id: TokenId,
        first: String,
        second: String,
    },
    /// A caller-supplied value is invalid.
    #[error("invalid parameter: {0}")]
    BadParameter(String),
    /// A layout manifest cannot be used.
    #[error("layout manifest: {0}")]
    BadManifest(String),
    /// A recorded checksum differs from the actual one.
    #[error("the {component} checksum differs from the one the layout records: recorded {recorded}, actual {actual}")]
    ChecksumMismatch {
        component: String,
        recorded: String,
        actual: String,
    },
    /// A stream of IDs breaks the layout's rules at `position`.
    #[error("position {position}: {message}")]
    BadStream { position: usize, message: String },
}
