//! HF `tokenizer.json`: load and save.
//!
//! Plain byte-level BPE takes the fast path of [`crate::bpe`]: `model.type` BPE with `vocab`,
//! `merges` (`"a b"` or `["a", "b"]`) and `ignore_merges`; a ByteLevel pre-tokenizer (GPT-2's
//! regex) or a Sequence of a Split regex (behaviour Isolated) and a ByteLevel without regex; no
//! normalizer; every added token special, without strip or single-word options. Any other
//! tokenizer.json (normalizers, SentencePiece-style BPE, Unigram, WordPiece, non-special added
//! tokens) runs as a [`crate::pipeline::Pipeline`]. Post-processors are not applied: encoding
//! matches HF `encode(text, add_special_tokens=False)`.

use std::sync::OnceLock;

use omnitok_vocab::TokenId;
use serde_json::{json, Map, Value};

use crate::bpe::BpeModel;
use crate::error::{Result, TokenizerError};
use crate::pipeline::ByteLevelWords;
use crate::pretokenize::{Pretokenizer, GPT2_PATTERN};
use crate::special::{MatchOptions, SpecialTokens};
use crate::template::Template;
use crate::tokenizer::Tokenizer;

/// GPT-2's byte-to-char map: printable Latin-1 bytes stand for themselves, the other bytes for
/// the chars from U+0100 on, in byte order.
fn byte_to_char() -> &'static [char; 256] {
    static TABLE: OnceLock<[char; 256]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = ['\0'; 256];
        let mut next = 256u32;
        for (byte, slot) in table.iter_mut().enumerate() {
            let printable = matches!(byte, 33..=126 | 161..=172 | 174..=255);
            let cp = if printable {
                byte as u32
            } else {
                next += 1;
                next - 1
            };
            // All values are below U+0144, valid scalar values.
            *slot = char::from_u32(cp).unwrap_or('\0');
        }
        table
    })
}

/// Bytes as a byte-level string.
pub(crate) fn to_byte_level(bytes: &[u8]) -> String {
    let table = byte_to_char();
    bytes.iter().map(|&b| table[b as usize]).collect()
}

/// A byte-level string back to bytes; `None` if a char is not one of the 256.
pub(crate) fn from_byte_level(text: &str) -> Option<Vec<u8>> {
    text.chars()
        .map(|c| {
            let cp = c as u32;
            match cp {
                33..=126 | 161..=172 | 174..=255 => Some(cp as u8),
                256..=323 => byte_to_char().iter().position(|&m| m == c).map(|b| b as u8),
                _ => None,
            }
        })
        .collect()
}

/// `value[name]`, or null. Borrowed, not cloned: `model` holds the whole vocabulary.
fn field<'v>(value: &'v Value, name: &str) -> &'v Value {
    static NULL: Value = Value::Null;
    value.get(name).unwrap_or(&NULL)
}

