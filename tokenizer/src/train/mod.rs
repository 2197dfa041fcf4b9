//! Training byte-level BPE vocabularies.
//!
//! 1. Count the distinct pre-tokenized pieces of the training text, per language
//!    ([`PieceCounts`], with a [`PieceSplitter`]); counts of parts add up, so any number of
//!    threads can count.
//! 2. [`train`]: start from the 256 byte tokens and merge, one pair at a time, until the
//!    vocabulary has [`TrainConfig::vocab_size`] tokens (special tokens included) or no pair is
//!    left that occurs [`TrainConfig::min_frequency`] times.
//!
//! **Which pair.** Classical BPE merges the pair with the highest count over the whole corpus.
//! Counts are weighted per language when [`TrainConfig::lang_temperature`] is not 1 (see
//! [`temperature_weights`]). Parity-aware BPE ([`ParityConfig`]; Foroutan et al., 2025) first
//! finds the language that is currently worst compressed on a parallel development set — the
//! highest ratio of its tokens to the tokens of the same content in the reference language —
//! and merges the pair with the highest count in *that language's* training text; a language
//! with no pair left gives way to the next worst. Two variants of the paper: the first
//! [`ParityConfig::global_merges`] merges chosen classically (hybrid), and a moving window that
//! keeps any one language from taking more than its share of recent merges
//! ([`ParityConfig::window`]). A third, softer one ([`ParityConfig::weighted`]) weighs every
//! language's pair counts by how much worse than average it is compressed and merges the pair
//! with the highest weighted sum, so that a merge can serve several languages and the whole
//! corpus at once.
//!
//! **Ties** are broken by token IDs: among pairs of equal count, the one whose left token has the
//! lowest ID, then the one whose right token has the lowest ID. Byte tokens have their byte
//! value as ID, and the token made by the n-th merge that adds a token has ID 256 + n. Among
//! equally worst languages, the first by name. So the merges depend only on the counts, which
//! are sums: the same input gives the same merges for any number of threads, on every run.
//!
//! **Merges that make an existing token** (the pair `a` + `bc` after `ab` + `c` made `abc`) are
//! applied to the words but add no token, as in HF tokenizers. Pairs whose merged bytes would be
//! longer than [`TrainConfig::max_token_bytes`] are never merged.
//!
//! The result ([`Trained`]) becomes a [`Tokenizer`] whose token IDs are tiktoken ranks (the
//! order in which the tokens were made), so it saves as a rank file and as tokenizer.json, and
//! encodes identically in omnitok, tiktoken and HF tokenizers.

mod counts;
mod merges;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use omnitok_vocab::TokenId;
use rustc_hash::FxHashMap;

pub use counts::{temperature_weights, PieceCounts, PieceSplitter, WEIGHT_ONE};

use crate::bpe::BpeModel;
use crate::error::{Result, TokenizerError};
use crate::pretokenize::{Pretokenizer, CL100K_PATTERN, O200K_PATTERN};
use crate::special::SpecialTokens;
use crate::tokenizer::Tokenizer;
use merges::{pair_parts, Engine, Group};

/// The pattern name training uses when none is given.
pub const DEFAULT_PATTERN_NAME: &str = "o200k";

/// The pattern of a pattern name (`o200k`, `cl100k`, or an encoding name), or `name` itself
/// taken as a regex.
pub fn pattern_by_name(name: &str) -> &str {
    match name {
        "o200k" | "o200k_base" => O200K_PATTERN,
        "cl100k" | "cl100k_base" => CL100K_PATTERN,
        other => other,
    }
}

/// What to train.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// Tokens in the result, the 256 byte tokens and the special tokens included.
    pub vocab_size: usize,
    /// The pre-tokenization regex (see [`pattern_by_name`]).
    pub pattern: String,
    /// Special tokens, given IDs after the ordinary tokens in this order.
    pub specials: Vec<String>,
    /// Training stops when no pair occurs at least this often (in the weighted counts).
    pub min_frequency: u64,
    /// Longest token, in bytes; `None` for no limit.
    pub max_token_bytes: Option<usize>,
    /// `T` of `p(l) ∝ n(l)^T`; 1 keeps the natural mix.
    pub lang_temperature: f64,
    /// Parity-aware merge choice; `None` for classical BPE.
    pub parity: Option<ParityConfig>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            vocab_size: 32_000,
            pattern: O200K_PATTERN.to_string(),
            specials: Vec::new(),
            min_frequency: 2,
            max_token_bytes: None,
            lang_temperature: 1.0,
            parity: None,
        }
    }
}

