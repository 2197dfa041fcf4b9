//! The built-in OpenAI encodings, embedded in the binary (their rank files are verified against
//! the published SHA-256 when the crate is built), and the model-name table.

use std::sync::{Arc, OnceLock};

use omnitok_vocab::TokenId;

use crate::error::{Result, TokenizerError};
use crate::pretokenize::{CL100K_PATTERN, GPT2_PATTERN, O200K_PATTERN};
use crate::tokenizer::Tokenizer;

const O200K_RANKS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/o200k_base.tiktoken"));
const CL100K_RANKS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/cl100k_base.tiktoken"));
const P50K_RANKS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/p50k_base.tiktoken"));
const R50K_RANKS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/r50k_base.tiktoken"));

const ENDOFTEXT: &str = "<|endoftext|>";
const FIM_PREFIX: &str = "<|fim_prefix|>";
const FIM_MIDDLE: &str = "<|fim_middle|>";
const FIM_SUFFIX: &str = "<|fim_suffix|>";
const ENDOFPROMPT: &str = "<|endofprompt|>";

/// Names of the built-in encodings, in the order `list_encoding_names` reports them.
/// The encoding used when none is named: GPT-4o's.
pub const DEFAULT_ENCODING: &str = "o200k_base";

pub const ENCODING_NAMES: [&str; 7] = [
    "o200k_base",
    "o200k_harmony",
    "cl100k_base",
    "p50k_base",
    "p50k_edit",
    "r50k_base",
    "gpt2",
];

/// The built-in encoding `name`, built on first use and shared afterwards.
pub fn get_encoding(name: &str) -> Result<Arc<Tokenizer>> {
    static CACHE: [OnceLock<Arc<Tokenizer>>; ENCODING_NAMES.len()] =
        [const { OnceLock::new() }; ENCODING_NAMES.len()];
    let index = ENCODING_NAMES
        .iter()
        .position(|&n| n == name)
        .ok_or_else(|| {
            TokenizerError::BadParameter(format!(
                "unknown encoding {name:?}; built-in encodings: {}",
                ENCODING_NAMES.join(", ")
            ))
        })?;
    if let Some(tokenizer) = CACHE[index].get() {
        return Ok(tokenizer.clone());
    }
    let built = Arc::new(build(name)?);
    Ok(CACHE[index].get_or_init(|| built).clone())
}

fn build(name: &str) -> Result<Tokenizer> {
    let (ranks, pattern, specials): (&[u8], &str, Vec<(&str, TokenId)>) = match name {
        "o200k_base" => (
            O200K_RANKS,
            O200K_PATTERN,
            vec![(ENDOFTEXT, 199_999), (ENDOFPROMPT, 200_018)],
        ),
        "o200k_harmony" => (O200K_RANKS, O200K_PATTERN, Vec::new()),
        "cl100k_base" => (
            CL100K_RANKS,
            CL100K_PATTERN,
            vec![
                (ENDOFTEXT, 100_257),
                (FIM_PREFIX, 100_258),
                (FIM_MIDDLE, 100_259),
                (FIM_SUFFIX, 100_260),
                (ENDOFPROMPT, 100_276),
            ],
        ),
        "p50k_base" => (P50K_RANKS, GPT2_PATTERN, vec![(ENDOFTEXT, 50_256)]),
        "p50k_edit" => (
            P50K_RANKS,
            GPT2_PATTERN,
            vec![
                (ENDOFTEXT, 50_256),
                (FIM_PREFIX, 50_281),
                (FIM_MIDDLE, 50_282),
                (FIM_SUFFIX, 50_283),
            ],
        ),
        "r50k_base" | "gpt2" => (R50K_RANKS, GPT2_PATTERN, vec![(ENDOFTEXT, 50_256)]),
        other => {
            return Err(TokenizerError::BadParameter(format!(
                "unknown encoding {other:?}"
            )))
        }
    };
    let mut specials: Vec<(String, TokenId)> = specials
        .into_iter()
        .map(|(t, id)| (t.to_string(), id))
        .collect();
    if name == "o200k_harmony" {
        specials = harmony_specials();
    }
    Tokenizer::from_rank_bytes(name, ranks, &format!("built-in {name}"), pattern, specials)
}