/// Parses tokenizer.json text. `path` names the source in errors.
pub fn parse_tokenizer_json(text: &str, path: &str) -> Result<Tokenizer> {
    let root: Value = serde_json::from_str(text).map_err(|e| {
        TokenizerError::bad_vocab(
            path,
            format!("line {} column {}", e.line(), e.column()),
            e.to_string(),
        )
    })?;
    let name = std::path::Path::new(path)
        .file_name()
        .map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned());
    let template = Template::from_post_processor(field(&root, "post_processor"), path)?;
    if !fits_byte_level_path(&root, path) {
        let (pipeline, specials) = crate::pipeline::parse_pipeline(&root, text, path)?;
        let options: Vec<(String, MatchOptions)> =
            specials.iter().map(|(t, _, o)| (t.clone(), *o)).collect();
        let specials = SpecialTokens::new(specials.into_iter().map(|(t, id, _)| (t, id)).collect())
            .map_err(|e| e.in_file(path))?
            .with_options(options);
        return Tokenizer::from_pipeline(name, pipeline, specials)
            .map(|t| t.with_template(template))
            .map_err(|e| e.in_file(path));
    }
    let bad = |location: &str, message: String| TokenizerError::bad_vocab(path, location, message);
    let unsupported = |message: String| TokenizerError::Unsupported {
        path: path.to_string(),
        message,
    };

    if !field(&root, "normalizer").is_null() {
        return Err(unsupported(
            "a normalizer (field `normalizer` must be null)".into(),
        ));
    }
    let pattern = pre_tokenizer_pattern(field(&root, "pre_tokenizer"), path)?;

    let model = field(&root, "model");
    match model.get("type").and_then(Value::as_str) {
        Some("BPE") | None => {}
        Some(other) => {
            return Err(unsupported(format!(
                "model.type {other:?}; only BPE is supported"
            )))
        }
    }
    for option in ["continuing_subword_prefix", "end_of_word_suffix"] {
        if model
            .get(option)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
        {
            return Err(unsupported(format!("model.{option}")));
        }
    }
    if model.get("byte_fallback").and_then(Value::as_bool) == Some(true) {
        return Err(unsupported(
            "model.byte_fallback (only byte-level BPE is supported)".into(),
        ));
    }
    if model
        .get("dropout")
        .and_then(Value::as_f64)
        .is_some_and(|d| d > 0.0)
    {
        return Err(unsupported(
            "model.dropout (BPE dropout is not deterministic)".into(),
        ));
    }
    let ignore_merges = model
        .get("ignore_merges")
        .and_then(Value::as_bool)
        .unwrap_or(false);

    // Added tokens become specials and leave the BPE vocabulary.
    let mut specials = Vec::new();
    let added = field(&root, "added_tokens");
    for (i, token) in added
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let at = format!("added_tokens[{i}]");
        let content = token
            .get("content")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(&at, "missing string field `content`".into()))?;
        let id = token
            .get("id")
            .and_then(Value::as_u64)
            .and_then(|id| TokenId::try_from(id).ok());
        let id = id.ok_or_else(|| bad(&at, "missing or invalid field `id`".into()))?;
        for option in ["single_word", "lstrip", "rstrip"] {
            if token.get(option).and_then(Value::as_bool) == Some(true) {
                return Err(unsupported(format!("{at} ({content:?}) sets `{option}`")));
            }
        }
        specials.push((content.to_string(), id));
    }
    let special_ids: std::collections::HashSet<TokenId> =
        specials.iter().map(|&(_, id)| id).collect();

    let model = byte_level_model(model, &special_ids, ignore_merges, path)?;
    let specials = SpecialTokens::new(specials)?;
    Tokenizer::new(name, Pretokenizer::new(&pattern)?, model, specials)
        .map(|t| t.with_template(template))
        .map_err(|e| e.in_file(path))
}

/// The byte-level BPE of tokenizer.json's `model` (vocabulary of byte-level strings, merges),
/// leaving out the IDs in `skip` (added tokens); errors name the field.
fn byte_level_model(
    model: &Value,
    skip: &std::collections::HashSet<TokenId>,
    ignore_merges: bool,
    path: &str,
) -> Result<BpeModel> {
    let bad = |location: &str, message: String| TokenizerError::bad_vocab(path, location, message);
    let vocab = model
        .get("vocab")
        .and_then(Value::as_object)
        .ok_or_else(|| bad("model.vocab", "missing object of token -> ID".into()))?;
    let mut tokens = Vec::with_capacity(vocab.len());
    let mut owners: std::collections::HashMap<TokenId, &str> =
        std::collections::HashMap::with_capacity(vocab.len());
    for (key, id) in vocab {
        let at = format!("model.vocab[{key:?}]");
        let id = id
            .as_u64()
            .and_then(|id| TokenId::try_from(id).ok())
            .ok_or_else(|| bad(&at, format!("ID {id} is not a non-negative 32-bit integer")))?;
        if let Some(other) = owners.insert(id, key) {
            return Err(bad(
                &at,
                format!("ID {id} is also the ID of {other:?}; an ID names one token"),
            ));
        }
        if skip.contains(&id) {
            continue;
        }
        let bytes = from_byte_level(key).ok_or_else(|| {
            bad(
                &at,
                "not a byte-level token (a char outside the 256 byte chars)".into(),
            )
        })?;
        tokens.push((bytes, id));
    }

    let merges_value = field(model, "merges");
    let merges_array = merges_value
        .as_array()
        .ok_or_else(|| bad("model.merges", "missing array of merges".into()))?;
    let mut merges = Vec::with_capacity(merges_array.len());
    for (i, merge) in merges_array.iter().enumerate() {
        let at = format!("model.merges[{i}]");
        let (left, right) = match merge {
            Value::String(s) => s
                .split_once(' ')
                .map(|(a, b)| (a.to_string(), b.to_string())),
            Value::Array(pair) if pair.len() == 2 => match (&pair[0], &pair[1]) {
                (Value::String(a), Value::String(b)) => Some((a.clone(), b.clone())),
                _ => None,
            },
            _ => None,
        }
        .ok_or_else(|| {
            bad(
                &at,
                "expected \"left right\" or [\"left\", \"right\"]".into(),
            )
        })?;
        let decode = |s: &str| {
            from_byte_level(s).ok_or_else(|| bad(&at, format!("{s:?} is not a byte-level token")))
        };
        merges.push((decode(&left)?, decode(&right)?));
    }
    BpeModel::from_merges(tokens, &merges, ignore_merges).map_err(|e| match e {
        crate::bpe::ModelError::MergeWithoutToken { index, what } => bad(
            &format!("model.merges[{index}]"),
            format!("{what:?} is not in model.vocab"),
        ),
        crate::bpe::ModelError::MissingByte(b) => bad(
            "model.vocab",
            format!(
                "no token for byte 0x{b:02x} ({:?}); byte-level BPE needs all 256",
                to_byte_level(&[b])
            ),
        ),
        crate::bpe::ModelError::DuplicateBytes { token, other } => bad(
            "model.vocab",
            format!("IDs {other} and {token} have the same bytes"),
        ),
    })
}