/// Parity-aware training: the development set whose per-language token counts steer it.
#[derive(Debug, Clone, Default)]
pub struct ParityConfig {
    /// One entry per language of the development set; each must be a training language.
    pub dev: Vec<DevLanguage>,
    /// The first this-many merges are chosen classically, from whole-corpus counts (the
    /// "hybrid" variant); 0 for none.
    pub global_merges: usize,
    /// The moving-window variant: a language chosen for more than `alpha / L` of the last
    /// `window` parity-chosen merges (`L` development-set languages) gives way to the next
    /// worst; `None` for the base variant.
    pub window: Option<ParityWindow>,
    /// The weighted variant, with this exponent `β`: each merge is the pair with the highest
    /// `Σ_l w_l · count_l(pair)` over the training languages, where a development-set language
    /// with premium `p_l` (its tokens over the reference's on the development set, as the
    /// merges go) weighs `max(1, p_l / p̄)^β`, with `p̄ = (1 + Σ_d p_d) / (1 + D)` over the `D`
    /// development-set languages (the reference's 1 counted once more, besides its own entry
    /// when the development set lists the reference language, as parallel JSON Lines read by
    /// `omnitok train` do), and every other language weighs 1. The pairs considered are the
    /// [`WEIGHTED_CANDIDATES`] most frequent of each language and of the whole corpus. `β = 0`
    /// is classical BPE; a large `β` approaches the base variant. `None` for the base variant.
    pub weighted: Option<f64>,
}

/// Pairs per language (and of the whole corpus) that the weighted variant scores at each merge.
pub const WEIGHTED_CANDIDATES: usize = 8;

/// See [`ParityConfig::window`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParityWindow {
    pub window: usize,
    pub alpha: f64,
}

impl ParityWindow {
    /// The `alpha` of a window when none is given.
    pub const DEFAULT_ALPHA: f64 = 2.0;
}

/// A language of a parallel development set: its texts, and the same content in the reference
/// language. For the reference language itself, `reference` holds its own texts.
#[derive(Debug, Clone)]
pub struct DevLanguage {
    pub lang: String,
    pub texts: Vec<String>,
    pub reference: Vec<String>,
}

/// Live counters of a training run, to show progress from another thread.
#[derive(Debug, Default)]
pub struct TrainProgress {
    /// Merges done.
    pub merges: AtomicU64,
    /// Merges wanted (vocabulary size minus bytes and specials).
    pub merges_total: AtomicU64,
    /// Set from another thread to stop: training then ends with
    /// [`TokenizerError::Interrupted`](crate::TokenizerError::Interrupted) before its next merge.
    pub stop: AtomicBool,
}

/// Why training stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The vocabulary reached its size.
    VocabSize,
    /// No pair (allowed by the length limit) occurs at least `min_frequency` times.
    MinFrequency,
}

/// One merge of training.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrainedMerge {
    pub left: TokenId,
    pub right: TokenId,
    /// The token the pair became (an existing one when the merge added none).
    pub token: TokenId,
    /// The pair's count when it was chosen (weighted, in units of [`WEIGHT_ONE`]).
    pub count: u64,
    /// Parity-aware training: the index (in [`Trained::languages`]) of the language the merge
    /// was chosen for; `None` when chosen from whole-corpus counts (classical training, the
    /// hybrid's first merges, the weighted variant).
    pub language: Option<usize>,
}

/// A trained vocabulary.
#[derive(Debug, Clone)]
pub struct Trained {
    /// Every merge, in order.
    pub merges: Vec<TrainedMerge>,
    /// The bytes of each ordinary token; the index is the ID.
    pub tokens: Vec<Vec<u8>>,
    pub specials: Vec<String>,
    pub pattern: String,
    /// Training languages, by name (the order of [`TrainedMerge::language`]).
    pub languages: Vec<String>,
    pub stop: StopReason,
}

impl Trained {
    /// The tokenizer: ordinary tokens by their IDs as ranks, then the special tokens.
    pub fn tokenizer(&self, name: &str) -> Result<Tokenizer> {
        let ranks = self
            .tokens
            .iter()
            .enumerate()
            .map(|(id, bytes)| (bytes.clone(), id as TokenId))
            .collect();
        let model = BpeModel::from_ranks(ranks).map_err(|e| {
            TokenizerError::BadParameter(format!("the trained vocabulary is inconsistent: {e:?}"))
        })?;
        let first_special = self.tokens.len() as TokenId;
        let specials = self
            .specials
            .iter()
            .enumerate()
            .map(|(i, text)| (text.clone(), first_special + i as TokenId))
            .collect();
        Tokenizer::new(
            name,
            Pretokenizer::new(&self.pattern)?,
            model,
            SpecialTokens::new(specials)?,
        )
    }
}

