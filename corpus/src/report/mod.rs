//! Compression per language: how many tokens each tokenizer needs for each language's text.
//!
//! - [`input`]: the text of each language, from a folder of `<language>.txt` files, from JSON
//!   Lines with a language field, or from parallel JSON Lines (a translation and its reference
//!   text on each line).
//! - [`compute`]: bytes, chars and tokens per language and tokenizer, counted in parallel.
//! - [`Report`]: the counts, with the derived figures — bytes and chars per token, the ratio of
//!   each tokenizer's tokens to the baseline tokenizer's, the premium of a language (its tokens
//!   over the tokens of the same content in the reference language) — and a [`Summary`]
//!   (totals, the [`gini`] coefficient of premiums, the worst language).
//! - [`format`]: the report as an aligned table, JSON or CSV; `plot` (feature `plot`): as a PNG or
//!   SVG bar chart.
//!
//! Special tokens' strings (`<|endoftext|>`) are counted as ordinary text. Results do not depend
//! on the number of threads.

pub mod count;
pub mod format;
pub mod input;
#[cfg(feature = "plot")]
pub mod plot;

use std::cmp::Ordering;
use std::sync::Arc;

use omnitok_tokenizer::Tokenizer;

pub use crate::error::{CorpusError, Result};
pub use count::{Counter, Role};
pub use input::{measure_input, read_input, InputOptions};

/// Where the content of a language can be found in the reference language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// None: the language has no premium.
    None,
    /// All of another language's text, by index in [`Corpus::languages`] (parallel files).
    Language(usize),
    /// Texts in the reference language aligned with this language's (parallel JSON Lines).
    Texts(Vec<String>),
}

/// The text of one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguageText {
    /// The language's name: a file stem or the value of the language field.
    pub lang: String,
    /// Documents, each tokenized on its own: a whole file, or one JSON line's text.
    pub texts: Vec<String>,
    /// The same content in the reference language.
    pub reference: Reference,
}

/// Text per language, ready to be measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corpus {
    /// Languages in report order.
    pub languages: Vec<LanguageText>,
    /// The reference language of premiums, when the texts are parallel.
    pub reference: Option<String>,
}

impl Corpus {
    /// A corpus from texts in memory, in the given order. With `reference`, the texts are taken
    /// to say the same thing in every language, and `reference` must be one of the languages.
    pub fn from_texts(
        languages: Vec<(String, Vec<String>)>,
        reference: Option<&str>,
    ) -> Result<Self> {
        if languages.is_empty() {
            return Err(CorpusError::BadParameter("no languages given".into()));
        }
        for (i, (lang, _)) in languages.iter().enumerate() {
            if languages[..i].iter().any(|(other, _)| other == lang) {
                return Err(CorpusError::BadParameter(format!(
                    "language {lang:?} is given twice"
                )));
            }
        }
        let names: Vec<&str> = languages.iter().map(|(lang, _)| lang.as_str()).collect();
        let reference_index = reference
            .map(|name| {
                names.iter().position(|lang| *lang == name).ok_or_else(|| {
                    CorpusError::BadParameter(format!(
                        "unknown reference language {name:?}: the languages are {}",
                        names.join(", ")
                    ))
                })
            })
            .transpose()?;
        let languages = languages
            .into_iter()
            .map(|(lang, texts)| LanguageText {
                lang,
                texts,
                reference: reference_index.map_or(Reference::None, Reference::Language),
            })
            .collect();
        Ok(Self {
            languages,
            reference: reference.map(str::to_string),
        })
    }
}

/// Counts of one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguageStats {
    /// The language's name.
    pub lang: String,
    /// UTF-8 bytes of its text.
    pub bytes: u64,
    /// Unicode scalar values of its text.
    pub chars: u64,
    /// Tokens, one count per tokenizer in [`Report::tokenizers`] order.
    pub tokens: Vec<u64>,
    /// Tokens of the same content in the reference language, per tokenizer; `None` without a
    /// reference.
    pub reference_tokens: Option<Vec<u64>>,
}