/// The byte-level fast path of a pipeline whose normalizer rewrites text first: when its
/// pre-tokenizer is one [`pre_tokenizer_pattern`] reads and its model plain byte-level BPE,
/// normalized text is split by that regex and merged by rank, as tokenizers without a
/// normalizer are (the same IDs: the regex and merges are HF's, read the same way). None
/// otherwise, and the pipeline's own stages run.
pub(crate) fn byte_level_words(root: &Value, path: &str) -> Option<ByteLevelWords> {
    let model = field(root, "model");
    // The vocabulary is checked by reading it: a string that is not byte-level, or a byte
    // without its token, makes `byte_level_model` fail.
    if !is_plain_bpe(model)
        || model
            .get("dropout")
            .and_then(Value::as_f64)
            .is_some_and(|d| d > 0.0)
    {
        return None;
    }
    let pattern = pre_tokenizer_pattern(field(root, "pre_tokenizer"), path).ok()?;
    let ignore_merges = model
        .get("ignore_merges")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let bpe = byte_level_model(model, &Default::default(), ignore_merges, path).ok()?;
    Some(ByteLevelWords::new(Pretokenizer::new(&pattern).ok()?, bpe))
}

/// Whether `root` is plain byte-level BPE that [`crate::bpe`] encodes: no normalizer, a BPE
/// model without byte fallback or affixes, a ByteLevel pre-tokenizer [`pre_tokenizer_pattern`]
/// reads, a ByteLevel decoder (or none), only special added tokens without options, and a vocabulary of byte-level strings
/// (specials aside) that covers all 256 bytes.
fn fits_byte_level_path(root: &Value, path: &str) -> bool {
    let model = field(root, "model");
    let added = field(root, "added_tokens").as_array().map(Vec::as_slice);
    let added = added.unwrap_or_default();
    let plain_specials = added.iter().all(|token| {
        let flag = |name: &str| token.get(name).and_then(Value::as_bool);
        flag("special") != Some(false)
            && ["single_word", "lstrip", "rstrip"]
                .iter()
                .all(|option| flag(option) != Some(true))
    });
    let special_texts: std::collections::HashSet<&str> = added
        .iter()
        .filter_map(|t| t.get("content").and_then(Value::as_str))
        .collect();
    let decoder = field(root, "decoder");
    let byte_level_decoder =
        decoder.is_null() || decoder.get("type").and_then(Value::as_str) == Some("ByteLevel");
    field(root, "normalizer").is_null()
        && byte_level_decoder
        && is_plain_bpe(model)
        && pre_tokenizer_pattern(field(root, "pre_tokenizer"), path).is_ok()
        && plain_specials
        && vocab_is_byte_level(model, &special_texts)
}

