//! `omnitok vision cost`, `patchify`, `train-codebook` and `tokenize` on the files of
//! `fixtures/vision/formats/`: grids and token costs, `.npy` patches with their JSON, and clear
//! errors.

#![allow(clippy::unwrap_used)]

mod common;

use common::{fails, ok, TempDir};

fn fixture(name: &str) -> String {
    format!(
        "{}/../fixtures/vision/formats/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn cost_reports_grids_and_tokens() {
    let out = ok(
        &[
            "vision",
            "cost",
            "--json",
            &fixture("still.png"),
            &fixture("clip.y4m"),
        ],
        b"",
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // 12x8 is scaled up to the minimum of 56 x 56 pixels' area: 56 x 84, 4 x 6 patches.
    assert_eq!(lines[0]["grid_thw"], serde_json::json!([1, 4, 6]));
    assert_eq!(lines[0]["tokens"], 6);
    // Four frames of video: two temporal groups.
    assert_eq!(lines[1]["grid_thw"], serde_json::json!([2, 4, 6]));
    assert_eq!(lines[1]["fps"], 25.0);
    let table = String::from_utf8(ok(&["vision", "cost", &fixture("still.png")], b"")).unwrap();
    assert!(
        table.lines().last().unwrap().trim_end().ends_with(" 6"),
        "{table}"
    );
}

#[test]
fn patchify_writes_patches_and_their_grid() {
    let dir = TempDir::new();
    let out = dir.path("patches");
    ok(
        &[
            "vision",
            "patchify",
            "--preset",
            "siglip",
            "-o",
            &out,
            &fixture("still.jpg"),
        ],
        b"",
    );
    let bytes = std::fs::read(format!("{out}/still.npy")).unwrap();
    assert!(String::from_utf8_lossy(&bytes[..128]).contains("'shape': (196, 768)"));
    assert_eq!(bytes.len(), 128 + 196 * 768 * 4);
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{out}/still.json")).unwrap())
            .unwrap();
    assert_eq!(meta["tokens"], 196);
}

#[test]
fn bad_inputs_are_clear_errors() {
    let stderr = fails(&["vision", "cost", &fixture("bad.huge.png")], b"");
    assert!(
        stderr.contains("bad.huge.png") && stderr.contains("over the limit"),
        "{stderr}"
    );
    let stderr = fails(
        &["vision", "cost", "--preset", "siglip", &fixture("anim.gif")],
        b"",
    );
    assert!(stderr.contains("one image"), "{stderr}");
    let stderr = fails(
        &["vision", "cost", "--preset", "llava", &fixture("still.png")],
        b"",
    );
    assert!(stderr.contains("unknown preset"), "{stderr}");
}

/// A smooth 40 x 24 gradient with a ripple, written as PNG.
fn write_gradient(path: &str, phase: usize) {
    let (width, height) = (40, 24);
    let data = (0..height)
        .flat_map(|y| {
            (0..width).flat_map(move |x| {
                let ripple = ((x * 7 + y * 3 + phase) % 16) as u8;
                [(x * 6) as u8 + ripple, (y * 10) as u8, 200 - ripple * 4]
            })
        })
        .collect();
    let image = omnitok_vision::RgbImage::new(width, height, data).unwrap();
    std::fs::write(path, image.to_png().unwrap()).unwrap();
}

#[test]
fn train_codebook_then_tokenize_and_reconstruct() {
    let dir = TempDir::new();
    let (a, b, book) = (
        dir.path("a.png"),
        dir.path("b.png"),
        dir.path("book.safetensors"),
    );
    write_gradient(&a, 0);
    write_gradient(&b, 5);
    let train = |seed: &str| {
        ok(
            &[
                "vision",
                "train-codebook",
                "--size",
                "16",
                "--patch-size",
                "4",
                "--stride",
                "2",
                "--seed",
                seed,
                "--quiet",
                "-o",
                &book,
                &a,
                &b,
            ],
            b"",
        );
        std::fs::read(&book).unwrap()
    };
    let first = train("1");
    assert_eq!(first, train("1"), "same seed, same file");
    let out = dir.path("codes");
    let table = String::from_utf8(ok(
        &[
            "vision",
            "tokenize",
            "--quantizer",
            &format!("codebook:{book}"),
            "--reconstruct",
            "-o",
            &out,
            &a,
        ],
        b"",
    ))
    .unwrap();
    assert!(table.contains("6x10"), "{table}");
    let bytes = std::fs::read(format!("{out}/a.npy")).unwrap();
    assert!(String::from_utf8_lossy(&bytes[..128])
        .contains("'descr': '<u4', 'fortran_order': False, 'shape': (1, 6, 10)"));
    assert_eq!(bytes.len(), 128 + 60 * 4);
    assert!(bytes[128..]
        .chunks(4)
        .all(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]) < 16));
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{out}/a.json")).unwrap()).unwrap();
    assert_eq!(
        (meta["tokens"].as_u64(), meta["codebook_size"].as_u64()),
        (Some(60), Some(16))
    );
    let psnr = meta["psnr"].as_f64().unwrap();
    // 16 codes of 4 x 4 pixels; a flat grey image would score about 10 dB.
    assert!(psnr > 20.0, "{psnr}");
    let decoded = omnitok_vision::decode::load(
        std::path::Path::new(&format!("{out}/a.png")),
        &omnitok_vision::decode::ImageLimits::default(),
    )
    .unwrap();
    assert_eq!(
        (decoded.frames[0].width, decoded.frames[0].height),
        (40, 24)
    );
}

#[test]
fn tokenize_with_fsq_and_lfq() {
    let dir = TempDir::new();
    let image = dir.path("g.png");
    write_gradient(&image, 0);
    let out = dir.path("codes");
    for spec in ["fsq:8,8,8,5,5,5", "lfq:18"] {
        ok(
            &[
                "vision",
                "tokenize",
                "--quantizer",
                spec,
                "--patch-size",
                "8",
                "-o",
                &out,
                &image,
            ],
            b"",
        );
        let meta: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(format!("{out}/g.json")).unwrap())
                .unwrap();
        assert_eq!(meta["grid_thw"], serde_json::json!([1, 3, 5]));
        assert!(meta["psnr"].is_null());
    }
    let stderr = fails(
        &[
            "vision",
            "tokenize",
            "--quantizer",
            "lfq:18",
            "--reconstruct",
            "-o",
            &out,
            &image,
        ],
        b"",
    );
    assert!(
        stderr.contains("--reconstruct needs a codebook"),
        "{stderr}"
    );
    let stderr = fails(
        &[
            "vision",
            "tokenize",
            "--quantizer",
            "codebook:/nonexistent.safetensors",
            "-o",
            &out,
            &image,
        ],
        b"",
    );
    assert!(
        stderr.contains("/nonexistent.safetensors: cannot read"),
        "{stderr}"
    );
    let stderr = fails(
        &[
            "vision",
            "train-codebook",
            "--size",
            "5000",
            "--quiet",
            "-o",
            &dir.path("x.safetensors"),
            &image,
        ],
        b"",
    );
    assert!(stderr.contains("distinct patches"), "{stderr}");
}
