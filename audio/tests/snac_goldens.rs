//! SNAC inference against the `snac` package, on the goldens of `fixtures/audio/snac/` (made by
//! `make_goldens.py` there from small random configurations on real speech: the published
//! 24 kHz and 32 kHz layouts, the latter with local attention and an odd rate, and one without
//! depthwise convolutions or noise blocks; each also saved with its weight norms named
//! `weight_g` / `weight_v`). The reference decodes with its noise off, as omnitok does.

#![allow(clippy::unwrap_used)]

mod common;

use common::{fixtures, max_difference, read_f32, read_npz_i64};
use ndarray::{Array1, Array2};
use omnitok_audio::codec::{Codec, Family};
use serde_json::Value;

const MODELS: [&str; 3] = ["snac-24k", "snac-32k", "snac-plain"];

fn goldens() -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixtures().join("snac/goldens.json")).unwrap())
        .unwrap()
}

/// The golden codes of `name`, level by level.
fn golden_levels(name: &str) -> Vec<Array1<i64>> {
    read_npz_i64(&fixtures().join("snac").join(name).join("codes.npz"))
        .into_iter()
        .enumerate()
        .map(|(i, (entry, values))| {
            assert_eq!(entry, format!("level_{i}"));
            Array1::from(values)
        })
        .collect()
}

/// Checks the model in `snac/<dir>` against the goldens of `snac/<golden>`; returns the codes
/// compared and those that differ.
fn check(dir: &str, golden: &str, meta: &Value) -> (usize, usize) {
    let model = Codec::from_pretrained(fixtures().join("snac").join(dir)).unwrap();
    assert_eq!(model.family(), Family::Snac);
    let golden_dir = fixtures().join("snac").join(golden);
    let (shape, input) = read_f32(&golden_dir.join("input.npy"));
    let input = Array2::from_shape_vec((shape[0], shape[1]), input).unwrap();

    let (_, expected) = read_f32(&golden_dir.join("embeddings.npy"));
    let embeddings = model.embeddings(input.view()).unwrap();
    let worst = max_difference(embeddings.as_slice().unwrap(), &expected);
    eprintln!("{dir}: embeddings within {worst:e}");
    assert!(worst <= 1e-4, "{dir}: embeddings differ by {worst}");

    let expected = golden_levels(golden);
    let levels = model.encode_levels(input.view()).unwrap();
    assert_eq!(levels.len(), expected.len(), "{dir}: levels");
    let (mut compared, mut differing) = (0, 0);
    for (i, (found, wanted)) in levels.iter().zip(&expected).enumerate() {
        assert_eq!(found.len(), wanted.len(), "{dir}: codes of level {i}");
        compared += found.len();
        differing += found.iter().zip(wanted).filter(|(a, b)| a != b).count();
    }
    eprintln!("{dir}: {differing} of {compared} codes differ");

    let info = &meta["models"][golden];
    let (shape, expected_audio) = read_f32(&golden_dir.join("decoded.npy"));
    let views: Vec<_> = expected.iter().map(|l| l.view()).collect();
    let decoded = model.decode_levels(&views).unwrap();
    assert_eq!(decoded.dim(), (shape[0], shape[1]), "{dir}: decoded shape");
    common::assert_within_spread(
        decoded.as_slice().unwrap(),
        &expected_audio,
        info["decoded_std"].as_f64().unwrap() as f32,
        info["code_dependent_std"].as_f64().unwrap() as f32,
        dir,
    );
    (compared, differing)
}

#[test]
fn snac_checkpoints_encode_and_decode_as_the_snac_package_does() {
    let meta = goldens();
    let (mut compared, mut differing) = (0, 0);
    for name in MODELS {
        for dir in [name.to_owned(), format!("{name}-weight-g")] {
            let (c, d) = check(&dir, name, &meta);
            compared += c;
            differing += d;
        }
    }
    // Every code is equal where no near-tie could flip (the smallest margins are in
    // goldens.json); the bar is 97% of codes.
    eprintln!("all: {differing} of {compared} codes differ");
    assert_eq!(differing, 0, "{differing} of {compared} codes differ");
}
