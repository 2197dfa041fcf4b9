//! Log-mel spectrograms and MFCCs against librosa's, on the goldens of
//! `fixtures/audio/librosa/` (made by `make_goldens.py` there; every case of its `cases.json`
//! is checked on every signal it has a golden for). The bar: at most 1e-4 dB from librosa's
//! float32 log-mel; MFCCs within 1e-4 or, where larger, the rounding error of librosa's own
//! float32 DCT (see the test).

#![allow(clippy::unwrap_used)]

mod common;

use common::{fixtures, read_npy};
use omnitok_audio::db::{power_to_db, DbConfig};
use omnitok_audio::mel::{MelConfig, MelConvention, MelFilterbank, MelScale};
use omnitok_audio::mfcc::{Lifter, Mfcc};
use omnitok_audio::{load, AudioLimits, Framing, PadMode, Stft, StftConfig, Window};
use serde_json::Value;

/// Our log-mel spectrogram for librosa's `melspectrogram` / `power_to_db` keyword arguments,
/// `[n_mels, frames]`.
fn log_mel(samples: &[f32], sr: f64, mel: &Value, db: &Value) -> ((usize, usize), Vec<f32>) {
    let n_fft = mel
        .get("n_fft")
        .map_or(2048, |v| v.as_u64().unwrap() as usize);
    let win_length = mel
        .get("win_length")
        .map_or(n_fft, |v| v.as_u64().unwrap() as usize);
    let hop = mel
        .get("hop_length")
        .map_or(win_length / 4, |v| v.as_u64().unwrap() as usize);
    let window = match mel.get("window").and_then(Value::as_str).unwrap_or("hann") {
        "hann" => Window::Hann,
        "hamming" => Window::Hamming,
        other => panic!("window {other}"),
    };
    let stft = Stft::new(StftConfig {
        n_fft,
        hop,
        win_length,
        window,
        periodic: true,
        framing: Framing::Librosa {
            center: mel.get("center").is_none_or(|v| v.as_bool().unwrap()),
            pad_mode: match mel.get("pad_mode").and_then(Value::as_str) {
                None | Some("constant") => PadMode::Constant,
                Some("reflect") => PadMode::Reflect,
                Some(other) => panic!("pad mode {other}"),
            },
        },
        power: mel.get("power").map_or(2.0, |v| v.as_f64().unwrap() as f32),
    })
    .unwrap();
    let bank = MelFilterbank::new(&MelConfig {
        sr,
        n_fft,
        n_mels: mel
            .get("n_mels")
            .map_or(128, |v| v.as_u64().unwrap() as usize),
        fmin: mel.get("fmin").map_or(0.0, |v| v.as_f64().unwrap()),
        fmax: mel.get("fmax").and_then(Value::as_f64),
        scale: if mel.get("htk").is_some_and(|v| v.as_bool().unwrap()) {
            MelScale::Htk
        } else {
            MelScale::Slaney
        },
        slaney_norm: !mel.get("norm").is_some_and(Value::is_null),
        convention: MelConvention::Librosa,
    })
    .unwrap();
    let mut energies = bank.apply(&stft.spectrogram(samples).unwrap()).unwrap();
    let config = DbConfig {
        reference: db.get("ref").map_or(1.0, |v| v.as_f64().unwrap() as f32),
        amin: db.get("amin").map_or(1e-10, |v| v.as_f64().unwrap() as f32),
        top_db: match db.get("top_db") {
            None => Some(80.0),
            Some(Value::Null) => None,
            Some(v) => Some(v.as_f64().unwrap() as f32),
        },
    };
    power_to_db(&mut energies.data, &config).unwrap();
    ((energies.n_bins, energies.n_frames), energies.bins_major())
}

/// Per frame, a bound on the rounding error of a float32 DCT-II (orthonormal, liftered) of a
/// `[n_mels, frames]` log-mel: 4 float32 steps of its largest possible partial sum.
fn dct_rounding_bound(shape: (usize, usize), log_mel: &[f32], mfcc: &Value) -> Vec<f32> {
    let (n_mels, n_frames) = shape;
    let lifter = mfcc.get("lifter").map_or(0.0, |v| v.as_f64().unwrap());
    let gain = if lifter > 0.0 {
        1.0 + lifter / 2.0
    } else {
        1.0
    };
    (0..n_frames)
        .map(|t| {
            let sum: f64 = (0..n_mels)
                .map(|m| f64::from(log_mel[m * n_frames + t]).abs())
                .sum();
            (4.0 * f64::from(f32::EPSILON) * (2.0 / n_mels as f64).sqrt() * sum * gain) as f32
        })
        .collect()
}

