//! `manifest.json`: what a tokenize (or mux) run read, how, and what it wrote. It holds nothing that
//! varies between runs of the same job (no times, no thread counts), so an interrupted and
//! resumed run writes the same manifest as an uninterrupted one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::shards::{Dtype, OutputFormat, ShardInfo};
use crate::multimodal::{Modality, ModalityTotals};
use crate::read::documents::{ErrorLog, OnError, Split};
use crate::read::inputs::{InputFormat, SkippedInput};
pub use crate::read::InputRecord;

/// Version of the output layout and manifest described here.
pub const LAYOUT_VERSION: u32 = 1;

/// The tokenizer of a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenizerInfo {
    /// Built-in encoding name, or the tokenizer file as given.
    pub name: String,
    /// The tokenizer's fingerprint (`Tokenizer::sha256`: vocabulary, merges, pattern, specials).
    pub sha256: String,
    /// One more than the largest token ID.
    pub n_vocab: usize,
    /// The ID appended after each document, if any.
    pub eot: Option<u32>,
}

/// The token layout of a multimodal run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayoutInfo {
    /// The layout file as given.
    pub name: String,
    /// The checksum its manifest records.
    pub checksum: String,
    pub n_vocab: u32,
}

/// Every choice that changes the output; a resumed run must make the same ones.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub inputs: Vec<String>,
    pub glob: Option<String>,
    /// Format forced for every input; `None` when guessed from file names.
    pub input_format: Option<InputFormat>,
    pub split: Split,
    pub field: String,
    pub column: String,
    pub on_error: OnError,
    pub max_document_bytes: usize,
    pub allow_special: bool,
    pub append_eot: bool,
    pub format: OutputFormat,
    pub dtype: Dtype,
    pub shard_tokens: u64,
    /// Multimodal runs: how video frames are sampled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_frames: Option<String>,
}

/// Settings are compared field by field, so a mismatch can be named.
impl Settings {
    /// The first field (name, then recorded and requested values) that differs from `other`.
    pub fn first_difference(&self, other: &Settings) -> Option<(String, String, String)> {
        let (Ok(a), Ok(b)) = (serde_json::to_value(self), serde_json::to_value(other)) else {
            return None;
        };
        let (serde_json::Value::Object(a), serde_json::Value::Object(b)) = (a, b) else {
            return None;
        };
        a.iter().find_map(|(key, value)| {
            let theirs = b.get(key).cloned().unwrap_or_default();
            (*value != theirs).then(|| (key.clone(), value.to_string(), theirs.to_string()))
        })
    }
}

/// Counts over the whole run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub inputs: u64,
    pub documents: u64,
    /// Empty documents (empty files, lines, fields), left out of the output.
    pub empty_documents: u64,
    /// UTF-8 bytes of the documents tokenized.
    pub bytes: u64,
    /// Tokens written, end-of-text tokens included.
    pub tokens: u64,
    pub shards: u64,
}

/// The content of `manifest.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub layout_version: u32,
    /// Multimodal runs: the token layout (the tokenizer is its text component).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<LayoutInfo>,
    pub tokenizer: TokenizerInfo,
    pub settings: Settings,
    pub totals: Totals,
    pub shards: Vec<ShardInfo>,
    pub inputs: Vec<InputRecord>,
    pub skipped_inputs: Vec<SkippedInput>,
    pub errors: ErrorLog,
    /// Multimodal runs: tokens, segments and media per modality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modalities: Option<BTreeMap<Modality, ModalityTotals>>,
}
