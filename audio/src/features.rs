//! Feature extraction by named preset: STFT, mel filterbank, log scale and optionally MFCC,
//! planned once ([`Extractor`]) and shared across threads.
//!
//! | preset | reference | frames | output |
//! |---|---|---|---|
//! | `librosa-mel` | `librosa.power_to_db(librosa.feature.melspectrogram(y, sr))` | n_fft 2048, hop 512, centred, zero padding | `[128, frames]` dB |
//! | `librosa-mfcc` | `librosa.feature.mfcc(y, sr)` | as `librosa-mel` | `[20, frames]` |
//! | `torchaudio-mel` | `torchaudio.transforms.MelSpectrogram(sr)` | n_fft 400, hop 200, centred, reflect padding; HTK mel, no normalisation | `[128, frames]` power |
//! | `torchaudio-mfcc` | `torchaudio.transforms.MFCC(sr)` | as `torchaudio-mel`, then dB with `top_db` 80 | `[40, frames]` |
//! | `kaldi-fbank` | `torchaudio.compliance.kaldi.fbank` (dither 0) | 16 kHz, 25 ms Povey windows every 10 ms in 512 points, snip edges, DC removal, pre-emphasis 0.97 | `[frames, 23]` natural log |
//! | `kaldi-mfcc` | `torchaudio.compliance.kaldi.mfcc` (dither 0) | as `kaldi-fbank`, lifter 22 | `[frames, 13]` |
//! | `whisper-80`, `whisper-128` | Whisper's `log_mel_spectrogram` = HF `WhisperFeatureExtractor` | 16 kHz, n_fft 400, hop 160, centred, reflect padding, last frame dropped | `[80 or 128, frames]` |
//!
//! The librosa and torchaudio presets take the sample rate of the audio; the others are made
//! for 16 kHz. Outputs are laid out as their references lay them out: mel bins or coefficients
//! first, but frames first for the Kaldi presets ([`Features::frames_first`]).
//!
//! Whisper's log scale: `log10(max(mel, 1e-10))`, raised to at least the maximum minus 8, then
//! `(x + 4) / 4`. With [`FeatureConfig::pad_to_samples`] (Whisper: 30 s = 480,000 samples) the
//! audio is padded with zeros (or cut) to that length first, as the models see it.
//!
//! Kaldi's log scale: `ln(max(mel, ε))` with ε = `f32::EPSILON` (torchaudio's MFCC with
//! `log_mels=True`: `ln(mel + 1e-6)` instead of decibels). With
//! [`FeatureConfig::log_energy`] (Kaldi's `use_energy`) the frame's log energy,
//! `ln(max(energy, ε))` raised to at least `ln(energy_floor)` when the floor is positive, comes
//! first: before the mel bins of `kaldi-fbank`, in place of the first coefficient of
//! `kaldi-mfcc`.

use crate::db::{check, floor_below_max, to_db, DbConfig};
use crate::error::{AudioError, Result};
use crate::logarithm::scaled_ln_in_place;
use crate::mel::{MelConfig, MelConvention, MelFilterbank, MelScale};
use crate::mfcc::{Lifter, Mfcc};
use crate::stft::{Framing, PadMode, Stft, StftConfig};
use crate::window::Window;

/// Frames that [`Extractor::compute_with`] takes through the filterbank at once, and finishes
/// at once when the output is laid out row by row.
const FRAME_BLOCK: usize = 256;

/// The preset used when none is named.
pub const DEFAULT_PRESET: &str = "librosa-mel";

/// The named presets.
pub const PRESETS: &[&str] = &[
    "librosa-mel",
    "librosa-mfcc",
    "torchaudio-mel",
    "torchaudio-mfcc",
    "kaldi-fbank",
    "kaldi-mfcc",
    "whisper-80",
    "whisper-128",
];

/// How mel energies become the features (or the input of the DCT).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LogScale {
    /// The mel energies themselves (torchaudio's `MelSpectrogram`).
    Linear,
    /// `power_to_db`.
    Db(DbConfig),
    /// `ln(max(x + offset, floor))` (Kaldi: offset 0, floor `f32::EPSILON`; torchaudio's MFCC
    /// with `log_mels`: offset 1e-6).
    Natural { offset: f32, floor: f32 },
    /// Whisper's: `log10(max(x, 1e-10))`, floored at the maximum minus 8, then `(x + 4) / 4`.
    Whisper,
}

