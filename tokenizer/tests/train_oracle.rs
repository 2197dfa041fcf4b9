//! The BPE trainer (`omnitok_tokenizer::train`) against a reference trainer written the slow,
//! obvious way.
//!
//! The reference keeps every distinct piece of the training text as a list of token IDs (bytes
//! at first) with its weighted count, and after every merge counts all adjacent pairs again from
//! scratch: over the whole corpus for classical training, over one language's words for
//! parity-aware training. It takes the most frequent pair (ties to the lowest left ID, then the
//! lowest right ID), skips pairs whose bytes would exceed `max_token_bytes`, stops at the
//! vocabulary size or when the best count is below `min_frequency * WEIGHT_ONE`, and applies
//! each merge to every word left to right without overlap; merged bytes that already are a
//! token keep that token's ID. Parity-aware training picks the development-set language with
//! the highest ratio of tokens to reference tokens (compared exactly, by cross-multiplying; a
//! reference total of 0 counts as 1; ties to the first name), and falls back to the next-worst
//! language when one has no pair left; with `global_merges = g` the first `g` merges are chosen
//! from whole-corpus counts. The weighted variant scores the most frequent pairs of every
//! language and of the whole corpus by their counts weighted per language (see
//! `weighted_pair`).
//!
//! The tests require the trainer's merges (pair, token, count, language), tokens and stop
//! reason to equal the reference's on many small corpora: random text over small alphabets and
//! over multi-byte UTF-8, long repetitive runs, the multilingual fixtures, languages of very
//! different sizes under temperature weighting, length limits, frequency floors, special tokens
//! inside the text, and parity-aware training on the parallel fixture. They also check that the
//! result does not depend on how the counting was split up, that the trained tokenizer round
//! trips, and that bad settings are refused with a clear message.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::Ordering;

use omnitok_tokenizer::train::{
    pattern_by_name, temperature_weights, train, DevLanguage, ParityConfig, ParityWindow,
    PieceCounts, PieceSplitter, StopReason, TrainConfig, TrainProgress, Trained, TrainedMerge,
    WEIGHTED_CANDIDATES, WEIGHT_ONE,
};
use omnitok_tokenizer::{Result, SpecialPolicy, TokenId, TokenizerError};
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};

// ------------------------------------------------------------------------------------------
// Input
// ------------------------------------------------------------------------------------------

/// One training document and its language.
#[derive(Debug, Clone)]
struct Document {
    language: String,
    text: String,
}

fn doc(language: &str, text: &str) -> Document {
    Document {
        language: language.to_string(),
        text: text.to_string(),
    }
}

/// A configuration with the given vocabulary size and the defaults otherwise, the frequency
/// floor lowered to 1 so that small corpora train for a while.
fn config(vocab_size: usize) -> TrainConfig {
    TrainConfig {
        vocab_size,
        min_frequency: 1,
        ..TrainConfig::default()
    }
}

/// The counts `train` takes: every document added in order, one `PieceCounts`.
fn count_documents(documents: &[Document], config: &TrainConfig) -> PieceCounts {
    let splitter = config
        .splitter()
        .expect("the configuration's pattern compiles");
    let mut counts = PieceCounts::new();
    for document in documents {
        let language = counts.language(&document.language);
        counts
            .add_document(language, &document.text, &splitter)
            .expect("the text splits into pieces");
    }
    counts
}

fn train_documents(documents: &[Document], config: &TrainConfig) -> Result<Trained> {
    train(
        &count_documents(documents, config),
        config,
        &TrainProgress::default(),
    )
}

// ------------------------------------------------------------------------------------------
// The reference trainer
// ------------------------------------------------------------------------------------------

/// A distinct piece as token IDs, and how much it counts.
struct Word {
    symbols: Vec<TokenId>,
    count: u64,
}

/// A development-set language: the words of its texts and of the reference texts, unweighted.
struct DevWords {
    /// Index of the language among the training languages (sorted by name).
    language: usize,
    texts: Vec<Word>,
    reference: Vec<Word>,
}

/// What the reference trainer learnt.
#[derive(Debug)]
struct Reference {
    merges: Vec<TrainedMerge>,
    tokens: Vec<Vec<u8>>,
    languages: Vec<String>,
    stop: StopReason,
}

type PairCounts = BTreeMap<(TokenId, TokenId), u64>;

/// The distinct pieces of `texts` as byte words, each counted `weight` times per occurrence.
fn words(splitter: &PieceSplitter, texts: &[impl AsRef<str>], weight: u64) -> Vec<Word> {
    let mut pieces: BTreeMap<String, u64> = BTreeMap::new();
    for text in texts {
        splitter
            .for_each_piece(text.as_ref(), |piece| {
                *pieces.entry(piece.to_string()).or_insert(0) += 1
            })
            .expect("the text splits into pieces");
    }
    pieces
        .into_iter()
        .map(|(piece, count)| Word {
            symbols: piece.bytes().map(TokenId::from).collect(),
            count: count * weight,
        })
        .collect()
}

/// Every adjacent pair of every word, counted with the word's count.
fn count_pairs<'a>(words: impl IntoIterator<Item = &'a Word>) -> PairCounts {
    let mut counts = PairCounts::new();
    for word in words {
        for pair in word.symbols.windows(2) {
            *counts.entry((pair[0], pair[1])).or_insert(0) += word.count;
        }
    }
    counts
}

/// The most frequent pair not longer than `max_len` bytes, lowest pair on ties, if its count
/// reaches `min_count`.
fn best_pair(
    counts: &PairCounts,
    tokens: &[Vec<u8>],
    max_len: usize,
    min_count: u64,
) -> Option<((TokenId, TokenId), u64)> {
    let mut best: Option<((TokenId, TokenId), u64)> = None;
    // The map iterates pairs in ascending order, so only a strictly higher count replaces.
    for (&(left, right), &count) in counts {
        if tokens[left as usize].len() + tokens[right as usize].len() > max_len {
            continue;
        }
        if best.is_none_or(|(_, best_count)| count > best_count) {
            best = Some(((left, right), count));
        }
    }
    best.filter(|&(_, count)| count >= min_count)
}

/// Replaces the occurrences of `pair` in `word`, left to right, without overlap.
fn apply_merge(word: &mut Word, pair: (TokenId, TokenId), token: TokenId) {
    let old = std::mem::take(&mut word.symbols);
    let mut i = 0;
    while i < old.len() {
        if i + 1 < old.len() && (old[i], old[i + 1]) == pair {
            word.symbols.push(token);
            i += 2;
        } else {
            word.symbols.push(old[i]);
            i += 1;
        }
    }
}

