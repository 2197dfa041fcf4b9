//! The one error type of this crate.

/// What went wrong, in categories a caller can act on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VisionError {
    /// A caller-supplied parameter is invalid (a size of 0, a buffer of the wrong length, ...).
    #[error("invalid parameter: {0}")]
    BadParameter(String),
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, VisionError>;