/// Whether tokenizer.json's `model` is BPE without byte fallback or affixes.
fn is_plain_bpe(model: &Value) -> bool {
    let has = |name: &str| {
        model
            .get(name)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    matches!(
        model.get("type").and_then(Value::as_str),
        Some("BPE") | None
    ) && model.get("byte_fallback").and_then(Value::as_bool) != Some(true)
        && !has("continuing_subword_prefix")
        && !has("end_of_word_suffix")
}

/// Whether the vocabulary of tokenizer.json's `model` is byte-level strings (those in
/// `special_texts` aside) that cover all 256 bytes. Walks the whole vocabulary: check it last.
fn vocab_is_byte_level(model: &Value, special_texts: &std::collections::HashSet<&str>) -> bool {
    model
        .get("vocab")
        .and_then(Value::as_object)
        .is_some_and(|vocab| {
            let mut single_bytes = 0;
            let all = vocab.keys().all(|key| {
                special_texts.contains(key.as_str())
                    || from_byte_level(key).is_some_and(|bytes| {
                        single_bytes += usize::from(bytes.len() == 1);
                        true
                    })
            });
            all && single_bytes == 256
        })
}

/// The pre-tokenization regex of a supported `pre_tokenizer` value.
fn pre_tokenizer_pattern(value: &Value, path: &str) -> Result<String> {
    let unsupported = |what: String| TokenizerError::Unsupported {
        path: path.to_string(),
        message: format!("pre_tokenizer {what}"),
    };
    let kind = value.get("type").and_then(Value::as_str).unwrap_or("");
    let check_byte_level = |step: &Value, regex_expected: bool| {
        if step.get("add_prefix_space").and_then(Value::as_bool) == Some(true) {
            return Err(unsupported("ByteLevel with add_prefix_space".into()));
        }
        let use_regex = step
            .get("use_regex")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        if use_regex != regex_expected {
            return Err(unsupported(format!(
                "ByteLevel with use_regex={use_regex} here"
            )));
        }
        Ok(())
    };
    match kind {
        "ByteLevel" => {
            check_byte_level(value, true)?;
            Ok(GPT2_PATTERN.to_string())
        }
        "Sequence" => {
            let steps = value
                .get("pretokenizers")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let [split, byte_level] = steps.as_slice() else {
                return Err(unsupported("Sequence other than [Split, ByteLevel]".into()));
            };
            if split.get("type").and_then(Value::as_str) != Some("Split")
                || byte_level.get("type").and_then(Value::as_str) != Some("ByteLevel")
            {
                return Err(unsupported("Sequence other than [Split, ByteLevel]".into()));
            }
            check_byte_level(byte_level, false)?;
            if split.get("behavior").and_then(Value::as_str) != Some("Isolated")
                || split.get("invert").and_then(Value::as_bool) == Some(true)
            {
                return Err(unsupported(
                    "Split other than behavior Isolated, invert false".into(),
                ));
            }
            split
                .get("pattern")
                .and_then(|p| p.get("Regex"))
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| unsupported("Split without a `Regex` pattern".into()))
        }
        other => Err(unsupported(format!("of type {other:?}"))),
    }
}

