//! `omnitok audio encode | decode | eval` with the small EnCodec, DAC and SNAC checkpoints of
//! `fixtures/audio/encodec/`, `fixtures/audio/dac/` and `fixtures/audio/snac/`: decoding the
//! golden codes gives the reference's audio, a round trip through files keeps lengths and shapes, and bad requests
//! are clear errors.

#![allow(clippy::unwrap_used)]

mod common;

use common::{fails, ok, TempDir};

fn fixture(path: &str) -> String {
    format!("{}/../fixtures/audio/{path}", env!("CARGO_MANIFEST_DIR"))
}

/// A float32 or int64 `.npy` file: its shape and values as f64.
fn read_npy(path: &str) -> (Vec<usize>, Vec<f64>) {
    let bytes = std::fs::read(path).unwrap();
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = std::str::from_utf8(&bytes[10..10 + header_len]).unwrap();
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
    let data = &bytes[10 + header_len..];
    let values = if header.contains("'<i8'") {
        data.chunks_exact(8)
            .map(|c| i64::from_le_bytes(c.try_into().unwrap()) as f64)
            .collect()
    } else {
        assert!(header.contains("'<f4'"), "{header}");
        data.chunks_exact(4)
            .map(|c| f64::from(f32::from_le_bytes(c.try_into().unwrap())))
            .collect()
    };
    (shape, values)
}

/// The samples of a 32-bit float mono WAV file written by `omnitok audio decode`.
fn read_wav(path: &str) -> Vec<f64> {
    let bytes = std::fs::read(path).unwrap();
    let data = bytes.windows(4).position(|w| w == b"data").unwrap() + 8;
    bytes[data..]
        .chunks_exact(4)
        .map(|c| f64::from(f32::from_le_bytes(c.try_into().unwrap())))
        .collect()
}

/// Decodes `codes` with `model` (none: the built-in codec) and compares the audio with the
/// golden `decoded` (within 1e-4).
fn decodes_to_the_golden(dir: &TempDir, model: Option<&str>, codes: &str, decoded: &str) {
    let out = dir.path("decoded.wav");
    let mut args = vec!["audio", "decode", "-o", &out, codes];
    if let Some(model) = model {
        args.extend(["--model", model]);
    }
    ok(&args, b"");
    let ours = read_wav(&out);
    let (_, expected) = read_npy(decoded);
    assert_eq!(ours.len(), expected.len());
    let worst = ours
        .iter()
        .zip(&expected)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(worst <= 1e-4, "{codes}: {worst}");
}

#[test]
fn decoding_the_golden_codes_gives_the_reference_audio() {
    let golden = fixture("encodec/causal-24k");
    decodes_to_the_golden(
        &TempDir::new(),
        Some(&golden),
        &format!("{golden}/codes.9.0.npy"),
        &format!("{golden}/decoded.9.0.npy"),
    );
}

#[test]
fn dac_checkpoints_encode_and_decode_as_transformers_does() {
    let dir = TempDir::new();
    let golden = fixture("dac/dac-16k");
    // The family comes from config.json; codes without a sidecar decode whole.
    decodes_to_the_golden(
        &dir,
        Some(&golden),
        &format!("{golden}/codes.npy"),
        &format!("{golden}/decoded.4.npy"),
    );
    // --codebooks picks the bandwidth: 2 codebooks of 64 entries at 50 frames a second.
    let codes = dir.path("codes.npy");
    ok(
        &[
            "audio",
            "encode",
            "--model",
            &golden,
            "--codebooks",
            "2",
            "-o",
            &codes,
            &fixture("speech_16k.wav"),
        ],
        b"",
    );
    let sidecar: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{codes}.json")).unwrap()).unwrap();
    assert_eq!(sidecar["bandwidth"], 0.6);
    let samples = sidecar["samples"].as_u64().unwrap() as usize;
    let (shape, _) = read_npy(&codes);
    assert_eq!(shape, vec![2, samples / 320]);
    let wav = dir.path("out.wav");
    ok(
        &["audio", "decode", "--model", &golden, "-o", &wav, &codes],
        b"",
    );
    // Whole frames, as transformers decodes them: the stride-5 block gives one sample fewer,
    // which the blocks after it (x4, x2) make 8.
    assert_eq!(read_wav(&wav).len(), samples / 320 * 320 - 8);
    let error = fails(
        &[
            "audio",
            "encode",
            "--model",
            &golden,
            "--codebooks",
            "5",
            "-o",
            &dir.path("five.npy"),
            &fixture("speech_16k.wav"),
        ],
        b"",
    );
    assert!(error.contains("no bandwidth with 5 codebooks"), "{error}");
    // The sidecar ties the codes to a model of their family and rate.
    let error = fails(&["audio", "decode", "-o", &dir.path("x.wav"), &codes], b"");
    assert!(
        error.contains("16000 Hz") || error.contains("bandwidth"),
        "{error}"
    );
}

