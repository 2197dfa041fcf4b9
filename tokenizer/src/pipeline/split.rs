//! Splitting a string by a pattern, with HF tokenizers' five ways of treating what matched.

use crate::error::{Result, TokenizerError};

/// What to match: one char by a predicate (each matching char is a match of its own), or a
/// regex (a literal string is an escaped regex).
pub(crate) enum Pattern<'p> {
    Char(&'p dyn Fn(char) -> bool),
    Regex(&'p fancy_regex::Regex),
}

/// What becomes of a match when a string is split at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behavior {
    /// Matches are dropped.
    Removed,
    /// Each match is a split of its own.
    Isolated,
    /// A match joins the split before it.
    MergedWithPrevious,
    /// A match joins the split after it.
    MergedWithNext,
    /// Runs of matches form one split, and runs of non-matches another.
    Contiguous,
}

impl Behavior {
    /// The behaviour of a tokenizer.json `behavior` field.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "Removed" => Self::Removed,
            "Isolated" => Self::Isolated,
            "MergedWithPrevious" => Self::MergedWithPrevious,
            "MergedWithNext" => Self::MergedWithNext,
            "Contiguous" => Self::Contiguous,
            _ => return None,
        })
    }
}

/// The ranges of `text`, in order and tiling it, each marked as a match or not.
fn matches(text: &str, pattern: &Pattern, invert: bool) -> Result<Vec<((usize, usize), bool)>> {
    let mut out = Vec::new();
    let mut covered = 0;
    match pattern {
        Pattern::Char(is_match) => {
            for (at, c) in text.char_indices() {
                if is_match(c) {
                    if covered < at {
                        out.push(((covered, at), false));
                    }
                    covered = at + c.len_utf8();
                    out.push(((at, covered), true));
                }
            }
        }
        Pattern::Regex(regex) => {
            for found in regex.find_iter(text) {
                let found = found.map_err(|e| {
                    TokenizerError::BadParameter(format!(
                        "pattern {:?} failed on the input: {e}",
                        regex.as_str()
                    ))
                })?;
                if covered < found.start() {
                    out.push(((covered, found.start()), false));
                }
                out.push(((found.start(), found.end()), true));
                covered = found.end();
            }
        }
    }
    if covered < text.len() {
        out.push(((covered, text.len()), false));
    }
    if invert {
        for (_, is_match) in &mut out {
            *is_match = !*is_match;
        }
    }
    Ok(out)
}

/// The byte ranges `text` splits into at `pattern`'s matches under `behavior`; empty ranges
/// are left out.
pub(crate) fn split(
    text: &str,
    pattern: &Pattern,
    invert: bool,
    behavior: Behavior,
) -> Result<Vec<(usize, usize)>> {
    let found = matches(text, pattern, invert)?;
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(found.len());
    match behavior {
        Behavior::Removed => out.extend(found.iter().filter(|(_, m)| !m).map(|&(r, _)| r)),
        Behavior::Isolated => out.extend(found.iter().map(|&(r, _)| r)),
        Behavior::MergedWithPrevious => {
            let mut previous_match = false;
            for &(range, is_match) in &found {
                match out.last_mut() {
                    Some(last) if is_match && !previous_match => last.1 = range.1,
                    _ => out.push(range),
                }
                previous_match = is_match;
            }
        }
        Behavior::MergedWithNext => {
            let mut next_match = false;
            for &(range, is_match) in found.iter().rev() {
                match out.last_mut() {
                    Some(last) if is_match && !next_match => last.0 = range.0,
                    _ => out.push(range),
                }
                next_match = is_match;
            }
            out.reverse();
        }
        Behavior::Contiguous => {
            let mut previous_match = false;
            for (i, &(range, is_match)) in found.iter().enumerate() {
                match out.last_mut() {
                    Some(last) if i > 0 && is_match == previous_match => last.1 = range.1,
                    _ => out.push(range),
                }
                previous_match = is_match;
            }
        }
    }
    out.retain(|&(start, end)| start < end);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str, behavior: Behavior) -> Vec<&str> {
        let is_dash = |c: char| c == '-';
        split(text, &Pattern::Char(&is_dash), false, behavior)
            .unwrap()
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect()
    }

    #[test]
    fn each_behavior_treats_matches_as_hf_does() {
        let text = "the-final--countdown";
        assert_eq!(
            pieces(text, Behavior::Removed),
            ["the", "final", "countdown"]
        );
        assert_eq!(
            pieces(text, Behavior::Isolated),
            ["the", "-", "final", "-", "-", "countdown"]
        );
        assert_eq!(
            pieces(text, Behavior::MergedWithPrevious),
            ["the-", "final-", "-", "countdown"]
        );
        assert_eq!(
            pieces(text, Behavior::MergedWithNext),
            ["the", "-final", "-", "-countdown"]
        );
        assert_eq!(
            pieces(text, Behavior::Contiguous),
            ["the", "-", "final", "--", "countdown"]
        );
    }
}