/// The tokenizer as tokenizer.json text. Merges are derived from the model: for each token, the
/// pair its own bytes merge into under the merges ranked before it. `ignore_merges` is set when
/// the model emits whole-piece tokens directly (as tiktoken encodings do). A tokenizer.json
/// pipeline is the file it was read from; a SentencePiece model has no tokenizer.json form here.
pub fn to_tokenizer_json(tokenizer: &Tokenizer) -> Result<String> {
    let Some(model) = tokenizer.model() else {
        return match tokenizer.pipeline().map(|p| &p.source) {
            Some(crate::pipeline::PipelineSource::TokenizerJson(text)) => Ok(text.clone()),
            _ => Err(TokenizerError::Unsupported {
                path: tokenizer.name().to_string(),
                message: "a SentencePiece model has no tokenizer.json form; save the .model file"
                    .into(),
            }),
        };
    };
    let mut tokens: Vec<(&[u8], TokenId)> = model.tokens().collect();
    tokens.sort_unstable_by_key(|&(_, id)| id);

    let mut vocab = Map::with_capacity(tokens.len());
    for &(bytes, id) in &tokens {
        vocab.insert(to_byte_level(bytes), json!(id));
    }
    // Specials also go into the vocabulary under their own text: HF keeps an added token's ID
    // only when the model vocabulary holds it, and numbers it anew otherwise.
    for (content, id) in tokenizer.special_tokens().entries() {
        vocab.insert(content.clone(), json!(id));
    }
    let mut merges: Vec<(u32, TokenId, TokenId)> = Vec::with_capacity(tokens.len());
    let by_priority: std::collections::HashMap<TokenId, u32> =
        model.merges().map(|(_, _, m)| (m.token, m.priority)).fold(
            std::collections::HashMap::new(),
            |mut acc, (token, priority)| {
                let slot = acc.entry(token).or_insert(priority);
                *slot = (*slot).min(priority);
                acc
            },
        );
    for &(bytes, id) in &tokens {
        let Some(&priority) = by_priority.get(&id) else {
            continue;
        };
        if let [left, right] = model.split_below(bytes, priority)[..] {
            if model.merge(left, right).is_some_and(|m| m.token == id) {
                merges.push((priority, left, right));
            }
        }
    }
    merges.sort_unstable();
    let text_of = |id: TokenId| {
        tokenizer
            .token_bytes(id)
            .map(to_byte_level)
            .unwrap_or_default()
    };
    let merges: Vec<Value> = merges
        .iter()
        .map(|&(_, l, r)| json!([text_of(l), text_of(r)]))
        .collect();

    let added: Vec<Value> = tokenizer
        .special_tokens()
        .entries()
        .iter()
        .map(|(content, id)| {
            json!({"id": id, "content": content, "single_word": false, "lstrip": false,
                   "rstrip": false, "normalized": false, "special": true})
        })
        .collect();
    let pattern = match tokenizer.pretokenizer() {
        Some(Pretokenizer::Builtin(builtin)) => builtin.oniguruma_pattern(),
        _ => tokenizer.pattern().to_string(),
    };
    let root = json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": added,
        "normalizer": null,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": pattern}, "behavior": "Isolated", "invert": false},
            {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}
        ]},
        "post_processor": post_processor(tokenizer),
        "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
        "model": {
            "type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
            "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false,
            "ignore_merges": model.whole_piece_first(), "vocab": vocab, "merges": merges
        }
    });
    // serde_json never fails to serialise a Value.
    Ok(serde_json::to_string(&root).unwrap_or_default())
}

/// The tokenizer's template as a TemplateProcessing post-processor (null when empty).
fn post_processor(tokenizer: &Tokenizer) -> Value {
    let template = tokenizer.template();
    if template.is_empty() {
        return Value::Null;
    }
    let name = |id: TokenId| {
        tokenizer
            .token_bytes(id)
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default()
    };
    let special = |id: TokenId| json!({"SpecialToken": {"id": name(id), "type_id": 0}});
    let mut single: Vec<Value> = template.prefix.iter().map(|&id| special(id)).collect();
    single.push(json!({"Sequence": {"id": "A", "type_id": 0}}));
    single.extend(template.suffix.iter().map(|&id| special(id)));
    let mut pair = single.clone();
    pair.push(json!({"Sequence": {"id": "B", "type_id": 1}}));
    pair.extend(template.suffix.iter().map(|&id| special(id)));
    let mut specials = Map::new();
    for &id in template.prefix.iter().chain(&template.suffix) {
        specials.insert(
            name(id),
            json!({"id": name(id), "ids": [id], "tokens": [name(id)]}),
        );
    }
    json!({"type": "TemplateProcessing", "single": single, "pair": pair, "special_tokens": specials})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_level_map_round_trips_every_byte() {
        let all: Vec<u8> = (0..=255).collect();
        let text = to_byte_level(&all);
        assert_eq!(text.chars().count(), 256);
        assert_eq!(from_byte_level(&text).unwrap(), all);
        assert_eq!(to_byte_level(b" "), "\u{120}"); // 'Ġ'
        assert_eq!(from_byte_level("\u{1000}"), None);
    }
}