/// Tokens of all occurrences of `words`.
fn token_total(words: &[Word]) -> u128 {
    words
        .iter()
        .map(|w| w.symbols.len() as u128 * u128::from(w.count))
        .sum()
}

/// Whether development-set language `a` is compressed worse than `b`: a higher ratio of its
/// tokens to its reference tokens.
fn compressed_worse(a: &DevWords, b: &DevWords) -> bool {
    let (a_tokens, a_reference) = (token_total(&a.texts), token_total(&a.reference).max(1));
    let (b_tokens, b_reference) = (token_total(&b.texts), token_total(&b.reference).max(1));
    a_tokens * b_reference > b_tokens * a_reference
}

/// The weighted variant's choice: candidates are the `WEIGHTED_CANDIDATES` most frequent pairs
/// (lowest pair on ties) that fit in `max_len` bytes of each language and of the whole corpus;
/// among those whose whole-corpus count reaches `min_count`, the one with the highest sum of
/// counts weighted per language by `max(1, premium / mean premium)^exponent` (the mean of the
/// development-set premiums and one more 1 for the reference; languages outside the
/// development set weigh 1), lowest pair on
/// ties. Returns the pair and its whole-corpus count.
fn weighted_pair(
    training: &[Vec<Word>],
    dev: &[DevWords],
    exponent: f64,
    tokens: &[Vec<u8>],
    max_len: usize,
    min_count: u64,
) -> Option<((TokenId, TokenId), u64)> {
    let by_language: Vec<PairCounts> = training.iter().map(count_pairs).collect();
    let whole = count_pairs(training.iter().flatten());
    let premiums: Vec<f64> = dev
        .iter()
        .map(|d| token_total(&d.texts) as f64 / token_total(&d.reference).max(1) as f64)
        .collect();
    let mean = (premiums.iter().sum::<f64>() + 1.0) / (premiums.len() as f64 + 1.0);
    let mut weights = vec![1.0; training.len()];
    for (d, &premium) in dev.iter().zip(&premiums) {
        weights[d.language] = (premium / mean).max(1.0).powf(exponent);
    }
    let fits = |&(left, right): &(TokenId, TokenId)| {
        tokens[left as usize].len() + tokens[right as usize].len() <= max_len
    };
    let mut candidates: Vec<(TokenId, TokenId)> = by_language
        .iter()
        .chain([&whole])
        .flat_map(|counts| {
            let mut pairs: Vec<((TokenId, TokenId), u64)> = counts
                .iter()
                .filter(|(pair, _)| fits(pair))
                .map(|(&pair, &count)| (pair, count))
                .collect();
            pairs.sort_by_key(|&(pair, count)| (std::cmp::Reverse(count), pair));
            pairs.truncate(WEIGHTED_CANDIDATES);
            pairs.into_iter().map(|(pair, _)| pair)
        })
        .collect();
    candidates.sort();
    candidates.dedup();
    let mut best: Option<(f64, (TokenId, TokenId), u64)> = None;
    for pair in candidates {
        let total = whole.get(&pair).copied().unwrap_or(0);
        if total < min_count {
            continue;
        }
        let score: f64 = weights
            .iter()
            .zip(&by_language)
            .map(|(w, counts)| w * counts.get(&pair).copied().unwrap_or(0) as f64)
            .sum();
        if best.is_none_or(|(top, _, _)| score > top) {
            best = Some((score, pair, total));
        }
    }
    best.map(|(_, pair, total)| (pair, total))
}

/// Training-language indices of the development-set languages, worst compressed first; among
/// equally bad ones the first by name.
fn worst_first(dev: &[DevWords], languages: &[String]) -> Vec<usize> {
    let mut left: Vec<&DevWords> = dev.iter().collect();
    left.sort_by_key(|d| &languages[d.language]);
    let mut order = Vec::new();
    while !left.is_empty() {
        let mut worst = 0;
        for (i, candidate) in left.iter().enumerate() {
            if compressed_worse(candidate, left[worst]) {
                worst = i;
            }
        }
        order.push(left.remove(worst).language);
    }
    order
}

/// Trains by the rules of `omnitok_tokenizer::train`, recounting every pair after every merge.
fn reference_train(documents: &[Document], config: &TrainConfig) -> Reference {
    let splitter = PieceSplitter::new(pattern_by_name(&config.pattern), &config.specials)
        .expect("the pattern compiles");

    let mut texts: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for document in documents {
        texts
            .entry(&document.language)
            .or_default()
            .push(&document.text);
    }
    let languages: Vec<String> = texts.keys().map(|name| name.to_string()).collect();
    let bytes: Vec<u64> = texts
        .values()
        .map(|t| t.iter().map(|text| text.len() as u64).sum())
        .collect();
    let weights = temperature_weights(&bytes, config.lang_temperature);
    let mut training: Vec<Vec<Word>> = texts
        .values()
        .zip(&weights)
        .map(|(texts, &weight)| words(&splitter, texts, weight))
        .collect();

    let mut dev: Vec<DevWords> = Vec::new();
    let mut global_merges = usize::MAX;
    let mut window = None;
    let mut weighted = None;
    let mut recent: Vec<usize> = Vec::new();
    if let Some(parity) = &config.parity {
        global_merges = parity.global_merges;
        window = parity.window;
        weighted = parity.weighted;
        for language in &parity.dev {
            dev.push(DevWords {
                language: languages
                    .iter()
                    .position(|name| *name == language.lang)
                    .expect("every development-set language is a training language"),
                texts: words(&splitter, &language.texts, 1),
                reference: words(&splitter, &language.reference, 1),
            });
        }
    }

    let ordinary = config.vocab_size - config.specials.len();
    let max_len = config.max_token_bytes.unwrap_or(usize::MAX);
    let min_count = config.min_frequency * WEIGHT_ONE;
    let mut tokens: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
    let mut merges = Vec::new();
    let stop = loop {
        if tokens.len() >= ordinary {
            break StopReason::VocabSize;
        }
        let choice = if merges.len() < global_merges {
            let counts = count_pairs(training.iter().flatten());
            best_pair(&counts, &tokens, max_len, min_count).map(|(pair, count)| (pair, count, None))
        } else if let Some(exponent) = weighted {
            weighted_pair(&training, &dev, exponent, &tokens, max_len, min_count)
                .map(|(pair, count)| (pair, count, None))
        } else {
            // Moving window: languages over their share of the recent choices come last.
            let crowded = |language: &usize| {
                window.is_some_and(|w| {
                    let times = recent.iter().filter(|&r| r == language).count();
                    times as f64 * dev.len() as f64 > w.alpha * w.window as f64
                })
            };
            let (mut order, last): (Vec<usize>, Vec<usize>) = worst_first(&dev, &languages)
                .into_iter()
                .partition(|language| !crowded(language));
            order.extend(last);
            let found = order.into_iter().find_map(|language| {
                let counts = count_pairs(&training[language]);
                best_pair(&counts, &tokens, max_len, min_count)
                    .map(|(pair, count)| (pair, count, Some(language)))
            });
            if let (Some(w), Some((_, _, Some(language)))) = (window, &found) {
                recent.push(*language);
                if recent.len() > w.window {
                    recent.remove(0);
                }
            }
            found
        };
        let Some(((left, right), count, language)) = choice else {
            break StopReason::MinFrequency;
        };
        let bytes = [
            tokens[left as usize].clone(),
            tokens[right as usize].clone(),
        ]
        .concat();
        let token = match tokens.iter().position(|existing| *existing == bytes) {
            Some(existing) => existing as TokenId,
            None => {
                tokens.push(bytes);
                (tokens.len() - 1) as TokenId
            }
        };
        let dev_words = dev
            .iter_mut()
            .flat_map(|d| d.texts.iter_mut().chain(d.reference.iter_mut()));
        for word in training.iter_mut().flatten().chain(dev_words) {
            apply_merge(word, (left, right), token);
        }
        merges.push(TrainedMerge {
            left,
            right,
            token,
            count,
            language,
        });
    };
    Reference {
        merges,
        tokens,
        languages,
        stop,
    }
}

