//! Loading and saving tokenizers as files: tokenizer.json, or a tiktoken rank file with a small
//! JSON side file (`<rank file>.json`) that holds what the rank format cannot: the pattern and
//! the special tokens.

use std::path::Path;

use omnitok_files::BoundedReadError;

use omnitok_vocab::TokenId;
use serde::{Deserialize, Serialize};

use crate::bpe::BpeModel;
use crate::error::{Result, TokenizerError};
use crate::hf_json::{parse_tokenizer_json, to_tokenizer_json};
use crate::pretokenize::Pretokenizer;
use crate::ranks::{format_ranks, parse_ranks};
use crate::special::SpecialTokens;
use crate::tokenizer::Tokenizer;

/// Vocabulary files larger than this are refused before they are read.
pub const MAX_VOCAB_FILE_BYTES: u64 = 1 << 30;

/// What a rank file's side file holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RankFileMeta {
    /// Pre-tokenization regex.
    pub pattern: String,
    /// Special tokens, in definition order.
    #[serde(default)]
    pub special_tokens: Vec<(String, TokenId)>,
}

/// The side file of rank file `path`: `path` with `.json` appended.
pub fn meta_path(path: &Path) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".json");
    name.into()
}

/// The bytes of the file at `path`, at most `max_bytes` ([`MAX_VOCAB_FILE_BYTES`] for a
/// vocabulary) of them: the bound is on bytes read, so that a file that never ends
/// (`/dev/zero`) is refused too.
fn read_limited(path: &Path, max_bytes: u64) -> Result<Vec<u8>> {
    omnitok_files::read_bounded(path, max_bytes).map_err(|e| match e {
        BoundedReadError::Io(source) => TokenizerError::io(path, source),
        too_large => TokenizerError::Limit {
            path: path.display().to_string(),
            message: format!("{too_large} for a vocabulary file"),
        },
    })
}

