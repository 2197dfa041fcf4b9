//! The built-in speech codec reconstructs speech it never trained on:
//! `fixtures/audio/speech_22k.wav` (resampled to 16 kHz) through the codes and back, at each
//! bandwidth, within a mel distance a little above what the shipped model measures, and at
//! about the input's level. Its model card has the figures on real recordings; SI-SDR is not
//! tested, as this codec does not keep the waveform's phase (its SI-SDR on this clip is below
//! 0 dB).

#![allow(clippy::unwrap_used)]

mod common;

use common::fixtures;
use omnitok_audio::codec::Codec;
use omnitok_audio::metrics::mel_distance;
use omnitok_audio::{load, AudioLimits};

/// (kbps, highest mel distance accepted): the shipped model measures 0.599 and 0.577.
const CEILINGS: [(f64, f64); 2] = [(2.5, 0.66), (5.0, 0.64)];

fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
}

#[test]
fn the_built_in_codec_reconstructs_unseen_speech() {
    let codec = Codec::default_speech();
    let audio = load(fixtures().join("speech_22k.wav"), &AudioLimits::default()).unwrap();
    let reference = audio.resampled(16_000).unwrap().mono();
    // What failing looks like: silence, and noise at the speech's level.
    let silence = vec![0.0; reference.len()];
    let noise: Vec<f32> = (0..reference.len())
        .map(|i| ((i as f32 * 12.9898).sin() * 43_758.547).fract() * rms(&reference) as f32 * 1.7)
        .collect();
    for failing in [&silence, &noise] {
        let mel = mel_distance(&reference, failing, 16_000.0).unwrap();
        assert!(mel > 2.0 * CEILINGS[0].1, "{mel}");
    }
    for (kbps, highest_mel) in CEILINGS {
        let codes = codec.encode_audio(&audio, kbps).unwrap();
        let decoded = codec.decode(&codes).unwrap().row(0).to_vec();
        let mel = mel_distance(&reference, &decoded, 16_000.0).unwrap();
        let level = rms(&decoded) / rms(&reference);
        eprintln!("{kbps} kbps: mel distance {mel:.3}, level {level:.2}");
        assert!(mel <= highest_mel, "{kbps} kbps: mel distance {mel:.3}");
        assert!((0.5..2.0).contains(&level), "{kbps} kbps: level {level:.2}");
    }
}
