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
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, AudioError>;