impl Tokenizer {
    /// Loads tokenizer.json, a SentencePiece `.model` file, or a tiktoken rank file. A rank file
    /// takes its pattern and specials from its side file when there is one, else from `pattern`
    /// (required then).
    pub fn from_file(path: impl AsRef<Path>, pattern: Option<&str>) -> Result<Self> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let data = read_limited(path, MAX_VOCAB_FILE_BYTES)?;
        let is_model_file = path.extension().is_some_and(|e| e == "model");
        if is_model_file || crate::sentencepiece::looks_like_model(&data) {
            let name = path
                .file_name()
                .map_or(shown.clone(), |s| s.to_string_lossy().into_owned());
            return crate::sentencepiece::parse_model(&data, &shown, &name);
        }
        let first = data.iter().find(|b| !b.is_ascii_whitespace());
        if first == Some(&b'{') {
            let text = std::str::from_utf8(&data).map_err(|e| {
                TokenizerError::bad_vocab(&shown, format!("byte {}", e.valid_up_to()), "not UTF-8")
            })?;
            return parse_tokenizer_json(text, &shown);
        }
        let meta_file = meta_path(path);
        let meta: Option<RankFileMeta> = if meta_file.exists() {
            let meta_shown = meta_file.display().to_string();
            let text = read_limited(&meta_file, MAX_VOCAB_FILE_BYTES)?;
            Some(serde_json::from_slice(&text).map_err(|e| {
                TokenizerError::bad_vocab(&meta_shown, format!("line {}", e.line()), e.to_string())
            })?)
        } else {
            None
        };
        let (pattern, specials) = match (pattern, meta) {
            (Some(p), meta) => (
                p.to_string(),
                meta.map(|m| m.special_tokens).unwrap_or_default(),
            ),
            (None, Some(meta)) => (meta.pattern, meta.special_tokens),
            (None, None) => {
                return Err(TokenizerError::BadParameter(format!(
                    "{shown} is a rank file without a side file {}; give the pattern",
                    meta_file.display()
                )))
            }
        };
        let name = path
            .file_stem()
            .map_or(shown.clone(), |s| s.to_string_lossy().into_owned());
        Self::from_rank_bytes(name, &data, &shown, &pattern, specials)
    }

    /// A tokenizer from the text of a rank file, its pattern and its special tokens. `source`
    /// names the data in errors.
    pub fn from_rank_bytes(
        name: impl Into<String>,
        data: &[u8],
        source: &str,
        pattern: &str,
        specials: Vec<(String, TokenId)>,
    ) -> Result<Self> {
        let tokens = parse_ranks(data, source)?;
        Self::from_ranks(name, tokens, source, pattern, specials)
    }

    /// A tokenizer from `(bytes, rank)` pairs (tiktoken's `mergeable_ranks`), its pattern and
    /// its special tokens. `source` names the data in errors.
    pub fn from_ranks(
        name: impl Into<String>,
        tokens: Vec<(Vec<u8>, TokenId)>,
        source: &str,
        pattern: &str,
        specials: Vec<(String, TokenId)>,
    ) -> Result<Self> {
        let model = BpeModel::from_ranks(tokens)
            .map_err(|e| TokenizerError::bad_vocab(source, "tokens", model_error_message(&e)))?;
        let specials = SpecialTokens::new(specials)?;
        Tokenizer::new(name, Pretokenizer::new(pattern)?, model, specials)
            .map_err(|e| e.in_file(source))
    }

    /// The rank-file text of this tokenizer's vocabulary, if tiktoken's merge rule describes it
    /// exactly (see [`Tokenizer::save_rank_file`]).
    pub fn to_rank_text(&self) -> Option<String> {
        let model = self.model()?;
        model
            .merges_follow_ranks()
            .then(|| format_ranks(model.tokens()))
    }

    /// Saves as tokenizer.json.
    pub fn save_tokenizer_json(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let json = to_tokenizer_json(self)?;
        std::fs::write(path, json).map_err(|e| TokenizerError::io(path, e))
    }

    /// Saves the SentencePiece `.model` file this tokenizer was read from (refused for others).
    pub fn save_sentencepiece_model(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let bytes = self
            .sentencepiece_model()
            .ok_or_else(|| TokenizerError::Unsupported {
                path: path.display().to_string(),
                message: format!("{} was not read from a SentencePiece model", self.name()),
            })?;
        std::fs::write(path, bytes).map_err(|e| TokenizerError::io(path, e))
    }

    /// The tokenizer as tokenizer.json text (refused for SentencePiece models).
    pub fn to_tokenizer_json(&self) -> Result<String> {
        to_tokenizer_json(self)
    }

    /// Saves as a tiktoken rank file plus its side file. Refused when tiktoken's merge rule
    /// (lowest rank of the concatenation) would encode differently from this tokenizer.
    pub fn save_rank_file(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let Some(ranks) = self.to_rank_text() else {
            return Err(TokenizerError::Unsupported {
                path: path.display().to_string(),
                message: "this vocabulary's merges do not follow its token IDs, so a rank file \
                          would encode differently; save it as tokenizer.json"
                    .into(),
            });
        };
        let meta = RankFileMeta {
            pattern: self.pattern().to_string(),
            special_tokens: self.special_tokens().entries().to_vec(),
        };
        std::fs::write(path, ranks).map_err(|e| TokenizerError::io(path, e))?;
        let meta_file = meta_path(path);
        let json = serde_json::to_string_pretty(&meta).unwrap_or_default();
        std::fs::write(&meta_file, json).map_err(|e| TokenizerError::io(&meta_file, e))
    }
}

fn model_error_message(error: &crate::bpe::ModelError) -> String {
    use crate::bpe::ModelError;
    match error {
        ModelError::DuplicateBytes { token, other } => {
            format!("ranks {other} and {token} have the same bytes")
        }
        ModelError::MissingByte(byte) => {
            format!("no token for the single byte 0x{byte:02x}; byte-level BPE needs all 256")
        }
        ModelError::MergeWithoutToken { index, what } => {
            format!("merge {index} refers to {what:?}, which is not a token")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_over_the_limit_are_limit_errors_even_when_they_never_end() {
        let path = std::env::temp_dir().join(format!("omnitok-limit-{}", std::process::id()));
        std::fs::write(&path, "12345").unwrap();
        assert_eq!(read_limited(&path, 5).unwrap(), b"12345");
        let error = read_limited(&path, 4).unwrap_err();
        assert!(matches!(error, TokenizerError::Limit { .. }), "{error:?}");
        assert!(
            error.to_string().contains("5 bytes is over the limit of 4"),
            "{error}"
        );
        std::fs::remove_file(&path).unwrap();
        if Path::new("/dev/zero").exists() {
            let error = read_limited(Path::new("/dev/zero"), 1 << 20).unwrap_err();
            assert!(matches!(error, TokenizerError::Limit { .. }), "{error:?}");
        }
    }
}
