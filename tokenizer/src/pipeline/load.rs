//! tokenizer.json components read into a [`Pipeline`]. Each unsupported component is refused
//! with its place in the file (`normalizer.normalizers[1]`) and what would be accepted.

use omnitok_vocab::TokenId;
use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::Value;

use super::added::{AddedToken, AddedTokens};
use super::decode::Decoder;
use super::models::{byte_token_name, CharBpe, Model, Trie, Unigram, WordPiece};
use super::normalize::Normalizer;
use super::pre_tokenize::{literal_regex, PreTokenizer, PrependScheme};
use super::split::Behavior;
use super::Pipeline;
use crate::error::{Result, TokenizerError};
use crate::special::MatchOptions;

/// What reading one tokenizer.json needs in its errors.
struct Reader<'a> {
    path: &'a str,
}

impl Reader<'_> {
    fn bad(&self, at: &str, message: impl Into<String>) -> TokenizerError {
        TokenizerError::bad_vocab(self.path, at, message)
    }

    fn unsupported(&self, at: &str, kind: &str, supported: &str) -> TokenizerError {
        TokenizerError::Unsupported {
            path: self.path.to_string(),
            message: format!("{at}: type {kind:?} is not supported (supported: {supported})"),
        }
    }

    fn str_field<'v>(&self, value: &'v Value, name: &str, at: &str) -> Result<&'v str> {
        value
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| self.bad(at, format!("missing string field `{name}`")))
    }

    fn char_field(&self, value: &Value, name: &str, at: &str) -> Result<char> {
        let text = self.str_field(value, name, at)?;
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Ok(c),
            _ => Err(self.bad(at, format!("`{name}` must be one char, not {text:?}"))),
        }
    }

    fn bool_field(value: &Value, name: &str, default: bool) -> bool {
        value.get(name).and_then(Value::as_bool).unwrap_or(default)
    }

    fn list<'v>(&self, value: &'v Value, name: &str, at: &str) -> Result<&'v [Value]> {
        value
            .get(name)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .ok_or_else(|| self.bad(at, format!("missing array field `{name}`")))
    }

    /// A `{"String": s}` or `{"Regex": r}` pattern as a regex.
    fn pattern(&self, value: &Value, at: &str) -> Result<fancy_regex::Regex> {
        let pattern = value
            .get("pattern")
            .ok_or_else(|| self.bad(at, "missing field `pattern`"))?;
        let compiled = if let Some(text) = pattern.get("String").and_then(Value::as_str) {
            literal_regex(text)
        } else if let Some(regex) = pattern.get("Regex").and_then(Value::as_str) {
            fancy_regex::Regex::new(regex).map_err(|e| e.to_string())
        } else {
            return Err(self.bad(
                at,
                "`pattern` must be {\"String\": ...} or {\"Regex\": ...}",
            ));
        };
        compiled.map_err(|e| self.bad(&format!("{at}.pattern"), format!("does not compile: {e}")))
    }

    fn kind<'v>(&self, value: &'v Value, at: &str) -> Result<&'v str> {
        self.str_field(value, "type", at)
    }

    fn normalizer(&self, value: &Value, at: &str) -> Result<Normalizer> {
        const SUPPORTED: &str = "NFC, NFD, NFKC, NFKD, Lowercase, Strip, StripAccents, Replace, \
                                 Prepend, BertNormalizer, Precompiled, Sequence";
        Ok(match self.kind(value, at)? {
            "NFC" => Normalizer::Nfc,
            "NFD" => Normalizer::Nfd,
            "NFKC" => Normalizer::Nfkc,
            "NFKD" => Normalizer::Nfkd,
            "Lowercase" => Normalizer::Lowercase,
            "Strip" => Normalizer::Strip {
                left: Self::bool_field(value, "strip_left", true),
                right: Self::bool_field(value, "strip_right", true),
            },
            "StripAccents" => Normalizer::StripAccents,
            "Replace" => Normalizer::Replace {
                pattern: self.pattern(value, at)?,
                content: self.str_field(value, "content", at)?.to_string(),
            },
            "Prepend" => Normalizer::Prepend(self.str_field(value, "prepend", at)?.to_string()),
            "BertNormalizer" => {
                let lowercase = Self::bool_field(value, "lowercase", true);
                Normalizer::Bert {
                    clean_text: Self::bool_field(value, "clean_text", true),
                    handle_chinese_chars: Self::bool_field(value, "handle_chinese_chars", true),
                    strip_accents: value
                        .get("strip_accents")
                        .and_then(Value::as_bool)
                        .unwrap_or(lowercase),
                    lowercase,
                }
            }
            "Precompiled" => {
                let at = format!("{at}.precompiled_charsmap");
                let encoded = value
                    .get("precompiled_charsmap")
                    .and_then(Value::as_str)
                    .ok_or_else(|| self.bad(&at, "missing base64 string"))?;
                use base64::Engine as _;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .map_err(|e| self.bad(&at, format!("not base64: {e}")))?;
                if bytes.is_empty() {
                    // An empty map (converted tokenizers without normalization) changes nothing.
                    Normalizer::Sequence(Vec::new())
                } else {
                    let map = spm_precompiled::Precompiled::from(&bytes)
                        .map_err(|e| self.bad(&at, format!("not a character map: {e}")))?;
                    Normalizer::Precompiled(Box::new(map))
                }
            }
            "Sequence" => {
                let steps = self.list(value, "normalizers", at)?;
                let steps = steps
                    .iter()
                    .enumerate()
                    .map(|(i, step)| self.normalizer(step, &format!("{at}.normalizers[{i}]")))
                    .collect::<Result<Vec<_>>>()?;
                Normalizer::Sequence(steps)
            }
            other => return Err(self.unsupported(at, other, SUPPORTED)),
        })
    }

    fn behavior(&self, value: &Value, at: &str, default: Behavior) -> Result<Behavior> {
        match value.get("behavior").and_then(Value::as_str) {
            None => Ok(default),
            Some(name) => Behavior::from_name(name)
                .ok_or_else(|| self.bad(at, format!("unknown behavior {name:?}"))),
        }
    }

    fn pre_tokenizer(&self, value: &Value, at: &str) -> Result<PreTokenizer> {
        const SUPPORTED: &str = "ByteLevel, Metaspace, Split, Whitespace, WhitespaceSplit, \
                                 BertPreTokenizer, Punctuation, Digits, CharDelimiterSplit, \
                                 Sequence";
        Ok(match self.kind(value, at)? {
            "ByteLevel" => PreTokenizer::ByteLevel {
                add_prefix_space: Self::bool_field(value, "add_prefix_space", true),
                use_regex: Self::bool_field(value, "use_regex", true),
            },
            "Metaspace" => {
                let prepend_scheme = match value.get("prepend_scheme").and_then(Value::as_str) {
                    Some("always") => PrependScheme::Always,
                    Some("first") => PrependScheme::First,
                    Some("never") => PrependScheme::Never,
                    Some(other) => {
                        return Err(self.bad(at, format!("unknown prepend_scheme {other:?}")))
                    }
                    None if Self::bool_field(value, "add_prefix_space", true) => {
                        PrependScheme::Always
                    }
                    None => PrependScheme::Never,
                };
                PreTokenizer::Metaspace {
                    replacement: self.char_field(value, "replacement", at)?,
                    prepend_scheme,
                    split: Self::bool_field(value, "split", true),
                }
            }
            "Split" => PreTokenizer::Split {
                pattern: self.pattern(value, at)?,
                behavior: self.behavior(value, at, Behavior::Isolated)?,
                invert: Self::bool_field(value, "invert", false),
            },
            "Whitespace" => PreTokenizer::Whitespace,
            "WhitespaceSplit" => PreTokenizer::WhitespaceSplit,
            "BertPreTokenizer" => PreTokenizer::Bert,
            "Punctuation" => {
                PreTokenizer::Punctuation(self.behavior(value, at, Behavior::Isolated)?)
            }
            "Digits" => PreTokenizer::Digits {
                individual: Self::bool_field(value, "individual_digits", false),
            },
            "CharDelimiterSplit" => {
                PreTokenizer::CharDelimiter(self.char_field(value, "delimiter", at)?)
            }
            "Sequence" => {
                let steps = self.list(value, "pretokenizers", at)?;
                let steps = steps
                    .iter()
                    .enumerate()
                    .map(|(i, s)| self.pre_tokenizer(s, &format!("{at}.pretokenizers[{i}]")))
                    .collect::<Result<Vec<_>>>()?;
                PreTokenizer::Sequence(steps)
            }
            other => return Err(self.unsupported(at, other, SUPPORTED)),
        })
    }

    fn decoder(&self, value: &Value, at: &str) -> Result<Decoder> {
        const SUPPORTED: &str =
            "ByteLevel, Metaspace, WordPiece, ByteFallback, Fuse, Strip, Replace, BPEDecoder, \
             Sequence";
        Ok(match self.kind(value, at)? {
            "ByteLevel" => Decoder::ByteLevel,
            "Metaspace" => {
                let strip_first = match value.get("prepend_scheme").and_then(Value::as_str) {
                    Some(scheme) => scheme != "never",
                    None => Self::bool_field(value, "add_prefix_space", true),
                };
                Decoder::Metaspace {
                    replacement: self.char_field(value, "replacement", at)?,
                    strip_first,
                }
            }
            "WordPiece" => Decoder::WordPiece {
                prefix: value
                    .get("prefix")
                    .and_then(Value::as_str)
                    .unwrap_or("##")
                    .to_string(),
                cleanup: Self::bool_field(value, "cleanup", true),
            },
            "ByteFallback" => Decoder::ByteFallback,
            "Fuse" => Decoder::Fuse,
            "Strip" => {
                let count = |name: &str| {
                    value
                        .get(name)
                        .and_then(Value::as_u64)
                        .and_then(|n| usize::try_from(n).ok())
                        .ok_or_else(|| self.bad(at, format!("missing count field `{name}`")))
                };
                Decoder::Strip {
                    content: self.char_field(value, "content", at)?,
                    start: count("start")?,
                    stop: count("stop")?,
                }
            }
            "Replace" => Decoder::Replace {
                pattern: self.pattern(value, at)?,
                content: self.str_field(value, "content", at)?.to_string(),
            },
            "BPEDecoder" => Decoder::Bpe {
                suffix: value
                    .get("suffix")
                    .and_then(Value::as_str)
                    .unwrap_or("</w>")
                    .to_string(),
            },
            "Sequence" => {
                let steps = self.list(value, "decoders", at)?;
                let steps = steps
                    .iter()
                    .enumerate()
                    .map(|(i, s)| self.decoder(s, &format!("{at}.decoders[{i}]")))
                    .collect::<Result<Vec<_>>>()?;
                Decoder::Sequence(steps)
            }
            other => return Err(self.unsupported(at, other, SUPPORTED)),
        })
    }

    fn id(&self, value: &Value, at: &str) -> Result<TokenId> {
        value
            .as_u64()
            .and_then(|id| TokenId::try_from(id).ok())
            .ok_or_else(|| {
                self.bad(
                    at,
                    format!("ID {value} is not a non-negative 32-bit integer"),
                )
            })
    }

    /// A `{token: id}` vocabulary.
    fn vocab_map(&self, model: &Value) -> Result<FxHashMap<String, TokenId>> {
        let vocab = model
            .get("vocab")
            .and_then(Value::as_object)
            .ok_or_else(|| self.bad("model.vocab", "missing object of token -> ID"))?;
        let mut out = FxHashMap::with_capacity_and_hasher(vocab.len(), Default::default());
        for (token, id) in vocab {
            out.insert(
                token.clone(),
                self.id(id, &format!("model.vocab[{token:?}]"))?,
            );
        }
        Ok(out)
    }

    fn named_token(
        &self,
        model: &Value,
        vocab: &FxHashMap<String, TokenId>,
        field: &str,
    ) -> Result<Option<TokenId>> {
        match model.get(field).and_then(Value::as_str) {
            None => Ok(None),
            Some(token) => vocab.get(token).copied().map(Some).ok_or_else(|| {
                self.bad(
                    &format!("model.{field}"),
                    format!("{token:?} is not in model.vocab"),
                )
            }),
        }
    }

    fn byte_tokens(vocab: impl Fn(&str) -> Option<TokenId>) -> Box<[Option<TokenId>; 256]> {
        let mut table = Box::new([None; 256]);
        for (byte, slot) in table.iter_mut().enumerate() {
            *slot = vocab(&byte_token_name(byte as u8));
        }
        table
    }

    /// The model, and every ID's token string. The model never produces `specials` from text
    /// (typed text yields a special ID only where the caller's policy allows it, and then the
    /// special is found before the model runs).
    fn model(
        &self,
        model: &Value,
        specials: &FxHashSet<TokenId>,
    ) -> Result<(Model, Vec<(String, TokenId)>)> {
        let kind = model.get("type").and_then(Value::as_str).unwrap_or("BPE");
        match kind {
            "BPE" => {
                if model
                    .get("dropout")
                    .and_then(Value::as_f64)
                    .is_some_and(|d| d > 0.0)
                {
                    return Err(TokenizerError::Unsupported {
                        path: self.path.to_string(),
                        message: "model.dropout (BPE dropout is not deterministic)".into(),
                    });
                }
                let mut vocab = self.vocab_map(model)?;
                let mut merges = self.merges(model, &vocab)?;
                let unk = self.named_token(model, &vocab, "unk_token")?;
                let entries = vocab.iter().map(|(t, &id)| (t.clone(), id)).collect();
                vocab.retain(|_, id| !specials.contains(id));
                merges.retain(|_, (_, merged)| !specials.contains(merged));
                let byte_fallback = Self::bool_field(model, "byte_fallback", false)
                    .then(|| Self::byte_tokens(|t| vocab.get(t).copied()));
                let optional = |name: &str| {
                    model
                        .get(name)
                        .and_then(Value::as_str)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                };
                let mut bpe = CharBpe {
                    merges,
                    unk,
                    fuse_unk: Self::bool_field(model, "fuse_unk", false),
                    byte_fallback,
                    continuing_subword_prefix: optional("continuing_subword_prefix"),
                    end_of_word_suffix: optional("end_of_word_suffix"),
                    ignore_merges: Self::bool_field(model, "ignore_merges", false),
                    vocab,
                    independent_before: None,
                };
                bpe.independent_before = bpe.find_independent_boundary();
                Ok((Model::Bpe(bpe), entries))
            }
            "Unigram" => {
                let list = self.list(model, "vocab", "model")?;
                let mut pieces = Vec::with_capacity(list.len());
                let mut ids = FxHashMap::default();
                let mut trie = Trie::default();
                let mut min_score = f64::INFINITY;
                for (i, entry) in list.iter().enumerate() {
                    let at = format!("model.vocab[{i}]");
                    let (Some(piece), Some(score)) = (
                        entry.get(0).and_then(Value::as_str),
                        entry.get(1).and_then(Value::as_f64),
                    ) else {
                        return Err(self.bad(&at, "expected [piece, score]"));
                    };
                    let id = TokenId::try_from(i)
                        .map_err(|_| self.bad(&at, "more pieces than 32-bit IDs"))?;
                    if !specials.contains(&id) {
                        trie.insert(piece.as_bytes(), id);
                        ids.insert(piece.to_string(), id);
                    }
                    min_score = min_score.min(score);
                    pieces.push((piece.to_string(), score));
                }
                let unk = match model.get("unk_id") {
                    Some(Value::Null) | None => {
                        return Err(self.bad(
                            "model.unk_id",
                            "null; a Unigram model needs an unknown piece for what its pieces \
                             do not cover",
                        ))
                    }
                    Some(id) => self.id(id, "model.unk_id")?,
                };
                if unk as usize >= pieces.len() {
                    return Err(self.bad("model.unk_id", format!("{unk} is not a piece's index")));
                }
                let byte_fallback = Self::bool_field(model, "byte_fallback", false)
                    .then(|| Self::byte_tokens(|t| ids.get(t).copied()));
                let entries = pieces
                    .iter()
                    .enumerate()
                    .map(|(i, (p, _))| (p.clone(), i as TokenId))
                    .collect();
                let unigram = Unigram {
                    pieces,
                    ids,
                    trie,
                    unk: Some(unk),
                    // SentencePiece's penalty for an unknown char, below every piece's score.
                    unk_score: min_score - 10.0,
                    byte_fallback,
                    score_in_f32: false,
                    independent_before: None,
                };
                Ok((Model::Unigram(unigram), entries))
            }
            "WordPiece" => {
                let mut vocab = self.vocab_map(model)?;
                let unk = self
                    .named_token(model, &vocab, "unk_token")?
                    .ok_or_else(|| {
                        self.bad(
                            "model.unk_token",
                            "missing; WordPiece needs an unknown token",
                        )
                    })?;
                let max_chars = model
                    .get("max_input_chars_per_word")
                    .and_then(Value::as_u64)
                    .unwrap_or(100) as usize;
                let entries = vocab.iter().map(|(t, &id)| (t.clone(), id)).collect();
                vocab.retain(|_, id| !specials.contains(id));
                let prefix = model
                    .get("continuing_subword_prefix")
                    .and_then(Value::as_str)
                    .unwrap_or("##")
                    .to_string();
                Ok((
                    Model::WordPiece(WordPiece {
                        vocab,
                        unk,
                        prefix,
                        max_chars,
                    }),
                    entries,
                ))
            }
            other => Err(self.unsupported("model", other, "BPE, Unigram, WordPiece")),
        }
    }

    /// BPE merges as `(left, right) -> (rank, merged)`; a pair listed twice keeps its last rank.
    fn merges(
        &self,
        model: &Value,
        vocab: &FxHashMap<String, TokenId>,
    ) -> Result<FxHashMap<(TokenId, TokenId), (u32, TokenId)>> {
        let list = self.list(model, "merges", "model")?;
        let mut merges = FxHashMap::with_capacity_and_hasher(list.len(), Default::default());
        for (rank, merge) in list.iter().enumerate() {
            let at = format!("model.merges[{rank}]");
            let (left, right) = match merge {
                Value::String(s) => s.split_once(' '),
                Value::Array(pair) if pair.len() == 2 => pair[0].as_str().zip(pair[1].as_str()),
                _ => None,
            }
            .ok_or_else(|| self.bad(&at, "expected \"left right\" or [\"left\", \"right\"]"))?;
            let id = |token: &str| {
                vocab
                    .get(token)
                    .copied()
                    .ok_or_else(|| self.bad(&at, format!("{token:?} is not in model.vocab")))
            };
            let merged = id(&format!("{left}{right}"))?;
            merges.insert((id(left)?, id(right)?), (rank as u32, merged));
        }
        Ok(merges)
    }
}

