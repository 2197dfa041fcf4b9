//! Decoding as the sentencepiece library does it: control pieces vanish, the unknown piece
//! shows as its surface (` ⁇ ` by default), runs of byte pieces become the text their bytes
//! spell (U+FFFD for each byte that is not part of a valid char), `▁` becomes a space, and the
//! space the normalizer put first is taken off again.

use rustc_hash::FxHashMap;

use super::proto::PieceKind;
use crate::pipeline::models::byte_of_token;

/// What the decoder needs of a `.model` file's vocabulary.
#[derive(Debug)]
pub struct SentencePieceDecoding {
    /// The kind of each piece that is not normal text (control, unknown, byte).
    pub(crate) special_kinds: FxHashMap<String, PieceKind>,
    pub(crate) unk_surface: String,
    /// Whether a leading `▁` of the first piece is dropped (`add_dummy_prefix` or
    /// `remove_extra_whitespaces`).
    pub(crate) strip_leading_space: bool,
    /// With `remove_extra_whitespaces`, every leading `▁` is dropped until text appears.
    pub(crate) strip_all_leading_spaces: bool,
}

impl SentencePieceDecoding {
    /// The text of `tokens` (piece strings).
    pub fn decode(&self, tokens: &[String]) -> String {
        let mut text = String::new();
        let mut bytes: Vec<u8> = Vec::new();
        let mut expect_leading_space = true;
        let mut leading_space_seen = false;
        for token in tokens {
            let kind = self.special_kinds.get(token.as_str()).copied();
            if kind == Some(PieceKind::Byte) {
                bytes.extend(byte_of_token(token));
                continue;
            }
            push_bytes(&mut text, &mut bytes);
            if leading_space_seen || !text.is_empty() {
                expect_leading_space = false;
            }
            let mut piece = token.as_str();
            leading_space_seen = false;
            match kind {
                Some(PieceKind::Control) => continue,
                Some(PieceKind::Unknown) => {
                    text.push_str(&self.unk_surface);
                    continue;
                }
                _ => {}
            }
            if expect_leading_space && self.strip_leading_space {
                if let Some(rest) = piece.strip_prefix('\u{2581}') {
                    piece = rest;
                    leading_space_seen = !self.strip_all_leading_spaces;
                }
            }
            text.extend(piece.chars().map(|c| if c == '\u{2581}' { ' ' } else { c }));
        }
        push_bytes(&mut text, &mut bytes);
        text
    }
}

/// Appends the text of pending byte pieces: U+FFFD for each byte outside a valid char.
fn push_bytes(text: &mut String, bytes: &mut Vec<u8>) {
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        text.extend(std::iter::repeat_n('\u{FFFD}', chunk.invalid().len()));
    }
    bytes.clear();
}