// ------------------------------------------------------------------------------------------
// Comparing
// ------------------------------------------------------------------------------------------

/// A merge with its tokens' bytes, for failure messages.
fn describe(merge: &TrainedMerge, tokens: &[Vec<u8>]) -> String {
    let text = |id: TokenId| {
        tokens.get(id as usize).map_or("?".to_string(), |b| {
            format!("{:?}", String::from_utf8_lossy(b))
        })
    };
    format!(
        "{} {} + {} {} -> {} {} (count {}, language {:?})",
        merge.left,
        text(merge.left),
        merge.right,
        text(merge.right),
        merge.token,
        text(merge.token),
        merge.count,
        merge.language
    )
}

/// Panics, naming the first difference, unless `trained` learnt what `reference` learnt.
fn assert_same(trained: &Trained, reference: &Reference, case: &str) {
    assert_eq!(trained.languages, reference.languages, "{case}: languages");
    let (fast, slow) = (&trained.merges, &reference.merges);
    if let Some(i) = (0..fast.len().min(slow.len())).find(|&i| fast[i] != slow[i]) {
        panic!(
            "{case}: merge {i} differs\n  trainer:   {}\n  reference: {}",
            describe(&fast[i], &trained.tokens),
            describe(&slow[i], &reference.tokens)
        );
    }
    assert_eq!(
        fast.len(),
        slow.len(),
        "{case}: the trainer made {} merges, the reference {}",
        fast.len(),
        slow.len()
    );
    assert_eq!(trained.tokens, reference.tokens, "{case}: tokens");
    assert_eq!(trained.stop, reference.stop, "{case}: stop reason");
}

/// Panics unless `trained` is well formed: distinct tokens within the length limit, each
/// merge's token the bytes of its pair, and new tokens numbered in the order they were made.
fn assert_consistent(trained: &Trained, config: &TrainConfig, case: &str) {
    let distinct: HashSet<&Vec<u8>> = trained.tokens.iter().collect();
    assert_eq!(
        distinct.len(),
        trained.tokens.len(),
        "{case}: a token twice"
    );
    let max_len = config.max_token_bytes.unwrap_or(usize::MAX);
    assert!(
        trained.tokens.iter().all(|t| t.len() <= max_len),
        "{case}: too long a token"
    );
    assert!(trained.tokens.len() <= config.vocab_size - config.specials.len());
    let mut next = 256;
    for merge in &trained.merges {
        let bytes = |id: TokenId| trained.tokens[id as usize].as_slice();
        assert_eq!(
            [bytes(merge.left), bytes(merge.right)].concat(),
            bytes(merge.token),
            "{case}: {merge:?}"
        );
        assert!(
            merge.token as usize <= next,
            "{case}: {merge:?} skips an ID"
        );
        if merge.token as usize == next {
            next += 1;
        }
    }
    assert_eq!(next, trained.tokens.len(), "{case}: tokens no merge made");
}

/// Trains `documents` with both trainers and requires the same result; returns the trainer's.
fn check(documents: &[Document], config: &TrainConfig, case: &str) -> Trained {
    let progress = TrainProgress::default();
    let trained = train(&count_documents(documents, config), config, &progress)
        .unwrap_or_else(|e| panic!("{case}: training failed: {e}"));
    assert_same(&trained, &reference_train(documents, config), case);
    assert_consistent(&trained, config, case);
    assert_eq!(trained.pattern, pattern_by_name(&config.pattern), "{case}");
    assert_eq!(trained.specials, config.specials, "{case}");
    let wanted = config.vocab_size - config.specials.len() - 256;
    assert_eq!(
        progress.merges_total.load(Ordering::Relaxed),
        wanted as u64,
        "{case}"
    );
    let made = trained.tokens.len() - 256;
    assert_eq!(
        progress.merges.load(Ordering::Relaxed),
        made as u64,
        "{case}"
    );
    trained
}

// ------------------------------------------------------------------------------------------
// Text
// ------------------------------------------------------------------------------------------

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

fn read_fixture(path: &str) -> String {
    let path = fixtures().join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The first `n` lines of `multilingual/<language>.txt`, one document each.
fn multilingual(language: &str, n: usize) -> Vec<Document> {
    read_fixture(&format!("multilingual/{language}.txt"))
        .lines()
        .take(n)
        .map(|line| doc(language, line))
        .collect()
}

/// The GPT-4o announcement sentences, one language each.
fn gpt4o_sentences() -> Vec<Document> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures().join("gpt4o-languages"))
        .expect("the gpt4o-languages fixtures exist")
        .map(|entry| entry.expect("a readable folder entry").file_name())
        .filter_map(|name| name.to_str()?.strip_suffix(".txt").map(str::to_string))
        .collect();
    names.sort();
    assert_eq!(names.len(), 20, "the 20 announcement languages");
    names
        .iter()
        .map(|name| doc(name, &read_fixture(&format!("gpt4o-languages/{name}.txt"))))
        .collect()
}

