//! `omnitok vision cost` and `omnitok vision patchify` on the files of
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