impl TrainConfig {
    /// Checks the settings that do not depend on the text.
    pub fn validate(&self) -> Result<()> {
        let bad = |message: String| Err(TokenizerError::BadParameter(message));
        for (i, special) in self.specials.iter().enumerate() {
            if special.is_empty() {
                return bad("a special token is the empty string".into());
            }
            if self.specials[..i].contains(special) {
                return bad(format!("special token {special:?} is given twice"));
            }
        }
        let least = 256 + self.specials.len();
        if self.vocab_size < least {
            return bad(format!(
                "vocabulary size {} is below the {least} tokens it must hold (256 bytes + {} \
                 special tokens)",
                self.vocab_size,
                self.specials.len()
            ));
        }
        if self.vocab_size > u32::MAX as usize / 2 {
            return bad(format!("vocabulary size {} is too large", self.vocab_size));
        }
        if self.max_token_bytes.is_some_and(|l| l < 2) {
            return bad("the longest token must be allowed at least 2 bytes".into());
        }
        if !(self.lang_temperature.is_finite() && self.lang_temperature > 0.0) {
            return bad(format!(
                "language temperature {} must be a positive number",
                self.lang_temperature
            ));
        }
        if let Some(parity) = &self.parity {
            if let Some(exponent) = parity.weighted {
                if !(exponent.is_finite() && exponent >= 0.0) {
                    return bad(format!(
                        "the weighted variant's exponent {exponent} must be a number of at \
                         least 0"
                    ));
                }
                if parity.window.is_some() {
                    return bad(
                        "the weighted variant and the moving window cannot be combined".into(),
                    );
                }
            }
        }
        self.splitter().map(|_| ())
    }

    /// The splitter for this configuration's pattern and special tokens.
    pub fn splitter(&self) -> Result<PieceSplitter> {
        PieceSplitter::new(pattern_by_name(&self.pattern), &self.specials)
    }
}

/// Trains on `counts` (see the module documentation).
pub fn train(
    counts: &PieceCounts,
    config: &TrainConfig,
    progress: &TrainProgress,
) -> Result<Trained> {
    config.validate()?;
    if counts.is_empty() {
        return Err(TokenizerError::BadParameter(
            "the training text is empty: there is nothing to learn merges from".into(),
        ));
    }
    let splitter = config.splitter()?;
    // Languages with text, by name, so that the result does not depend on the order text was
    // counted in.
    let mut languages: Vec<(String, usize)> = counts
        .language_names()
        .enumerate()
        .filter(|&(i, _)| counts.pieces(i).next().is_some())
        .map(|(i, name)| (name.to_string(), i))
        .collect();
    languages.sort();
    let names: Vec<String> = languages.iter().map(|(name, _)| name.clone()).collect();
    let bytes: Vec<u64> = languages
        .iter()
        .map(|&(_, i)| counts.text_bytes(i))
        .collect();
    let weights = temperature_weights(&bytes, config.lang_temperature);

    let mut setup = Setup::new(&names, config)?;
    let mut engine = Engine::new(
        setup.groups.clone(),
        setup.n_tables,
        2 * setup.dev_langs.len(),
    );
    let stopped = || progress.stop.load(Ordering::Relaxed);
    for (lang, &(_, source)) in languages.iter().enumerate() {
        let mut pieces: Vec<(&str, u64)> = counts.pieces(source).collect();
        pieces.sort_unstable();
        for (i, (piece, count)) in pieces.into_iter().enumerate() {
            if i % 4096 == 0 && stopped() {
                return Err(TokenizerError::Interrupted);
            }
            engine.add_word(piece.as_bytes(), count * weights[lang], lang);
        }
    }
    if let Some(parity) = &config.parity {
        for (d, dev) in parity.dev.iter().enumerate() {
            for (side, texts) in [(0, &dev.texts), (1, &dev.reference)] {
                let mut dev_counts = PieceCounts::new();
                let only = dev_counts.language("");
                for text in texts {
                    dev_counts.add_document(only, text, &splitter)?;
                }
                let mut pieces: Vec<(&str, u64)> = dev_counts.pieces(0).collect();
                pieces.sort_unstable();
                let group = setup.dev_group(d, side);
                for (piece, count) in pieces {
                    engine.add_word(piece.as_bytes(), count, group);
                }
            }
        }
    }
    engine.start();

    let n_ordinary = config.vocab_size - config.specials.len();
    let mut tokens: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
    let mut by_bytes: FxHashMap<Vec<u8>, TokenId> = tokens
        .iter()
        .enumerate()
        .map(|(id, bytes)| (bytes.clone(), id as TokenId))
        .collect();
    progress
        .merges_total
        .store((n_ordinary - 256) as u64, Ordering::Relaxed);
    let min_count = config.min_frequency.max(1).saturating_mul(WEIGHT_ONE);
    let max_len = config.max_token_bytes.unwrap_or(usize::MAX);
    let mut merges = Vec::new();
    let stop = loop {
        if stopped() {
            return Err(TokenizerError::Interrupted);
        }
        if tokens.len() >= n_ordinary {
            break StopReason::VocabSize;
        }
        let token_len = |id: TokenId| tokens[id as usize].len();
        let allowed = |pair| {
            let (l, r) = pair_parts(pair);
            token_len(l) + token_len(r) <= max_len
        };
        let Some((count, pair, language)) =
            setup.choose(&mut engine, merges.len(), min_count, allowed)
        else {
            break StopReason::MinFrequency;
        };
        let (left, right) = pair_parts(pair);
        let bytes = [tokens[left as usize].as_slice(), &tokens[right as usize]].concat();
        let token = match by_bytes.get(&bytes) {
            Some(&existing) => existing,
            None => {
                let id = tokens.len() as TokenId;
                by_bytes.insert(bytes.clone(), id);
                tokens.push(bytes);
                id
            }
        };
        engine.merge(pair, token);
        merges.push(TrainedMerge {
            left,
            right,
            token,
            count,
            language,
        });
        progress
            .merges
            .store((tokens.len() - 256) as u64, Ordering::Relaxed);
    };
    Ok(Trained {
        merges,
        tokens,
        specials: config.specials.clone(),
        pattern: pattern_by_name(&config.pattern).to_string(),
        languages: names,
        stop,
    })
}