/// Everything a feature extractor computes.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureConfig {
    /// The sample rate the preset is made for, if any (Whisper, Kaldi: 16 kHz).
    pub sample_rate: Option<f64>,
    pub stft: StftConfig,
    pub n_mels: usize,
    pub fmin: f64,
    /// `None`: the Nyquist frequency (see [`MelConvention`] for the details).
    pub fmax: Option<f64>,
    pub mel_scale: MelScale,
    pub slaney_norm: bool,
    pub mel_convention: MelConvention,
    pub log: LogScale,
    /// `(n_mfcc, lifter)` for cepstra; `None` for log-mel.
    pub mfcc: Option<(usize, Lifter)>,
    /// Kaldi's `use_energy`, with its `energy_floor` (see the module documentation).
    pub log_energy: Option<f64>,
    /// Drop the last frame (Whisper).
    pub drop_last_frame: bool,
    /// Pad with zeros, or cut, to this many samples first.
    pub pad_to_samples: Option<usize>,
    /// Lay the output out `[frames, rows]` (Kaldi) rather than `[rows, frames]`.
    pub frames_first: bool,
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
            mel_convention: MelConvention::Librosa,
            log: LogScale::Db(DbConfig::default()),
            mfcc: None,
            log_energy: None,
            drop_last_frame: false,
            pad_to_samples: None,
            frames_first: false,
        };
        let reflect_400 = |hop| StftConfig {
            n_fft: 400,
            hop,
            win_length: 400,
            window: Window::Hann,
            periodic: true,
            framing: Framing::Librosa {
                center: true,
                pad_mode: PadMode::Reflect,
            },
            power: 2.0,
        };
        let torchaudio = FeatureConfig {
            stft: reflect_400(200),
            mel_scale: MelScale::Htk,
            slaney_norm: false,
            mel_convention: MelConvention::Torchaudio,
            log: LogScale::Linear,
            ..librosa.clone()
        };
        let kaldi = FeatureConfig {
            sample_rate: Some(16_000.0),
            stft: StftConfig::kaldi(16_000.0),
            n_mels: 23,
            fmin: 20.0,
            mel_scale: MelScale::Kaldi,
            slaney_norm: false,
            mel_convention: MelConvention::Kaldi,
            log: LogScale::Natural {
                offset: 0.0,
                floor: f32::EPSILON,
            },
            frames_first: true,
            ..librosa.clone()
        };
        let whisper = |n_mels| FeatureConfig {
            sample_rate: Some(16_000.0),
            stft: reflect_400(160),
            n_mels,
            log: LogScale::Whisper,
            drop_last_frame: true,
            ..librosa.clone()
        };
        Ok(match name {
            "librosa-mel" => librosa,
            "librosa-mfcc" => FeatureConfig {
                mfcc: Some((20, Lifter::None)),
                ..librosa
            },
            "torchaudio-mel" => torchaudio,
            "torchaudio-mfcc" => FeatureConfig {
                log: LogScale::Db(DbConfig::default()),
                mfcc: Some((40, Lifter::None)),
                ..torchaudio
            },
            "kaldi-fbank" => kaldi,
            "kaldi-mfcc" => FeatureConfig {
                mfcc: Some((13, Lifter::Kaldi(22.0))),
                ..kaldi
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

/// Features: `rows` values (mel bins or coefficients) for each of `frames` frames.
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    pub rows: usize,
    pub frames: usize,
    /// `[frames, rows]` (frame after frame) when true, else `[rows, frames]`.
    pub frames_first: bool,
    pub data: Vec<f32>,
}

impl Features {
    /// The shape of `data`.
    pub fn shape(&self) -> [usize; 2] {
        if self.frames_first {
            [self.frames, self.rows]
        } else {
            [self.rows, self.frames]
        }
    }
}

/// Planned extractors by configuration and sample rate, shared by threads, so that each
/// extractor (FFT plan, filterbank) is planned once: the most recent `capacity` are kept.
#[derive(Debug)]
pub struct ExtractorCache {
    capacity: usize,
    /// Oldest first.
    planned: std::sync::Mutex<Vec<(FeatureConfig, f64, std::sync::Arc<Extractor>)>>,
}

/// An extractor from an [`ExtractorCache`].
#[derive(Debug, Clone)]
pub struct CachedExtractor {
    pub extractor: std::sync::Arc<Extractor>,
    /// Whether this call planned it (it was not in the cache).
    pub newly_planned: bool,
}

impl ExtractorCache {
    /// An empty cache that keeps the `capacity` (at least 1) extractors used most recently.
    pub const fn new(capacity: usize) -> Self {
        Self {
            capacity: if capacity == 0 { 1 } else { capacity },
            planned: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// The extractor for `config` at `sample_rate` Hz, planned on first use.
    pub fn get(&self, config: &FeatureConfig, sample_rate: f64) -> Result<CachedExtractor> {
        let mut planned = self.planned.lock().unwrap_or_else(|e| e.into_inner());
        let found = planned
            .iter()
            .position(|(c, rate, _)| *rate == sample_rate && c == config);
        if let Some(at) = found {
            let entry = planned.remove(at);
            let extractor = std::sync::Arc::clone(&entry.2);
            planned.push(entry);
            return Ok(CachedExtractor {
                extractor,
                newly_planned: false,
            });
        }
        let extractor = std::sync::Arc::new(Extractor::new(config.clone(), sample_rate)?);
        if planned.len() >= self.capacity {
            planned.remove(0);
        }
        planned.push((
            config.clone(),
            sample_rate,
            std::sync::Arc::clone(&extractor),
        ));
        Ok(CachedExtractor {
            extractor,
            newly_planned: true,
        })
    }
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
        let bad = |m: String| Err(AudioError::BadParameter(m));
        config.check_sizes()?;
        if let Some(expected) = config.sample_rate {
            if sample_rate != expected {
                return bad(format!(
                    "this preset is for {expected} Hz audio, not {sample_rate} Hz; resample it \
                     first"
                ));
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
            convention: config.mel_convention,
        })?;
        match &config.log {
            LogScale::Db(db) => check(db)?,
            LogScale::Natural { offset, floor }
                if !(*floor > 0.0 && floor.is_finite() && *offset >= 0.0 && offset.is_finite()) =>
            {
                return bad(format!(
                    "the log floor {floor} must be positive and the offset {offset} at least 0"
                ));
            }
            LogScale::Linear if config.mfcc.is_some() => {
                return bad("cepstra need a log scale, not linear mel energies".into());
            }
            _ => {}
        }
        if config.log_energy.is_some() && !matches!(config.stft.framing, Framing::Kaldi(_)) {
            return bad("the log energy is a feature of Kaldi's framing".into());
        }
        if let Some(floor) = config.log_energy {
            if !(floor >= 0.0 && floor.is_finite()) {
                return bad(format!("the energy floor {floor} must be 0 or positive"));
            }
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

    /// A warning when some mel filters cover no FFT bin, so that their rows carry no signal
    /// (librosa warns of the same); `None` when every filter has bins.
    pub fn empty_filters_warning(&self) -> Option<String> {
        let empty = self.bank.empty_filters();
        let first = *empty.first()?;
        Some(format!(
            "{} of the {} mel filters cover no frequency bin (the first: filter {first}), so \
             their rows carry no signal; use a larger n_fft or fewer mel bins",
            empty.len(),
            self.config.n_mels
        ))
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
        let mut energies = vec![0.0; n_frames];
        // The frames' bins gathered a block at a time, for the filterbank to run side by side.
        let n_bins = self.stft.n_bins();
        let mut block = Vec::with_capacity(FRAME_BLOCK * n_bins);
        let mut first = 0;
        self.stft.for_each_frame(samples, |t, bins, energy| {
            block.extend_from_slice(bins);
            energies[t] = energy;
            if block.len() == FRAME_BLOCK * n_bins {
                self.log_mel_frames(&block, &mut mel[first * n_mels..(t + 1) * n_mels]);
                block.clear();
                first = t + 1;
            }
        })?;
        self.log_mel_frames(&block, &mut mel[first * n_mels..]);
        if self.config.drop_last_frame && n_frames > 0 {
            n_frames -= 1;
            mel.truncate(n_frames * n_mels);
        }
        if global_floor {
            match self.config.log {
                LogScale::Db(DbConfig {
                    top_db: Some(top_db),
                    ..
                }) => floor_below_max(&mut mel, top_db),
                LogScale::Whisper => floor_below_max(&mut mel, 8.0),
                _ => {}
            }
        }
        let rows = self.rows();
        let frames_first = self.config.frames_first;
        let mut data = vec![0.0; n_frames * rows];
        if frames_first {
            self.finish_frames(&mel, &energies[..n_frames], &mut data);
        } else {
            // A block of frames at a time, then laid out row by row.
            let mut block = vec![0.0; FRAME_BLOCK * rows];
            let mels = mel.chunks(FRAME_BLOCK * n_mels);
            let frame_energies = energies[..n_frames].chunks(FRAME_BLOCK);
            for (b, (mels, frame_energies)) in mels.zip(frame_energies).enumerate() {
                let block = &mut block[..frame_energies.len() * rows];
                self.finish_frames(mels, frame_energies, block);
                for (i, row) in block.chunks_exact(rows).enumerate() {
                    let t = b * FRAME_BLOCK + i;
                    for (r, &v) in row.iter().enumerate() {
                        data[r * n_frames + t] = v;
                    }
                }
            }
        }
        Ok(Features {
            rows,
            frames: n_frames,
            frames_first,
            data,
        })
    }

    /// Values per frame: mel bins (and the log energy before them, if used), or coefficients.
    pub fn rows(&self) -> usize {
        match self.config.mfcc {
            Some((n_mfcc, _)) => n_mfcc,
            None => self.config.n_mels + usize::from(self.config.log_energy.is_some()),
        }
    }

    /// The planned STFT.
    pub fn stft(&self) -> &Stft {
        &self.stft
    }

    /// The log-mel values of consecutive frames' bins (one frame or more), before any floor
    /// (Whisper's before its final scaling, which [`Extractor::finish_frame`] applies).
    pub fn log_mel_frames(&self, bins: &[f32], out: &mut [f32]) {
        self.bank.apply_frames(bins, out);
        match self.config.log {
            LogScale::Linear => {}
            LogScale::Db(db) => to_db(out, &db),
            LogScale::Natural { offset, floor } => {
                out.iter_mut().for_each(|v| *v = (*v + offset).max(floor));
                scaled_ln_in_place(out, 1.0, 0.0);
            }
            LogScale::Whisper => {
                out.iter_mut().for_each(|v| *v = v.max(1e-10));
                scaled_ln_in_place(out, 1.0 / std::f64::consts::LN_10, 0.0);
            }
        }
    }

    /// The output values of one frame from its log-mel values (floored or not) and its energy
    /// ([`Stft::frame_bins`]): Whisper's scaling, the DCT when the features are
    /// MFCCs, Kaldi's log energy when used.
    pub fn finish_frame(&self, log_mel: &[f32], energy: f64, out: &mut [f32]) {
        self.finish_frames(log_mel, &[energy], out);
    }

    /// [`Extractor::finish_frame`] for consecutive frames, with the same values as one by one:
    /// `log_mel` holds `n_mels` values a frame, `out` [`Extractor::rows`] values a frame.
    fn finish_frames(&self, log_mel: &[f32], energies: &[f64], out: &mut [f32]) {
        let rows = self.rows();
        let energy_slots = usize::from(self.config.log_energy.is_some() && self.mfcc.is_none());
        let whisper = |v: &f32| (v + 4.0) / 4.0;
        match (&self.mfcc, self.config.log) {
            (Some(mfcc), LogScale::Whisper) => {
                let scaled: Vec<f32> = log_mel.iter().map(whisper).collect();
                mfcc.apply_frames(&scaled, out);
            }
            (Some(mfcc), _) => mfcc.apply_frames(log_mel, out),
            (None, log) => {
                let frames = log_mel.chunks_exact(self.config.n_mels);
                for (values, row) in frames.zip(out.chunks_exact_mut(rows)) {
                    let slots = row[energy_slots..].iter_mut().zip(values);
                    if log == LogScale::Whisper {
                        slots.for_each(|(slot, v)| *slot = whisper(v));
                    } else {
                        slots.for_each(|(slot, v)| *slot = *v);
                    }
                }
            }
        }
        if let Some(floor) = self.config.log_energy {
            for (&energy, row) in energies.iter().zip(out.chunks_exact_mut(rows)) {
                let mut log_energy = energy.max(f64::from(f32::EPSILON)).ln();
                if floor > 0.0 {
                    log_energy = log_energy.max(floor.ln());
                }
                // Before the mel bins, or in place of the first coefficient.
                row[0] = log_energy as f32;
            }
        }
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

    #[test]
    fn the_cache_plans_each_configuration_and_rate_once() {
        let cache = ExtractorCache::new(2);
        let mel = FeatureConfig::preset("librosa-mel").unwrap();
        let mfcc = FeatureConfig::preset("librosa-mfcc").unwrap();
        let first = cache.get(&mel, 22050.0).unwrap();
        assert!(first.newly_planned);
        let again = cache.get(&mel, 22050.0).unwrap();
        assert!(!again.newly_planned);
        assert!(std::sync::Arc::ptr_eq(&first.extractor, &again.extractor));
        assert!(cache.get(&mel, 16000.0).unwrap().newly_planned);
        // The least recently used is dropped when a third is planned.
        assert!(!cache.get(&mel, 22050.0).unwrap().newly_planned);
        assert!(cache.get(&mfcc, 22050.0).unwrap().newly_planned);
        assert!(!cache.get(&mel, 22050.0).unwrap().newly_planned);
        assert!(cache.get(&mel, 16000.0).unwrap().newly_planned);
        let whisper = FeatureConfig::preset("whisper-80").unwrap();
        assert!(cache.get(&whisper, 22050.0).is_err());
    }
}
