//! `omnitok audio info` and `omnitok audio features`: the figures of a file, `.npy` features
//! equal to the Whisper goldens, resampling to a preset's rate, and clear errors.

#![allow(clippy::unwrap_used)]

mod common;

use common::{fails, ok, TempDir};

fn audio(path: &str) -> String {
    format!("{}/../fixtures/audio/{path}", env!("CARGO_MANIFEST_DIR"))
}

/// A float32 `.npy` file: its shape and values.
fn read_npy(path: &str) -> (Vec<usize>, Vec<f32>) {
    let bytes = std::fs::read(path).unwrap();
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = std::str::from_utf8(&bytes[10..10 + header_len]).unwrap();
    assert!(header.contains("'descr': '<f4'"), "{header}");
    let shape = header
        .split("'shape': (")
        .nth(1)
        .unwrap()
        .split(')')
        .next()
        .unwrap();
    let shape = shape
        .split(',')
        .filter(|d| !d.trim().is_empty())
        .map(|d| d.trim().parse().unwrap())
        .collect();
    let data = bytes[10 + header_len..]
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    (shape, data)
}

#[test]
fn info_reports_channels_rate_and_duration() {
    let out = ok(&["audio", "info", &audio("formats/stereo.flac")], b"");
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("2 channel(s), 22050 Hz, 2205 frames, 0.100 s"),
        "{text}"
    );
    let json = ok(&["audio", "info", "--json", &audio("sweep_16k.wav")], b"");
    let line: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(line["sample_rate"], 16000);
    assert_eq!(line["frames"], 24000);
}

#[test]
fn limits_are_set_by_flags() {
    let file = audio("sweep_16k.wav");
    ok(&["audio", "info", "--max-seconds", "1.5", &file], b"");
    let stderr = fails(&["audio", "info", "--max-seconds", "1", &file], b"");
    assert!(
        stderr.contains("sweep_16k.wav") && stderr.contains("over the limit of 1 s"),
        "{stderr}"
    );
    let stderr = fails(&["audio", "info", "--max-file-bytes", "100", &file], b"");
    assert!(stderr.contains("sweep_16k.wav"), "{stderr}");
}

#[test]
fn features_are_written_as_npy_equal_to_the_reference() {
    let dir = TempDir::new();
    let out = dir.path("features");
    let inputs = [audio("sweep_16k.wav"), audio("clipped_16k.wav")];
    ok(
        &[
            "audio",
            "features",
            "-q",
            "--preset",
            "whisper-80",
            "-o",
            &out,
            &inputs[0],
            &inputs[1],
        ],
        b"",
    );
    for signal in ["sweep_16k", "clipped_16k"] {
        let (shape, ours) = read_npy(&format!("{out}/{signal}.npy"));
        let (golden_shape, golden) = read_npy(&audio(&format!("whisper/whisper-80.{signal}.npy")));
        assert_eq!(shape, golden_shape);
        let worst = ours
            .iter()
            .zip(&golden)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(worst <= 1e-4, "{signal}: {worst}");
    }
    // A 22.05 kHz file is resampled to the preset's 16 kHz: 1 s gives 100 frames.
    let resampled = dir.path("resampled");
    ok(
        &[
            "audio",
            "features",
            "-q",
            "--preset",
            "whisper-80",
            "-o",
            &resampled,
            &audio("noise_22k.wav"),
        ],
        b"",
    );
    let (shape, _) = read_npy(&format!("{resampled}/noise_22k.npy"));
    assert_eq!(shape, [80, 100]);
}

#[test]
fn kaldi_features_with_settings_are_frames_first_and_equal_to_the_reference() {
    let dir = TempDir::new();
    let out = dir.path("fbank");
    let mut args = vec![
        "audio",
        "features",
        "-q",
        "--preset",
        "kaldi-fbank",
        "-o",
        &out,
    ];
    for setting in [
        "use_energy=true",
        "raw_energy=false",
        "energy_floor=0",
        "snip_edges=false",
        "num_mel_bins=40",
        "low_freq=64",
        "high_freq=-400",
    ] {
        args.extend(["--set", setting]);
    }
    let input = audio("speech_16k.wav");
    args.push(&input);
    ok(&args, b"");
    let (shape, ours) = read_npy(&format!("{out}/speech_16k.npy"));
    let (golden_shape, golden) = read_npy(&audio(
        "torchaudio/fbank-energy-unsnipped.speech_16k.f64.npy",
    ));
    assert_eq!(shape, golden_shape);
    assert_eq!(shape[1], 41, "the energy column and 40 bins");
    let worst = ours
        .iter()
        .zip(&golden)
        .map(|(a, b)| (a - b).abs())
        .fold(0f32, f32::max);
    assert!(worst <= 1e-4, "{worst}");
    let stderr = fails(
        &[
            "audio",
            "features",
            "--preset",
            "kaldi-fbank",
            "--set",
            "center=true",
            "-o",
            &out,
            &input,
        ],
        b"",
    );
    assert!(stderr.contains("center does not apply"), "{stderr}");
}

