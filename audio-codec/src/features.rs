//! Feature extraction by named preset: STFT, mel filterbank, log scale and optionally MFCC,
//! planned once ([`Extractor`]) and shared across threads.
//!
//! | preset | reference | frames | output |
//! |---|---|---|---|
//! | `librosa-mel` | `librosa.power_to_db(librosa.feature.melspectrogram(y, sr))` | n_fft 2048, hop 512, centred, zero padding | `[128, frames]` dB |
//! | `librosa-mfcc` | `librosa.feature.mfcc(y, sr)` | as `librosa-mel` | `[20, frames]` |
//! | `whisper-80`, `whisper-128` | Whisper's `log_mel_spectrogram` = HF `WhisperFeatureExtractor` | 16 kHz, n_fft 400, hop 160, centred, reflect padding, last frame dropped | `[80 or 128, frames]` |
//!
//! Whisper's log scale: `log10(max(mel, 1e-10))`, raised to at least the maximum minus 8, then
//! `(x + 4) / 4`. With [`FeatureConfig::pad_to_samples`] (Whisper: 30 s = 480,000 samples) the
//! audio is padded with zeros (or cut) to that length first, as the models see it.

use crate::db::{power_to_db, DbConfig};
use crate::error::{AudioError, Result};
use crate::mel::{MelConfig, MelFilterbank, MelScale};
use crate::mfcc::Mfcc;
use crate::stft::{PadMode, Spectrogram, Stft, StftConfig};
use crate::window::Window;

/// The named presets.
pub const PRESETS: &[&str] = &["librosa-mel", "librosa-mfcc", "whisper-80", "whisper-128"];

/// How mel energies become log-scale features.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LogScale {
    /// `power_to_db`.
    Db(DbConfig),
    /// Whisper's: `log10(max(x, 1e-10))`, floored at the maximum minus 8, then `(x + 4) / 4`.
    Whisper,
}

/// Everything a feature extractor computes.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureConfig {
    /// The sample rate the preset expects, if any (Whisper: 16 kHz).
    pub sample_rate: Option<f64>,
    pub stft: StftConfig,
    pub n_mels: usize,
    pub fmin: f64,
    pub fmax: Option<f64>,
    pub mel_scale: MelScale,
    pub slaney_norm: bool,
    pub log: LogScale,
    /// `(n_mfcc, lifter)` for cepstra; `None` for log-mel.
    pub mfcc: Option<(usize, f64)>,
    /// Drop the last frame (Whisper).
    pub drop_last_frame: bool,
    /// Pad with zeros, or cut, to this many samples first.
    pub pad_to_samples: Option<usize>,
}

impl FeatureConfig {
    /// The configuration of a named preset (see the module documentation).
    pub fn preset(name: &str) -> Result<Self> {
        let librosa = FeatureConfig {
            sample_rate: None,
            stft: StftConfig::librosa(2048, 512),
            n_mels: 128,
            fmin: 0.0,
            fmax: None,
            mel_scale: MelScale::Slaney,
            slaney_norm: true,
            log: LogScale::Db(DbConfig::default()),
            mfcc: None,
            drop_last_frame: false,
            pad_to_samples: None,
        };
        let whisper = |n_mels| FeatureConfig {
            sample_rate: Some(16_000.0),
            stft: StftConfig {
                n_fft: 400,
                hop: 160,
                win_length: 400,
                window: Window::Hann,
                periodic: true,
                center: true,
                pad_mode: PadMode::Reflect,
                power: 2.0,
            },
            n_mels,
            log: LogScale::Whisper,
            drop_last_frame: true,
            ..librosa.clone()
        };
        Ok(match name {
            "librosa-mel" => librosa,
            "librosa-mfcc" => FeatureConfig {
                mfcc: Some((20, 0.0)),
                ..librosa
            },
            "whisper-80" => whisper(80),
            "whisper-128" => whisper(128),
            other => {
                return Err(AudioError::BadParameter(format!(
                    "unknown preset {other:?}; the presets are {}",
                    PRESETS.join(", ")
                )))
            }
        })
    }
}