/// One line of the parallel fixture: a language, an English text and its translation.
struct Aligned {
    lang: String,
    en: String,
    tr: String,
}

fn aligned_sample() -> Vec<Aligned> {
    read_fixture("parallel/aligned_sample.jsonl")
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            let field = |name: &str| {
                value[name]
                    .as_str()
                    .unwrap_or_else(|| panic!("field {name:?} in {line}"))
                    .to_string()
            };
            Aligned {
                lang: field("lang"),
                en: field("en"),
                tr: field("tr"),
            }
        })
        .collect()
}

/// Parity-aware training input from the parallel fixture: per language, its first `n_dev`
/// aligned lines are the development set (translation against English) and the remaining
/// lines plus `extra` lines of its multilingual fixture are training text. English is trained
/// on the English sides of the remaining lines and `extra` lines of its own fixture, and is a
/// development-set language too: the English sides of the held-out lines, against themselves.
fn parallel_input(n_dev: usize, extra: usize) -> (Vec<Document>, Vec<DevLanguage>) {
    let mut by_language: BTreeMap<String, Vec<Aligned>> = BTreeMap::new();
    for line in aligned_sample() {
        by_language.entry(line.lang.clone()).or_default().push(line);
    }
    let mut documents = multilingual("en", extra);
    let mut dev = Vec::new();
    let mut english_dev = Vec::new();
    for (lang, lines) in &by_language {
        let (held, rest) = lines.split_at(n_dev.min(lines.len()));
        dev.push(DevLanguage {
            lang: lang.clone(),
            texts: held.iter().map(|l| l.tr.clone()).collect(),
            reference: held.iter().map(|l| l.en.clone()).collect(),
        });
        english_dev.extend(held.iter().map(|l| l.en.clone()));
        documents.extend(rest.iter().map(|l| doc(lang, &l.tr)));
        documents.extend(rest.iter().map(|l| doc("en", &l.en)));
        documents.extend(multilingual(lang, extra));
    }
    dev.push(DevLanguage {
        lang: "en".into(),
        texts: english_dev.clone(),
        reference: english_dev,
    });
    (documents, dev)
}

/// `len` picks from `alphabet`, concatenated.
fn random_text(rng: &mut StdRng, alphabet: &[&str], len: usize) -> String {
    (0..len)
        .map(|_| *alphabet.choose(rng).expect("a non-empty alphabet"))
        .collect()
}

/// Random documents in `languages`, each language getting text, the earlier languages more.
fn random_documents(rng: &mut StdRng, alphabet: &[&str], languages: &[&str]) -> Vec<Document> {
    let mut documents = Vec::new();
    for (i, language) in languages.iter().enumerate() {
        let n = rng.random_range(1..=4);
        for _ in 0..n {
            let len = rng.random_range(0..=600 / (i + 1));
            documents.push(doc(language, &random_text(rng, alphabet, len)));
        }
        // Never a language without text.
        documents.push(doc(language, &random_text(rng, alphabet, 20)));
    }
    documents.shuffle(rng);
    documents
}

const SMALL_ALPHABETS: &[&[&str]] = &[
    &["a", "b"],
    &["a", "b", " "],
    &["a", "b", "c", " ", "\n"],
    &["x", "y", "z", "xy", " ", "  ", ".", "1", "'s", "A"],
    &["a", "a", "a", "b", " "],
];

const MULTIBYTE_ALPHABET: &[&str] = &[
    "я", "ж", "б", "Ё", " ", "\u{a0}", "\u{3000}", "中", "文", "字", "😀", "👍🏽", "🇩🇪", "é",
    "e\u{301}", "ß", "ก", "\u{e34}", "ह", "\u{93f}", "한", "글", "1", "٣", "\n", "—", "ʼ",
];

/// Patterns exercised by the random tests: both built-in ones and a user regex.
const PATTERNS: &[&str] = &[
    "o200k",
    "cl100k",
    r" ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+",
];

/// A random configuration for small corpora.
fn random_config(rng: &mut StdRng) -> TrainConfig {
    TrainConfig {
        vocab_size: 256 + rng.random_range(1..90),
        pattern: PATTERNS.choose(rng).expect("patterns").to_string(),
        min_frequency: *[1, 1, 2, 5].choose(rng).expect("floors"),
        max_token_bytes: *[None, None, Some(2), Some(3), Some(5)]
            .choose(rng)
            .expect("limits"),
        lang_temperature: *[1.0, 0.3, 0.7].choose(rng).expect("temperatures"),
        ..TrainConfig::default()
    }
}

// ------------------------------------------------------------------------------------------
// Classical training against the reference
// ------------------------------------------------------------------------------------------

#[test]
fn random_small_alphabets_match_the_reference() {
    for seed in 0..60u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let alphabet = SMALL_ALPHABETS[seed as usize % SMALL_ALPHABETS.len()];
        let languages = ["aa", "bb", "cc"][..rng.random_range(1..=3)].to_vec();
        let documents = random_documents(&mut rng, alphabet, &languages);
        let config = random_config(&mut rng);
        check(&documents, &config, &format!("seed {seed}, {config:?}"));
    }
}

#[test]
fn random_multibyte_text_matches_the_reference() {
    for seed in 100..130u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let documents = random_documents(&mut rng, MULTIBYTE_ALPHABET, &["ru", "zh", "emoji"]);
        let config = random_config(&mut rng);
        check(&documents, &config, &format!("seed {seed}, {config:?}"));
    }
}

#[test]
fn long_runs_and_repetitions_match_the_reference() {
    let runs: String = (1..40).map(|n| "a".repeat(n)).collect::<Vec<_>>().join(" ");
    let texts = [
        "a".repeat(1000),
        "ab".repeat(500),
        "aab".repeat(300),
        "abc".repeat(200) + "ab" + &"bc".repeat(50),
        runs,
        "1".repeat(100),
        " ".repeat(64) + "x" + &"\n".repeat(30),
        "аааа".repeat(50),
        "😀".repeat(40),
        "ab ".repeat(100) + &"ba ".repeat(100),
    ];
    for (i, text) in texts.iter().enumerate() {
        for max_token_bytes in [None, Some(3)] {
            let config = TrainConfig {
                max_token_bytes,
                ..config(256 + 60)
            };
            check(
                &[doc("", text)],
                &config,
                &format!("text {i}, max {max_token_bytes:?}"),
            );
        }
    }
    // All of them together, as one language and as several.
    let together: Vec<Document> = texts.iter().map(|t| doc("", t)).collect();
    check(&together, &config(256 + 120), "all texts");
    let apart: Vec<Document> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| doc(&format!("l{}", i % 3), t))
        .collect();
    let config = TrainConfig {
        lang_temperature: 0.3,
        ..config(256 + 120)
    };
    check(&apart, &config, "texts in three languages, T 0.3");
}