impl LanguageStats {
    /// UTF-8 bytes per token of tokenizer `t` (`None` for no tokens).
    pub fn bytes_per_token(&self, t: usize) -> Option<f64> {
        ratio(self.bytes, self.tokens[t])
    }

    /// Chars per token of tokenizer `t` (`None` for no tokens).
    pub fn chars_per_token(&self, t: usize) -> Option<f64> {
        ratio(self.chars, self.tokens[t])
    }

    /// Tokens of tokenizer `t` over tokens of tokenizer `baseline`: 4.4 when `t` needs 4.4 times
    /// as many tokens as the baseline (`None` when the baseline has no tokens).
    pub fn ratio_vs(&self, t: usize, baseline: usize) -> Option<f64> {
        ratio(self.tokens[t], self.tokens[baseline])
    }

    /// The premium under tokenizer `t`: tokens of this language over tokens of the same content
    /// in the reference language (`None` without a reference, or when it has no tokens).
    pub fn premium(&self, t: usize) -> Option<f64> {
        let reference = self.reference_tokens.as_ref()?;
        ratio(self.tokens[t], reference[t])
    }
}

fn ratio(numerator: u64, denominator: u64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

/// A compression report: counts per language and tokenizer.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Tokenizer names, in the order given.
    pub tokenizers: Vec<String>,
    /// Index in [`Report::tokenizers`] of the tokenizer that ratios compare against.
    pub baseline: usize,
    /// The reference language of premiums, when the texts are parallel.
    pub reference: Option<String>,
    /// One entry per language, in report order.
    pub languages: Vec<LanguageStats>,
}

/// How [`Report::sort`] orders languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    /// By name.
    Lang,
    /// Most tokens of the first tokenizer first.
    Tokens,
    /// Highest ratio against the baseline first, for the first tokenizer that is not the
    /// baseline.
    Ratio,
    /// Highest premium of the first tokenizer first.
    Premium,
}

/// Which figure made a language the worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorstBy {
    /// The highest premium (parallel texts).
    Premium,
    /// The fewest UTF-8 bytes per token (texts that are not parallel).
    BytesPerToken,
}

/// The worst language under one tokenizer.
#[derive(Debug, Clone, PartialEq)]
pub struct Worst {
    /// The language.
    pub lang: String,
    /// The measure that ranks it worst.
    pub by: WorstBy,
    /// Its premium, or its bytes per token.
    pub value: f64,
}

/// Totals and comparisons over all languages.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Number of languages.
    pub languages: usize,
    /// Total UTF-8 bytes.
    pub bytes: u64,
    /// Total chars.
    pub chars: u64,
    /// Total tokens per tokenizer.
    pub tokens: Vec<u64>,
    /// Gini coefficient of the languages' premiums, per tokenizer (`None` without premiums).
    pub premium_gini: Option<Vec<Option<f64>>>,
    /// The worst language per tokenizer.
    pub worst: Vec<Option<Worst>>,
}

impl Summary {
    /// Total bytes per token of tokenizer `t`.
    pub fn bytes_per_token(&self, t: usize) -> Option<f64> {
        ratio(self.bytes, self.tokens[t])
    }

    /// Total chars per token of tokenizer `t`.
    pub fn chars_per_token(&self, t: usize) -> Option<f64> {
        ratio(self.chars, self.tokens[t])
    }

    /// Total tokens of tokenizer `t` over total tokens of tokenizer `baseline`.
    pub fn ratio_vs(&self, t: usize, baseline: usize) -> Option<f64> {
        ratio(self.tokens[t], self.tokens[baseline])
    }
}

impl Report {
    /// The baseline tokenizer's name.
    pub fn baseline_name(&self) -> &str {
        &self.tokenizers[self.baseline]
    }

