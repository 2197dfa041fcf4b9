//! Counting bytes, chars and tokens per language as texts arrive, a batch at a time, so that a
//! corpus is measured without being held in memory.

use std::collections::HashMap;
use std::sync::Arc;

use omnitok_tokenizer::{SpecialPolicy, Tokenizer};
use rayon::prelude::*;

use super::{LanguageStats, Report};
use crate::error::{CorpusError, Result};

/// Texts of this many bytes (or more) are counted together, in parallel.
const BATCH_BYTES: usize = 16 << 20;

/// What a text is to its language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The language's own text.
    Own,
    /// The reference language's text of the same content (a parallel pair's other side).
    Reference,
}

/// Counts of one language so far.
struct Tally {
    lang: String,
    bytes: u64,
    chars: u64,
    tokens: Vec<u64>,
    /// Tokens of its reference texts, once it has been given any (or told to expect them).
    reference_tokens: Option<Vec<u64>>,
}

/// Counts per language and tokenizer, fed text by text ([`Counter::add`]).
pub struct Counter<'t> {
    tokenizers: &'t [(String, Arc<Tokenizer>)],
    baseline: usize,
    languages: Vec<Tally>,
    slots: HashMap<String, usize>,
    batch: Vec<(usize, Role, String)>,
    batch_bytes: usize,
    /// Texts are counted once the batch holds this many bytes.
    batch_limit: usize,
    /// Special-token strings are text; the template's tokens are added on request.
    policy: SpecialPolicy,
}

impl<'t> Counter<'t> {
    /// A counter for `tokenizers` (their names distinct), ratios against `baseline` (the first
    /// when `None`).
    pub fn new(tokenizers: &'t [(String, Arc<Tokenizer>)], baseline: Option<&str>) -> Result<Self> {
        if tokenizers.is_empty() {
            return Err(CorpusError::BadParameter("no tokenizer given".into()));
        }
        let names: Vec<&str> = tokenizers.iter().map(|(name, _)| name.as_str()).collect();
        for (i, name) in names.iter().enumerate() {
            if names[..i].contains(name) {
                return Err(CorpusError::BadParameter(format!(
                    "tokenizer {name:?} is given twice"
                )));
            }
        }
        let baseline = match baseline {
            None => 0,
            Some(wanted) => names.iter().position(|n| *n == wanted).ok_or_else(|| {
                CorpusError::BadParameter(format!(
                    "unknown baseline {wanted:?}: the tokenizers are {}",
                    names.join(", ")
                ))
            })?,
        };
        Ok(Self {
            tokenizers,
            baseline,
            languages: Vec::new(),
            slots: HashMap::new(),
            batch: Vec::new(),
            batch_bytes: 0,
            batch_limit: BATCH_BYTES,
            policy: SpecialPolicy::as_text(),
        })
    }

    /// The same counter, counting each text with the special tokens its tokenizer's
    /// post-processor adds when `add` is true.
    pub fn adding_special_tokens(mut self, add: bool) -> Self {
        self.policy = SpecialPolicy::as_text().adding_special_tokens(add);
        self
    }

    /// The slot of language `lang`, made on first sight: languages keep that order.
    pub fn language(&mut self, lang: &str) -> usize {
        if let Some(&slot) = self.slots.get(lang) {
            return slot;
        }
        let slot = self.languages.len();
        self.slots.insert(lang.to_owned(), slot);
        self.languages.push(Tally {
            lang: lang.to_owned(),
            bytes: 0,
            chars: 0,
            tokens: vec![0; self.tokenizers.len()],
            reference_tokens: None,
        });
        slot
    }

    /// Marks the language in `slot` as measured against reference texts of its own (its
    /// premium is over them), even before any arrives.
    pub fn expect_reference_texts(&mut self, slot: usize) {
        let n = self.tokenizers.len();
        self.languages[slot]
            .reference_tokens
            .get_or_insert_with(|| vec![0; n]);
    }

    /// Adds a text of the language in `slot`; counted with the next batch.
    pub fn add(&mut self, slot: usize, role: Role, text: String) -> Result<()> {
        if role == Role::Reference {
            self.expect_reference_texts(slot);
        }
        self.batch_bytes += text.len();
        self.batch.push((slot, role, text));
        if self.batch_bytes >= self.batch_limit {
            self.count_batch()?;
        }
        Ok(())
    }

