//! Decompresses the committed rank files of the built-in encodings into OUT_DIR, refusing to build
//! when a file's SHA-256 differs from the published one.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

/// (file stem, SHA-256 of the uncompressed rank file as published with the encoding).
const RANK_FILES: &[(&str, &str)] = &[
    (
        "o200k_base",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    ),
    (
        "cl100k_base",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
    (
        "p50k_base",
        "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069",
    ),
    (
        "r50k_base",
        "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
    ),
];

fn main() {
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR for build scripts");
    for (stem, expected) in RANK_FILES {
        let source = format!("data/{stem}.tiktoken.gz");
        println!("cargo:rerun-if-changed={source}");
        let compressed = std::fs::read(&source)
            .unwrap_or_else(|e| panic!("cannot read committed rank file {source}: {e}"));
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(compressed.as_slice())
            .read_to_end(&mut text)
            .unwrap_or_else(|e| panic!("{source} is not valid gzip: {e}"));
        let actual: String = Sha256::digest(&text)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            &actual, expected,
            "{source}: SHA-256 of the uncompressed rank file is {actual}, expected {expected}"
        );
        std::fs::write(Path::new(&out_dir).join(format!("{stem}.tiktoken")), &text)
            .unwrap_or_else(|e| panic!("cannot write {stem}.tiktoken to OUT_DIR: {e}"));
    }
}