/// How words, count tables and development-set slots are laid out for a configuration.
///
/// Classical: one table, fed by every language. Parity-aware: one table per language, plus a
/// whole-corpus table (the last) when some merges are chosen globally; development-set
/// language `d` has slots `2d` (its text) and `2d + 1` (the reference text).
struct Setup {
    groups: Vec<Group>,
    n_tables: usize,
    /// Per development-set language: its training language's index.
    dev_langs: Vec<usize>,
    n_languages: usize,
    global_merges: usize,
    parity: bool,
    window: Option<ParityWindow>,
    /// The weighted variant's exponent.
    weighted: Option<f64>,
    /// Development-set languages of the latest parity-chosen merges (moving-window variant).
    recent: std::collections::VecDeque<usize>,
}

impl Setup {
    fn new(languages: &[String], config: &TrainConfig) -> Result<Self> {
        let n = languages.len();
        let Some(parity) = &config.parity else {
            let groups = (0..n)
                .map(|_| Group {
                    tables: vec![0],
                    dev_slot: None,
                })
                .collect();
            return Ok(Self {
                groups,
                n_tables: 1,
                dev_langs: Vec::new(),
                n_languages: n,
                global_merges: 0,
                parity: false,
                window: None,
                weighted: None,
                recent: Default::default(),
            });
        };
        if parity.dev.is_empty() {
            return Err(TokenizerError::BadParameter(
                "parity-aware training needs a development set".into(),
            ));
        }
        // The whole-corpus table: for the hybrid's first merges, and the weighted variant's
        // candidates and counts.
        let global = parity.global_merges > 0 || parity.weighted.is_some();
        let mut groups: Vec<Group> = (0..n)
            .map(|l| Group {
                tables: if global { vec![l, n] } else { vec![l] },
                dev_slot: None,
            })
            .collect();
        let mut dev_langs = Vec::new();
        for (d, dev) in parity.dev.iter().enumerate() {
            let Some(lang) = languages.iter().position(|l| *l == dev.lang) else {
                return Err(TokenizerError::BadParameter(format!(
                    "development-set language {:?} has no training text (training languages: \
                     {})",
                    dev.lang,
                    languages.join(", ")
                )));
            };
            if parity.dev[..d].iter().any(|other| other.lang == dev.lang) {
                return Err(TokenizerError::BadParameter(format!(
                    "development-set language {:?} is given twice",
                    dev.lang
                )));
            }
            dev_langs.push(lang);
            for side in 0..2 {
                groups.push(Group {
                    tables: Vec::new(),
                    dev_slot: Some(2 * d + side),
                });
            }
        }
        Ok(Self {
            groups,
            n_tables: if global { n + 1 } else { n },
            dev_langs,
            n_languages: n,
            global_merges: parity.global_merges,
            parity: true,
            window: parity.window,
            weighted: parity.weighted,
            recent: Default::default(),
        })
    }