    /// Counts the texts waiting, in parallel; the error reported is the first in input order.
    fn count_batch(&mut self) -> Result<()> {
        let policy = &self.policy;
        let tokenizers = self.tokenizers;
        let counted: Vec<Result<Vec<u64>>> = self
            .batch
            .par_iter()
            .map(|(slot, _, text)| {
                tokenizers
                    .iter()
                    .map(|(name, tokenizer)| {
                        tokenizer
                            .count(text, policy)
                            .map(|n| n as u64)
                            .map_err(|source| CorpusError::Tokenizer {
                                context: format!("{}: {name}", self.languages[*slot].lang),
                                source,
                            })
                    })
                    .collect()
            })
            .collect();
        for ((slot, role, text), tokens) in self.batch.drain(..).zip(counted) {
            let tokens = tokens?;
            let tally = &mut self.languages[slot];
            let sums = match role {
                Role::Own => {
                    tally.bytes += text.len() as u64;
                    tally.chars += text.chars().count() as u64;
                    &mut tally.tokens
                }
                Role::Reference => tally
                    .reference_tokens
                    .get_or_insert_with(|| vec![0; tokens.len()]),
            };
            for (sum, n) in sums.iter_mut().zip(tokens) {
                *sum += n;
            }
        }
        self.batch_bytes = 0;
        Ok(())
    }

    /// The report: languages in the order first seen, `first` (when given) moved to the front.
    /// With `reference`, a language without reference texts of its own is measured against
    /// all of the reference language's text (a folder of translations; the reference language
    /// itself has a premium of 1).
    pub fn finish(mut self, reference: Option<&str>, first: Option<&str>) -> Result<Report> {
        self.count_batch()?;
        let reference_slot = match reference {
            Some(name) => Some(*self.slots.get(name).ok_or_else(|| {
                CorpusError::BadParameter(format!(
                    "unknown reference language {name:?}: the languages are {}",
                    self.languages
                        .iter()
                        .map(|l| l.lang.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?),
            None => None,
        };
        let reference_tokens: Option<Vec<u64>> =
            reference_slot.map(|r| self.languages[r].tokens.clone());
        let mut languages: Vec<LanguageStats> = self
            .languages
            .into_iter()
            .map(|tally| LanguageStats {
                lang: tally.lang,
                bytes: tally.bytes,
                chars: tally.chars,
                reference_tokens: tally.reference_tokens.or_else(|| reference_tokens.clone()),
                tokens: tally.tokens,
            })
            .collect();
        if let Some(at) = first.and_then(|name| languages.iter().position(|l| l.lang == name)) {
            let language = languages.remove(at);
            languages.insert(0, language);
        }
        Ok(Report {
            tokenizers: self
                .tokenizers
                .iter()
                .map(|(name, _)| name.clone())
                .collect(),
            baseline: self.baseline,
            reference: reference.map(str::to_owned),
            languages,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_do_not_depend_on_the_batches() {
        let tokenizers = vec![(
            "o200k_base".to_string(),
            omnitok_tokenizer::get_encoding("o200k_base").unwrap(),
        )];
        let texts = [
            ("en", Role::Own, "Hello world"),
            ("de", Role::Reference, "Hello world"),
            ("de", Role::Own, "Hallo Welt, wie geht's?"),
            ("en", Role::Own, "Good morning"),
        ];
        let report = |batch_limit: usize| {
            let mut counter = Counter::new(&tokenizers, None).unwrap();
            counter.batch_limit = batch_limit;
            for (lang, role, text) in texts {
                let slot = counter.language(lang);
                counter.add(slot, role, text.to_owned()).unwrap();
            }
            counter.finish(Some("en"), None).unwrap()
        };
        let one_by_one = report(1);
        assert_eq!(one_by_one, report(BATCH_BYTES));
        let de = &one_by_one.languages[1];
        assert_eq!((de.lang.as_str(), de.bytes), ("de", 23));
        assert_eq!(de.reference_tokens.as_deref(), Some(&[2][..]));
        // en has no reference texts of its own: it is measured against itself.
        assert_eq!(one_by_one.languages[0].premium(0), Some(1.0));
    }
}
