//! Mel-frequency cepstral coefficients: a type-II DCT with orthonormal scaling over the mel
//! bins of each frame of a log-mel spectrogram, the first `n_mfcc` coefficients kept, then
//! optionally liftered, as `librosa.feature.mfcc`, `torchaudio.transforms.MFCC` and Kaldi do.

/// A cepstral lifter: coefficient `k` scaled by `1 + (L / 2) sin(π i / L)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Lifter {
    None,
    /// librosa's, with `i = k + 1`.
    Librosa(f64),
    /// Kaldi's, with `i = k` (the first coefficient unchanged).
    Kaldi(f64),
}

impl Lifter {
    /// The scale of coefficient `k`.
    fn scale(self, k: usize) -> f64 {
        let (lifter, i) = match self {
            Lifter::None => return 1.0,
            Lifter::Librosa(l) => (l, k + 1),
            Lifter::Kaldi(l) => (l, k),
        };
        1.0 + lifter / 2.0 * (std::f64::consts::PI * i as f64 / lifter).sin()
    }
}

use crate::error::{AudioError, Result};
use crate::side_by_side::{for_each_group, FRAMES};
use crate::stft::Spectrogram;

/// A planned DCT-II (orthonormal) from `n_in` values to the first `n_out` coefficients, with
/// an optional lifter.
#[derive(Debug, Clone, PartialEq)]
pub struct Mfcc {
    n_in: usize,
    n_out: usize,
    /// `matrix[k * n_in + n]`, lifter included.
    matrix: Vec<f64>,
}

impl Mfcc {
    /// `n_mfcc` coefficients of `n_mels` bins.
    pub fn new(n_mels: usize, n_mfcc: usize, lifter: Lifter) -> Result<Self> {
        if n_mfcc == 0 || n_mfcc > n_mels {
            return Err(AudioError::BadParameter(format!(
                "n_mfcc {n_mfcc} must be between 1 and the number of mel bins ({n_mels})"
            )));
        }
        if let Lifter::Librosa(l) | Lifter::Kaldi(l) = lifter {
            if !(l.is_finite() && l > 0.0) {
                return Err(AudioError::BadParameter(format!(
                    "lifter {l} must be positive"
                )));
            }
        }
        let n = n_mels as f64;
        let mut matrix = Vec::with_capacity(n_mfcc * n_mels);
        for k in 0..n_mfcc {
            let scale = if k == 0 {
                (1.0 / n).sqrt()
            } else {
                (2.0 / n).sqrt()
            };
            let lift = lifter.scale(k);
            for i in 0..n_mels {
                let angle = std::f64::consts::PI * k as f64 * (2 * i + 1) as f64 / (2.0 * n);
                matrix.push(scale * angle.cos() * lift);
            }
        }
        Ok(Self {
            n_in: n_mels,
            n_out: n_mfcc,
            matrix,
        })
    }

    /// The coefficients of every frame of `log_mel`.
    pub fn apply(&self, log_mel: &Spectrogram) -> Result<Spectrogram> {
        if log_mel.n_bins != self.n_in {
            return Err(AudioError::BadParameter(format!(
                "the DCT is for {} mel bins, the spectrogram has {}",
                self.n_in, log_mel.n_bins
            )));
        }
        let mut data = vec![0.0; log_mel.n_frames * self.n_out];
        self.apply_frames(&log_mel.data[..log_mel.n_frames * self.n_in], &mut data);
        Ok(Spectrogram {
            n_frames: log_mel.n_frames,
            n_bins: self.n_out,
            data,
        })
    }

    /// The coefficients of consecutive frames (`n_mels` log-mel values each) into `out`
    /// (`n_mfcc` values each): each a sum over the mel bins in order, in double precision,
    /// several frames side by side ([`crate::side_by_side`]).
    pub fn apply_frames(&self, log_mel: &[f32], out: &mut [f32]) {
        let (n_in, n_out) = (self.n_in, self.n_out);
        for_each_group(log_mel, n_in, out, n_out, |bins: &[[f64; FRAMES]], out| {
            for (k, row) in self.matrix.chunks_exact(n_in).enumerate() {
                let mut sums = [-0.0f64; FRAMES];
                for (&w, bin) in row.iter().zip(bins) {
                    for (sum, &x) in sums.iter_mut().zip(bin) {
                        *sum += w * x;
                    }
                }
                for (f, sum) in sums.iter().enumerate() {
                    out[f * n_out + k] = *sum as f32;
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dct_of_a_constant_is_its_first_coefficient() {
        let dct = Mfcc::new(4, 4, Lifter::None).unwrap();
        let frame = Spectrogram {
            n_frames: 1,
            n_bins: 4,
            data: vec![1.0; 4],
        };
        let out = dct.apply(&frame).unwrap();
        assert!((out.data[0] - 2.0).abs() < 1e-6);
        assert!(out.data[1..].iter().all(|c| c.abs() < 1e-6));
        assert!(Mfcc::new(4, 5, Lifter::None).is_err());
    }
}
