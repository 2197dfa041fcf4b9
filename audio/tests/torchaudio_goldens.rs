//! The `torchaudio-mel`, `torchaudio-mfcc`, `kaldi-fbank` and `kaldi-mfcc` presets against
//! torchaudio (`transforms.MelSpectrogram`, `transforms.MFCC`, `compliance.kaldi.fbank`,
//! `compliance.kaldi.mfcc`), on the goldens of `fixtures/audio/torchaudio/` (made by
//! `make_goldens.py` there; every case of its `cases.json` is checked on every signal it has a
//! golden for, with the same settings by the same names).
//!
//! Each golden comes twice: the reference run in float32, as users run it, and the same code run
//! in double precision (filterbank, window and DCT included). Our features are computed in
//! double precision where it matters (FFT, filterbank, DCT), so the bar is at most 1e-4 from
//! the double-precision reference, on every value. (From the float32 run we then differ by at
//! most that run's own rounding plus 1e-4, which is no further check; the test states how far
//! that rounding reaches: on a pure tone, where bins far from the tone are tiny, torchaudio's
//! float32 filterbank and FFT move them by up to 1.6 dB.) Log-scale values are compared;
//! `torchaudio-mel` returns linear power, so it is compared as decibels
//! (`10 log10(max(x, 1e-10))`, torchaudio's own floor of amplitudes, and no other: every bin
//! counts, the faintest included).

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

/// Decibels of linear powers (powers below 1e-10 count as 1e-10).
fn decibels(values: &[f32]) -> Vec<f32> {
    values.iter().map(|v| 10.0 * v.max(1e-10).log10()).collect()
}

#[test]
fn torchaudio_and_kaldi_presets_match_torchaudio_within_1e_4() {
    let dir = fixtures().join("torchaudio");
    let meta: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("cases.json")).unwrap()).unwrap();
    let mut checked = 0;
    let mut failures = Vec::new();
    // The farthest a float32 golden is from its double-precision twin.
    let mut float32_rounding = 0f32;
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
            assert_eq!(ours.len(), float64.len(), "{name}: values");
            assert_eq!(float32.len(), float64.len(), "{name}: float32 golden");
            let from_exact = ours
                .iter()
                .zip(&float64)
                .map(|(a, b)| (a - b).abs())
                .fold(0f32, f32::max);
            if from_exact > 1e-4 {
                failures.push(format!("{name}: {from_exact} from float64"));
            }
            let rounding = float32
                .iter()
                .zip(&float64)
                .map(|(a, b)| (a - b).abs())
                .fold(0f32, f32::max);
            float32_rounding = float32_rounding.max(rounding);
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(checked, 61);
    // The float32 goldens are runs of their own (not copies of the double-precision ones), and
    // their rounding stays within what the README states.
    assert!(
        (1e-4..=1.6).contains(&float32_rounding),
        "float32 runs are {float32_rounding} from double precision"
    );
}
