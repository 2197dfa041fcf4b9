//! Mel scales and triangular mel filterbanks, as librosa, torchaudio and Kaldi build them.
//!
//! Filter `m` rises linearly from mel point `m` to `m + 1` and falls to `m + 2`, where the
//! `n_mels + 2` points are evenly spaced on the mel scale from `fmin` to `fmax`; it is evaluated
//! at the FFT bin frequencies. The [`MelConvention`] says the details that tell the three apart:
//! where the bins sit, whether the triangles are straight in Hz or in mels, and the default
//! `fmax`. With Slaney normalisation each filter is scaled by `2 / (f[m + 2] - f[m])` (Hz), so
//! that all have the same area. Built in double precision, stored as `f32` (as the references
//! return them).

use crate::error::{AudioError, Result};
use crate::side_by_side::{for_each_group, FRAMES};
use crate::stft::Spectrogram;

/// The mel scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MelScale {
    /// Linear below 1 kHz, logarithmic above (Slaney's Auditory Toolbox; librosa's default).
    Slaney,
    /// `2595 log10(1 + f / 700)` (HTK; torchaudio's default).
    Htk,
    /// `1127 ln(1 + f / 700)` (Kaldi's; equal to HTK's but for the rounded constant).
    Kaldi,
}

/// Whose construction of a filterbank to follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MelConvention {
    /// `librosa.filters.mel`: bins at `k · sr / n_fft`, triangles straight in Hz, `fmax`
    /// defaults to `sr / 2`.
    Librosa,
    /// `torchaudio.functional.melscale_fbanks`: bins evenly spaced from 0 to `⌊sr / 2⌋`,
    /// triangles straight in Hz, `fmax` defaults to `⌊sr / 2⌋`.
    Torchaudio,
    /// Kaldi's (`torchaudio.compliance.kaldi.get_mel_banks`): bins at `k · sr / n_fft`,
    /// triangles straight in mels, the Nyquist bin left out; an `fmax` of 0 or below counts
    /// from the Nyquist frequency (`sr / 2 + fmax`).
    Kaldi,
}

impl MelScale {
    /// Hz to mels.
    pub fn from_hz(self, hz: f64) -> f64 {
        match self {
            MelScale::Htk => 2595.0 * (1.0 + hz / 700.0).log10(),
            MelScale::Kaldi => 1127.0 * (1.0 + hz / 700.0).ln(),
            MelScale::Slaney => {
                let (f_sp, min_log_hz) = (200.0 / 3.0, 1000.0);
                let min_log_mel = min_log_hz / f_sp;
                let log_step = 6.4f64.ln() / 27.0;
                if hz >= min_log_hz {
                    min_log_mel + (hz / min_log_hz).ln() / log_step
                } else {
                    hz / f_sp
                }
            }
        }
    }

    /// Mels to Hz.
    pub fn to_hz(self, mel: f64) -> f64 {
        match self {
            MelScale::Htk => 700.0 * (10f64.powf(mel / 2595.0) - 1.0),
            MelScale::Kaldi => 700.0 * ((mel / 1127.0).exp() - 1.0),
            MelScale::Slaney => {
                let (f_sp, min_log_hz) = (200.0 / 3.0, 1000.0);
                let min_log_mel = min_log_hz / f_sp;
                let log_step = 6.4f64.ln() / 27.0;
                if mel >= min_log_mel {
                    min_log_hz * (log_step * (mel - min_log_mel)).exp()
                } else {
                    f_sp * mel
                }
            }
        }
    }
}

/// A mel filterbank.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MelConfig {
    pub sr: f64,
    pub n_fft: usize,
    pub n_mels: usize,
    pub fmin: f64,
    /// `None`: the convention's default.
    pub fmax: Option<f64>,
    pub scale: MelScale,
    /// Slaney area normalisation (librosa's `norm="slaney"`), or none.
    pub slaney_norm: bool,
    pub convention: MelConvention,
}

/// Filter weights, `n_mels` rows of `n_fft / 2 + 1` bins, with each row's non-zero span.
#[derive(Debug, Clone, PartialEq)]
pub struct MelFilterbank {
    pub n_mels: usize,
    pub n_bins: usize,
    /// `weights[m * n_bins + k]`.
    pub weights: Vec<f32>,
    /// Per filter, the bins `start..end` where it is non-zero.
    spans: Vec<(usize, usize)>,
}

