//! Pre-tokenizers: normalized text cut into the words a model encodes one by one, some of
//! them also rewriting the words (ByteLevel's byte chars, Metaspace's `▁`).

use std::sync::OnceLock;

use crate::error::Result;
use crate::pipeline::normalize::is_bert_punctuation;
use crate::pipeline::split::{split, Behavior, Pattern};
use crate::pretokenize::{Pretokenizer, GPT2_PATTERN};

/// A word on its way to the model, and whether it starts where the input starts.
#[derive(Debug, Clone)]
pub struct Word {
    /// The word's text.
    pub text: String,
    /// True for the word at offset 0 of the input (Metaspace's `first` prepends only there).
    pub at_start: bool,
}

/// When Metaspace puts its replacement char before a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrependScheme {
    /// Before every word that does not start with it.
    Always,
    /// Only before the input's first word.
    First,
    /// Never.
    Never,
}

/// One step of a tokenizer.json `pre_tokenizer`.
#[derive(Debug)]
pub enum PreTokenizer {
    /// Bytes as GPT-2's byte chars, split by GPT-2's regex unless `use_regex` is false.
    ByteLevel {
        add_prefix_space: bool,
        use_regex: bool,
    },
    /// Spaces become `replacement`, which may start each word and split words.
    Metaspace {
        replacement: char,
        prepend_scheme: PrependScheme,
        split: bool,
    },
    /// A split at a regex (string patterns are escaped into one).
    Split {
        pattern: fancy_regex::Regex,
        behavior: Behavior,
        invert: bool,
    },
    /// Runs of word chars and runs of other non-space chars (`\w+|[^\w\s]+`).
    Whitespace,
    /// Splits at whitespace, dropping it.
    WhitespaceSplit,
    /// Splits at whitespace (dropped) and around each punctuation char.
    Bert,
    /// Splits at punctuation chars.
    Punctuation(Behavior),
    /// Splits digits off, one by one or in runs.
    Digits { individual: bool },
    /// Splits at one char, dropping it.
    CharDelimiter(char),
    /// Steps applied in order.
    Sequence(Vec<PreTokenizer>),
}

/// GPT-2's pre-tokenizer, as ByteLevel uses it.
fn gpt2() -> &'static Pretokenizer {
    static GPT2: OnceLock<Pretokenizer> = OnceLock::new();
    GPT2.get_or_init(|| match Pretokenizer::new(GPT2_PATTERN) {
        Ok(pretokenizer) => pretokenizer,
        // The built-in pattern is recognised, so `new` never fails on it.
        Err(_) => unreachable!("GPT-2's pattern is built in"),
    })
}

/// `\w+|[^\w\s]+`, the Whitespace pre-tokenizer's words.
fn word_regex() -> &'static fancy_regex::Regex {
    static WORDS: OnceLock<fancy_regex::Regex> = OnceLock::new();
    WORDS.get_or_init(|| match fancy_regex::Regex::new(r"\w+|[^\w\s]+") {
        Ok(regex) => regex,
        Err(_) => unreachable!("the pattern is valid"),
    })
}

impl PreTokenizer {
    /// `words` cut (and rewritten) by this step.
    pub fn apply(&self, words: Vec<Word>) -> Result<Vec<Word>> {
        if let Self::Sequence(steps) = self {
            let mut words = words;
            for step in steps {
                words = step.apply(words)?;
            }
            return Ok(words);
        }
        let mut out = Vec::with_capacity(words.len());
        for word in words {
            self.apply_one(word, &mut out)?;
        }
        Ok(out)
    }

