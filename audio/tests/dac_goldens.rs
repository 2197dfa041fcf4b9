//! DAC inference against transformers' `DacModel`, on the goldens of `fixtures/audio/dac/`
//! (made by `make_goldens.py` there from small random configurations on real speech: 16 kHz
//! with an odd stride, and 44.1 kHz with the published ratios; each also saved with its
//! convolutions under a weight norm).

#![allow(clippy::unwrap_used)]

mod common;

use common::{fixtures, max_difference, read_f32, read_i64};
use ndarray::Array2;
use omnitok_audio::codec::Codec;
use serde_json::Value;

fn goldens() -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixtures().join("dac/goldens.json")).unwrap())
        .unwrap()
}

fn array2<T: Clone>(shape: &[usize], values: Vec<T>) -> Array2<T> {
    Array2::from_shape_vec((shape[0], shape[1]), values).unwrap()
}

/// Checks the model in `dac/<dir>` against the goldens of `dac/<golden>`.
fn check(dir: &str, golden: &str, meta: &Value) {
    let model = Codec::from_pretrained(fixtures().join("dac").join(dir)).unwrap();
    assert_eq!(model.family().model_type(), "dac");
    let golden_dir = fixtures().join("dac").join(golden);
    let (shape, input) = read_f32(&golden_dir.join("input.npy"));
    let input = array2(&shape, input);

    let (_, expected) = read_f32(&golden_dir.join("embeddings.npy"));
    let embeddings = model.embeddings(input.view()).unwrap();
    let worst = max_difference(embeddings.as_slice().unwrap(), &expected);
    eprintln!("{dir}: embeddings within {worst:e}");
    assert!(worst <= 1e-4, "{dir}: embeddings differ by {worst}");

    let (shape, expected) = read_i64(&golden_dir.join("codes.npy"));
    let expected = array2(&shape, expected);
    let codebooks = expected.nrows();
    let codes = model
        .encode_codebooks(input.view(), codebooks)
        .unwrap()
        .codes;
    let codes = codes.index_axis(ndarray::Axis(0), 0);
    assert_eq!(codes.dim(), expected.dim(), "{dir}: codes' shape");
    let differing = codes.iter().zip(&expected).filter(|(a, b)| a != b).count();
    // The goldens' nearest entries win by at least 1.2e-3 of a score, far above float32
    // rounding: every code must be equal.
    assert_eq!(differing, 0, "{dir}: {differing} codes differ");
    // Fewer codebooks give the first rows.
    let fewer = model.encode_codebooks(input.view(), 1).unwrap().codes;
    assert_eq!(
        fewer.index_axis(ndarray::Axis(0), 0),
        expected.slice(ndarray::s![..1, ..])
    );

    let info = &meta["models"][golden];
    for n in info["decoded"].as_array().unwrap() {
        let n = n.as_u64().unwrap() as usize;
        let (shape, expected_audio) = read_f32(&golden_dir.join(format!("decoded.{n}.npy")));
        let codes = omnitok_audio::codec::Codes {
            codes: expected
                .slice(ndarray::s![..n, ..])
                .insert_axis(ndarray::Axis(0))
                .to_owned(),
            scales: Vec::new(),
            last_frame_pad_length: 0,
            samples: usize::MAX,
        };
        let decoded = model.decode(&codes).unwrap();
        assert_eq!(decoded.dim(), (shape[0], shape[1]), "{dir}: decoded shape");
        // Measured: 2.1e-6 to 2.9e-6 of the spread.
        common::assert_within_spread(
            decoded.as_slice().unwrap(),
            &expected_audio,
            info["decoded_std"][n.to_string()].as_f64().unwrap() as f32,
            info["code_dependent_std"][n.to_string()].as_f64().unwrap() as f32,
            &format!("{dir}, {n} codebooks"),
        );
    }
}

#[test]
fn dac_matches_transformers_codes_and_audio() {
    let meta = goldens();
    for name in ["dac-16k", "dac-44k"] {
        check(name, name, &meta);
        // Weight-normed convolutions (weight_g / weight_v) give the same model.
        check(&format!("{name}-weight-norm"), name, &meta);
    }
}

#[test]
fn checkpoints_and_codes_that_do_not_fit_are_errors_naming_them() {
    let scratch = |name: &str| {
        let dir = std::env::temp_dir().join(format!("omnitok-dac-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    };
    // A family omnitok does not run.
    let other = scratch("other");
    std::fs::write(other.join("config.json"), r#"{"model_type": "mimi"}"#).unwrap();
    std::fs::copy(
        fixtures().join("dac/dac-16k/model.safetensors"),
        other.join("model.safetensors"),
    )
    .unwrap();
    let error = Codec::from_pretrained(&other).unwrap_err().to_string();
    std::fs::remove_dir_all(&other).unwrap();
    assert!(
        error.contains("config.json")
            && error.contains("\"mimi\"")
            && error.contains("encodec, dac"),
        "{error}"
    );

    // A DAC configuration with another family's weights: the first missing tensor is named.
    let mixed = scratch("mixed");
    std::fs::copy(
        fixtures().join("dac/dac-16k/config.json"),
        mixed.join("config.json"),
    )
    .unwrap();
    std::fs::copy(
        fixtures().join("encodec/causal-24k/model.safetensors"),
        mixed.join("model.safetensors"),
    )
    .unwrap();
    let error = Codec::from_pretrained(&mixed).unwrap_err().to_string();
    std::fs::remove_dir_all(&mixed).unwrap();
    assert!(
        error.contains("model.safetensors") && error.contains("encoder.conv1.weight is missing"),
        "{error}"
    );

    let model = Codec::from_pretrained(fixtures().join("dac/dac-16k")).unwrap();
    assert_eq!(model.bandwidths(), vec![0.3, 0.6, 0.9, 1.2]);
    assert_eq!(model.codebooks_for(0.9).unwrap(), 3);
    assert!(!model.can_stream());
    let audio = Array2::from_shape_fn((1, 3200), |(_, t)| (t as f32 * 0.01).sin() * 0.5);
    let error = model
        .encode_codebooks(audio.view(), 5)
        .unwrap_err()
        .to_string();
    assert!(error.contains("1 to 4"), "{error}");
    let error = model.encode(audio.view(), 3.0).unwrap_err().to_string();
    assert!(error.contains("no bandwidth 3"), "{error}");
    let short = Array2::<f32>::zeros((1, 100));
    let error = model
        .encode_codebooks(short.view(), 1)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("fewer than one code frame (320 samples)"),
        "{error}"
    );
    let stereo = Array2::<f32>::zeros((2, 3200));
    assert!(model.encode_codebooks(stereo.view(), 1).is_err());
    let mut codes = model.encode(audio.view(), 1.2).unwrap();
    assert_eq!(codes.codes.dim(), (1, 4, 10));
    codes.codes[[0, 2, 3]] = 64;
    let error = model.decode(&codes).unwrap_err().to_string();
    assert!(
        error.contains("code 64 of codebook 2 at frame 3"),
        "{error}"
    );
    codes.codes = ndarray::Array3::zeros((1, 5, 10));
    assert!(model.decode(&codes).is_err());
}
