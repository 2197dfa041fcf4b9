//! Log-mel spectrograms against librosa's, on the goldens of `fixtures/audio/librosa/`
//! (made by `make_goldens.py` there; every case of its `cases.json` is checked on every signal
//! it has a golden for). The bar: at most 1e-4 dB from librosa's float32 result.

#![allow(clippy::unwrap_used)]

mod common;

use common::{fixtures, read_npy};
use omnitok_audio::db::{power_to_db, DbConfig};
use omnitok_audio::mel::{MelConfig, MelFilterbank, MelScale};
use omnitok_audio::{load, Limits, PadMode, Stft, StftConfig, Window};
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
        center: mel.get("center").is_none_or(|v| v.as_bool().unwrap()),
        pad_mode: match mel.get("pad_mode").and_then(Value::as_str) {
            None | Some("constant") => PadMode::Constant,
            Some("reflect") => PadMode::Reflect,
            Some(other) => panic!("pad mode {other}"),
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

#[test]
fn log_mel_matches_librosa_within_1e_4_db() {
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
            let audio = load(fixtures().join(format!("{signal}.wav")), &Limits::default()).unwrap();
            let (samples, sr) = (audio.mono(), f64::from(audio.sample_rate));
            let (our_shape, ours) = log_mel(&samples, sr, &params["mel"], &params["db"]);
            assert_eq!(our_shape, shape, "{case} {signal}: shape");
            let worst = ours
                .iter()
                .zip(&expected)
                .map(|(a, b)| (a - b).abs())
                .fold(0f32, f32::max);
            assert!(
                worst <= 1e-4,
                "{case} {signal}: max abs difference {worst} dB"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 14, "every golden was checked");
}