#[test]
fn without_a_model_the_built_in_speech_codec_is_used() {
    let dir = TempDir::new();
    // Its golden codes decode to transformers' audio.
    let golden = fixture("encodec/speech-16k");
    decodes_to_the_golden(
        &dir,
        None,
        &format!("{golden}/codes.5.0.npy"),
        &format!("{golden}/decoded.5.0.npy"),
    );
    // A file at 22.05 kHz is resampled to 16 kHz: 250 frames a second, at the smallest
    // bandwidth by default, and the round trip keeps its length.
    let codes = dir.path("codes.npy");
    ok(
        &["audio", "encode", "-o", &codes, &fixture("speech_22k.wav")],
        b"",
    );
    let sidecar: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{codes}.json")).unwrap()).unwrap();
    assert_eq!(sidecar["sample_rate"], 16_000);
    let samples = sidecar["samples"].as_u64().unwrap() as usize;
    let (shape, _) = read_npy(&codes);
    assert_eq!(shape[1], samples.div_ceil(64));
    let wav = dir.path("out.wav");
    ok(&["audio", "decode", "-o", &wav, &codes], b"");
    assert_eq!(read_wav(&wav).len(), samples);
    // The built-in codec's name works where a checkpoint folder is asked for.
    let named = dir.path("named.npy");
    ok(
        &[
            "audio",
            "encode",
            "--model",
            "omnitok-speech-16k",
            "-o",
            &named,
            &fixture("speech_22k.wav"),
        ],
        b"",
    );
    assert_eq!(
        std::fs::read(&named).unwrap(),
        std::fs::read(&codes).unwrap()
    );
}

#[test]
fn a_round_trip_through_files_keeps_shapes_and_length() {
    let dir = TempDir::new();
    let codes = dir.path("codes.npy");
    let model = fixture("encodec/causal-24k");
    // 1.5 s at 16 kHz: 36,000 samples at 24 kHz, 1,125 frames of 32 samples.
    let input = fixture("sweep_16k.wav");
    ok(
        &[
            "audio",
            "encode",
            "--model",
            &model,
            "--bandwidth",
            "18",
            "-o",
            &codes,
            &input,
        ],
        b"",
    );
    let (shape, values) = read_npy(&codes);
    assert_eq!(shape, [4, 1125]);
    assert!(values.iter().all(|&c| (0.0..64.0).contains(&c)));
    let sidecar: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{codes}.json")).unwrap()).unwrap();
    assert_eq!(sidecar["samples"], 36_000);
    let wav = dir.path("out.wav");
    ok(
        &["audio", "decode", "--model", &model, "-o", &wav, &codes],
        b"",
    );
    assert_eq!(read_wav(&wav).len(), 36_000);
    let report = ok(
        &[
            "audio",
            "eval",
            "--model",
            &model,
            "--json",
            "--bandwidth",
            "9",
            &input,
        ],
        b"",
    );
    let line: serde_json::Value =
        serde_json::from_str(String::from_utf8(report).unwrap().trim()).unwrap();
    assert!(line["si_sdr"].is_f64() && line["mel_distance"].as_f64().unwrap() > 0.0);
}