/// librosa's MFCCs (`n_mfcc`, default 20; `lifter`, default 0) of a `[n_mels, frames]` log-mel.
fn cepstra(shape: (usize, usize), log_mel: &[f32], mfcc: &Value) -> ((usize, usize), Vec<f32>) {
    let (n_mels, n_frames) = shape;
    let n_mfcc = mfcc
        .get("n_mfcc")
        .map_or(20, |v| v.as_u64().unwrap() as usize);
    let lifter = mfcc.get("lifter").map_or(0.0, |v| v.as_f64().unwrap());
    let mut frames = vec![0.0; log_mel.len()];
    for m in 0..n_mels {
        for t in 0..n_frames {
            frames[t * n_mels + m] = log_mel[m * n_frames + t];
        }
    }
    let spectrogram = omnitok_audio::Spectrogram {
        n_frames,
        n_bins: n_mels,
        data: frames,
    };
    let lifter = if lifter > 0.0 {
        Lifter::Librosa(lifter)
    } else {
        Lifter::None
    };
    let out = Mfcc::new(n_mels, n_mfcc, lifter)
        .unwrap()
        .apply(&spectrogram)
        .unwrap();
    ((n_mfcc, n_frames), out.bins_major())
}

#[test]
fn log_mel_and_mfcc_match_librosa_within_1e_4() {
    let dir = fixtures().join("librosa");
    let meta: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("cases.json")).unwrap()).unwrap();
    let mut checked = 0;
    for (case, params) in meta["cases"].as_object().unwrap() {
        for signal in meta["signals"].as_array().unwrap() {
            let signal = signal.as_str().unwrap();
            let golden = dir.join(format!("{case}.{signal}.npy"));
            if !golden.exists() {
                continue;
            }
            let (shape, expected) = read_npy(&golden);
            let audio = load(
                fixtures().join(format!("{signal}.wav")),
                &AudioLimits::default(),
            )
            .unwrap();
            let (samples, sr) = (audio.mono(), f64::from(audio.sample_rate));
            let (mut our_shape, mut ours) = log_mel(&samples, sr, &params["mel"], &params["db"]);
            let mut reference_bound = None;
            if let Some(mfcc) = params.get("mfcc") {
                reference_bound = Some(dct_rounding_bound(our_shape, &ours, mfcc));
                (our_shape, ours) = cepstra(our_shape, &ours, mfcc);
            }
            assert_eq!(our_shape, shape, "{case} {signal}: shape");
            // Log-mel: 1e-4 dB. MFCC: 1e-4, or where more, the rounding error of librosa's own
            // float32 DCT of that frame: 4 float32 steps of the largest partial sum,
            // sqrt(2/n) · Σ|log-mel| · (1 + lifter/2). Silence's first coefficient is -1131,
            // where float32 values are 1.2e-4 apart; a lifter of 22 multiplies errors by 12.
            let n_frames = shape.1;
            for (i, (a, b)) in ours.iter().zip(&expected).enumerate() {
                let tolerance = match &reference_bound {
                    Some(bound) => 1e-4f32.max(bound[i % n_frames]),
                    None => 1e-4,
                };
                assert!(
                    (a - b).abs() <= tolerance,
                    "{case} {signal}: row {} frame {}: {a} against {b} (tolerance {tolerance})",
                    i / n_frames,
                    i % n_frames
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 29, "every golden was checked");
}

#[test]
fn the_librosa_presets_are_librosas_defaults() {
    let dir = fixtures().join("librosa");
    for (preset, case) in [
        ("librosa-mel", "defaults"),
        ("librosa-mfcc", "mfcc-defaults"),
    ] {
        for signal in ["sweep_16k", "noise_22k", "clipped_16k"] {
            let audio = load(
                fixtures().join(format!("{signal}.wav")),
                &AudioLimits::default(),
            )
            .unwrap();
            let extractor = omnitok_audio::Extractor::new(
                omnitok_audio::FeatureConfig::preset(preset).unwrap(),
                f64::from(audio.sample_rate),
            )
            .unwrap();
            let ours = extractor.compute(&audio.mono()).unwrap();
            let (shape, expected) = read_npy(&dir.join(format!("{case}.{signal}.npy")));
            assert_eq!((ours.rows, ours.frames), shape, "{preset} {signal}");
            let worst = ours
                .data
                .iter()
                .zip(&expected)
                .map(|(a, b)| (a - b).abs())
                .fold(0f32, f32::max);
            assert!(
                worst <= 1e-4,
                "{preset} {signal}: max abs difference {worst}"
            );
        }
    }
}
