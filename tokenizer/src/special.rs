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

/// What `encode` does with special-token strings found in text, and whether it adds the
/// tokenizer's own special tokens around the text.
///
/// Text matching an *allowed* special becomes its ID; text matching a *disallowed* special is an
/// error; any other text, including other specials' strings, is encoded as ordinary text. The
/// default allows none and disallows all, so typed text can never smuggle in a special ID.
/// With `add_special_tokens`, the IDs of the tokenizer's [`crate::template::Template`] (a
/// tokenizer.json post-processor: BERT's `[CLS] … [SEP]`, Llama's `<s>`) wrap the text's IDs, as
/// HF's `encode` does by default; off by default, as tiktoken has no such thing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecialPolicy {
    /// Specials encoded as their IDs.
    pub allowed: SpecialSet,
    /// Specials whose presence is an error. `All` means all that are not allowed.
    pub disallowed: SpecialSet,
    /// Wrap the IDs in the tokenizer's template of special tokens.
    pub add_special_tokens: bool,
}

impl Default for SpecialPolicy {
    fn default() -> Self {
        Self {
            allowed: SpecialSet::None,
            disallowed: SpecialSet::All,
            add_special_tokens: false,
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
            add_special_tokens: false,
        }
    }

    /// The same policy, wrapping the IDs in the tokenizer's template when `add` is true.
    pub fn adding_special_tokens(mut self, add: bool) -> Self {
        self.add_special_tokens = add;
        self
    }

    /// Encode the named specials as their IDs; any other special's string is an error.
    pub fn allow<I: IntoIterator<Item = S>, S: Into<String>>(names: I) -> Self {
        Self {
            allowed: SpecialSet::Only(names.into_iter().map(Into::into).collect()),
            disallowed: SpecialSet::All,
            add_special_tokens: false,
        }
    }

    /// Encode every special token's string as its ID.
    pub fn allow_all() -> Self {
        Self {
            allowed: SpecialSet::All,
            disallowed: SpecialSet::None,
            add_special_tokens: false,
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
    /// How each special matches, by text (absent: exactly its string, anywhere).
    options: FxHashMap<String, MatchOptions>,
}

/// How a special token matches in text, as HF's added tokens may say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MatchOptions {
    /// Only where it is not inside a word.
    pub single_word: bool,
    /// The whitespace before it belongs to it.
    pub lstrip: bool,
    /// The whitespace after it belongs to it.
    pub rstrip: bool,
}

impl MatchOptions {
    /// The range a match of `text[start..end]` takes under these options (`covered`: where the
    /// previous match ended), or `None` where `single_word` rules it out.
    pub(crate) fn apply(
        &self,
        text: &str,
        start: usize,
        end: usize,
        covered: usize,
    ) -> Option<(usize, usize)> {
        let is_word = |c: char| c.is_alphanumeric() || c == '_';
        if self.single_word
            && (text[..start].chars().next_back().is_some_and(is_word)
                || text[end..].chars().next().is_some_and(is_word))
        {
            return None;
        }
        let start = match self.lstrip {
            true => text[..start].trim_end().len().max(covered),
            false => start,
        };
        let end = match self.rstrip {
            true => text.len() - text[end..].trim_start().len(),
            false => end,
        };
        Some((start, end))
    }
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
            options: FxHashMap::default(),
        })
    }

    /// The same table, with matching options for some specials (by text).
    pub fn with_options(
        mut self,
        options: impl IntoIterator<Item = (String, MatchOptions)>,
    ) -> Self {
        self.options.extend(
            options
                .into_iter()
                .filter(|(_, o)| *o != MatchOptions::default()),
        );
        self
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
        let mut out: Vec<SpecialMatch> = Vec::new();
        for m in splitter.find_iter(text) {
            let name = &text[m.start()..m.end()];
            let covered = out.last().map_or(0, |last| last.end);
            let options = self.options.get(name).copied().unwrap_or_default();
            let Some((start, end)) = options.apply(text, m.start(), m.end(), covered) else {
                continue;
            };
            out.push(SpecialMatch {
                start,
                end,
                // The splitter matches only `allowed` names, and `resolve` checked that each
                // of them is in `by_text`.
                id: self.by_text[name],
            });
        }
        Ok(out)
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
