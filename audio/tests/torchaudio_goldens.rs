//! The `torchaudio-mel`, `torchaudio-mfcc`, `kaldi-fbank` and `kaldi-mfcc` presets against
//! torchaudio (`transforms.MelSpectrogram`, `transforms.MFCC`, `compliance.kaldi.fbank`,
//! `compliance.kaldi.mfcc`), on the goldens of `fixtures/audio/torchaudio/` (made by
//! `make_goldens.py` there; every case of its `cases.json` is checked on every signal it has a
//! golden for, with the same settings by the same names).
//!
//! Each golden comes twice: the reference run in float32, as users run it, and the same code run
//! in double precision (filterbank, window and DCT included). Our features are computed in
//! double precision where it matters (FFT, filterbank, DCT), so the bar is: at most 1e-4 from
//! the double-precision reference, and at most 1e-4 from the float32 reference beyond that
//! reference's own rounding (its distance from the double-precision run; on a pure tone, where
//! bins far from the tone are tiny, torchaudio's float32 filterbank and FFT move them by up to
//! 0.7 dB). Log-scale values are compared; `torchaudio-mel` returns linear power, so it is
//! compared as decibels (`10 log10(max(x, 1e-10))`, floored at the maximum minus 80 dB).

#![allow(clippy::unwrap_used)]

mod common;

use common::{fixtures, read_npy};
use omnitok_audio::features::LogScale;
use omnitok_audio::{load, AudioLimits, Extractor, FeatureConfig, SettingValue};
use serde_json::Value;

fn setting(value: &Value) -> SettingValue {
    match value {
        Value::Bool(b) => SettingValue::Bool(*b),
        Value::Number(n) => SettingValue::Number(n.as_f64().unwrap()),
        Value::String(s) => SettingValue::Text(s.clone()),
        Value::Null => SettingValue::Absent,
        other => panic!("setting {other}"),
    }
}

/// Decibels of linear powers, floored at their maximum minus 80 dB.
fn decibels(values: &[f32]) -> Vec<f32> {
    let db: Vec<f32> = values.iter().map(|v| 10.0 * v.max(1e-10).log10()).collect();
    let floor = db.iter().copied().fold(f32::NEG_INFINITY, f32::max) - 80.0;
    db.into_iter().map(|v| v.max(floor)).collect()
}

#[test]
fn torchaudio_and_kaldi_presets_match_torchaudio_within_1e_4() {
    let dir = fixtures().join("torchaudio");
    let meta: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("cases.json")).unwrap()).unwrap();
    let mut checked = 0;
    let mut failures = Vec::new();
    for (case, params) in meta["cases"].as_object().unwrap() {
        let mut config = FeatureConfig::preset(params["preset"].as_str().unwrap()).unwrap();
        config
            .apply_settings(
                params["settings"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.as_str(), setting(v))),
            )
            .unwrap();
        for signal in meta["signals"][case].as_array().unwrap() {
            let signal = signal.as_str().unwrap();
            let audio = load(
                fixtures().join(format!("{signal}.wav")),
                &AudioLimits::default(),
            )
            .unwrap();
            let extractor = Extractor::new(config.clone(), f64::from(audio.sample_rate)).unwrap();
            let ours = extractor.compute(&audio.mono()).unwrap();
            let (shape, float32) = read_npy(&dir.join(format!("{case}.{signal}.npy")));
            let (_, float64) = read_npy(&dir.join(format!("{case}.{signal}.f64.npy")));
            let name = format!("{case}.{signal}");
            assert_eq!(ours.shape(), [shape.0, shape.1], "{name}: shape");
            let log_scale = |values: Vec<f32>| {
                if config.log == LogScale::Linear {
                    decibels(&values)
                } else {
                    values
                }
            };
            let (ours, float32, float64) =
                (log_scale(ours.data), log_scale(float32), log_scale(float64));
            let (mut from_exact, mut beyond_rounding) = (0f32, 0f32);
            for ((a, b32), b64) in ours.iter().zip(&float32).zip(&float64) {
                from_exact = from_exact.max((a - b64).abs());
                beyond_rounding = beyond_rounding.max((a - b32).abs() - (b32 - b64).abs());
            }
            if from_exact > 1e-4 || beyond_rounding > 1e-4 {
                failures.push(format!(
                    "{name}: {from_exact} from float64, {beyond_rounding} from float32 beyond its \
                     rounding"
                ));
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(checked, 61);
}