impl MelFilterbank {
    /// Builds the filterbank.
    pub fn new(config: &MelConfig) -> Result<Self> {
        let bad = |m: String| Err(AudioError::BadParameter(m));
        if !(config.sr.is_finite() && config.sr > 0.0) {
            return bad(format!("sample rate {} must be positive", config.sr));
        }
        if config.n_mels == 0 || config.n_fft < 2 {
            return bad("a filterbank needs at least one filter and n_fft of at least 2".into());
        }
        let n_bins = config.n_fft / 2 + 1;
        let kaldi = config.convention == MelConvention::Kaldi;
        let nyquist = config.sr / 2.0;
        let fmax = match (config.convention, config.fmax) {
            (MelConvention::Torchaudio, None) => (config.sr / 2.0).floor(),
            (MelConvention::Kaldi, Some(f)) if f <= 0.0 => nyquist + f,
            (_, fmax) => fmax.unwrap_or(nyquist),
        };
        if !(0.0 <= config.fmin && config.fmin < fmax) {
            return bad(format!(
                "fmin {} must be at least 0 and below fmax {fmax}",
                config.fmin
            ));
        }
        if kaldi && fmax > nyquist {
            return bad(format!(
                "fmax {fmax} must not exceed the Nyquist frequency {nyquist}"
            ));
        }
        let bin_hz: Vec<f64> = (0..n_bins)
            .map(|k| match config.convention {
                MelConvention::Torchaudio => {
                    k as f64 * (config.sr / 2.0).floor() / (n_bins - 1) as f64
                }
                _ => k as f64 * config.sr / config.n_fft as f64,
            })
            .collect();
        let scale = config.scale;
        let (low, high) = (scale.from_hz(config.fmin), scale.from_hz(fmax));
        let mel_points: Vec<f64> = (0..config.n_mels + 2)
            .map(|i| low + (high - low) * i as f64 / (config.n_mels + 1) as f64)
            .collect();
        // The axis the triangles are straight on, for the filter edges and the bins.
        let (points, bin_positions): (Vec<f64>, Vec<f64>) = if kaldi {
            (
                mel_points,
                bin_hz.iter().map(|&f| scale.from_hz(f)).collect(),
            )
        } else {
            (mel_points.iter().map(|&m| scale.to_hz(m)).collect(), bin_hz)
        };
        let mut weights = vec![0f32; config.n_mels * n_bins];
        let mut spans = Vec::with_capacity(config.n_mels);
        for m in 0..config.n_mels {
            let (left, centre, right) = (points[m], points[m + 1], points[m + 2]);
            let norm = if config.slaney_norm {
                let hz = |x: f64| if kaldi { scale.to_hz(x) } else { x };
                2.0 / (hz(right) - hz(left))
            } else {
                1.0
            };
            let (mut start, mut end) = (n_bins, 0);
            // Kaldi's filters end before the Nyquist bin.
            let used = if kaldi { n_bins - 1 } else { n_bins };
            for (k, &x) in bin_positions[..used].iter().enumerate() {
                let rising = (x - left) / (centre - left);
                let falling = (right - x) / (right - centre);
                let w = rising.min(falling).max(0.0) * norm;
                if w > 0.0 {
                    weights[m * n_bins + k] = w as f32;
                    start = start.min(k);
                    end = k + 1;
                }
            }
            spans.push((start.min(end), end));
        }
        Ok(Self {
            n_mels: config.n_mels,
            n_bins,
            weights,
            spans,
        })
    }

    /// The filters that cover no FFT bin (their energies are always 0): too many mel bins
    /// for the FFT size and frequency range.
    pub fn empty_filters(&self) -> Vec<usize> {
        (0..self.n_mels)
            .filter(|&m| self.spans[m].0 >= self.spans[m].1)
            .collect()
    }

    /// Mel energies of every frame of `spectrogram` (`n_mels` values a frame).
    pub fn apply(&self, spectrogram: &Spectrogram) -> Result<Spectrogram> {
        if spectrogram.n_bins != self.n_bins {
            return Err(AudioError::BadParameter(format!(
                "the filterbank is for {} bins, the spectrogram has {}",
                self.n_bins, spectrogram.n_bins
            )));
        }
        let mut data = vec![0.0; spectrogram.n_frames * self.n_mels];
        let bins = &spectrogram.data[..spectrogram.n_frames * self.n_bins];
        self.apply_frames(bins, &mut data);
        Ok(Spectrogram {
            n_frames: spectrogram.n_frames,
            n_bins: self.n_mels,
            data,
        })
    }

    /// The `n_mels` energies of consecutive frames of `n_bins` bins into `out`: each a sum
    /// over its filter's bins in order, in single precision (as librosa's matrix product is),
    /// several frames side by side ([`crate::side_by_side`]).
    pub fn apply_frames(&self, bins: &[f32], out: &mut [f32]) {
        let (n_bins, n_mels) = (self.n_bins, self.n_mels);
        for_each_group(bins, n_bins, out, n_mels, |bins: &[[f32; FRAMES]], out| {
            for (m, &(start, end)) in self.spans.iter().enumerate() {
                let mut sums = [-0.0f32; FRAMES];
                let weights = &self.weights[m * n_bins + start..m * n_bins + end];
                for (&w, bin) in weights.iter().zip(&bins[start..end]) {
                    for (sum, &x) in sums.iter_mut().zip(bin) {
                        *sum += w * x;
                    }
                }
                for (f, sum) in sums.iter().enumerate() {
                    out[f * n_mels + m] = *sum;
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_round_trip() {
        for scale in [MelScale::Slaney, MelScale::Htk, MelScale::Kaldi] {
            for hz in [0.0, 440.0, 1000.0, 7999.0] {
                assert!((scale.to_hz(scale.from_hz(hz)) - hz).abs() < 1e-9);
            }
        }
        assert!((MelScale::Htk.from_hz(700.0) - 2595.0 * 2f64.log10()).abs() < 1e-12);
        assert!((MelScale::Slaney.from_hz(1000.0) - 15.0).abs() < 1e-12);
    }

    #[test]
    fn bad_ranges_are_errors() {
        let config = MelConfig {
            sr: 16000.0,
            n_fft: 400,
            n_mels: 80,
            fmin: 0.0,
            fmax: Some(9000.0),
            scale: MelScale::Slaney,
            slaney_norm: true,
            convention: MelConvention::Librosa,
        };
        assert!(MelFilterbank::new(&config).is_ok());
        let inverted = MelConfig {
            fmin: 9500.0,
            ..config
        };
        assert!(MelFilterbank::new(&inverted).is_err());
    }
}
