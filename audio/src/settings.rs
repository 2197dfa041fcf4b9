//! A preset's settings changed by name, with the keyword names of the references: librosa's
//! (`n_fft`, `hop_length`, `fmin`, `htk`, `lifter`, ...), torchaudio's (`f_min`, `mel_scale`,
//! `norm`, ...) and Kaldi's (`num_mel_bins`, `frame_length` in ms, `preemphasis_coefficient`,
//! `use_energy`, ...), so that a call to a reference translates word for word.
//!
//! Settings that the references derive from others are derived the same way unless given: a
//! window as long as `n_fft` (librosa, torchaudio), a hop of a quarter (librosa) or half
//! (torchaudio) of the window, and Kaldi's FFT size as the window rounded up to a power of two.
//! `log_mels=True` takes torchaudio's MFCC from decibels to `ln(mel + 1e-6)`.

use crate::error::{AudioError, Result};
use crate::features::{FeatureConfig, LogScale};
use crate::mel::{MelConvention, MelScale};
use crate::mfcc::Lifter;
use crate::stft::{Framing, PadMode};
use crate::window::Window;

/// The value of one setting.
#[derive(Debug, Clone, PartialEq)]
pub enum SettingValue {
    Bool(bool),
    Number(f64),
    Text(String),
    /// Python's `None`, JSON's `null`.
    Absent,
}

/// Largest FFT, window and hop, in samples (65 s at 16 kHz).
pub const MAX_FRAME_SAMPLES: usize = 1 << 20;
/// Largest number of mel bands and of cepstral coefficients.
pub const MAX_BANDS: usize = 4096;
/// Largest `pad_to_samples` (70 minutes at 16 kHz).
pub const MAX_PADDED_SAMPLES: usize = 1 << 26;

/// Every setting name [`FeatureConfig::apply_settings`] knows.
pub const SETTINGS: &[&str] = &[
    "n_fft",
    "hop_length",
    "win_length",
    "window",
    "window_type",
    "center",
    "pad_mode",
    "power",
    "n_mels",
    "num_mel_bins",
    "fmin",
    "f_min",
    "low_freq",
    "fmax",
    "f_max",
    "high_freq",
    "htk",
    "mel_scale",
    "norm",
    "n_mfcc",
    "num_ceps",
    "lifter",
    "cepstral_lifter",
    "top_db",
    "log_mels",
    "pad_to_samples",
    "frame_length",
    "frame_shift",
    "round_to_power_of_two",
    "snip_edges",
    "remove_dc_offset",
    "preemphasis_coefficient",
    "raw_energy",
    "use_energy",
    "energy_floor",
    "dither",
];

fn bad<T>(message: String) -> Result<T> {
    Err(AudioError::BadParameter(message))
}

impl SettingValue {
    fn number(&self, key: &str) -> Result<f64> {
        match self {
            SettingValue::Number(n) if n.is_finite() => Ok(*n),
            other => bad(format!("{key} must be a number, not {other:?}")),
        }
    }

    fn count(&self, key: &str) -> Result<usize> {
        let n = self.number(key)?;
        if n < 0.0 || n.fract() != 0.0 || n > u32::MAX as f64 {
            return bad(format!(
                "{key} must be a whole number of at least 0, not {n}"
            ));
        }
        Ok(n as usize)
    }

    fn flag(&self, key: &str) -> Result<bool> {
        match self {
            SettingValue::Bool(b) => Ok(*b),
            other => bad(format!("{key} must be true or false, not {other:?}")),
        }
    }

    fn text(&self, key: &str) -> Result<&str> {
        match self {
            SettingValue::Text(t) => Ok(t),
            other => bad(format!("{key} must be a name, not {other:?}")),
        }
    }

    fn optional<T>(&self, read: impl FnOnce(&Self) -> Result<T>) -> Result<Option<T>> {
        match self {
            SettingValue::Absent => Ok(None),
            other => read(other).map(Some),
        }
    }
}