    fn apply_one(&self, word: Word, out: &mut Vec<Word>) -> Result<()> {
        let mut push_ranges = |text: &str, ranges: Vec<(usize, usize)>, at_start: bool| {
            for (start, end) in ranges {
                out.push(Word {
                    text: text[start..end].to_string(),
                    at_start: at_start && start == 0,
                });
            }
        };
        match self {
            Self::ByteLevel {
                add_prefix_space,
                use_regex,
            } => {
                let mut text = word.text;
                if *add_prefix_space && !text.starts_with(' ') {
                    text.insert(0, ' ');
                }
                let mut ranges = Vec::new();
                if *use_regex {
                    gpt2().for_each_piece(&text, |s, e| ranges.push((s, e)))?;
                } else if !text.is_empty() {
                    ranges.push((0, text.len()));
                }
                for (start, end) in ranges {
                    out.push(Word {
                        text: crate::hf_json::to_byte_level(&text.as_bytes()[start..end]),
                        at_start: word.at_start && start == 0,
                    });
                }
            }
            Self::Metaspace {
                replacement,
                prepend_scheme,
                split: split_words,
            } => {
                let mut text = word.text.replace(' ', replacement.encode_utf8(&mut [0; 4]));
                let prepend = match prepend_scheme {
                    PrependScheme::Always => true,
                    PrependScheme::First => word.at_start,
                    PrependScheme::Never => false,
                };
                if prepend && !text.starts_with(*replacement) {
                    text.insert(0, *replacement);
                }
                if *split_words {
                    let is_replacement = |c: char| c == *replacement;
                    let ranges = split(
                        &text,
                        &Pattern::Char(&is_replacement),
                        false,
                        Behavior::MergedWithNext,
                    )?;
                    push_ranges(&text, ranges, word.at_start);
                } else if !text.is_empty() {
                    out.push(Word {
                        text,
                        at_start: word.at_start,
                    });
                }
            }
            Self::Split {
                pattern,
                behavior,
                invert,
            } => {
                let ranges = split(&word.text, &Pattern::Regex(pattern), *invert, *behavior)?;
                push_ranges(&word.text, ranges, word.at_start);
            }
            Self::Whitespace => {
                let ranges = split(
                    &word.text,
                    &Pattern::Regex(word_regex()),
                    true,
                    Behavior::Removed,
                )?;
                push_ranges(&word.text, ranges, word.at_start);
            }
            Self::WhitespaceSplit => {
                let is_space = |c: char| c.is_whitespace();
                let ranges = split(
                    &word.text,
                    &Pattern::Char(&is_space),
                    false,
                    Behavior::Removed,
                )?;
                push_ranges(&word.text, ranges, word.at_start);
            }
            Self::Bert => {
                let is_space = |c: char| c.is_whitespace();
                let is_punct = |c: char| is_bert_punctuation(c);
                for (start, end) in split(
                    &word.text,
                    &Pattern::Char(&is_space),
                    false,
                    Behavior::Removed,
                )? {
                    let part = &word.text[start..end];
                    let ranges = split(part, &Pattern::Char(&is_punct), false, Behavior::Isolated)?;
                    push_ranges(part, ranges, word.at_start && start == 0);
                }
            }
            Self::Punctuation(behavior) => {
                let is_punct = |c: char| is_bert_punctuation(c);
                let ranges = split(&word.text, &Pattern::Char(&is_punct), false, *behavior)?;
                push_ranges(&word.text, ranges, word.at_start);
            }
            Self::Digits { individual } => {
                let is_digit = |c: char| c.is_numeric();
                let behavior = if *individual {
                    Behavior::Isolated
                } else {
                    Behavior::Contiguous
                };
                let ranges = split(&word.text, &Pattern::Char(&is_digit), false, behavior)?;
                push_ranges(&word.text, ranges, word.at_start);
            }
            Self::CharDelimiter(delimiter) => {
                let is_delimiter = |c: char| c == *delimiter;
                let ranges = split(
                    &word.text,
                    &Pattern::Char(&is_delimiter),
                    false,
                    Behavior::Removed,
                )?;
                push_ranges(&word.text, ranges, word.at_start);
            }
            Self::Sequence(_) => {
                for word in self.apply(vec![word])? {
                    out.push(word);
                }
            }
        }
        Ok(())
    }
}

/// A literal string as a regex that matches exactly it.
pub(crate) fn literal_regex(text: &str) -> std::result::Result<fancy_regex::Regex, String> {
    fancy_regex::Regex::new(&fancy_regex::escape(text)).map_err(|e| e.to_string())
}
