//! The one error type of this crate.

/// What went wrong, in categories a caller can act on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VisionError {
    /// A caller-supplied parameter is invalid (a size of 0, a buffer of the wrong length, ...).
    #[error("invalid parameter: {0}")]
    BadParameter(String),

    /// A preset name that is not one of the presets.
    #[error("unknown preset {name:?}; the presets are {presets}")]
    UnknownPreset { name: String, presets: String },

    /// A file holds data that cannot be used (truncated, corrupt, an unknown format).
    #[error("{path}: {message}")]
    BadInput { path: String, message: String },

    /// A file is larger than the configured limits (pixels, frames, bytes).
    #[error("{path}: {message}")]
    Limit { path: String, message: String },

    /// Decoding this file needs a program that is not installed.
    #[error(
        "{path}: decoding this format needs the `{program}` program, which was not found on PATH"
    )]
    MissingProgram { path: String, program: String },

    /// Reading a file failed.
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, VisionError>;