impl FeatureConfig {
    /// Changes the named settings (see the module documentation); an unknown name, a value of
    /// the wrong kind or a setting that does not apply to this preset is an error.
    pub fn apply_settings<'a>(
        &mut self,
        settings: impl IntoIterator<Item = (&'a str, SettingValue)>,
    ) -> Result<()> {
        let kaldi = matches!(self.stft.framing, Framing::Kaldi(_));
        let (mut n_fft_set, mut win_set, mut hop_set, mut sizes_in_ms) =
            (false, false, false, false);
        let mut round_to_power_of_two = true;
        let (mut use_energy, mut energy_floor) = (self.log_energy.is_some(), None);
        let mut lifter = None;
        for (key, value) in settings {
            let stft = &mut self.stft;
            match key {
                "n_fft" => {
                    stft.n_fft = value.count(key)?;
                    n_fft_set = true;
                }
                "hop_length" => {
                    stft.hop = value.count(key)?;
                    hop_set = true;
                }
                "win_length" => {
                    stft.win_length = value.count(key)?;
                    win_set = true;
                }
                "window" | "window_type" => {
                    stft.window = match value.text(key)? {
                        "hann" | "hanning" => Window::Hann,
                        "hamming" => Window::Hamming,
                        "povey" => Window::Povey,
                        "rectangular" | "boxcar" => Window::Rectangular,
                        other => {
                            return bad(format!(
                                "window {other:?} is not one of hann, hamming, povey, rectangular"
                            ))
                        }
                    }
                }
                "center" | "pad_mode" => {
                    let Framing::Librosa { center, pad_mode } = &mut stft.framing else {
                        return bad(format!("{key} does not apply to Kaldi's framing"));
                    };
                    if key == "center" {
                        *center = value.flag(key)?;
                    } else {
                        *pad_mode = match value.text(key)? {
                            "constant" => PadMode::Constant,
                            "reflect" => PadMode::Reflect,
                            other => {
                                return bad(format!(
                                    "pad_mode {other:?} is not one of constant, reflect"
                                ))
                            }
                        }
                    }
                }
                "power" => stft.power = value.number(key)? as f32,
                "n_mels" | "num_mel_bins" => self.n_mels = value.count(key)?,
                "fmin" | "f_min" | "low_freq" => self.fmin = value.number(key)?,
                "fmax" | "f_max" | "high_freq" => {
                    self.fmax = value.optional(|v| v.number(key))?;
                }
                "htk" => {
                    self.mel_scale = if value.flag(key)? {
                        MelScale::Htk
                    } else {
                        MelScale::Slaney
                    }
                }
                "mel_scale" => {
                    self.mel_scale = match value.text(key)? {
                        "htk" => MelScale::Htk,
                        "slaney" => MelScale::Slaney,
                        other => {
                            return bad(format!("mel_scale {other:?} is not one of htk, slaney"))
                        }
                    }
                }
                "norm" => {
                    self.slaney_norm = match value.optional(|v| v.text(key).map(str::to_owned))? {
                        None => false,
                        Some(name) if name == "slaney" => true,
                        Some(other) => {
                            return bad(format!("norm {other:?} is not one of slaney, None"))
                        }
                    }
                }
                "n_mfcc" | "num_ceps" => {
                    let n = value.count(key)?;
                    self.mfcc = Some((n, self.mfcc.map_or(Lifter::None, |(_, l)| l)));
                }
                "lifter" | "cepstral_lifter" => lifter = Some(value.number(key)?),
                "top_db" => match &mut self.log {
                    LogScale::Db(db) => {
                        db.top_db = value.optional(|v| v.number(key))?.map(|t| t as f32)
                    }
                    _ => return bad(format!("{key} applies to decibel presets only")),
                },
                "log_mels" => {
                    // torchaudio's MFCC: the natural log of mel + 1e-6 instead of decibels.
                    self.log = if value.flag(key)? {
                        LogScale::Natural {
                            offset: 1e-6,
                            floor: f32::MIN_POSITIVE,
                        }
                    } else {
                        LogScale::Db(crate::db::DbConfig::default())
                    };
                }
                "pad_to_samples" => self.pad_to_samples = value.optional(|v| v.count(key))?,
                "frame_length" | "frame_shift" | "round_to_power_of_two" if kaldi => {
                    let sr = self.sample_rate.unwrap_or(16_000.0);
                    if key == "round_to_power_of_two" {
                        round_to_power_of_two = value.flag(key)?;
                    } else {
                        // Kaldi truncates the lengths in samples.
                        let samples = (sr * value.number(key)? / 1000.0) as usize;
                        if key == "frame_length" {
                            stft.win_length = samples;
                        } else {
                            stft.hop = samples;
                        }
                    }
                    sizes_in_ms = true;
                }
                "snip_edges" | "remove_dc_offset" | "preemphasis_coefficient" | "raw_energy"
                    if kaldi =>
                {
                    let Framing::Kaldi(framing) = &mut stft.framing else {
                        unreachable!("checked above")
                    };
                    match key {
                        "snip_edges" => framing.snip_edges = value.flag(key)?,
                        "remove_dc_offset" => framing.remove_dc_offset = value.flag(key)?,
                        "raw_energy" => framing.raw_energy = value.flag(key)?,
                        _ => framing.preemphasis = value.number(key)?,
                    }
                }
                "use_energy" if kaldi => use_energy = value.flag(key)?,
                "energy_floor" if kaldi => energy_floor = Some(value.number(key)?),
                "dither" => {
                    if value.number(key)? != 0.0 {
                        return bad("dither must be 0: features are computed without noise".into());
                    }
                }
                other if SETTINGS.contains(&other) => {
                    return bad(format!("{other} applies to the Kaldi presets only"));
                }
                other => {
                    return bad(format!(
                        "unknown setting {other:?}; the settings are {}",
                        SETTINGS.join(", ")
                    ))
                }
            }
        }
        self.derive_sizes(
            n_fft_set,
            win_set,
            hop_set,
            sizes_in_ms,
            round_to_power_of_two,
        );
        if kaldi {
            self.log_energy = use_energy.then(|| energy_floor.or(self.log_energy).unwrap_or(1.0));
        }
        if let Some(l) = lifter {
            let Some((n, _)) = self.mfcc else {
                return bad(
                    "a lifter applies to cepstra; give n_mfcc or use an MFCC preset".into(),
                );
            };
            let lifter = match (l == 0.0, self.mel_convention) {
                (true, _) => Lifter::None,
                (false, MelConvention::Kaldi) => Lifter::Kaldi(l),
                (false, _) => Lifter::Librosa(l),
            };
            self.mfcc = Some((n, lifter));
        }
        self.check_sizes()
    }

