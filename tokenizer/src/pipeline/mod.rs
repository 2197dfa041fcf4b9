//! Tokenizers as HF tokenizer.json describes them in general: added tokens found first, then a
//! normalizer, a pre-tokenizer and a word-level model (BPE over chars, Unigram, WordPiece), and
//! a decoder back to text. Plain byte-level BPE without a normalizer takes the faster path of
//! [`crate::bpe`]; everything else runs here.

pub mod added;
mod byte_level;
mod cache;
pub mod decode;
mod load;
pub mod models;
pub mod normalize;
pub mod pre_tokenize;
mod split;

pub use byte_level::ByteLevelWords;
pub(crate) use cache::next_owner as next_cache_owner;
pub use load::parse_pipeline;

use std::borrow::Cow;

use omnitok_vocab::TokenId;

use crate::error::{Result, TokenizerError};
use added::{AddedTokens, Segment};
use decode::Decoder;
use models::Model;
use normalize::Normalizer;
use pre_tokenize::{PreTokenizer, Word};

/// The stages of a tokenizer.json tokenizer.
#[derive(Debug)]
pub struct Pipeline {
    /// Added tokens (not special) matched in the text as typed.
    pub(crate) added_raw: AddedTokens,
    /// Added tokens (not special) matched in normalized text.
    pub(crate) added_normalized: AddedTokens,
    pub(crate) normalizer: Option<Normalizer>,
    pub(crate) pre_tokenizer: Option<PreTokenizer>,
    pub(crate) model: Model,
    /// The pre-tokenizer and model on the byte-level fast path, when they are equivalent to it.
    pub(crate) byte_level: Option<ByteLevelWords>,
    pub(crate) decoder: Option<Decoder>,
    /// Each ID's token string (model and added tokens).
    pub(crate) tokens: Vec<Option<String>>,
    /// Each token string's ID.
    pub(crate) ids: rustc_hash::FxHashMap<String, TokenId>,
    /// The file it was loaded from.
    pub(crate) source: PipelineSource,
    /// Tells this pipeline's words in a thread's word cache from another's.
    pub(crate) cache_owner: u64,
}

/// The file a pipeline was read from, kept for saving, pickling and fingerprints.
#[derive(Debug)]
pub enum PipelineSource {
    /// tokenizer.json text.
    TokenizerJson(String),
    /// A SentencePiece `.model` file's bytes.
    SentencePieceModel(Vec<u8>),
}

impl PipelineSource {
    /// The file's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::TokenizerJson(text) => text.as_bytes(),
            Self::SentencePieceModel(bytes) => bytes,
        }
    }
}

impl Pipeline {
    /// Appends the IDs of `text` (ordinary text: special tokens are found by the caller) to
    /// `out`. `at_start` says whether `text` starts the input.
    pub fn encode_into(&self, text: &str, at_start: bool, out: &mut Vec<TokenId>) -> Result<()> {
        for segment in self.added_raw.segments(text) {
            let (start, end) = match segment {
                Segment::Added(id) => {
                    out.push(id);
                    continue;
                }
                Segment::Text(start, end) => (start, end),
            };
            let piece = &text[start..end];
            let normalized = match &self.normalizer {
                Some(normalizer) => Cow::Owned(normalizer.normalize(piece)),
                None => Cow::Borrowed(piece),
            };
            for inner in self.added_normalized.segments(&normalized) {
                let (s, e) = match inner {
                    Segment::Added(id) => {
                        out.push(id);
                        continue;
                    }
                    Segment::Text(s, e) => (s, e),
                };
                if let Some(byte_level) = &self.byte_level {
                    byte_level.encode_into(&normalized[s..e], out)?;
                    continue;
                }
                let word = Word {
                    text: normalized[s..e].to_string(),
                    at_start: at_start && start == 0 && s == 0,
                };
                let words = match &self.pre_tokenizer {
                    Some(pre_tokenizer) => pre_tokenizer.apply(vec![word])?,
                    None => vec![word],
                };
                for word in &words {
                    self.model.encode_cached(self.cache_owner, &word.text, out);
                }
            }
        }
        Ok(())
    }

    /// Whether words take the byte-level fast path (byte-level BPE behind a normalizer).
    pub fn takes_byte_level_path(&self) -> bool {
        self.byte_level.is_some()
    }

    /// The ID of the token spelled `text` (model or added token).
    pub fn token_id(&self, text: &[u8]) -> Option<TokenId> {
        let text = std::str::from_utf8(text).ok()?;
        self.ids.get(text).copied()
    }

    /// The token string of `id`.
    pub fn token(&self, id: TokenId) -> Option<&str> {
        self.tokens.get(id as usize)?.as_deref()
    }

    /// The text of `ids`, through the decoder (tokens joined by spaces without one).
    pub fn decode(&self, ids: &[TokenId]) -> Result<String> {
        let tokens = ids
            .iter()
            .enumerate()
            .map(|(position, &id)| {
                self.token(id)
                    .map(str::to_string)
                    .ok_or(TokenizerError::UnknownId {
                        id,
                        position,
                        n_vocab: self.tokens.len(),
                    })
            })
            .collect::<Result<Vec<String>>>()?;
        Ok(match &self.decoder {
            Some(decoder) => decoder.decode(tokens),
            None => tokens.join(" "),
        })
    }
}