/// One piece of a mebibyte (of `a`, of spaces): each merge rewrites the piece once and lists it
/// once under each pair it gains, so training stays about linear in the piece (a quadratic step
/// took 59 s on 400 KB). Timing lives in the benchmarks; this checks the merges, the doubling
/// pieces, and finishes in about a second where the quadratic step would not finish at all.
#[test]
fn one_huge_repeated_piece_trains_to_its_doubling_pieces() {
    for unit in ["a", " "] {
        let text = unit.repeat(1 << 20);
        let trained = train_documents(&[doc("", &text)], &config(256 + 20))
            .unwrap_or_else(|e| panic!("{unit:?}: {e}"));
        assert_eq!(trained.merges.len(), 20, "{unit:?}");
        for (k, merge) in trained.merges.iter().enumerate() {
            let bytes = &trained.tokens[merge.token as usize];
            assert_eq!(bytes, unit.repeat(2 << k).as_bytes(), "{unit:?}: merge {k}");
        }
        // What a training run writes: the tokenizer (every token's split into two) and its
        // tokenizer.json (each token's merge), with the 1 MiB token among them.
        let tokenizer = trained
            .tokenizer("runs")
            .unwrap_or_else(|e| panic!("{unit:?}: {e}"));
        let json = tokenizer.to_tokenizer_json().expect("tokenizer.json text");
        let ids = tokenizer
            .encode_ordinary(&text)
            .unwrap_or_else(|e| panic!("{unit:?}: {e}"));
        assert_eq!(ids.len(), 1, "{unit:?}: the whole run is one token");
        assert!(json.contains("\"merges\""), "{unit:?}");
    }
}

#[test]
fn multilingual_fixtures_match_the_reference() {
    let languages = ["de", "el", "en", "ja", "ru", "ta", "vi", "zh_CN"];
    let documents: Vec<Document> = languages.iter().flat_map(|l| multilingual(l, 10)).collect();
    for (temperature, max_token_bytes) in [(1.0, None), (0.3, None), (1.0, Some(3))] {
        let config = TrainConfig {
            lang_temperature: temperature,
            max_token_bytes,
            min_frequency: 2,
            ..config(256 + 250)
        };
        check(
            &documents,
            &config,
            &format!("multilingual, T {temperature}, max {max_token_bytes:?}"),
        );
    }
}

#[test]
fn gpt4o_sentences_match_the_reference() {
    let documents = gpt4o_sentences();
    for min_frequency in [1, 2, 5] {
        let config = TrainConfig {
            min_frequency,
            ..config(256 + 400)
        };
        let trained = check(
            &documents,
            &config,
            &format!("min frequency {min_frequency}"),
        );
        if min_frequency > 1 {
            assert_eq!(trained.stop, StopReason::MinFrequency);
        }
    }
}

#[test]
fn languages_of_very_different_sizes_match_the_reference() {
    let mut documents = multilingual("en", 50);
    documents.extend(multilingual("ta", 2));
    documents.extend(multilingual("ja", 8));
    documents.push(doc("ur", &read_fixture("gpt4o-languages/ur.txt")));
    let mut results = Vec::new();
    for temperature in [1.0, 0.3] {
        for min_frequency in [1, 2, 5] {
            let config = TrainConfig {
                lang_temperature: temperature,
                min_frequency,
                ..config(256 + 200)
            };
            let case = format!("T {temperature}, min frequency {min_frequency}");
            results.push(check(&documents, &config, &case));
        }
    }
    assert_ne!(
        results[0].merges, results[3].merges,
        "temperature 0.3 should change what is learnt"
    );
}

#[test]
fn special_tokens_are_cut_out_of_the_text() {
    let specials = vec!["<|endoftext|>".to_string(), "<|pad|>".to_string()];
    let mut rng = StdRng::seed_from_u64(7);
    let mut documents = Vec::new();
    for i in 0..12 {
        let parts: Vec<String> = (0..4)
            .map(|_| {
                random_text(
                    &mut rng,
                    &["a", "b", "<", ">", " ", "end", "of", "text"],
                    30,
                )
            })
            .collect();
        let text = parts.join(["<|endoftext|>", "<|pad|>"][i % 2]);
        documents.push(doc(["xx", "yy"][i % 3 / 2], &text));
    }
    documents.push(doc("xx", &"<|endoftext|>".repeat(20)));
    for max_token_bytes in [None, Some(3)] {
        let config = TrainConfig {
            specials: specials.clone(),
            max_token_bytes,
            ..config(256 + 2 + 80)
        };
        let trained = check(
            &documents,
            &config,
            &format!("specials, max {max_token_bytes:?}"),
        );
        assert!(trained.tokens.len() <= 256 + 80);
        // '|' occurs only inside the special tokens' strings, which never take part in merges.
        assert!(
            !trained
                .tokens
                .iter()
                .any(|t| t.len() > 1 && t.contains(&b'|')),
            "no token holds part of a special token"
        );
        let tokenizer = trained.tokenizer("specials").unwrap();
        let eot = tokenizer
            .encode_with_policy("<|endoftext|>", &SpecialPolicy::allow_all())
            .unwrap();
        assert_eq!(eot, [trained.tokens.len() as TokenId]);
    }
}

// ------------------------------------------------------------------------------------------
// Parity-aware training against the reference
// ------------------------------------------------------------------------------------------

fn parity_config(dev: Vec<DevLanguage>, global_merges: usize, vocab_size: usize) -> TrainConfig {
    TrainConfig {
        parity: Some(ParityConfig {
            dev,
            global_merges,
            window: None,
            weighted: None,
        }),
        ..config(vocab_size)
    }
}

