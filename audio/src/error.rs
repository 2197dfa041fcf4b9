//! The one error type of this crate.

/// What went wrong, in categories a caller can act on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AudioError {
    /// A caller-supplied parameter is invalid (an FFT size of 0, a hop longer than allowed,
    /// fmax above the Nyquist frequency, ...).
    #[error("invalid parameter: {0}")]
    BadParameter(String),

    /// Samples that cannot be used: NaN or infinite values, at `index`.
    #[error("sample {index} is {value}; samples must be finite")]
    NonFinite { index: usize, value: f32 },

    /// Samples so large (`peak` in absolute value) that a frame's spectrum, or a codec's
    /// activations, overflow 32-bit floats.
    #[error("samples reach {peak:.3e}, and what is computed from them overflows 32-bit floats; scale the audio down")]
    Overflow { peak: f64 },

    /// Codes of a model that scales each chunk, given without the scales encoding returned.
    #[error(
        "this model scales each chunk; decoding needs the {chunks} scale(s) that encoding \
         returned with the codes"
    )]
    MissingScales { chunks: usize },

    /// An audio file holds data that cannot be used (truncated, corrupt, no samples, absurd
    /// sample rate or channel count, non-finite samples).
    #[error("{path}: {message}")]
    BadInput { path: String, message: String },

    /// An audio file is larger or longer than the configured limit.
    #[error("{path}: {message}")]
    Limit { path: String, message: String },

    /// A format or codec this build cannot decode.
    #[error("{path}: unsupported: {message}")]
    Unsupported { path: String, message: String },

    /// Reading a file failed.
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, AudioError>;