    /// Totals, the Gini coefficient of premiums and the worst language per tokenizer.
    pub fn summary(&self) -> Summary {
        let n = self.tokenizers.len();
        let mut tokens = vec![0u64; n];
        for language in &self.languages {
            for (sum, count) in tokens.iter_mut().zip(&language.tokens) {
                *sum += count;
            }
        }
        let has_premiums = self.languages.iter().any(|l| l.reference_tokens.is_some());
        let premium_gini = has_premiums.then(|| {
            (0..n)
                .map(|t| {
                    let premiums: Vec<f64> =
                        self.languages.iter().filter_map(|l| l.premium(t)).collect();
                    gini(&premiums)
                })
                .collect()
        });
        let worst = (0..n)
            .map(|t| {
                // The highest premium; without premiums, the fewest bytes per token. Ties go to
                // the language listed first.
                let (by, sign) = if has_premiums {
                    (WorstBy::Premium, 1.0)
                } else {
                    (WorstBy::BytesPerToken, -1.0)
                };
                let mut worst: Option<(&str, f64)> = None;
                for l in &self.languages {
                    let value = match by {
                        WorstBy::Premium => l.premium(t),
                        WorstBy::BytesPerToken => l.bytes_per_token(t),
                    };
                    if let Some(value) = value {
                        if worst.is_none_or(|(_, w)| sign * value > sign * w) {
                            worst = Some((&l.lang, value));
                        }
                    }
                }
                worst.map(|(lang, value)| Worst {
                    lang: lang.to_string(),
                    by,
                    value,
                })
            })
            .collect();
        Summary {
            languages: self.languages.len(),
            bytes: self.languages.iter().map(|l| l.bytes).sum(),
            chars: self.languages.iter().map(|l| l.chars).sum(),
            tokens,
            premium_gini,
            worst,
        }
    }

    /// Reorders the languages; ties (and languages without the figure, placed last) keep name
    /// order.
    pub fn sort(&mut self, by: SortBy) {
        let first_other = (0..self.tokenizers.len())
            .find(|&t| t != self.baseline)
            .unwrap_or(self.baseline);
        let baseline = self.baseline;
        let key = |l: &LanguageStats| -> Option<f64> {
            match by {
                SortBy::Lang => None,
                SortBy::Tokens => Some(l.tokens[0] as f64),
                SortBy::Ratio => l.ratio_vs(first_other, baseline),
                SortBy::Premium => l.premium(0),
            }
        };
        self.languages.sort_by(|a, b| {
            let by_value = match (key(a), key(b)) {
                (Some(x), Some(y)) => y.partial_cmp(&x).unwrap_or(Ordering::Equal),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            };
            by_value.then_with(|| a.lang.cmp(&b.lang))
        });
    }
}