#[test]
fn parity_on_the_parallel_fixture_matches_the_reference() {
    let (documents, dev) = parallel_input(3, 6);
    for global_merges in [0, 5] {
        for (temperature, max_token_bytes, min_frequency) in
            [(1.0, None, 1), (0.3, None, 2), (1.0, Some(3), 1)]
        {
            let config = TrainConfig {
                lang_temperature: temperature,
                max_token_bytes,
                min_frequency,
                ..parity_config(dev.clone(), global_merges, 256 + 200)
            };
            let case = format!(
                "parity, global {global_merges}, T {temperature}, max {max_token_bytes:?}, \
                 min {min_frequency}"
            );
            let trained = check(&documents, &config, &case);
            let global = trained.merges.iter().take_while(|m| m.language.is_none());
            assert_eq!(
                global.count(),
                global_merges.min(trained.merges.len()),
                "{case}"
            );
            assert!(
                trained.merges[global_merges.min(trained.merges.len())..]
                    .iter()
                    .all(|m| m.language.is_some()),
                "{case}: later merges are chosen for a language"
            );
        }
    }
}

#[test]
fn parity_weighted_matches_the_reference() {
    let (documents, dev) = parallel_input(3, 6);
    for (exponent, global_merges) in [(0.0, 0), (1.5, 0), (8.0, 5), (40.0, 0)] {
        for (temperature, max_token_bytes, min_frequency) in
            [(1.0, None, 1), (0.3, None, 2), (1.0, Some(3), 1)]
        {
            let mut config = TrainConfig {
                lang_temperature: temperature,
                max_token_bytes,
                min_frequency,
                ..parity_config(dev.clone(), global_merges, 256 + 200)
            };
            if let Some(parity) = &mut config.parity {
                parity.weighted = Some(exponent);
            }
            let case = format!(
                "weighted {exponent}, global {global_merges}, T {temperature}, \
                 max {max_token_bytes:?}, min {min_frequency}"
            );
            let trained = check(&documents, &config, &case);
            assert!(
                trained.merges.iter().all(|m| m.language.is_none()),
                "{case}: merges are chosen from weighted whole-corpus counts"
            );
        }
    }
}

#[test]
fn parity_weighted_with_exponent_zero_is_classical_bpe() {
    let (documents, dev) = parallel_input(3, 6);
    let classical = config(256 + 200);
    let mut weighted = parity_config(dev, 0, 256 + 200);
    if let Some(parity) = &mut weighted.parity {
        parity.weighted = Some(0.0);
    }
    let progress = TrainProgress::default();
    let run = |config: &TrainConfig| {
        train(&count_documents(&documents, config), config, &progress)
            .unwrap_or_else(|e| panic!("training failed: {e}"))
    };
    let (classical, weighted) = (run(&classical), run(&weighted));
    assert_eq!(classical.merges, weighted.merges);
    assert_eq!(classical.tokens, weighted.tokens);
}

#[test]
fn parity_moving_window_matches_the_reference() {
    let (documents, dev) = parallel_input(3, 6);
    for (window, alpha, global_merges) in [(10, 2.0, 0), (4, 1.0, 5), (25, 1.5, 0)] {
        let mut config = parity_config(dev.clone(), global_merges, 256 + 200);
        if let Some(parity) = &mut config.parity {
            parity.window = Some(ParityWindow { window, alpha });
        }
        let case = format!("window {window}, alpha {alpha}, global {global_merges}");
        let trained = check(&documents, &config, &case);
        // No language takes more than its share of a window while others have pairs left.
        let chosen: Vec<usize> = trained.merges.iter().filter_map(|m| m.language).collect();
        assert!(chosen.len() > window, "{case}");
    }
    let (base, windowed) = {
        let plain = parity_config(dev.clone(), 0, 256 + 200);
        let mut narrow = plain.clone();
        if let Some(parity) = &mut narrow.parity {
            parity.window = Some(ParityWindow {
                window: 4,
                alpha: 1.0,
            });
        }
        (
            check(&documents, &plain, "base"),
            check(&documents, &narrow, "narrow window"),
        )
    };
    assert_ne!(
        base.merges, windowed.merges,
        "the window changes the choices"
    );
}

#[test]
fn parity_without_english_in_the_dev_set_matches_the_reference() {
    let (documents, mut dev) = parallel_input(2, 4);
    dev.retain(|d| d.lang != "en");
    // A language whose reference is empty counts its reference as one token.
    dev.push(DevLanguage {
        lang: "en".into(),
        texts: vec!["the device".into()],
        reference: vec![String::new()],
    });
    check(
        &documents,
        &parity_config(dev, 0, 256 + 150),
        "parity, empty reference",
    );
}

#[test]
fn random_parity_matches_the_reference() {
    let alphabets: [&[&str]; 3] = [
        &["a", "b", "c", " "],
        &["a", "ä", "ö", " ", "b"],
        &["я", "ж", "a", " ", "中"],
    ];
    for seed in 200..240u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let names = ["aa", "bb", "cc"];
        let mut documents = Vec::new();
        let mut dev = Vec::new();
        for (name, alphabet) in names.iter().zip(alphabets) {
            documents.extend(random_documents(&mut rng, alphabet, &[name]));
            let n = rng.random_range(1..=3);
            let texts: Vec<String> = (0..n)
                .map(|_| {
                    let len = rng.random_range(0..80);
                    random_text(&mut rng, alphabet, len)
                })
                .collect();
            // Sometimes every language's reference is its own text, so all costs tie.
            let reference = if seed % 3 == 0 {
                texts.clone()
            } else {
                vec![random_text(&mut rng, alphabets[0], 60)]
            };
            dev.push(DevLanguage {
                lang: name.to_string(),
                texts,
                reference,
            });
        }
        if seed % 4 == 1 {
            dev.truncate(2);
        }
        dev.shuffle(&mut rng);
        let global_merges = *[0, 0, 3, 5].choose(&mut rng).expect("choices");
        let weighted = *[None, None, Some(0.0), Some(2.5), Some(12.0)]
            .choose(&mut rng)
            .expect("choices");
        let base = random_config(&mut rng);
        let config = TrainConfig {
            parity: Some(ParityConfig {
                dev,
                global_merges,
                window: None,
                weighted,
            }),
            ..base
        };
        check(&documents, &config, &format!("seed {seed}, {config:?}"));
    }
}

#[test]
fn parity_trains_with_a_single_dev_language() {
    // The smallest parity-aware run: one development-set language, whose text and reference
    // are tallied separately.
    let documents = [doc("en", "ab ab abc")];
    let dev = vec![DevLanguage {
        lang: "en".into(),
        texts: vec!["ab".into()],
        reference: vec!["ab".into()],
    }];
    let trained = check(
        &documents,
        &parity_config(dev, 0, 256 + 3),
        "one dev language",
    );
    assert_eq!(trained.merges[0].language, Some(0));
}

