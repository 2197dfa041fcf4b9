//! Added tokens that are not special: matched in text before the model sees it, as HF does,
//! with their `single_word`, `lstrip` and `rstrip` options.

use aho_corasick::{AhoCorasick, MatchKind};
use omnitok_vocab::TokenId;

use crate::special::MatchOptions;

/// An added token's matching options.
#[derive(Debug, Clone)]
pub struct AddedToken {
    /// The token's text.
    pub content: String,
    /// Its ID.
    pub id: TokenId,
    /// Where it matches and what whitespace it takes.
    pub options: MatchOptions,
}

/// A piece of text after added tokens are found: text for the model, or an added token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    /// The byte range of ordinary text.
    Text(usize, usize),
    /// An added token's ID.
    Added(TokenId),
}

/// Finds added tokens, longest leftmost first.
#[derive(Debug)]
pub struct AddedTokens {
    tokens: Vec<AddedToken>,
    matcher: Option<AhoCorasick>,
}

impl AddedTokens {
    /// A matcher of `tokens` (their contents as given).
    pub fn new(tokens: Vec<AddedToken>) -> Result<Self, String> {
        let matcher = if tokens.is_empty() {
            None
        } else {
            let built = AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(tokens.iter().map(|t| t.content.as_str()))
                .map_err(|e| e.to_string())?;
            Some(built)
        };
        Ok(Self { tokens, matcher })
    }

    /// True when there is nothing to find.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// `text` cut into segments that tile it.
    pub fn segments(&self, text: &str) -> Vec<Segment> {
        let Some(matcher) = &self.matcher else {
            return vec![Segment::Text(0, text.len())];
        };
        let mut out = Vec::new();
        let mut covered = 0;
        for found in matcher.find_iter(text) {
            let token = &self.tokens[found.pattern().as_usize()];
            let Some((start, end)) = token
                .options
                .apply(text, found.start(), found.end(), covered)
            else {
                continue;
            };
            if covered < start {
                out.push(Segment::Text(covered, start));
            }
            out.push(Segment::Added(token.id));
            covered = end;
        }
        if covered < text.len() {
            out.push(Segment::Text(covered, text.len()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(content: &str, id: TokenId, single_word: bool, strip: bool) -> AddedToken {
        AddedToken {
            content: content.into(),
            id,
            options: MatchOptions {
                single_word,
                lstrip: strip,
                rstrip: strip,
            },
        }
    }

    #[test]
    fn options_decide_where_a_token_matches_and_what_it_takes() {
        let tokens = AddedTokens::new(vec![
            token("<mask>", 9, false, true),
            token("yes", 8, true, false),
        ])
        .unwrap();
        assert_eq!(
            tokens.segments("a  <mask>  b"),
            [
                Segment::Text(0, 1),
                Segment::Added(9),
                Segment::Text(11, 12)
            ]
        );
        assert_eq!(
            tokens.segments("eyes yes"),
            [Segment::Text(0, 5), Segment::Added(8)]
        );
    }
}