    /// The weighted variant's pair (see [`ParityConfig::weighted`]) among those with a
    /// whole-corpus count of at least `min_count`, with that count; among equal scores the
    /// lowest pair.
    fn weighted_best(
        &self,
        engine: &mut Engine,
        exponent: f64,
        min_count: u64,
        allowed: impl Fn(u64) -> bool + Copy,
    ) -> Option<(u64, u64)> {
        let premiums: Vec<f64> = (0..self.dev_langs.len())
            .map(|d| engine.dev_tokens(2 * d) as f64 / engine.dev_tokens(2 * d + 1).max(1) as f64)
            .collect();
        let mean = (premiums.iter().sum::<f64>() + 1.0) / (premiums.len() as f64 + 1.0);
        let mut weights = vec![1.0; self.n_languages];
        for (&lang, &premium) in self.dev_langs.iter().zip(&premiums) {
            weights[lang] = (premium / mean).max(1.0).powf(exponent);
        }
        let whole_corpus = self.n_languages;
        let mut candidates: Vec<u64> = (0..=whole_corpus)
            .flat_map(|table| engine.top(table, WEIGHTED_CANDIDATES, allowed))
            .map(|(_, pair)| pair)
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let mut best: Option<(f64, u64, u64)> = None;
        for pair in candidates {
            let count = engine.count(whole_corpus, pair);
            if count < min_count {
                continue;
            }
            let score: f64 = weights
                .iter()
                .enumerate()
                .map(|(lang, &w)| w * engine.count(lang, pair) as f64)
                .sum();
            if best.is_none_or(|(top, _, _)| score > top) {
                best = Some((score, count, pair));
            }
        }
        best.map(|(_, count, pair)| (count, pair))
    }

    /// The word group of side `side` (0 text, 1 reference) of development-set language `d`.
    fn dev_group(&self, d: usize, side: usize) -> usize {
        self.n_languages + 2 * d + side
    }

    /// The next pair to merge, with its count and the language it was chosen for.
    fn choose(
        &mut self,
        engine: &mut Engine,
        done: usize,
        min_count: u64,
        allowed: impl Fn(u64) -> bool + Copy,
    ) -> Option<(u64, u64, Option<usize>)> {
        let accept = |found: Option<(u64, u64)>| found.filter(|&(count, _)| count >= min_count);
        if !self.parity {
            return accept(engine.best(0, allowed)).map(|(c, p)| (c, p, None));
        }
        if done < self.global_merges {
            return accept(engine.best(self.n_languages, allowed)).map(|(c, p)| (c, p, None));
        }
        if let Some(exponent) = self.weighted {
            return self
                .weighted_best(engine, exponent, min_count, allowed)
                .map(|(c, p)| (c, p, None));
        }
        // Development-set languages, worst compressed first (highest tokens over reference
        // tokens, compared exactly), then by name; a language with no pair left gives way to
        // the next.
        let mut order: Vec<usize> = (0..self.dev_langs.len()).collect();
        let cost = |d: usize| {
            (
                u128::from(engine.dev_tokens(2 * d)),
                u128::from(engine.dev_tokens(2 * d + 1).max(1)),
            )
        };
        order.sort_by(|&x, &y| {
            let ((tx, rx), (ty, ry)) = (cost(x), cost(y));
            (ty * rx)
                .cmp(&(tx * ry))
                .then(self.dev_langs[x].cmp(&self.dev_langs[y]))
        });
        let n_dev = self.dev_langs.len();
        let crowded = |recent: &std::collections::VecDeque<usize>, d: usize| {
            self.window.is_some_and(|w| {
                let times = recent.iter().filter(|&&r| r == d).count();
                times as f64 * n_dev as f64 > w.alpha * w.window as f64
            })
        };
        // Languages over their share of the window wait, unless every language with a pair
        // left is over it.
        for pass_crowded in [false, true] {
            for &d in &order {
                if crowded(&self.recent, d) != pass_crowded {
                    continue;
                }
                let lang = self.dev_langs[d];
                if let Some((count, pair)) = accept(engine.best(lang, allowed)) {
                    if let Some(w) = self.window {
                        self.recent.push_back(d);
                        if self.recent.len() > w.window {
                            self.recent.pop_front();
                        }
                    }
                    return Some((count, pair, Some(lang)));
                }
            }
            if self.window.is_none() {
                break;
            }
        }
        None
    }
}
