//! Which part of the decoded text each run of tokens spells: the token boundaries a viewer
//! shows.

use std::ops::Range;

use omnitok_vocab::TokenId;

use crate::error::Result;
use crate::tokenizer::Tokenizer;

/// Token IDs decoded to text, cut where the tokens' boundaries fall.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedSegments {
    /// The IDs decoded as [`Tokenizer::decode_lossy`] decodes them. For byte-level BPE this is
    /// the encoded text itself; a pipeline shows its normalized form (what its model saw).
    pub text: String,
    /// In order, covering `text` and the IDs without gaps.
    pub segments: Vec<Segment>,
}

/// A run of tokens and the part of the decoded text that they spell.
///
/// Most segments are one token. A segment holds several when a character is split between
/// tokens (byte-level BPE and byte fallback spell it one byte at a time), and its text is empty
/// when a token adds nothing to the decoded text (a leading `▁` that the decoder strips, a
/// control token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Byte range in [`DecodedSegments::text`].
    pub text: Range<usize>,
    /// Range of positions in the IDs.
    pub tokens: Range<usize>,
}

impl Tokenizer {
    /// Decodes `ids` and cuts the text into the segments each run of tokens spells: a
    /// segment ends after token `k` when the first `k` tokens decode to a prefix of the whole
    /// text. An unknown ID is an error naming it and its position.
    ///
    /// Linear for byte-level BPE; a pipeline's decoder may look at neighbouring tokens (a
    /// leading `▁`, `##` joins, byte fallback), so each prefix is decoded as a whole: quadratic
    /// in the number of IDs, meant for texts a person reads.
    pub fn decoded_segments(&self, ids: &[TokenId]) -> Result<DecodedSegments> {
        if self.pipeline().is_none() {
            if let Ok(text) = String::from_utf8(self.decode_bytes(ids)?) {
                return Ok(self.byte_level_segments(ids, text));
            }
        }
        let text = self.decode_lossy(ids)?;
        let mut cuts = Vec::new();
        for k in 1..=ids.len() {
            let prefix = self.decode_lossy(&ids[..k])?;
            let last_cut = cuts.last().map_or(0, |&(_, end)| end);
            if prefix.len() >= last_cut && text.starts_with(&prefix) {
                cuts.push((k, prefix.len()));
            }
        }
        Ok(DecodedSegments {
            segments: segments_from_cuts(&cuts),
            text,
        })
    }

    /// [`Tokenizer::decoded_segments`] when the tokens' bytes concatenate to valid UTF-8
    /// `text`: a cut wherever their running length is a char boundary.
    fn byte_level_segments(&self, ids: &[TokenId], text: String) -> DecodedSegments {
        let mut cuts = Vec::with_capacity(ids.len());
        let mut end = 0;
        for (k, &id) in ids.iter().enumerate() {
            end += self.token_bytes(id).map_or(0, <[u8]>::len);
            if text.is_char_boundary(end) {
                cuts.push((k + 1, end));
            }
        }
        DecodedSegments {
            segments: segments_from_cuts(&cuts),
            text,
        }
    }
}

/// Segments between consecutive cuts, each cut `(tokens so far, text bytes so far)`.
fn segments_from_cuts(cuts: &[(usize, usize)]) -> Vec<Segment> {
    let mut segments = Vec::with_capacity(cuts.len());
    let (mut token_start, mut text_start) = (0, 0);
    for &(token_end, text_end) in cuts {
        segments.push(Segment {
            text: text_start..text_end,
            tokens: token_start..token_end,
        });
        (token_start, text_start) = (token_end, text_end);
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::get_encoding;

    fn pieces(segments: &DecodedSegments) -> Vec<(&str, usize)> {
        segments
            .segments
            .iter()
            .map(|s| (&segments.text[s.text.clone()], s.tokens.len()))
            .collect()
    }

    #[test]
    fn byte_level_tokens_split_inside_a_char_share_one_segment() -> Result<()> {
        let tokenizer = get_encoding("cl100k_base")?;
        let text = "Hi 🦀 there";
        let ids = tokenizer.encode_ordinary(text)?;
        let segments = tokenizer.decoded_segments(&ids)?;
        assert_eq!(segments.text, text);
        let shown = pieces(&segments);
        assert_eq!(shown.iter().map(|(s, _)| *s).collect::<String>(), text);
        assert_eq!(shown.iter().map(|(_, n)| n).sum::<usize>(), ids.len());
        // The crab is several byte tokens, kept together.
        assert!(shown.iter().any(|&(s, n)| s.contains('🦀') && n > 1));
        Ok(())
    }

    #[test]
    fn invalid_utf8_is_cut_where_the_lossy_text_allows() -> Result<()> {
        let tokenizer = get_encoding("cl100k_base")?;
        // Two tokens of one byte each that are not UTF-8 on their own, around "a".
        let high = tokenizer
            .encode_single_token(&[0xE2])
            .expect("every byte is a token");
        let a = tokenizer.encode_ordinary("a")?;
        let ids = [high, a[0], high];
        let segments = tokenizer.decoded_segments(&ids)?;
        assert_eq!(segments.text, "\u{FFFD}a\u{FFFD}");
        assert_eq!(
            pieces(&segments),
            [("\u{FFFD}", 1), ("a", 1), ("\u{FFFD}", 1)]
        );
        Ok(())
    }

    #[test]
    fn unknown_ids_are_refused() {
        let tokenizer = get_encoding("cl100k_base").expect("built in");
        assert!(tokenizer.decoded_segments(&[5, u32::MAX]).is_err());
    }

    #[test]
    fn cuts_become_contiguous_segments() {
        let cuts = [(1, 0), (3, 4), (4, 7)];
        assert_eq!(
            segments_from_cuts(&cuts),
            [
                Segment {
                    text: 0..0,
                    tokens: 0..1
                },
                Segment {
                    text: 0..4,
                    tokens: 1..3
                },
                Segment {
                    text: 4..7,
                    tokens: 3..4
                },
            ]
        );
    }
}
