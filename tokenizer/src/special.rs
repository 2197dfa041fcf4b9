//! Special tokens: their table, and the policy that decides what happens when text contains one.

use aho_corasick::{AhoCorasick, MatchKind};
use omnitok_vocab::TokenId;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::error::{Result, TokenizerError};

/// Which special tokens a policy names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SpecialSet {
    /// None of them.
    #[default]
    None,
    /// Every special token of the tokenizer.
    All,
    /// The named ones.
    Only(FxHashSet<String>),
}

/// What `encode` does with special-token strings found in text.
///
/// Text matching an *allowed* special becomes its ID; text matching a *disallowed* special is an
/// error; any other text, including other specials' strings, is encoded as ordinary text. The
/// default allows none and disallows all, so typed text can never smuggle in a special ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecialPolicy {
    /// Specials encoded as their IDs.
    pub allowed: SpecialSet,
    /// Specials whose presence is an error. `All` means all that are not allowed.
    pub disallowed: SpecialSet,
}

impl Default for SpecialPolicy {
    fn default() -> Self {
        Self {
            allowed: SpecialSet::None,
            disallowed: SpecialSet::All,
        }
    }
}

impl SpecialPolicy {
    /// Error on any special token's string (the default).
    pub fn raise() -> Self {
        Self::default()
    }

    /// Encode special tokens' strings as ordinary text.
    pub fn as_text() -> Self {
        Self {
            allowed: SpecialSet::None,
            disallowed: SpecialSet::None,
        }
    }

    /// Encode the named specials as their IDs; any other special's string is an error.
    pub fn allow<I: IntoIterator<Item = S>, S: Into<String>>(names: I) -> Self {
        Self {
            allowed: SpecialSet::Only(names.into_iter().map(Into::into).collect()),
            disallowed: SpecialSet::All,
        }
    }

    /// Encode every special token's string as its ID.
    pub fn allow_all() -> Self {
        Self {
            allowed: SpecialSet::All,
            disallowed: SpecialSet::None,
        }
    }
}

/// The special tokens of a tokenizer.
#[derive(Debug, Clone)]
pub struct SpecialTokens {
    /// In definition order; a later entry with the same ID wins for decoding.
    entries: Vec<(String, TokenId)>,
    by_text: FxHashMap<String, TokenId>,
    /// Finds every occurrence, overlapping ones included, of any special's string.
    any: Option<AhoCorasick>,
}

/// The special tokens found in a text, and where: allowed ones to split out.
pub(crate) struct SpecialMatch {
    pub start: usize,
    pub end: usize,
    pub id: TokenId,
}

impl SpecialTokens {
    /// A table from `(string, id)` pairs; an empty string or a string given twice is an error.
    pub fn new(entries: Vec<(String, TokenId)>) -> Result<Self> {
        let mut by_text = FxHashMap::default();
        for (text, id) in &entries {
            if text.is_empty() {
                return Err(TokenizerError::BadParameter(format!(
                    "special token {id} has an empty string"
                )));
            }
            if by_text.insert(text.clone(), *id).is_some() {
                return Err(TokenizerError::BadParameter(format!(
                    "special token {text:?} is defined twice"
                )));
            }
        }
        let any = if entries.is_empty() {
            None
        } else {
            Some(build_matcher(
                entries.iter().map(|(t, _)| t.as_str()),
                MatchKind::Standard,
            )?)
        };
        Ok(Self {
            entries,
            by_text,
            any,
        })
    }

    /// `(string, id)` pairs in definition order.
    pub fn entries(&self) -> &[(String, TokenId)] {
        &self.entries
    }

    /// The ID of the special token spelled `text`.
    pub fn id(&self, text: &str) -> Option<TokenId> {
        self.by_text.get(text).copied()
    }

    /// Number of special-token strings.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn resolve<'a>(&'a self, set: &'a SpecialSet) -> Result<Vec<&'a str>> {
        match set {
            SpecialSet::None => Ok(Vec::new()),
            SpecialSet::All => Ok(self.entries.iter().map(|(t, _)| t.as_str()).collect()),
            SpecialSet::Only(names) => {
                let mut names: Vec<&str> = names.iter().map(String::as_str).collect();
                names.sort_unstable();
                if let Some(unknown) = names.iter().find(|n| !self.by_text.contains_key(**n)) {
                    return Err(TokenizerError::BadParameter(format!(
                        "{unknown:?} is not a special token of this tokenizer"
                    )));
                }
                Ok(names)
            }
        }
    }

    /// Applies `policy` to `text`: an error naming the first disallowed special found, else the
    /// allowed specials to split out, leftmost first (longest on ties), not overlapping.
    pub(crate) fn find(&self, text: &str, policy: &SpecialPolicy) -> Result<Vec<SpecialMatch>> {
        let Some(any) = &self.any else {
            return Ok(Vec::new());
        };
        // Specials as text: nothing to look for (the common case, checked per document).
        if matches!(policy.allowed, SpecialSet::None)
            && matches!(policy.disallowed, SpecialSet::None)
        {
            return Ok(Vec::new());
        }
        let allowed = self.resolve(&policy.allowed)?;
        let allowed_set: FxHashSet<&str> = allowed.iter().copied().collect();
        let disallowed: FxHashSet<&str> = match &policy.disallowed {
            SpecialSet::All => self
                .entries
                .iter()
                .map(|(t, _)| t.as_str())
                .filter(|t| !allowed_set.contains(t))
                .collect(),
            other => self.resolve(other)?.into_iter().collect(),
        };
        if allowed.is_empty() && disallowed.is_empty() {
            return Ok(Vec::new());
        }
        let mut first_disallowed: Option<(usize, &str)> = None;
        let mut any_allowed = false;
        for found in any.find_overlapping_iter(text) {
            let name = self.entries[found.pattern().as_usize()].0.as_str();
            if disallowed.contains(name) {
                if first_disallowed.is_none_or(|(start, _)| found.start() < start) {
                    first_disallowed = Some((found.start(), name));
                }
            } else if allowed_set.contains(name) {
                any_allowed = true;
            }
        }
        if let Some((byte_offset, name)) = first_disallowed {
            return Err(TokenizerError::DisallowedSpecial {
                token: name.to_string(),
                byte_offset,
            });
        }
        if !any_allowed {
            return Ok(Vec::new());
        }
        let splitter = build_matcher(allowed.iter().copied(), MatchKind::LeftmostLongest)?;
        Ok(splitter
            .find_iter(text)
            .map(|m| SpecialMatch {
                start: m.start(),
                end: m.end(),
                // The splitter matches only `allowed` names, and `resolve` checked that each
                // of them is in `by_text`.
                id: self.by_text[&text[m.start()..m.end()]],
            })
            .collect())
    }
}

fn build_matcher<'a>(
    patterns: impl Iterator<Item = &'a str>,
    kind: MatchKind,
) -> Result<AhoCorasick> {
    AhoCorasick::builder()
        .match_kind(kind)
        .build(patterns)
        .map_err(|e| {
            TokenizerError::BadParameter(format!("cannot build the special-token matcher: {e}"))
        })
}
