//! EnCodec inference against transformers' `EncodecModel`, on the goldens of
//! `fixtures/audio/encodec/` (made by `make_goldens.py` there from small random
//! configurations: 24 kHz causal mono with weight norm, saved with both weight-norm namings,
//! and 48 kHz non-causal stereo in normalised overlapping chunks with group norm), and at the
//! published 24 kHz size on speech (`published-24k`, weights from a formula). The bar: codes
//! identical, embeddings within 1e-4, decoded audio within 5e-7 (and, at the published size,
//! within 1e-5 of the decoded audio's spread).

#![allow(clippy::unwrap_used)]

mod common;

use common::{fixtures, max_difference, read_f32, read_i64};
use ndarray::{Array2, Array3};
use omnitok_audio::codec::Codec;
use serde_json::Value;

fn check_model(dir: &str, golden: &str, meta: &Value) -> usize {
    let codec = Codec::from_pretrained(fixtures().join("encodec").join(dir)).unwrap();
    check_codec(&codec, dir, golden, meta)
}

/// Checks `codec` against the goldens in `encodec/<golden>/`, described by `meta`; `dir` names
/// the model in failures.
fn check_codec(codec: &Codec, dir: &str, golden: &str, meta: &Value) -> usize {
    let root = fixtures().join("encodec");
    let golden_dir = root.join(golden);
    let (shape, input) = read_f32(&golden_dir.join("input.npy"));
    let input = Array2::from_shape_vec((shape[0], shape[1]), input).unwrap();
    if golden_dir.join("embeddings.npy").exists() {
        let (_, expected) = read_f32(&golden_dir.join("embeddings.npy"));
        let ours = codec.embeddings(input.view()).unwrap();
        let worst = max_difference(ours.as_slice().unwrap(), &expected);
        assert!(worst <= 1e-4, "{dir}: embeddings differ by {worst}");
    }
    let mut checked = 0;
    for (bandwidth, info) in meta["models"][golden]["bandwidths"].as_object().unwrap() {
        let rate: f64 = bandwidth.parse().unwrap();
        let name = |what: &str| golden_dir.join(format!("{what}.{rate:?}.npy"));
        let codes = codec.encode(input.view(), rate).unwrap();
        let (shape, expected) = read_i64(&name("codes"));
        let expected = Array3::from_shape_vec((shape[0], shape[1], shape[2]), expected).unwrap();
        let differing = codes
            .codes
            .iter()
            .zip(expected.iter())
            .filter(|(a, b)| a != b)
            .count();
        assert_eq!(
            codes.codes.dim(),
            expected.dim(),
            "{dir} at {rate} kbps: shape"
        );
        assert_eq!(
            differing, 0,
            "{dir} at {rate} kbps: {differing} codes differ"
        );
        assert_eq!(
            codes.last_frame_pad_length as u64,
            info["last_frame_pad_length"].as_u64().unwrap()
        );
        let expected_scales: Vec<f32> = info["scales"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s.as_f64().map(|v| v as f32))
            .collect();
        assert_eq!(codes.scales.len(), expected_scales.len());
        for (a, b) in codes.scales.iter().zip(&expected_scales) {
            assert!((a - b).abs() <= 1e-6 * b.abs(), "{dir}: scale {a} vs {b}");
        }
        let decoded = codec.decode(&codes).unwrap();
        let (shape, expected) = read_f32(&name("decoded"));
        assert_eq!(decoded.dim(), (shape[0], shape[1]), "{dir} at {rate} kbps");
        let worst = max_difference(decoded.as_standard_layout().as_slice().unwrap(), &expected);
        // The README's bar. Measured: 3.0e-7 to 4.2e-7. The quietest golden (causal-24k) has a
        // standard deviation of 5.9e-3, so this is 1e-4 of its signal.
        assert!(
            worst <= 5e-7,
            "{dir} at {rate} kbps: decoded audio differs by {worst}"
        );
        checked += 1;
    }
    checked
}

#[test]
fn encodec_matches_transformers_codes_and_audio() {
    let meta: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("encodec/goldens.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(check_model("causal-24k", "causal-24k", &meta), 3);
    // The published checkpoints' weight_g / weight_v names give the same model.
    assert_eq!(check_model("causal-24k-weight-g-v", "causal-24k", &meta), 3);
    assert_eq!(check_model("noncausal-48k", "noncausal-48k", &meta), 2);
}

#[test]
fn the_built_in_speech_codec_matches_transformers() {
    let meta: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("encodec/speech-16k.json")).unwrap(),
    )
    .unwrap();
    let codec = Codec::default_speech();
    let config = codec.encodec().unwrap().config();
    assert_eq!((config.sampling_rate, config.audio_channels), (16_000, 1));
    assert!(config.use_causal_conv);
    assert_eq!(
        check_codec(&codec, "built-in", "speech-16k", &meta),
        config.target_bandwidths.len()
    );
}

