//! Token boundaries made visible: a text as each of several tokenizers cuts it.
//!
//! - [`Sample`]: one text (shortened to a length a person reads) with a [`View`] per tokenizer:
//!   its IDs and the decoded text cut into [`omnitok_tokenizer::Segment`]s.
//! - [`terminal`]: a sample as coloured text for a terminal (or plain text with `|` between
//!   tokens).
//! - [`html`]: samples as one self-contained HTML page, tokenizers side by side.

pub mod html;
pub mod terminal;

use omnitok_tokenizer::{DecodedSegments, SpecialPolicy, TokenId, Tokenizer};

use crate::error::{CorpusError, Result};

/// One text as several tokenizers cut it.
#[derive(Debug, Clone)]
pub struct Sample {
    /// What the text is (a file name, a language).
    pub name: String,
    /// The text shown, encoded as ordinary text.
    pub text: String,
    /// Chars of the text before it was shortened to [`Sample::text`].
    pub total_chars: usize,
    /// One per tokenizer, in the order given.
    pub views: Vec<View>,
}

/// A text as one tokenizer cuts it.
#[derive(Debug, Clone)]
pub struct View {
    /// The tokenizer's name.
    pub tokenizer: String,
    /// The IDs of the text, encoded as ordinary text.
    pub ids: Vec<TokenId>,
    /// The IDs decoded and cut at token boundaries.
    pub decoded: DecodedSegments,
    /// Each token as its vocabulary spells it (`▁the`, `##ing`, `<0xE3>`; bytes that are not
    /// UTF-8 as `\xNN`): shown on hover, and for tokens that add nothing to the text.
    pub pieces: Vec<String>,
}

impl View {
    /// Whether the decoded text is the input itself (byte-level BPE always; a pipeline unless
    /// its normalizer or pre-tokenizer changed the text).
    pub fn decodes_to(&self, text: &str) -> bool {
        self.decoded.text == text
    }

    /// Chars of the decoded text per token (0 without tokens).
    pub fn chars_per_token(&self) -> f64 {
        if self.ids.is_empty() {
            return 0.0;
        }
        self.decoded.text.chars().count() as f64 / self.ids.len() as f64
    }
}

impl Sample {
    /// `text`, cut to its first `max_chars` chars, as each of `tokenizers` (name and
    /// tokenizer) cuts it; errors name the sample and the tokenizer.
    pub fn new(
        name: impl Into<String>,
        text: &str,
        max_chars: usize,
        tokenizers: &[(String, &Tokenizer)],
    ) -> Result<Self> {
        let name = name.into();
        let shown = first_chars(text, max_chars);
        let views = tokenizers
            .iter()
            .map(|(tokenizer_name, tokenizer)| {
                view(tokenizer_name, tokenizer, shown).map_err(|source| CorpusError::Tokenizer {
                    context: format!("{name}: {tokenizer_name}"),
                    source,
                })
            })
            .collect::<Result<Vec<View>>>()?;
        Ok(Sample {
            total_chars: text.chars().count(),
            text: shown.to_string(),
            name,
            views,
        })
    }

    /// Whether [`Sample::text`] is shorter than the text given.
    pub fn is_shortened(&self) -> bool {
        self.text.chars().count() < self.total_chars
    }
}

/// `text` as `tokenizer` (named `name`) cuts it.
fn view(name: &str, tokenizer: &Tokenizer, text: &str) -> omnitok_tokenizer::Result<View> {
    let ids = tokenizer.encode_with_policy(text, &SpecialPolicy::as_text())?;
    let decoded = tokenizer.decoded_segments(&ids)?;
    let pieces = ids
        .iter()
        .map(|&id| piece_text(tokenizer.token_bytes(id).unwrap_or_default()))
        .collect();
    Ok(View {
        tokenizer: name.to_string(),
        ids,
        decoded,
        pieces,
    })
}

/// A token's bytes as text: UTF-8 as it is, other bytes as `\xNN`.
fn piece_text(bytes: &[u8]) -> String {
    let mut text = String::new();
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for byte in chunk.invalid() {
            text.push_str(&format!("\\x{byte:02X}"));
        }
    }
    text
}

/// The first `max_chars` chars of `text`.
pub fn first_chars(text: &str, max_chars: usize) -> &str {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use omnitok_tokenizer::get_encoding;

    #[test]
    fn texts_are_shortened_at_char_boundaries() {
        assert_eq!(first_chars("añb", 2), "añ");
        assert_eq!(first_chars("añb", 9), "añb");
        assert_eq!(first_chars("añb", 0), "");
    }

    #[test]
    fn pieces_spell_bytes_that_are_not_utf8_in_hex() {
        assert_eq!(piece_text(b"ab"), "ab");
        assert_eq!(piece_text(&[b'a', 0xE2, 0x80]), "a\\xE2\\x80");
    }

    #[test]
    fn a_sample_has_a_view_per_tokenizer() -> Result<()> {
        let o200k = get_encoding("o200k_base").expect("built in");
        let cl100k = get_encoding("cl100k_base").expect("built in");
        let tokenizers = [
            ("o200k_base".to_string(), &*o200k),
            ("cl100k_base".to_string(), &*cl100k),
        ];
        let sample = Sample::new("greeting", "Grüße aus Köln!", 5, &tokenizers)?;
        assert_eq!(sample.text, "Grüße");
        assert!(sample.is_shortened());
        assert_eq!(sample.views.len(), 2);
        for view in &sample.views {
            assert!(view.decodes_to("Grüße"));
            assert_eq!(view.pieces.len(), view.ids.len());
        }
        Ok(())
    }
}
