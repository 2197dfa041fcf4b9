//! The codec metrics against reference values computed with librosa and numpy
//! (`fixtures/audio/metrics/make_goldens.py`) on a speech and a sweep fixture and a distorted
//! copy of each.

#![allow(clippy::unwrap_used)]

mod common;

use common::{fixtures, read_f32};
use omnitok_audio::metrics::{mel_distance, multi_scale_stft_distance, si_sdr};
use omnitok_audio::{load, AudioLimits};
use serde_json::Value;

#[test]
fn metrics_equal_the_reference_values() {
    let dir = fixtures().join("metrics");
    let meta: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("goldens.json")).unwrap()).unwrap();
    for (name, expected) in meta["pairs"].as_object().unwrap() {
        let reference = load(
            fixtures().join(format!("{name}.wav")),
            &AudioLimits::default(),
        )
        .unwrap()
        .mono();
        let (_, distorted) = read_f32(&dir.join(format!("{name}.distorted.npy")));
        let sr = expected["sample_rate"].as_f64().unwrap();
        for (what, ours) in [
            ("si_sdr", si_sdr(&reference, &distorted).unwrap()),
            (
                "mel_distance",
                mel_distance(&reference, &distorted, sr).unwrap(),
            ),
            (
                "multi_scale_stft_distance",
                multi_scale_stft_distance(&reference, &distorted).unwrap(),
            ),
        ] {
            let want = expected[what].as_f64().unwrap();
            assert!(
                (ours - want).abs() <= 1e-5 * want.abs(),
                "{name} {what}: {ours} vs {want}"
            );
        }
    }
}
