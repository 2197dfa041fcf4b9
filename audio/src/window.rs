//! Analysis windows.
//!
//! A *periodic* window of length `n` is the first `n` points of a symmetric window of length
//! `n + 1` (scipy's `fftbins=True`, the default of librosa and torch); a *symmetric* one is
//! symmetric about its centre (Kaldi's windows, numpy's `hanning`).

use std::f64::consts::PI;

use crate::error::{AudioError, Result};

/// A window function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Window {
    /// `0.5 - 0.5 cos(2πk/M)`.
    Hann,
    /// `0.54 - 0.46 cos(2πk/M)`.
    Hamming,
    /// Kaldi's: the symmetric Hann window raised to the power 0.85 (always symmetric).
    Povey,
    /// All ones.
    Rectangular,
}

impl Window {
    /// The window's `length` coefficients.
    pub fn coefficients(self, length: usize, periodic: bool) -> Result<Vec<f64>> {
        if length == 0 {
            return Err(AudioError::BadParameter(
                "a window needs at least one point".into(),
            ));
        }
        if length == 1 {
            return Ok(vec![1.0]);
        }
        // M: the denominator of the cosine's argument.
        let m = if periodic && self != Window::Povey {
            length
        } else {
            length - 1
        } as f64;
        Ok((0..length)
            .map(|k| {
                let c = (2.0 * PI * k as f64 / m).cos();
                match self {
                    Window::Hann => 0.5 - 0.5 * c,
                    Window::Hamming => 0.54 - 0.46 * c,
                    Window::Povey => (0.5 - 0.5 * c).powf(0.85),
                    Window::Rectangular => 1.0,
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periodic_and_symmetric_hann() {
        let periodic = Window::Hann.coefficients(4, true).unwrap();
        let expected = [0.0, 0.5, 1.0, 0.5];
        for (a, b) in periodic.iter().zip(expected) {
            assert!((a - b).abs() < 1e-15);
        }
        let symmetric = Window::Hann.coefficients(5, false).unwrap();
        let expected = [0.0, 0.5, 1.0, 0.5, 0.0];
        for (a, b) in symmetric.iter().zip(expected) {
            assert!((a - b).abs() < 1e-15);
        }
        assert!(Window::Hann.coefficients(0, true).is_err());
    }

    #[test]
    fn povey_is_symmetric_hann_to_the_085() {
        let povey = Window::Povey.coefficients(5, true).unwrap();
        assert!((povey[1] - 0.5f64.powf(0.85)).abs() < 1e-15);
        assert_eq!(povey[0], 0.0);
        assert!((povey[4]).abs() < 1e-15);
    }
}