#[test]
fn parity_falls_back_to_the_next_worst_language() {
    // "zz" compresses worst on its dev text but its training text has nothing to merge
    // after one merge, so the next-worst language gets the merges.
    let documents = vec![doc("aa", &"hello world ".repeat(20)), doc("zz", "qz")];
    let dev = vec![
        DevLanguage {
            lang: "aa".into(),
            texts: vec!["hello".into()],
            reference: vec!["hello".into()],
        },
        DevLanguage {
            lang: "zz".into(),
            texts: vec!["qzqzqzqzqz qz qz".into()],
            reference: vec!["q".into()],
        },
    ];
    let trained = check(&documents, &parity_config(dev, 0, 256 + 20), "fallback");
    assert_eq!(
        trained.merges[0].language,
        Some(1),
        "the worst language first"
    );
    assert!(trained.merges[1..].iter().all(|m| m.language == Some(0)));
}

// ------------------------------------------------------------------------------------------
// Determinism
// ------------------------------------------------------------------------------------------

/// `documents` counted in `parts` separate `PieceCounts` (each meeting the languages in its own
/// order), absorbed in a shuffled order.
fn counted_in_parts(
    documents: &[Document],
    config: &TrainConfig,
    parts: usize,
    rng: &mut StdRng,
) -> PieceCounts {
    let splitter = config.splitter().expect("the pattern compiles");
    let mut names: Vec<&str> = documents.iter().map(|d| d.language.as_str()).collect();
    names.sort();
    names.dedup();
    let mut counts: Vec<PieceCounts> = (0..parts)
        .map(|_| {
            let mut part = PieceCounts::new();
            names.shuffle(rng);
            for name in &names[..rng.random_range(0..=names.len())] {
                part.language(name);
            }
            part
        })
        .collect();
    for document in documents {
        let part = &mut counts[rng.random_range(0..parts)];
        let language = part.language(&document.language);
        part.add_document(language, &document.text, &splitter)
            .expect("the text splits");
    }
    counts.shuffle(rng);
    let mut all = PieceCounts::new();
    for part in counts {
        all.absorb(part);
    }
    all
}

#[test]
fn counting_in_parts_and_in_any_order_gives_the_same_merges() {
    let mut documents: Vec<Document> = ["fr", "ko", "en", "hi", "uk"]
        .iter()
        .flat_map(|l| multilingual(l, 6))
        .collect();
    documents.extend(gpt4o_sentences());
    let (parallel, dev) = parallel_input(3, 2);
    let configs = [
        config(256 + 200),
        TrainConfig {
            lang_temperature: 0.3,
            max_token_bytes: Some(4),
            ..config(256 + 200)
        },
    ];
    let mut rng = StdRng::seed_from_u64(99);
    for (case, documents, config) in [
        ("classical", &documents, configs[0].clone()),
        ("weighted", &documents, configs[1].clone()),
        ("parity", &parallel, parity_config(dev, 5, 256 + 200)),
    ] {
        let expected = train_documents(documents, &config).unwrap();
        for parts in [1, 2, 3, 7] {
            let mut shuffled = documents.clone();
            shuffled.shuffle(&mut rng);
            let counts = counted_in_parts(&shuffled, &config, parts, &mut rng);
            let trained = train(&counts, &config, &TrainProgress::default()).unwrap();
            assert_eq!(
                trained.languages, expected.languages,
                "{case}, {parts} parts"
            );
            assert_eq!(trained.merges, expected.merges, "{case}, {parts} parts");
            assert_eq!(trained.tokens, expected.tokens, "{case}, {parts} parts");
            assert_eq!(trained.stop, expected.stop, "{case}, {parts} parts");
        }
    }
}

// ------------------------------------------------------------------------------------------
// The trained tokenizer
// ------------------------------------------------------------------------------------------

/// Requires `decode(encode(text)) == text`, with special tokens as IDs and as text, and at
/// most one token per byte for every piece.
fn assert_round_trips(trained: &Trained, texts: &[String], case: &str) {
    let tokenizer = trained.tokenizer("t").expect("the trained tokenizer");
    let splitter =
        PieceSplitter::new(&trained.pattern, &trained.specials).expect("the trained splitter");
    let round_trip = |text: &str, policy: &SpecialPolicy| {
        let ids = tokenizer
            .encode_with_policy(text, policy)
            .unwrap_or_else(|e| panic!("{case}: encoding {text:?}: {e}"));
        let decoded = tokenizer
            .decode(&ids)
            .unwrap_or_else(|e| panic!("{case}: decoding {text:?}: {e}"));
        assert_eq!(decoded, text, "{case}");
        ids.len()
    };
    for text in texts {
        round_trip(text, &SpecialPolicy::allow_all());
        round_trip(text, &SpecialPolicy::as_text());
        splitter
            .for_each_piece(text, |piece| {
                let n = round_trip(piece, &SpecialPolicy::as_text());
                assert!(n <= piece.len(), "{case}: {piece:?} takes {n} tokens");
                assert!(n >= 1, "{case}: {piece:?} takes no token");
            })
            .expect("the text splits");
    }
}

#[test]
fn the_trained_tokenizer_round_trips() {
    let mut rng = StdRng::seed_from_u64(5);
    let mut random: Vec<String> = (0..20)
        .map(|i| {
            let alphabet = if i % 2 == 0 {
                MULTIBYTE_ALPHABET
            } else {
                SMALL_ALPHABETS[3]
            };
            random_text(&mut rng, alphabet, 200)
        })
        .collect();
    // Any scalar values, most of them never seen in training.
    random.extend((0..10).map(|_| (0..100).map(|_| rng.random::<char>()).collect::<String>()));

    let mut documents: Vec<Document> = ["de", "ru", "zh_CN"]
        .iter()
        .flat_map(|l| multilingual(l, 10))
        .collect();
    documents.push(doc("de", "Ende<|endoftext|>Anfang"));
    let config = TrainConfig {
        specials: vec!["<|endoftext|>".into()],
        ..config(256 + 1 + 300)
    };
    let trained = check(&documents, &config, "round trip corpus");
    assert_eq!(trained.stop, StopReason::VocabSize);
    let tokenizer = trained.tokenizer("t").unwrap();
    assert_eq!(tokenizer.n_vocab(), config.vocab_size);
    for (id, bytes) in trained.tokens.iter().enumerate() {
        assert_eq!(tokenizer.encode_single_token(bytes), Some(id as TokenId));
    }
    let texts: Vec<String> = documents.iter().map(|d| d.text.clone()).collect();
    assert_round_trips(&trained, &texts, "training text");
    assert_round_trips(&trained, &random, "random text");

    let (parallel, dev) = parallel_input(3, 3);
    let trained = check(
        &parallel,
        &parity_config(dev, 0, 256 + 200),
        "parity round trip",
    );
    let texts: Vec<String> = parallel.iter().map(|d| d.text.clone()).collect();
    assert_round_trips(&trained, &texts, "parity training text");
    assert_round_trips(&trained, &random, "parity random text");
}