    /// Refuses sizes past what any feature needs (each would otherwise be allocated as asked).
    pub(crate) fn check_sizes(&self) -> Result<()> {
        let stft = &self.stft;
        let sizes = [
            ("n_fft", stft.n_fft, MAX_FRAME_SAMPLES),
            ("win_length", stft.win_length, MAX_FRAME_SAMPLES),
            ("hop_length", stft.hop, MAX_FRAME_SAMPLES),
            ("n_mels", self.n_mels, MAX_BANDS),
            ("n_mfcc", self.mfcc.map_or(0, |(n, _)| n), MAX_BANDS),
            (
                "pad_to_samples",
                self.pad_to_samples.unwrap_or(0),
                MAX_PADDED_SAMPLES,
            ),
        ];
        for (name, size, max) in sizes {
            if size > max {
                return bad(format!("{name} {size} is over the limit of {max}"));
            }
        }
        Ok(())
    }

    /// Sizes the references derive from others, where not given.
    fn derive_sizes(
        &mut self,
        n_fft_set: bool,
        win_set: bool,
        hop_set: bool,
        sizes_in_ms: bool,
        round_to_power_of_two: bool,
    ) {
        let stft = &mut self.stft;
        if let Framing::Kaldi(_) = stft.framing {
            if sizes_in_ms && !n_fft_set {
                stft.n_fft = if round_to_power_of_two {
                    stft.win_length.max(1).next_power_of_two()
                } else {
                    stft.win_length
                };
            }
            return;
        }
        if n_fft_set && !win_set {
            stft.win_length = stft.n_fft;
        }
        let hop_divisor = match (self.mel_convention, self.log) {
            (_, LogScale::Whisper) => None,
            (MelConvention::Torchaudio, _) => Some(2),
            _ => Some(4),
        };
        if let (Some(divisor), false, true) = (hop_divisor, hop_set, n_fft_set || win_set) {
            stft.hop = (stft.win_length / divisor).max(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(n: f64) -> SettingValue {
        SettingValue::Number(n)
    }

    #[test]
    fn derived_sizes_follow_each_reference() {
        let mut torch = FeatureConfig::preset("torchaudio-mel").unwrap();
        torch.apply_settings([("n_fft", number(512.0))]).unwrap();
        assert_eq!((torch.stft.win_length, torch.stft.hop), (512, 256));
        let mut librosa = FeatureConfig::preset("librosa-mel").unwrap();
        librosa
            .apply_settings([("n_fft", number(1024.0)), ("win_length", number(800.0))])
            .unwrap();
        assert_eq!((librosa.stft.win_length, librosa.stft.hop), (800, 200));
        let mut kaldi = FeatureConfig::preset("kaldi-fbank").unwrap();
        kaldi
            .apply_settings([
                ("frame_length", number(20.0)),
                ("round_to_power_of_two", SettingValue::Bool(false)),
                ("frame_shift", number(12.5)),
            ])
            .unwrap();
        assert_eq!(
            (kaldi.stft.win_length, kaldi.stft.n_fft, kaldi.stft.hop),
            (320, 320, 200)
        );
    }

    #[test]
    fn settings_that_do_not_apply_are_errors() {
        let mut whisper = FeatureConfig::preset("whisper-80").unwrap();
        let error = whisper
            .apply_settings([("snip_edges", SettingValue::Bool(false))])
            .unwrap_err();
        assert!(error.to_string().contains("Kaldi presets only"), "{error}");
        assert!(whisper.apply_settings([("top_db", number(60.0))]).is_err());
        assert!(whisper.apply_settings([("nfft", number(60.0))]).is_err());
        assert!(whisper.apply_settings([("n_fft", number(-1.0))]).is_err());
        for (key, size) in [
            ("n_fft", 999_999_999.0),
            ("n_mels", 100_000.0),
            ("pad_to_samples", 4e9),
        ] {
            let mut config = whisper.clone();
            let error = config.apply_settings([(key, number(size))]).expect_err(key);
            assert!(error.to_string().contains("over the limit"), "{error}");
        }
        assert!(whisper.apply_settings([("dither", number(1.0))]).is_err());
        let mut kaldi = FeatureConfig::preset("kaldi-fbank").unwrap();
        assert!(kaldi
            .apply_settings([("center", SettingValue::Bool(true))])
            .is_err());
        assert!(kaldi.apply_settings([("lifter", number(22.0))]).is_err());
    }
}
