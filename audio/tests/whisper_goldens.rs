//! The `whisper-80` and `whisper-128` presets against HF transformers' WhisperFeatureExtractor
//! (which computes OpenAI Whisper's `log_mel_spectrogram`), on the goldens of
//! `fixtures/audio/whisper/` (made by `make_goldens.py` there): the audio as it is, and padded
//! to 30 s as the models see it. The bar: at most 1e-4.

#![allow(clippy::unwrap_used)]

mod common;

use common::{fixtures, read_npy};
use omnitok_audio::{load, AudioLimits, Extractor, FeatureConfig};
use serde_json::Value;

fn assert_close(ours: &[f32], expected: &[f32], what: &str) {
    assert_eq!(ours.len(), expected.len(), "{what}: length");
    let worst = ours
        .iter()
        .zip(expected)
        .map(|(a, b)| (a - b).abs())
        .fold(0f32, f32::max);
    assert!(worst <= 1e-4, "{what}: max abs difference {worst}");
}

#[test]
fn whisper_presets_match_the_reference_with_and_without_padding() {
    let dir = fixtures().join("whisper");
    let meta: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("cases.json")).unwrap()).unwrap();
    let kept = meta["frames_kept"].as_u64().unwrap() as usize;
    let padded_frames = meta["padded_frames"].as_u64().unwrap() as usize;
    let mut checked = 0;
    for n_mels in [80, 128] {
        let preset = format!("whisper-{n_mels}");
        for signal in meta["signals"].as_array().unwrap() {
            let signal = signal.as_str().unwrap();
            let audio = load(
                fixtures().join(format!("{signal}.wav")),
                &AudioLimits::default(),
            )
            .unwrap();
            let samples = audio.mono();
            let name = format!("{preset}.{signal}");

            let config = FeatureConfig::preset(&preset).unwrap();
            let extractor = Extractor::new(config.clone(), 16_000.0).unwrap();
            let ours = extractor.compute(&samples).unwrap();
            let ((rows, frames), expected) = read_npy(&dir.join(format!("{name}.npy")));
            assert_eq!((ours.rows, ours.frames), (rows, frames), "{name}: shape");
            assert_close(&ours.data, &expected, &name);

            let padded = Extractor::new(
                FeatureConfig {
                    pad_to_samples: Some(480_000),
                    ..config
                },
                16_000.0,
            )
            .unwrap()
            .compute(&samples)
            .unwrap();
            assert_eq!((padded.rows, padded.frames), (n_mels, padded_frames));
            let ((_, first), expected) = read_npy(&dir.join(format!("{name}.padded.npy")));
            assert_eq!(first, kept);
            let rest = meta["padded_rest"][&name].as_f64().unwrap() as f32;
            for row in 0..n_mels {
                let line = &padded.data[row * padded_frames..(row + 1) * padded_frames];
                let what = format!("{name} padded, row {row}");
                assert_close(
                    &line[..kept],
                    &expected[row * kept..(row + 1) * kept],
                    &what,
                );
                assert_close(&line[kept..], &vec![rest; padded_frames - kept], &what);
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 10);
}
