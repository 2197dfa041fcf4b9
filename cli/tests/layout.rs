//! `omnitok layout build` and `show`: IDs after the tokenizer's, one range per audio codebook,
//! the image codes last; renamed and placed markers; manifests that were edited or overlap are
//! errors that say why.

#![allow(clippy::unwrap_used)]

mod common;

use common::{fails, ok, TempDir};

fn codec() -> String {
    format!(
        "{}/../fixtures/audio/encodec/causal-24k",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn build_then_show() {
    let dir = TempDir::new();
    let layout = dir.path("layout.json");
    ok(
        &[
            "layout",
            "build",
            "--codec",
            &codec(),
            "--flatten",
            "delay",
            "--image-quantizer",
            "lfq:10",
            "--marker",
            "row=<|newline|>",
            "-o",
            &layout,
        ],
        b"",
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&layout).unwrap()).unwrap();
    assert_eq!(manifest["format"], "omnitok-layout");
    assert_eq!(manifest["text"]["name"], "o200k_base");
    // o200k_base: ranks 0..199998, specials up to 200018; markers from 200019, the delay
    // scheme's pad among them, then the codec's codebooks.
    assert_eq!(manifest["markers"][0]["id"], 200_019);
    assert_eq!(manifest["audio"]["offset"], 200_028);
    assert_eq!(manifest["audio"]["flatten"], "delay");
    let table = String::from_utf8(ok(&["layout", "show", &layout], b"")).unwrap();
    assert!(table.contains("audio.0"), "{table}");
    assert!(table.contains("<|newline|>"), "{table}");
    assert!(table.contains("lfq:10/16 (1024 codes)"), "{table}");
}

#[test]
fn bad_layouts_are_errors() {
    let dir = TempDir::new();
    let layout = dir.path("layout.json");
    let stderr = fails(
        &[
            "layout",
            "build",
            "--marker",
            "row=<|row|>@100",
            "-o",
            &layout,
        ],
        b"",
    );
    assert!(stderr.contains("overlap"), "{stderr}");
    let stderr = fails(
        &[
            "layout",
            "build",
            "--marker",
            "sideways=<|x|>",
            "-o",
            &layout,
        ],
        b"",
    );
    assert!(stderr.contains("unknown marker"), "{stderr}");
    // A setting that changes nothing is refused, not ignored.
    let stderr = fails(&["layout", "build", "--marker", "row=", "-o", &layout], b"");
    assert!(stderr.contains("give a token, an @ID or both"), "{stderr}");
    let stderr = fails(
        &[
            "layout",
            "build",
            "--flatten",
            "zigzag",
            "--codec",
            &codec(),
            "-o",
            &layout,
        ],
        b"",
    );
    assert!(stderr.contains("zigzag"), "{stderr}");
    assert!(!std::path::Path::new(&layout).exists());
    ok(&["layout", "build", "-o", &layout], b"");
    let text = std::fs::read_to_string(&layout).unwrap();
    std::fs::write(&layout, text.replace("<|frame|>", "<|page|>")).unwrap();
    let stderr = fails(&["layout", "show", &layout], b"");
    assert!(
        stderr.contains("layout.json") && stderr.contains("manifest checksum differs"),
        "{stderr}"
    );
}

#[test]
fn a_codebook_is_named_as_python_names_it() {
    // Python reads the image quantizer from this name: "codebook" means "pass the codebook".
    let dir = TempDir::new();
    let (book, layout) = (dir.path("book.safetensors"), dir.path("layout.json"));
    let photo = format!(
        "{}/../fixtures/vision/photos/garden.png",
        env!("CARGO_MANIFEST_DIR")
    );
    ok(
        &[
            "vision",
            "train-codebook",
            "--size",
            "16",
            "--quiet",
            "-o",
            &book,
            &photo,
        ],
        b"",
    );
    let quantizer = format!("codebook:{book}");
    ok(
        &[
            "layout",
            "build",
            "--image-quantizer",
            &quantizer,
            "-o",
            &layout,
        ],
        b"",
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&layout).unwrap()).unwrap();
    assert_eq!(manifest["image"]["name"], "codebook");
    assert_eq!(manifest["image"]["size"], 16);
}