/// Transformers' default `EncodecConfig` (that of the published 24 kHz model: 15 million
/// weights, 32 codebooks of 1024) with random weights from a formula, on 2.2 s of speech.
/// Codes are compared frame by frame (all codebooks of a frame), and the reference's codes
/// decoded, against its audio, relative to that audio's spread.
#[test]
fn a_published_size_model_matches_transformers_on_speech() {
    let golden_dir = fixtures().join("encodec/published-24k");
    let meta: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("encodec/published-24k.json")).unwrap(),
    )
    .unwrap();
    let dir = common::formula_weights::formula_checkpoint(&golden_dir, "encodec-published-24k");
    let codec = Codec::from_pretrained(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let (shape, input) = read_f32(&golden_dir.join("input.npy"));
    let input = Array2::from_shape_vec((shape[0], shape[1]), input).unwrap();
    let bandwidths = meta["models"]["published-24k"]["bandwidths"]
        .as_object()
        .unwrap();
    assert_eq!(bandwidths.len(), 3);
    for (bandwidth, info) in bandwidths {
        let rate: f64 = bandwidth.parse().unwrap();
        let name = |what: &str| golden_dir.join(format!("{what}.{rate:?}.npy"));
        let ours = codec.encode(input.view(), rate).unwrap();
        let (shape, expected) = read_i64(&name("codes"));
        let expected = Array3::from_shape_vec((shape[0], shape[1], shape[2]), expected).unwrap();
        assert_eq!(ours.codes.dim(), expected.dim(), "{rate} kbps: shape");
        let frames = expected.dim().2;
        let equal_frames = (0..frames)
            .filter(|&t| {
                ours.codes.slice(ndarray::s![.., .., t]) == expected.slice(ndarray::s![.., .., t])
            })
            .count();
        let reference = omnitok_audio::codec::Codes {
            codes: expected,
            ..ours
        };
        let decoded = codec.decode(&reference).unwrap();
        let (shape, expected_audio) = read_f32(&name("decoded"));
        assert_eq!(decoded.dim(), (shape[0], shape[1]));
        eprintln!("{rate} kbps: {equal_frames}/{frames} frames equal");
        // Measured: every frame equal at 1.5, 6 and 24 kbps (the closest tie, 4.6e-6 of a
        // distance, is far above float32 rounding).
        assert_eq!(
            equal_frames, frames,
            "{rate} kbps: frames whose codes differ"
        );
        // Measured: 4.6e-6 to 5.9e-6 of the spread (at most 3.6e-7 in absolute terms).
        common::assert_within_spread(
            decoded.as_standard_layout().as_slice().unwrap(),
            &expected_audio,
            info["decoded_std"].as_f64().unwrap() as f32,
            info["code_dependent_std"].as_f64().unwrap() as f32,
            &format!("{rate} kbps"),
        );
    }
}

