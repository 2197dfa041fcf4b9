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

use crate::db::{check, floor_below_max, to_db, DbConfig};
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
        if let LogScale::Db(db) = &config.log {
            check(db)?;
        }
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
        self.compute_with(samples, true)
    }

    /// The features of `samples`, with or without the floor that depends on the whole signal
    /// (`top_db` below its maximum, or Whisper's maximum minus 8); without it every frame
    /// depends only on its own samples, as a [`crate::StreamingExtractor`] computes them.
    pub fn compute_with(&self, samples: &[f32], global_floor: bool) -> Result<Features> {
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
        let mut n_frames = self.stft.n_frames(samples.len());
        let mut mel = vec![0.0; n_frames * n_mels];
        self.stft.for_each_frame(samples, |t, bins| {
            self.log_mel_frame(bins, &mut mel[t * n_mels..(t + 1) * n_mels]);
        })?;
        if self.config.drop_last_frame && n_frames > 0 {
            n_frames -= 1;
            mel.truncate(n_frames * n_mels);
        }
        if global_floor {
            match self.config.log {
                LogScale::Db(db) => {
                    if let Some(top_db) = db.top_db {
                        floor_below_max(&mut mel, top_db);
                    }
                }
                LogScale::Whisper => floor_below_max(&mut mel, 8.0),
            }
        }
        let rows = self.rows();
        let mut out = vec![0.0; n_frames * rows];
        for (frame, row) in mel.chunks_exact(n_mels).zip(out.chunks_exact_mut(rows)) {
            self.finish_frame(frame, row);
        }
        Ok(rows_first(&Spectrogram {
            n_frames,
            n_bins: rows,
            data: out,
        }))
    }

    /// Values per frame: mel bins, or coefficients.
    pub fn rows(&self) -> usize {
        self.config.mfcc.map_or(self.config.n_mels, |(n, _)| n)
    }

    /// The planned STFT.
    pub fn stft(&self) -> &Stft {
        &self.stft
    }

    /// The log-mel values of one frame's bins, before any floor (Whisper's before its final
    /// scaling, which [`Extractor::finish_frame`] applies).
    pub fn log_mel_frame(&self, bins: &[f32], out: &mut [f32]) {
        self.bank.apply_frame(bins, out);
        match self.config.log {
            LogScale::Db(db) => to_db(out, &db),
            LogScale::Whisper => {
                for v in out.iter_mut() {
                    *v = v.max(1e-10).log10();
                }
            }
        }
    }

    /// The output values of one frame from its log-mel values (floored or not): Whisper's
    /// scaling, then the DCT when the features are MFCCs.
    pub fn finish_frame(&self, log_mel: &[f32], out: &mut [f32]) {
        match (&self.mfcc, self.config.log) {
            (Some(mfcc), LogScale::Whisper) => {
                let scaled: Vec<f32> = log_mel.iter().map(|v| (v + 4.0) / 4.0).collect();
                mfcc.apply_frame(&scaled, out);
            }
            (Some(mfcc), LogScale::Db(_)) => mfcc.apply_frame(log_mel, out),
            (None, LogScale::Whisper) => {
                for (slot, v) in out.iter_mut().zip(log_mel) {
                    *slot = (v + 4.0) / 4.0;
                }
            }
            (None, LogScale::Db(_)) => out.copy_from_slice(log_mel),
        }
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