/// Features, row after row: `[rows, frames]` (mel bins or coefficients first, as librosa and
/// Whisper lay them out).
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    pub rows: usize,
    pub frames: usize,
    pub data: Vec<f32>,
}

/// A planned extractor for one configuration and sample rate.
#[derive(Debug, Clone)]
pub struct Extractor {
    config: FeatureConfig,
    stft: Stft,
    bank: MelFilterbank,
    mfcc: Option<Mfcc>,
}

impl Extractor {
    /// Plans the extractor for audio at `sample_rate` Hz.
    pub fn new(config: FeatureConfig, sample_rate: f64) -> Result<Self> {
        if let Some(expected) = config.sample_rate {
            if sample_rate != expected {
                return Err(AudioError::BadParameter(format!(
                    "this preset is for {expected} Hz audio, not {sample_rate} Hz; resample it \
                     first"
                )));
            }
        }
        let stft = Stft::new(config.stft)?;
        let bank = MelFilterbank::new(&MelConfig {
            sr: sample_rate,
            n_fft: config.stft.n_fft,
            n_mels: config.n_mels,
            fmin: config.fmin,
            fmax: config.fmax,
            scale: config.mel_scale,
            slaney_norm: config.slaney_norm,
        })?;
        let mfcc = config
            .mfcc
            .map(|(n_mfcc, lifter)| Mfcc::new(config.n_mels, n_mfcc, lifter))
            .transpose()?;
        Ok(Self {
            config,
            stft,
            bank,
            mfcc,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &FeatureConfig {
        &self.config
    }

    /// The features of `samples` (mono).
    pub fn compute(&self, samples: &[f32]) -> Result<Features> {
        let padded;
        let samples = match self.config.pad_to_samples {
            Some(n) => {
                padded = {
                    let mut v = samples[..samples.len().min(n)].to_vec();
                    v.resize(n, 0.0);
                    v
                };
                &padded[..]
            }
            None => samples,
        };
        let n_mels = self.config.n_mels;
        let n_frames = self.stft.n_frames(samples.len());
        let mut mel = Spectrogram {
            n_frames,
            n_bins: n_mels,
            data: vec![0.0; n_frames * n_mels],
        };
        self.stft.for_each_frame(samples, |t, bins| {
            self.bank
                .apply_frame(bins, &mut mel.data[t * n_mels..(t + 1) * n_mels]);
        })?;
        if self.config.drop_last_frame && mel.n_frames > 0 {
            mel.n_frames -= 1;
            mel.data.truncate(mel.n_frames * mel.n_bins);
        }
        match self.config.log {
            LogScale::Db(db) => power_to_db(&mut mel.data, &db)?,
            LogScale::Whisper => whisper_log(&mut mel.data),
        }
        let out = match &self.mfcc {
            Some(mfcc) => mfcc.apply(&mel)?,
            None => mel,
        };
        Ok(rows_first(&out))
    }
}

/// Whisper's log scale, in place.
fn whisper_log(values: &mut [f32]) {
    let mut max = f32::NEG_INFINITY;
    for v in values.iter_mut() {
        *v = v.max(1e-10).log10();
        max = max.max(*v);
    }
    for v in values.iter_mut() {
        *v = (v.max(max - 8.0) + 4.0) / 4.0;
    }
}

fn rows_first(spectrogram: &Spectrogram) -> Features {
    Features {
        rows: spectrogram.n_bins,
        frames: spectrogram.n_frames,
        data: spectrogram.bins_major(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_are_known_by_name() {
        for name in PRESETS {
            let config = FeatureConfig::preset(name).unwrap();
            let sr = config.sample_rate.unwrap_or(22050.0);
            Extractor::new(config, sr).unwrap();
        }
        let error = FeatureConfig::preset("mel").unwrap_err().to_string();
        assert!(error.contains("librosa-mel"), "{error}");
        let whisper = FeatureConfig::preset("whisper-80").unwrap();
        assert!(Extractor::new(whisper, 22050.0).is_err());
    }
}
