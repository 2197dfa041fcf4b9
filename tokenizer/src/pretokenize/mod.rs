//! Pre-tokenization: splitting text into the pieces that BPE encodes one by one.
//!
//! The patterns of the OpenAI encodings run on hand-written matchers ([`builtin`]), linear in
//! the text and several times faster than a backtracking regex; any other pattern runs on
//! fancy-regex, which supports the look-arounds and possessive quantifiers such patterns use.

pub mod builtin;
pub mod classes;

pub use builtin::{BuiltinPattern, CL100K_PATTERN, GPT2_PATTERN, O200K_PATTERN};

use crate::error::{Result, TokenizerError};

/// Splits text into pieces by a regex pattern.
#[derive(Debug, Clone)]
pub enum Pretokenizer {
    /// One of the OpenAI patterns, matched by hand-written code.
    Builtin(BuiltinPattern),
    /// Any other pattern, matched by fancy-regex.
    Regex(Box<fancy_regex::Regex>),
}

impl Pretokenizer {
    /// The pre-tokenizer for `pattern`, choosing the hand-written matcher when `pattern` is
    /// exactly one of the built-in patterns.
    pub fn new(pattern: &str) -> Result<Self> {
        if let Some(builtin) = BuiltinPattern::recognize(pattern) {
            return Ok(Self::Builtin(builtin));
        }
        Self::regex(pattern)
    }

    /// The fancy-regex pre-tokenizer for `pattern`, even when a hand-written one exists.
    pub fn regex(pattern: &str) -> Result<Self> {
        let regex = fancy_regex::Regex::new(pattern).map_err(|e| {
            TokenizerError::BadParameter(format!("pattern {pattern:?} does not compile: {e}"))
        })?;
        Ok(Self::Regex(Box::new(regex)))
    }

    /// The pattern string.
    pub fn pattern(&self) -> &str {
        match self {
            Self::Builtin(builtin) => builtin.pattern(),
            Self::Regex(regex) => regex.as_str(),
        }
    }

    /// Calls `piece(start, end)` with the byte ranges of `text`'s pieces, in order. Pieces tile
    /// the text: text between matches of a user pattern is a piece of its own (as in HF's
    /// Split with behaviour Isolated), so nothing is ever dropped. The built-in patterns match
    /// everywhere, so for them pieces and matches are the same.
    pub fn for_each_piece(&self, text: &str, mut piece: impl FnMut(usize, usize)) -> Result<()> {
        match self {
            Self::Builtin(builtin) => {
                builtin.for_each_piece(text, piece);
                Ok(())
            }
            Self::Regex(regex) => {
                let mut covered = 0;
                for found in regex.find_iter(text) {
                    let found = found.map_err(|e| {
                        TokenizerError::BadParameter(format!(
                            "pattern {:?} failed on the input: {e}",
                            regex.as_str()
                        ))
                    })?;
                    if found.start() > covered {
                        piece(covered, found.start());
                    }
                    if found.end() > found.start() {
                        piece(found.start(), found.end());
                    }
                    covered = found.end();
                }
                if covered < text.len() {
                    piece(covered, text.len());
                }
                Ok(())
            }
        }
    }
}