/// A copy of the `causal-24k` checkpoint with its tensors changed by `edit` and its
/// configuration by `configure`, in a fresh directory.
fn altered_checkpoint(
    name: &str,
    edit: impl FnOnce(&mut Vec<common::NamedTensor>),
    configure: impl FnOnce(&mut Value),
) -> std::path::PathBuf {
    let source = fixtures().join("encodec/causal-24k");
    let dir = std::env::temp_dir().join(format!("omnitok-encodec-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bytes = std::fs::read(source.join("model.safetensors")).unwrap();
    let file = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let mut tensors: Vec<common::NamedTensor> = file
        .tensors()
        .into_iter()
        .map(|(n, v)| (n, v.shape().to_vec(), v.data().to_vec()))
        .collect();
    edit(&mut tensors);
    common::write_safetensors(&dir.join("model.safetensors"), &tensors);
    let mut config: Value =
        serde_json::from_str(&std::fs::read_to_string(source.join("config.json")).unwrap())
            .unwrap();
    configure(&mut config);
    std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
    dir
}

fn load_error(dir: &std::path::Path) -> String {
    let error = Codec::from_pretrained(dir).unwrap_err().to_string();
    std::fs::remove_dir_all(dir).unwrap();
    error
}

#[test]
fn checkpoints_that_do_not_fit_are_errors_naming_the_tensor() {
    let missing = altered_checkpoint(
        "missing",
        |t| t.retain(|(n, _, _)| n != "decoder.layers.0.conv.bias"),
        |_| {},
    );
    let error = load_error(&missing);
    assert!(
        error.contains("decoder.layers.0.conv.bias is missing"),
        "{error}"
    );

    let unexpected = altered_checkpoint(
        "unexpected",
        |t| t.push(("encoder.layers.99.conv.bias".into(), vec![1], vec![0; 4])),
        |_| {},
    );
    let error = load_error(&unexpected);
    assert!(error.contains("encoder.layers.99.conv.bias"), "{error}");

    let wider = altered_checkpoint("wider", |_| {}, |c| c["num_filters"] = 8.into());
    let error = load_error(&wider);
    assert!(
        error.contains("encoder.layers.0.conv") && error.contains("needs [8, 1, 1]"),
        "{error}"
    );

    let error = Codec::from_pretrained(fixtures().join("encodec/no-such-model"))
        .unwrap_err()
        .to_string();
    assert!(error.contains("no-such-model/config.json"), "{error}");
}

#[test]
fn bad_audio_codes_and_bandwidths_are_errors() {
    let codec = Codec::from_pretrained(fixtures().join("encodec/causal-24k")).unwrap();
    let audio = Array2::<f32>::zeros((1, 2400));
    let error = codec.encode(audio.view(), 5.0).unwrap_err().to_string();
    assert!(
        error.contains("no bandwidth 5") && error.contains("4.5"),
        "{error}"
    );
    let stereo = Array2::<f32>::zeros((2, 2400));
    assert!(codec.encode(stereo.view(), 4.5).is_err());
    let mut codes = codec.encode(audio.view(), 9.0).unwrap();
    codes.codes[[0, 1, 7]] = 64;
    let error = codec.decode(&codes).unwrap_err().to_string();
    assert!(
        error.contains("code 64 of codebook 1 at frame 7"),
        "{error}"
    );
    let mut nan = audio.clone();
    nan[[0, 100]] = f32::NAN;
    assert!(codec
        .encode(nan.view(), 4.5)
        .unwrap_err()
        .to_string()
        .contains("sample 100"));
}

/// Feeds `total` columns to `push` in pieces of the given sizes (cycled), then `flush`.
fn in_pieces<S, T: Clone>(
    stream: &mut S,
    total: usize,
    sizes: &[usize],
    push: impl Fn(&mut S, usize, usize) -> ndarray::Array2<T>,
    flush: impl FnOnce(&mut S) -> ndarray::Array2<T>,
) -> ndarray::Array2<T> {
    let mut parts = Vec::new();
    let mut at = 0;
    for &size in sizes.iter().cycle() {
        if at >= total {
            break;
        }
        let end = (at + size).min(total);
        parts.push(push(stream, at, end));
        at = end;
    }
    parts.push(flush(stream));
    let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
    ndarray::concatenate(ndarray::Axis(1), &views).unwrap()
}

#[test]
fn streams_equal_offline_encoding_and_decoding_bit_for_bit() {
    use ndarray::s;
    use omnitok_audio::codec::{StreamingDecoder, StreamingEncoder};
    use std::sync::Arc;
    let dir = fixtures().join("encodec/causal-24k");
    let codec = Arc::new(Codec::from_pretrained(&dir).unwrap());
    let (shape, input) = read_f32(&dir.join("input.npy"));
    let input = Array2::from_shape_vec((shape[0], shape[1]), input).unwrap();
    let offline = codec.encode(input.view(), 18.0).unwrap();
    let offline_codes = offline.codes.index_axis(ndarray::Axis(0), 0).to_owned();
    let offline_audio = codec.decode(&offline).unwrap();
    for sizes in [&[1usize][..], &[7, 320, 1], &[1000], &[7200], &[31, 33]] {
        let mut encoder = StreamingEncoder::new(codec.clone(), 18.0).unwrap();
        let codes = in_pieces(
            &mut encoder,
            input.ncols(),
            sizes,
            |e, a, b| e.push(input.slice(s![.., a..b])).unwrap(),
            |e| e.flush().unwrap(),
        );
        assert!(codes == offline_codes, "codes differ, pieces {sizes:?}");
    }
    for sizes in [&[1usize][..], &[2, 5], &[225]] {
        let mut decoder = StreamingDecoder::new(codec.clone()).unwrap();
        let audio = in_pieces(
            &mut decoder,
            offline_codes.ncols(),
            sizes,
            |d, a, b| d.push(offline_codes.slice(s![.., a..b])).unwrap(),
            |d| d.flush().unwrap(),
        );
        assert!(
            audio == offline_audio,
            "audio differs, code pieces {sizes:?}"
        );
    }
    let encoder = StreamingEncoder::new(codec.clone(), 4.5).unwrap();
    assert!(encoder.latency_samples() >= codec.hop_length());
    let chunked =
        Arc::new(Codec::from_pretrained(fixtures().join("encodec/noncausal-48k")).unwrap());
    assert!(StreamingEncoder::new(chunked.clone(), 9.0).is_err());
    assert!(StreamingDecoder::new(chunked).is_err());
}

#[test]
fn a_model_that_scales_each_chunk_refuses_codes_without_their_scales() {
    let codec = Codec::from_pretrained(fixtures().join("encodec/noncausal-48k")).unwrap();
    let audio = Array2::<f32>::from_shape_fn((2, 4800), |(c, t)| ((t + c) as f32 * 0.01).sin());
    let mut codes = codec.encode(audio.view(), 9.0).unwrap();
    assert!(!codes.scales.is_empty());
    codec.decode(&codes).unwrap();
    codes.scales.clear();
    let chunks = codes.codes.dim().0;
    let error = codec.decode(&codes).unwrap_err();
    assert!(
        matches!(error, omnitok_audio::AudioError::MissingScales { chunks: c } if c == chunks),
        "{error}"
    );
    assert!(error.to_string().contains("scales each chunk"), "{error}");
}
