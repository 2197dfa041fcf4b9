//! Helpers shared by the integration tests.

#![allow(dead_code)] // each test file uses some of these

use std::path::{Path, PathBuf};

use omnitok_tokenizer::TokenId;
use serde_json::Value;

/// A folder of the repository's `fixtures/`.
pub fn fixtures(folder: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(folder)
}

/// The `goldens.json` of a fixtures folder.
pub fn goldens(folder: &str) -> Value {
    let path = fixtures(folder).join("goldens.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("goldens.json parses")
}

/// A JSON list of token IDs.
pub fn ids(value: &Value) -> Vec<TokenId> {
    value
        .as_array()
        .expect("an ID list")
        .iter()
        .map(|id| id.as_u64().expect("an ID") as TokenId)
        .collect()
}

/// A fresh, empty folder under the system temp dir, unique to this process and `label`.
pub fn temp_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("omnitok-test-{}-{label}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    }
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}