#[test]
fn bad_inputs_and_presets_are_clear_errors() {
    let dir = TempDir::new();
    let out = dir.path("out");
    let stderr = fails(
        &[
            "audio",
            "features",
            "--preset",
            "mel",
            "-o",
            &out,
            &audio("sweep_16k.wav"),
        ],
        b"",
    );
    assert!(stderr.contains("unknown preset \"mel\""), "{stderr}");
    let stderr = fails(
        &[
            "audio",
            "features",
            "-q",
            "-o",
            &out,
            &audio("sweep_16k.wav"),
            &audio("formats/bad.truncated.wav"),
        ],
        b"",
    );
    assert!(stderr.contains("1 of 2 file(s) failed"), "{stderr}");
    assert!(stderr.contains("bad.truncated.wav: truncated"), "{stderr}");
    assert!(std::path::Path::new(&format!("{out}/sweep_16k.npy")).exists());
    let stderr = fails(&["audio", "info", &audio("formats/bad.random.wav")], b"");
    assert!(stderr.contains("bad.random.wav: unsupported"), "{stderr}");
    // A header with a sample rate of 0 makes the decoder panic: an error, and no panic text.
    let mut wav = Vec::new();
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&40u32.to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    for field in [1u16, 1] {
        wav.extend_from_slice(&field.to_le_bytes()); // PCM, mono
    }
    wav.extend_from_slice(&0u32.to_le_bytes()); // sample rate
    wav.extend_from_slice(&0u32.to_le_bytes()); // byte rate
    for field in [2u16, 16] {
        wav.extend_from_slice(&field.to_le_bytes()); // block align, bits
    }
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&4u32.to_le_bytes());
    wav.extend_from_slice(&[0, 0, 1, 0]);
    let zero_rate = dir.path("zero-rate.wav");
    std::fs::write(&zero_rate, wav).unwrap();
    let stderr = fails(&["audio", "info", &zero_rate], b"");
    assert!(stderr.contains("zero-rate.wav"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// A mono 32-bit float WAV file of `samples` at 16 kHz.
fn float_wav(samples: &[f32]) -> Vec<u8> {
    let data: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    let mut wav = Vec::new();
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&3u16.to_le_bytes()); // IEEE float
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&16_000u32.to_le_bytes());
    wav.extend_from_slice(&64_000u32.to_le_bytes());
    wav.extend_from_slice(&4u16.to_le_bytes());
    wav.extend_from_slice(&32u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&(data.len() as u32).to_le_bytes());
    wav.extend_from_slice(&data);
    wav
}

#[test]
fn features_that_would_overflow_or_carry_no_signal_are_reported() {
    let dir = TempDir::new();
    let out = dir.path("out");
    let loud = dir.path("loud.wav");
    let samples: Vec<f32> = (0..16_000).map(|i| (i as f32 * 0.1).sin() * 1e30).collect();
    std::fs::write(&loud, float_wav(&samples)).unwrap();
    let stderr = fails(&["audio", "features", "-q", "-o", &out, &loud], b"");
    assert!(
        stderr
            .contains("loud.wav: samples reach 1.000e30, and what is computed from them overflows"),
        "{stderr}"
    );
    assert!(!std::path::Path::new(&format!("{out}/loud.npy")).exists());

    // More mel bins than a 256-point FFT has bins to give them: computed, with a warning.
    let output = common::run(
        &[
            "audio",
            "features",
            "-q",
            "--set",
            "n_mels=256",
            "--set",
            "n_fft=256",
            "-o",
            &out,
            &audio("sweep_16k.wav"),
        ],
        b"",
    );
    assert!(output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains(
            "omnitok: warning: at 16000 Hz, 81 of the 256 mel filters cover no \
             frequency bin (the first: filter 0)"
        ),
        "{stderr}"
    );
    let (shape, _) = read_npy(&format!("{out}/sweep_16k.npy"));
    assert_eq!(shape[0], 256);
}