// ------------------------------------------------------------------------------------------
// Refused settings
// ------------------------------------------------------------------------------------------

/// The message of the `BadParameter` error that training gives, which must mention every one
/// of `words`.
fn refusal(result: Result<Trained>, words: &[&str]) -> String {
    let message = match result {
        Err(TokenizerError::BadParameter(message)) => message,
        Err(other) => panic!("expected a bad parameter, got {other:?}"),
        Ok(trained) => panic!("expected an error, trained {} merges", trained.merges.len()),
    };
    for word in words {
        assert!(
            message.contains(word),
            "{message:?} should mention {word:?}"
        );
    }
    message
}

#[test]
fn bad_settings_are_refused_with_a_clear_message() {
    // Counted with a valid splitter, so that every refusal comes from `train` itself.
    let counts = count_documents(
        &[doc("en", "some text to train on, some text")],
        &config(300),
    );
    let with = |change: &dyn Fn(&mut TrainConfig)| {
        let mut config = config(300);
        change(&mut config);
        train(&counts, &config, &TrainProgress::default())
    };
    refusal(
        with(&|c| {
            c.vocab_size = 257;
            c.specials = vec!["<a>".into(), "<b>".into()];
        }),
        &["257", "258", "special"],
    );
    refusal(with(&|c| c.vocab_size = 10), &["10", "256"]);
    refusal(
        with(&|c| c.specials = vec!["<a>".into(), "<b>".into(), "<a>".into()]),
        &["\"<a>\"", "twice"],
    );
    refusal(with(&|c| c.specials = vec![String::new()]), &["empty"]);
    refusal(
        with(&|c| c.pattern = "(unclosed".into()),
        &["(unclosed", "compile"],
    );
    refusal(with(&|c| c.max_token_bytes = Some(1)), &["2 bytes"]);
    refusal(with(&|c| c.lang_temperature = 0.0), &["temperature"]);
    refusal(with(&|c| c.lang_temperature = f64::NAN), &["temperature"]);
    refusal(
        with(&|c| {
            c.parity = Some(ParityConfig {
                dev: Vec::new(),
                global_merges: 0,
                window: None,
                weighted: None,
            })
        }),
        &["development set"],
    );
    let dev = |lang: &str| DevLanguage {
        lang: lang.into(),
        texts: vec!["text".into()],
        reference: vec!["text".into()],
    };
    refusal(
        with(&|c| {
            c.parity = Some(ParityConfig {
                dev: vec![dev("en"), dev("xx")],
                global_merges: 0,
                window: None,
                weighted: None,
            })
        }),
        &["\"xx\"", "no training text", "en"],
    );
    for exponent in [-1.0, f64::NAN, f64::INFINITY] {
        refusal(
            with(&|c| {
                c.parity = Some(ParityConfig {
                    dev: vec![dev("en")],
                    weighted: Some(exponent),
                    ..Default::default()
                })
            }),
            &["exponent", "at least 0"],
        );
    }
    refusal(
        with(&|c| {
            c.parity = Some(ParityConfig {
                dev: vec![dev("en")],
                weighted: Some(2.0),
                window: Some(ParityWindow {
                    window: 10,
                    alpha: 2.0,
                }),
                ..Default::default()
            })
        }),
        &["weighted", "window"],
    );
    refusal(
        with(&|c| {
            c.parity = Some(ParityConfig {
                dev: vec![dev("en"), dev("en")],
                global_merges: 0,
                window: None,
                weighted: None,
            })
        }),
        &["\"en\"", "twice"],
    );
}

#[test]
fn an_empty_corpus_is_refused() {
    let config = TrainConfig {
        specials: vec!["<|endoftext|>".into()],
        ..config(300)
    };
    let empty = |counts: PieceCounts| train(&counts, &config, &TrainProgress::default());
    refusal(empty(PieceCounts::new()), &["empty"]);
    let splitter = config.splitter().unwrap();
    let mut blank = PieceCounts::new();
    let en = blank.language("en");
    blank.add_document(en, "", &splitter).unwrap();
    blank.language("de");
    refusal(empty(blank), &["empty"]);
    let mut only_specials = PieceCounts::new();
    let en = only_specials.language("en");
    only_specials
        .add_document(en, "<|endoftext|><|endoftext|>", &splitter)
        .unwrap();
    refusal(empty(only_specials), &["empty"]);
}

#[test]
fn a_dev_language_whose_text_is_only_specials_has_no_training_text() {
    let config = TrainConfig {
        specials: vec!["<s>".into()],
        parity: Some(ParityConfig {
            dev: vec![DevLanguage {
                lang: "fi".into(),
                texts: vec!["kissa".into()],
                reference: vec!["cat".into()],
            }],
            global_merges: 0,
            window: None,
            weighted: None,
        }),
        ..config(300)
    };
    let splitter = config.splitter().unwrap();
    let mut counts = PieceCounts::new();
    let en = counts.language("en");
    counts.add_document(en, "the cat sat", &splitter).unwrap();
    let fi = counts.language("fi");
    counts.add_document(fi, "<s>", &splitter).unwrap();
    let result = train(&counts, &config, &TrainProgress::default());
    refusal(result, &["\"fi\"", "no training text"]);
}

#[test]
fn a_stop_request_ends_training_before_the_next_merge() {
    let documents = [doc("en", "the cat sat on the mat with the other cat")];
    let config = config(300);
    let counts = count_documents(&documents, &config);
    let progress = TrainProgress::default();
    progress.stop.store(true, Ordering::Relaxed);
    let error = train(&counts, &config, &progress).expect_err("stopped");
    assert!(matches!(error, TokenizerError::Interrupted), "{error}");
    assert_eq!(progress.merges.load(Ordering::Relaxed), 0);
}