/// o200k_harmony's specials: o200k_base's, the harmony chat format's, and reserved IDs up to
/// 201087. `<|endofprompt|>` and `<|reserved_200018|>` share ID 200018; the reserved name is
/// defined later and is what 200018 decodes to.
fn harmony_specials() -> Vec<(String, TokenId)> {
    let named: [(&str, TokenId); 16] = [
        (ENDOFTEXT, 199_999),
        (ENDOFPROMPT, 200_018),
        ("<|startoftext|>", 199_998),
        ("<|reserved_200000|>", 200_000),
        ("<|reserved_200001|>", 200_001),
        ("<|return|>", 200_002),
        ("<|constrain|>", 200_003),
        ("<|reserved_200004|>", 200_004),
        ("<|channel|>", 200_005),
        ("<|start|>", 200_006),
        ("<|end|>", 200_007),
        ("<|message|>", 200_008),
        ("<|reserved_200009|>", 200_009),
        ("<|reserved_200010|>", 200_010),
        ("<|reserved_200011|>", 200_011),
        ("<|call|>", 200_012),
    ];
    let mut specials: Vec<(String, TokenId)> =
        named.iter().map(|&(t, id)| (t.to_string(), id)).collect();
    specials.extend((200_013..201_088).map(|id| (format!("<|reserved_{id}|>"), id)));
    specials
}

/// The encoding a model name uses, as tiktoken maps them: exact names first, then prefixes.
pub fn encoding_name_for_model(model: &str) -> Result<&'static str> {
    const EXACT: &[(&str, &str)] = &[
        ("o1", "o200k_base"),
        ("o3", "o200k_base"),
        ("o4-mini", "o200k_base"),
        ("gpt-5", "o200k_base"),
        ("gpt-4.1", "o200k_base"),
        ("gpt-4o", "o200k_base"),
        ("gpt-4", "cl100k_base"),
        ("gpt-3.5-turbo", "cl100k_base"),
        ("gpt-3.5", "cl100k_base"),
        ("gpt-35-turbo", "cl100k_base"),
        ("davinci-002", "cl100k_base"),
        ("babbage-002", "cl100k_base"),
        ("text-embedding-ada-002", "cl100k_base"),
        ("text-embedding-3-small", "cl100k_base"),
        ("text-embedding-3-large", "cl100k_base"),
        ("text-davinci-003", "p50k_base"),
        ("text-davinci-002", "p50k_base"),
        ("text-davinci-001", "r50k_base"),
        ("text-curie-001", "r50k_base"),
        ("text-babbage-001", "r50k_base"),
        ("text-ada-001", "r50k_base"),
        ("davinci", "r50k_base"),
        ("curie", "r50k_base"),
        ("babbage", "r50k_base"),
        ("ada", "r50k_base"),
        ("code-davinci-002", "p50k_base"),
        ("code-davinci-001", "p50k_base"),
        ("code-cushman-002", "p50k_base"),
        ("code-cushman-001", "p50k_base"),
        ("davinci-codex", "p50k_base"),
        ("cushman-codex", "p50k_base"),
        ("text-davinci-edit-001", "p50k_edit"),
        ("code-davinci-edit-001", "p50k_edit"),
        ("text-similarity-davinci-001", "r50k_base"),
        ("text-similarity-curie-001", "r50k_base"),
        ("text-similarity-babbage-001", "r50k_base"),
        ("text-similarity-ada-001", "r50k_base"),
        ("text-search-davinci-doc-001", "r50k_base"),
        ("text-search-curie-doc-001", "r50k_base"),
        ("text-search-babbage-doc-001", "r50k_base"),
        ("text-search-ada-doc-001", "r50k_base"),
        ("code-search-babbage-code-001", "r50k_base"),
        ("code-search-ada-code-001", "r50k_base"),
        ("gpt2", "gpt2"),
        ("gpt-2", "gpt2"),
    ];
    const PREFIX: &[(&str, &str)] = &[
        ("o1-", "o200k_base"),
        ("o3-", "o200k_base"),
        ("o4-mini-", "o200k_base"),
        ("gpt-5", "o200k_base"),
        ("gpt-4.5-", "o200k_base"),
        ("gpt-4.1-", "o200k_base"),
        ("chatgpt-4o-", "o200k_base"),
        ("gpt-4o-", "o200k_base"),
        ("gpt-4-", "cl100k_base"),
        ("gpt-3.5-turbo-", "cl100k_base"),
        ("gpt-35-turbo-", "cl100k_base"),
        ("gpt-oss-", "o200k_harmony"),
        ("ft:gpt-4o", "o200k_base"),
        ("ft:gpt-4", "cl100k_base"),
        ("ft:gpt-3.5-turbo", "cl100k_base"),
        ("ft:davinci-002", "cl100k_base"),
        ("ft:babbage-002", "cl100k_base"),
    ];
    EXACT
        .iter()
        .find(|(name, _)| *name == model)
        .or_else(|| PREFIX.iter().find(|(prefix, _)| model.starts_with(prefix)))
        .map(|&(_, encoding)| encoding)
        .ok_or_else(|| {
            TokenizerError::BadParameter(format!(
                "no known encoding for model {model:?}; name an encoding instead"
            ))
        })
}
