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

/// A copy of `snac/<name>` in a fresh folder, with `edit` applied to its config.json.
fn edited_copy(name: &str, edit: impl Fn(&mut Value)) -> std::path::PathBuf {
    let source = fixtures().join("snac").join(name);
    let dir = std::env::temp_dir().join(format!(
        "omnitok-snac-{name}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut config: Value =
        serde_json::from_str(&std::fs::read_to_string(source.join("config.json")).unwrap())
            .unwrap();
    edit(&mut config);
    std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
    std::fs::copy(
        source.join("model.safetensors"),
        dir.join("model.safetensors"),
    )
    .unwrap();
    dir
}

#[test]
fn bad_codes_and_configurations_are_clear_errors() {
    let model = Codec::from_pretrained(fixtures().join("snac/snac-32k")).unwrap();
    assert_eq!(model.level_strides(), Some(&[8, 4, 2, 1][..]));
    let levels = golden_levels("snac-32k");
    let decode = |levels: &[Array1<i64>]| {
        let views: Vec<_> = levels.iter().map(|l| l.view()).collect();
        model.decode_levels(&views).unwrap_err().to_string()
    };
    let error = decode(&levels[..3]);
    assert!(
        error.contains("3 levels of codes; this SNAC model has 4"),
        "{error}"
    );
    let mut short = levels.clone();
    short[2] = short[2].slice(ndarray::s![..10]).to_owned();
    let error = decode(&short);
    assert!(error.contains("level 2 has 10 codes"), "{error}");
    let mut outside = levels.clone();
    outside[1][5] = 32;
    let error = decode(&outside);
    assert!(
        error.contains("code 32 of level 1 at position 5 is outside 0..32"),
        "{error}"
    );
    // 8 coarse codes cover 64 frames: two attention windows; 1 coarse code covers 8 frames.
    let window: Vec<_> = levels
        .iter()
        .zip([1, 2, 4, 8])
        .map(|(l, n)| l.slice(ndarray::s![..n]).to_owned())
        .collect();
    let error = decode(&window);
    assert!(
        error.contains("whole attention windows of 32 frames"),
        "{error}"
    );
    // Codes of one rate are not SNAC's, and SNAC's levels are not another family's.
    let input = Array2::<f32>::zeros((1, 4000));
    let error = model.encode(input.view(), model.smallest_bandwidth());
    assert!(error
        .unwrap_err()
        .to_string()
        .contains("levels at several rates"));
    let dac = Codec::from_pretrained(fixtures().join("dac/dac-16k")).unwrap();
    let error = dac.encode_levels(input.view()).unwrap_err().to_string();
    assert!(error.contains("only SNAC's come in levels"), "{error}");
    // Stereo audio and non-finite samples.
    let error = model.encode_levels(Array2::<f32>::zeros((2, 4000)).view());
    assert!(error.unwrap_err().to_string().contains("1 channel"));

    // Configurations that do not fit the tensors, or SNAC itself.
    let dir = edited_copy("snac-24k", |c| c["codebook_size"] = 65.into());
    let error = Codec::from_pretrained(&dir).unwrap_err().to_string();
    assert!(
        error.contains("quantizer.quantizers.0.codebook.weight has shape [64, 8]"),
        "{error}"
    );
    let dir = edited_copy("snac-24k", |c| c["latent_dim"] = 48.into());
    let error = Codec::from_pretrained(&dir).unwrap_err().to_string();
    assert!(error.contains("latent_dim Some(48) differs"), "{error}");
    let dir = edited_copy("snac-24k", |c| c["attn_window_size"] = 16.into());
    let error = Codec::from_pretrained(&dir).unwrap_err().to_string();
    assert!(error.contains("multiples of 64"), "{error}");
    // Without noise blocks the residual units sit one place earlier than the file has them.
    let dir = edited_copy("snac-24k", |c| c["noise"] = false.into());
    let error = Codec::from_pretrained(&dir).unwrap_err().to_string();
    assert!(
        error.contains("decoder.model.2.block.2.block.0.alpha is missing"),
        "{error}"
    );
    let dir = edited_copy("snac-24k", |c| c["vq_stride"] = 4.into());
    let error = Codec::from_pretrained(&dir).unwrap_err().to_string();
    assert!(error.contains("unknown field `vq_stride`"), "{error}");
    assert!(error.contains("config.json"), "{error}");
    let dir = edited_copy("snac-24k", |c| c["model_type"] = "snac".into());
    assert_eq!(Codec::from_pretrained(&dir).unwrap().family(), Family::Snac);
    std::fs::remove_dir_all(&dir).unwrap();
}
