//! How close decoded audio is to the original: SI-SDR, mel distance and multi-scale STFT
//! distance, in their plain published forms.
//!
//! - [`si_sdr`]: scale-invariant signal-to-distortion ratio in dB (Le Roux et al., 2019). Both
//!   signals lose their mean; the reference is scaled by `α = ⟨s, ŝ⟩ / ‖s‖²` and
//!   `SI-SDR = 10 log10(‖α s‖² / ‖ŝ - α s‖²)`. Higher is better; `+∞` for a scaled copy.
//! - [`mel_distance`]: the mean absolute difference of `log10(max(mel, 1e-5))` between the two
//!   signals' mel spectrograms (power, 80 Slaney bins, n_fft 1024, hop 256, librosa's framing).
//!   Lower is better; 0 for identical signals.
//! - [`multi_scale_stft_distance`]: at n_fft 512, 1024 and 2048 (hop a quarter, periodic Hann,
//!   centred), the spectral convergence `‖|S| - |Ŝ|‖ / ‖|S|‖` plus the mean absolute
//!   difference of `ln(max(|S|, 1e-7))`, averaged over the three scales (the multi-resolution
//!   STFT loss of Parallel WaveGAN). Lower is better.
//!
//! The signals must have the same length (compare the decoded audio trimmed to the input).

use crate::error::{AudioError, Result};
use crate::features::{Extractor, FeatureConfig, LogScale};
use crate::stft::{Stft, StftConfig};

fn same_length(reference: &[f32], estimate: &[f32]) -> Result<()> {
    if reference.len() != estimate.len() || reference.is_empty() {
        return Err(AudioError::BadParameter(format!(
            "metrics compare signals of one non-zero length, not {} and {} samples",
            reference.len(),
            estimate.len()
        )));
    }
    Ok(())
}

/// Scale-invariant SDR in dB of `estimate` against `reference`.
pub fn si_sdr(reference: &[f32], estimate: &[f32]) -> Result<f64> {
    same_length(reference, estimate)?;
    let mean = |x: &[f32]| x.iter().map(|&v| f64::from(v)).sum::<f64>() / x.len() as f64;
    let (mean_s, mean_e) = (mean(reference), mean(estimate));
    let (mut dot, mut energy) = (0.0, 0.0);
    for (&s, &e) in reference.iter().zip(estimate) {
        let (s, e) = (f64::from(s) - mean_s, f64::from(e) - mean_e);
        dot += s * e;
        energy += s * s;
    }
    if energy == 0.0 {
        return Err(AudioError::BadParameter(
            "SI-SDR needs a reference that is not constant".into(),
        ));
    }
    let alpha = dot / energy;
    let (mut target, mut noise) = (0.0, 0.0);
    for (&s, &e) in reference.iter().zip(estimate) {
        let scaled = alpha * (f64::from(s) - mean_s);
        target += scaled * scaled;
        noise += (f64::from(e) - mean_e - scaled).powi(2);
    }
    Ok(10.0 * (target / noise).log10())
}

/// Mean absolute difference of the log10 mel spectrograms (see the module documentation).
pub fn mel_distance(reference: &[f32], estimate: &[f32], sample_rate: f64) -> Result<f64> {
    same_length(reference, estimate)?;
    let mut config = FeatureConfig::preset("librosa-mel")?;
    config.stft = StftConfig::librosa(1024, 256);
    config.n_mels = 80;
    config.log = LogScale::Linear;
    let extractor = Extractor::new(config, sample_rate)?;
    let (a, b) = (extractor.compute(reference)?, extractor.compute(estimate)?);
    let log = |v: f32| f64::from(v.max(1e-5)).log10();
    let total: f64 = a
        .data
        .iter()
        .zip(&b.data)
        .map(|(&x, &y)| (log(x) - log(y)).abs())
        .sum();
    Ok(total / a.data.len() as f64)
}

/// Spectral convergence plus log-magnitude distance, averaged over three STFT scales (see the
/// module documentation).
pub fn multi_scale_stft_distance(reference: &[f32], estimate: &[f32]) -> Result<f64> {
    same_length(reference, estimate)?;
    let scales = [512, 1024, 2048];
    let mut sum = 0.0;
    for n_fft in scales {
        let stft = Stft::new(StftConfig {
            power: 1.0,
            ..StftConfig::librosa(n_fft, n_fft / 4)
        })?;
        let (a, b) = (stft.spectrogram(reference)?, stft.spectrogram(estimate)?);
        let (mut difference, mut norm, mut log_difference) = (0.0, 0.0, 0.0);
        for (&x, &y) in a.data.iter().zip(&b.data) {
            let (x, y) = (f64::from(x), f64::from(y));
            difference += (x - y).powi(2);
            norm += x * x;
            log_difference += (x.max(1e-7).ln() - y.max(1e-7).ln()).abs();
        }
        let convergence = if norm > 0.0 {
            (difference / norm).sqrt()
        } else {
            0.0
        };
        sum += convergence + log_difference / a.data.len() as f64;
    }
    Ok(sum / scales.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(n: usize) -> Vec<f32> {
        (0..n).map(|i| (i as f32 * 0.07).sin()).collect()
    }

    #[test]
    fn si_sdr_by_hand() {
        // s = (1, -1, 1, -1), e = s + (1, 1, -1, -1): orthogonal noise of the same energy
        // (both zero-mean), so alpha = 1 and SI-SDR = 10 log10(4 / 4) = 0 dB.
        let s = [1.0, -1.0, 1.0, -1.0];
        let e = [2.0, 0.0, 0.0, -2.0];
        assert!(si_sdr(&s, &e).unwrap().abs() < 1e-12);
        // Half the noise: 10 log10(4 / 1) = 6.0206 dB; and scale does not matter.
        let e: Vec<f32> = [1.5, -0.5, 0.5, -1.5].iter().map(|v| v * 3.0).collect();
        assert!((si_sdr(&s, &e).unwrap() - 10.0 * 4f64.log10()).abs() < 1e-9);
        let copy: Vec<f32> = s.iter().map(|v| v * 0.5 + 2.0).collect();
        assert_eq!(si_sdr(&s, &copy).unwrap(), f64::INFINITY);
        assert!(si_sdr(&s, &s[..3]).is_err());
        assert!(si_sdr(&[1.0; 4], &s).is_err());
    }

    #[test]
    fn distances_are_zero_for_identical_signals_and_grow_with_noise() {
        let s = tone(8000);
        assert_eq!(mel_distance(&s, &s, 16000.0).unwrap(), 0.0);
        assert_eq!(multi_scale_stft_distance(&s, &s).unwrap(), 0.0);
        let noisy = |amount: f32| -> Vec<f32> {
            s.iter()
                .enumerate()
                .map(|(i, v)| v + amount * (((i * 7919) % 101) as f32 / 50.0 - 1.0))
                .collect()
        };
        let (small, large) = (noisy(0.01), noisy(0.1));
        assert!(
            mel_distance(&s, &small, 16000.0).unwrap() < mel_distance(&s, &large, 16000.0).unwrap()
        );
        assert!(
            multi_scale_stft_distance(&s, &small).unwrap()
                < multi_scale_stft_distance(&s, &large).unwrap()
        );
    }
}