/// The Gini coefficient of `values` (non-negative): half the mean absolute difference of all
/// ordered pairs over the mean, from 0 (all equal) to (n - 1) / n (all in one). `None` for no
/// values or a zero sum.
pub fn gini(values: &[f64]) -> Option<f64> {
    let n = values.len() as f64;
    let sum: f64 = values.iter().sum();
    if values.is_empty() || sum <= 0.0 {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    // With x sorted ascending and i counted from 1: G = 2 Σ i·x_i / (n Σ x) - (n + 1) / n.
    let weighted: f64 = sorted
        .iter()
        .enumerate()
        .map(|(i, x)| (i + 1) as f64 * x)
        .sum();
    Some((2.0 * weighted / (n * sum) - (n + 1.0) / n).max(0.0))
}

/// Measures `corpus` with every tokenizer, named as given; ratios compare against `baseline`
/// (the first tokenizer when `None`).
pub fn compute(
    corpus: &Corpus,
    tokenizers: &[(String, Arc<Tokenizer>)],
    baseline: Option<&str>,
) -> Result<Report> {
    let mut counter = Counter::new(tokenizers, baseline)?;
    for language in &corpus.languages {
        let slot = counter.language(&language.lang);
        match &language.reference {
            Reference::None => {}
            Reference::Language(i) => {
                let named = corpus.languages.get(*i).map(|l| l.lang.as_str());
                if named.is_none() || named != corpus.reference.as_deref() {
                    return Err(CorpusError::BadParameter(format!(
                        "{}: reference language index {i} is not the reference language {:?}",
                        language.lang, corpus.reference
                    )));
                }
            }
            Reference::Texts(texts) => {
                counter.expect_reference_texts(slot);
                for text in texts {
                    counter.add(slot, Role::Reference, text.clone())?;
                }
            }
        }
        for text in &language.texts {
            counter.add(slot, Role::Own, text.clone())?;
        }
    }
    counter.finish(corpus.reference.as_deref(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn gini_of_hand_computed_examples() {
        // 1, 2, 3, 4: the 12 ordered pairs differ by 20 in all; mean 2.5;
        // G = 20 / (2 · 4² · 2.5) = 0.25.
        assert!(close(gini(&[1.0, 2.0, 3.0, 4.0]).unwrap(), 0.25));
        // Order does not matter.
        assert!(close(gini(&[4.0, 1.0, 3.0, 2.0]).unwrap(), 0.25));
        // All equal: 0.
        assert!(close(gini(&[1.3, 1.3, 1.3]).unwrap(), 0.0));
        // Everything in one of three: differences 4 · 1 = 4; G = 4 / (2 · 9 · 1/3) = 2/3.
        assert!(close(gini(&[0.0, 0.0, 1.0]).unwrap(), 2.0 / 3.0));
        // Premiums 1, 1.5, 3: pairs |0.5|, |2|, |1.5| twice = 8; mean 11/6;
        // G = 8 / (2 · 9 · 11/6) = 8/33.
        assert!(close(gini(&[1.0, 1.5, 3.0]).unwrap(), 8.0 / 33.0));
        assert_eq!(gini(&[]), None);
        assert_eq!(gini(&[0.0, 0.0]), None);
        assert!(close(gini(&[2.0]).unwrap(), 0.0));
    }

    fn encodings(names: &[&str]) -> Vec<(String, Arc<Tokenizer>)> {
        names
            .iter()
            .map(|n| (n.to_string(), omnitok_tokenizer::get_encoding(n).unwrap()))
            .collect()
    }

    fn texts(pairs: &[(&str, &str)]) -> Vec<(String, Vec<String>)> {
        pairs
            .iter()
            .map(|(l, t)| (l.to_string(), vec![t.to_string()]))
            .collect()
    }

    #[test]
    fn counts_ratios_and_premiums_agree_with_encode() {
        let pairs = [
            (
                "en",
                "Hello, my name is GPT-4o. I'm a new type of language model.",
            ),
            (
                "ru",
                "Привет, меня зовут GPT-4o. Я — новая языковая модель.",
            ),
            (
                "hi",
                "नमस्ते, मेरा नाम जीपीटी-4o है। मैं एक नए प्रकार का भाषा मॉडल हूँ।",
            ),
        ];
        let corpus = Corpus::from_texts(texts(&pairs), Some("en")).unwrap();
        let tokenizers = encodings(&["cl100k_base", "o200k_base"]);
        let report = compute(&corpus, &tokenizers, Some("o200k_base")).unwrap();
        assert_eq!(report.baseline, 1);
        assert_eq!(report.reference.as_deref(), Some("en"));
        let encoded = |t: usize, text: &str| tokenizers[t].1.encode(text).unwrap().len() as u64;
        for (stats, (lang, text)) in report.languages.iter().zip(pairs) {
            assert_eq!(stats.lang, lang);
            assert_eq!(stats.bytes, text.len() as u64);
            assert_eq!(stats.chars, text.chars().count() as u64);
            for t in 0..2 {
                assert_eq!(stats.tokens[t], encoded(t, text));
                let ratio = encoded(t, text) as f64 / encoded(1, text) as f64;
                assert_eq!(stats.ratio_vs(t, 1), Some(ratio));
                let premium = encoded(t, text) as f64 / encoded(t, pairs[0].1) as f64;
                assert_eq!(stats.premium(t), Some(premium));
            }
        }
        let summary = report.summary();
        assert_eq!(summary.languages, 3);
        assert_eq!(
            summary.tokens[0],
            report.languages.iter().map(|l| l.tokens[0]).sum::<u64>()
        );
        let worst = summary.worst[0].as_ref().unwrap();
        assert_eq!((worst.lang.as_str(), worst.by), ("hi", WorstBy::Premium));
        let premiums: Vec<f64> = report
            .languages
            .iter()
            .map(|l| l.premium(0).unwrap())
            .collect();
        assert_eq!(summary.premium_gini.unwrap()[0], gini(&premiums));
    }

    #[test]
    fn without_reference_the_worst_has_fewest_bytes_per_token() {
        let corpus = Corpus::from_texts(
            texts(&[
                ("a", "aaaa aaaa aaaa"),
                ("b", "ქართული ენა"),
                ("c", "hello world"),
            ]),
            None,
        )
        .unwrap();
        let report = compute(&corpus, &encodings(&["cl100k_base"]), None).unwrap();
        assert!(report.languages.iter().all(|l| l.premium(0).is_none()));
        let summary = report.summary();
        assert_eq!(summary.premium_gini, None);
        let worst = summary.worst[0].as_ref().unwrap();
        assert_eq!(worst.by, WorstBy::BytesPerToken);
        let lowest = report
            .languages
            .iter()
            .min_by(|x, y| {
                x.bytes_per_token(0)
                    .unwrap()
                    .total_cmp(&y.bytes_per_token(0).unwrap())
            })
            .unwrap();
        assert_eq!(worst.lang, lowest.lang);
        assert_eq!(worst.lang, "b");
    }

    #[test]
    fn special_token_strings_count_as_text() {
        let corpus = Corpus::from_texts(texts(&[("x", "a<|endoftext|>b")]), None).unwrap();
        let tokenizers = encodings(&["o200k_base"]);
        let report = compute(&corpus, &tokenizers, None).unwrap();
        let ordinary = tokenizers[0].1.encode_ordinary("a<|endoftext|>b").unwrap();
        assert_eq!(report.languages[0].tokens[0], ordinary.len() as u64);
        assert!(report.languages[0].tokens[0] > 3);
    }

    #[test]
    fn bad_parameters_are_errors() {
        let corpus = Corpus::from_texts(texts(&[("en", "hi")]), None).unwrap();
        let tokenizers = encodings(&["o200k_base"]);
        let e = compute(&corpus, &tokenizers, Some("gpt2")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid parameter: unknown baseline \"gpt2\": the tokenizers are o200k_base"
        );
        let e = compute(&corpus, &[], None).unwrap_err();
        assert!(e.to_string().contains("no tokenizer"), "{e}");
        let twice = [tokenizers[0].clone(), tokenizers[0].clone()];
        assert!(compute(&corpus, &twice, None).is_err());
        let e = Corpus::from_texts(texts(&[("en", "hi")]), Some("fr")).unwrap_err();
        assert!(
            e.to_string().contains("unknown reference language \"fr\""),
            "{e}"
        );
        assert!(Corpus::from_texts(texts(&[("en", "a"), ("en", "b")]), None).is_err());
        assert!(Corpus::from_texts(Vec::new(), None).is_err());
    }

    #[test]
    fn sorting_orders_by_figure_then_name() {
        let corpus = Corpus::from_texts(
            texts(&[("b", "hello"), ("a", "hello"), ("c", "नमस्ते नमस्ते")]),
            Some("a"),
        )
        .unwrap();
        let mut report = compute(
            &corpus,
            &encodings(&["cl100k_base", "o200k_base"]),
            Some("o200k_base"),
        )
        .unwrap();
        report.sort(SortBy::Premium);
        let order: Vec<&str> = report.languages.iter().map(|l| l.lang.as_str()).collect();
        assert_eq!(order, ["c", "a", "b"]);
        report.sort(SortBy::Lang);
        let order: Vec<&str> = report.languages.iter().map(|l| l.lang.as_str()).collect();
        assert_eq!(order, ["a", "b", "c"]);
        report.sort(SortBy::Ratio);
        assert_eq!(report.languages[0].lang, "c");
    }
}