#[test]
fn snac_checkpoints_encode_and_decode_levels_as_npz() {
    let dir = TempDir::new();
    let golden = fixture("snac/snac-24k");
    // The family comes from config.json's keys; the golden codes decode to the golden audio.
    decodes_to_the_golden(
        &dir,
        Some(&golden),
        &format!("{golden}/codes.npz"),
        &format!("{golden}/decoded.npy"),
    );
    // np.savez_compressed's deflated entries read the same.
    decodes_to_the_golden(
        &dir,
        Some(&golden),
        &format!("{golden}/codes-deflated.npz"),
        &format!("{golden}/decoded.npy"),
    );
    let codes = dir.path("codes.npz");
    let speech = fixture("speech_22k.wav");
    ok(
        &["audio", "encode", "--model", &golden, "-o", &codes, &speech],
        b"",
    );
    // Three levels at strides 4, 2, 1 over the padded audio (a multiple of 512 · 4 samples).
    let wav = dir.path("out.wav");
    ok(
        &["audio", "decode", "--model", &golden, "-o", &wav, &codes],
        b"",
    );
    let samples = read_wav(&wav).len();
    assert_eq!(samples % 2048, 0);
    // speech_22k.wav lasts 2.2 s.
    assert!(samples >= 2 * 24_000, "{samples}");
    let eval = ok(
        &["audio", "eval", "--model", &golden, "--json", &speech],
        b"",
    );
    let eval = String::from_utf8(eval).unwrap();
    let line: serde_json::Value = serde_json::from_str(eval.lines().next().unwrap()).unwrap();
    // 6 bits a code, 46.875 frames a second, codes at 1/4 + 1/2 + 1 of that rate.
    assert!(
        (line["bandwidth"].as_f64().unwrap() - 0.4921875).abs() < 1e-9,
        "{line}"
    );
    assert!(line["si_sdr"].as_f64().is_some(), "{line}");
    // Errors: codes of one rate, a file that is not .npz, levels another model does not have.
    let error = fails(
        &[
            "audio",
            "encode",
            "--model",
            &golden,
            "-o",
            &dir.path("codes.npy"),
            &speech,
        ],
        b"",
    );
    assert!(error.contains("name the output CODES.npz"), "{error}");
    let error = fails(
        &[
            "audio",
            "encode",
            "--model",
            &golden,
            "--codebooks",
            "2",
            "-o",
            &dir.path("two.npz"),
            &speech,
        ],
        b"",
    );
    assert!(error.contains("no bandwidth with 2 codebooks"), "{error}");
    let error = fails(
        &[
            "audio",
            "decode",
            "--model",
            &fixture("snac/snac-plain"),
            "-o",
            &dir.path("x.wav"),
            &codes,
        ],
        b"",
    );
    assert!(
        error.contains("3 levels of codes; this SNAC model has 2"),
        "{error}"
    );
    let error = fails(
        &[
            "audio",
            "decode",
            "--model",
            &golden,
            "-o",
            &dir.path("x.wav"),
            &format!("{}/dac-16k/codes.npy", fixture("dac")),
        ],
        b"",
    );
    assert!(error.contains("not a .npz file"), "{error}");
}

#[test]
fn bad_requests_are_clear_errors() {
    let dir = TempDir::new();
    let codes = dir.path("codes.npy");
    let model = fixture("encodec/causal-24k");
    let input = fixture("sweep_16k.wav");
    let stderr = fails(
        &[
            "audio",
            "encode",
            "--model",
            &model,
            "--bandwidth",
            "5",
            "-o",
            &codes,
            &input,
        ],
        b"",
    );
    assert!(stderr.contains("no bandwidth 5"), "{stderr}");
    // A 48 kHz model scales each chunk: its codes need the sidecar.
    let stereo = fixture("encodec/noncausal-48k");
    ok(
        &["audio", "encode", "--model", &stereo, "-o", &codes, &input],
        b"",
    );
    std::fs::remove_file(format!("{codes}.json")).unwrap();
    let stderr = fails(
        &[
            "audio",
            "decode",
            "--model",
            &stereo,
            "-o",
            &dir.path("x.wav"),
            &codes,
        ],
        b"",
    );
    assert!(stderr.contains("codes.npy.json"), "{stderr}");
    let stderr = fails(
        &[
            "audio",
            "decode",
            "--model",
            &model,
            "-o",
            &dir.path("x.wav"),
            &input,
        ],
        b"",
    );
    assert!(stderr.contains("not a .npy file"), "{stderr}");
    // Codes of the 24 kHz model are not decoded by the 16 kHz built-in codec.
    ok(
        &["audio", "encode", "--model", &model, "-o", &codes, &input],
        b"",
    );
    let stderr = fails(&["audio", "decode", "-o", &dir.path("x.wav"), &codes], b"");
    assert!(stderr.contains("codes.npy.json"), "{stderr}");
    assert!(stderr.contains("made at 24000 Hz"), "{stderr}");
    // Writing over an input is refused.
    let stderr = fails(
        &["audio", "decode", "--model", &model, "-o", &codes, &codes],
        b"",
    );
    assert!(stderr.contains("the output is an input"), "{stderr}");
    let stderr = fails(
        &["audio", "encode", "--model", &model, "-o", &input, &input],
        b"",
    );
    assert!(stderr.contains("the output is an input"), "{stderr}");
}