/// A special added token: its text, ID and how it matches.
pub type SpecialEntry = (String, TokenId, MatchOptions);

/// A tokenizer.json whose parts are not all plain byte-level BPE, as a [`Pipeline`], with its
/// special added tokens (left to the caller's special-token policy).
pub fn parse_pipeline(
    root: &Value,
    source: &str,
    path: &str,
) -> Result<(Pipeline, Vec<SpecialEntry>)> {
    let reader = Reader { path };
    let null = Value::Null;
    let component = |name: &str| root.get(name).unwrap_or(&null);
    let normalizer = match component("normalizer") {
        Value::Null => None,
        value => Some(reader.normalizer(value, "normalizer")?),
    };
    let pre_tokenizer = match component("pre_tokenizer") {
        Value::Null => None,
        value => Some(reader.pre_tokenizer(value, "pre_tokenizer")?),
    };
    let decoder = match component("decoder") {
        Value::Null => None,
        value => Some(reader.decoder(value, "decoder")?),
    };

    let mut specials = Vec::new();
    let (mut raw, mut normalized) = (Vec::new(), Vec::new());
    let mut added_entries = Vec::new();
    let added = component("added_tokens").as_array().map(Vec::as_slice);
    for (i, token) in added.unwrap_or_default().iter().enumerate() {
        let at = format!("added_tokens[{i}]");
        let content = reader.str_field(token, "content", &at)?.to_string();
        let id = reader.id(token.get("id").unwrap_or(&null), &format!("{at}.id"))?;
        added_entries.push((content.clone(), id));
        let options = MatchOptions {
            single_word: Reader::bool_field(token, "single_word", false),
            lstrip: Reader::bool_field(token, "lstrip", false),
            rstrip: Reader::bool_field(token, "rstrip", false),
        };
        if Reader::bool_field(token, "special", false) {
            specials.push((content, id, options));
            continue;
        }
        let is_normalized = Reader::bool_field(token, "normalized", true);
        let added = AddedToken {
            content: match (&normalizer, is_normalized) {
                (Some(n), true) => n.normalize(&content),
                _ => content,
            },
            id,
            options,
        };
        if is_normalized {
            normalized.push(added);
        } else {
            raw.push(added);
        }
    }

    let special_ids: FxHashSet<TokenId> = specials.iter().map(|&(_, id, _)| id).collect();
    let (model, entries) = reader.model(component("model"), &special_ids)?;
    let max_id = entries
        .iter()
        .chain(&added_entries)
        .map(|&(_, id)| id as usize)
        .max()
        .unwrap_or(0);
    let n_entries = entries.len() + added_entries.len();
    if max_id > 2 * n_entries + 1024 {
        return Err(reader.bad(
            "token IDs",
            format!("ID {max_id} is far beyond the {n_entries} tokens; IDs must be dense"),
        ));
    }
    let mut tokens = vec![None; max_id + 1];
    let mut ids = FxHashMap::with_capacity_and_hasher(n_entries, Default::default());
    for (token, id) in entries.into_iter().chain(added_entries) {
        ids.insert(token.clone(), id);
        tokens[id as usize] = Some(token);
    }
    let to_error = |e: String| reader.bad("added_tokens", e);
    let pipeline = Pipeline {
        added_raw: AddedTokens::new(raw).map_err(to_error)?,
        added_normalized: AddedTokens::new(normalized).map_err(to_error)?,
        normalizer,
        pre_tokenizer,
        model,
        byte_level: crate::hf_json::byte_level_words(root, path),
        decoder,
        tokens,
        ids,
        source: super::PipelineSource::TokenizerJson(source.to_string()),
        cache_owner: super::cache::next_owner(),
    };
    Ok((pipeline, specials))
}
