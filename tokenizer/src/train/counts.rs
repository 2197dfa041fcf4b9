//! Counting the pre-tokenized pieces of training text, per language.
//!
//! Training only needs each distinct piece and how often it occurs, so memory grows with the
//! number of distinct pieces, not with the corpus. Counts of separate parts of a corpus add up
//! ([`PieceCounts::absorb`]), so parts can be counted on different threads in any order.

use rustc_hash::FxHashMap;

use crate::error::Result;
use crate::pretokenize::Pretokenizer;
use crate::special::{SpecialPolicy, SpecialTokens};

/// Splits training text into pieces: special tokens' strings are cut out (they never take part
/// in merges), the rest is pre-tokenized by the pattern.
#[derive(Debug, Clone)]
pub struct PieceSplitter {
    pretokenizer: Pretokenizer,
    specials: SpecialTokens,
}

impl PieceSplitter {
    /// A splitter for `pattern` (a built-in pattern runs on its hand-written matcher) that cuts
    /// out the strings of `specials`.
    pub fn new(pattern: &str, specials: &[String]) -> Result<Self> {
        let entries = specials
            .iter()
            .enumerate()
            .map(|(i, text)| (text.clone(), i as u32))
            .collect();
        Ok(Self {
            pretokenizer: Pretokenizer::new(pattern)?,
            specials: SpecialTokens::new(entries)?,
        })
    }

    /// The pre-tokenizer.
    pub fn pretokenizer(&self) -> &Pretokenizer {
        &self.pretokenizer
    }

    /// Calls `piece` with each piece of `text`, in order.
    pub fn for_each_piece(&self, text: &str, mut piece: impl FnMut(&str)) -> Result<()> {
        let found = self.specials.find(text, &SpecialPolicy::allow_all())?;
        let mut start = 0;
        for special in found
            .iter()
            .map(|m| (m.start, m.end))
            .chain([(text.len(), text.len())])
        {
            let part = &text[start..special.0];
            self.pretokenizer
                .for_each_piece(part, |s, e| piece(&part[s..e]))?;
            start = special.1;
        }
        Ok(())
    }
}

/// How often each distinct piece occurs, per language, with each language's text size.
#[derive(Debug, Clone, Default)]
pub struct PieceCounts {
    languages: Vec<Language>,
}

#[derive(Debug, Clone)]
struct Language {
    name: String,
    pieces: FxHashMap<Box<str>, u64>,
    text_bytes: u64,
    documents: u64,
}

impl PieceCounts {
    /// No text yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The index of language `name`, added if new. Unlabelled text uses the empty name.
    pub fn language(&mut self, name: &str) -> usize {
        if let Some(i) = self.languages.iter().position(|l| l.name == name) {
            return i;
        }
        self.languages.push(Language {
            name: name.to_string(),
            pieces: FxHashMap::default(),
            text_bytes: 0,
            documents: 0,
        });
        self.languages.len() - 1
    }

    /// Counts the pieces of one document of language `language` (an index from
    /// [`PieceCounts::language`]).
    pub fn add_document(
        &mut self,
        language: usize,
        text: &str,
        splitter: &PieceSplitter,
    ) -> Result<()> {
        let language = &mut self.languages[language];
        language.text_bytes += text.len() as u64;
        language.documents += 1;
        let pieces = &mut language.pieces;
        splitter.for_each_piece(text, |piece| match pieces.get_mut(piece) {
            Some(count) => *count += 1,
            None => {
                pieces.insert(piece.into(), 1);
            }
        })
    }

    /// Adds `other`'s counts to these, matching languages by name.
    pub fn absorb(&mut self, other: PieceCounts) {
        for language in other.languages {
            let index = self.language(&language.name);
            let mine = &mut self.languages[index];
            mine.text_bytes += language.text_bytes;
            mine.documents += language.documents;
            if mine.pieces.is_empty() {
                mine.pieces = language.pieces;
                continue;
            }
            for (piece, count) in language.pieces {
                *mine.pieces.entry(piece).or_insert(0) += count;
            }
        }
    }

    /// Language names, in order of first appearance.
    pub fn language_names(&self) -> impl Iterator<Item = &str> {
        self.languages.iter().map(|l| l.name.as_str())
    }

    /// Number of languages.
    pub fn n_languages(&self) -> usize {
        self.languages.len()
    }

    /// Bytes of text counted for language `index`.
    pub fn text_bytes(&self, index: usize) -> u64 {
        self.languages[index].text_bytes
    }

    /// Documents counted for language `index`.
    pub fn documents(&self, index: usize) -> u64 {
        self.languages[index].documents
    }

    /// Distinct pieces of language `index` and their counts, in no particular order.
    pub fn pieces(&self, index: usize) -> impl Iterator<Item = (&str, u64)> {
        self.languages[index]
            .pieces
            .iter()
            .map(|(piece, &count)| (&**piece, count))
    }

    /// Distinct pieces summed over languages (a piece in two languages counts twice).
    pub fn distinct_pieces(&self) -> usize {
        self.languages.iter().map(|l| l.pieces.len()).sum()
    }

    /// Whether nothing but empty text was counted.
    pub fn is_empty(&self) -> bool {
        self.languages.iter().all(|l| l.pieces.is_empty())
    }
}

/// Fixed-point unit of [`temperature_weights`]: a weight of `WEIGHT_ONE` leaves counts as they
/// are.
pub const WEIGHT_ONE: u64 = 1 << 10;

/// Per-language count multipliers (in units of [`WEIGHT_ONE`]) that give language `l` the share
/// `p(l) ∝ n(l)^T` of the training text, `n(l)` being its bytes: `weight(l) = p(l) / q(l)` with
/// `q(l) = n(l) / Σ n` its natural share. `T = 1` keeps the natural mix (every weight is
/// `WEIGHT_ONE`); `T < 1` lifts small languages. Weighting counts is the expectation of sampling
/// text by `p`, without the randomness. Languages without text get weight 0.
pub fn temperature_weights(bytes: &[u64], temperature: f64) -> Vec<u64> {
    let total: f64 = bytes.iter().map(|&b| b as f64).sum();
    let powered: Vec<f64> = bytes
        .iter()
        .map(|&b| {
            if b == 0 {
                0.0
            } else {
                (b as f64).powf(temperature)
            }
        })
        .collect();
    let powered_total: f64 = powered.iter().sum();
    bytes
        .iter()
        .zip(&powered)
        .map(|(&b, &p)| {
            if b == 0 || powered_total == 0.0 {
                return 0;
            }
            let weight = (p / powered_total) / (b as f64 / total);
            ((weight * WEIGHT_ONE as f64).round() as u64).max(1)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pretokenize::O200K_PATTERN;

    #[test]
    fn counts_pieces_and_cuts_out_specials() {
        let splitter = PieceSplitter::new(O200K_PATTERN, &["<|endoftext|>".into()]).unwrap();
        let mut counts = PieceCounts::new();
        let en = counts.language("en");
        counts
            .add_document(en, "the cat<|endoftext|>the cat", &splitter)
            .unwrap();
        let mut pieces: Vec<_> = counts.pieces(en).collect();
        pieces.sort_unstable();
        assert_eq!(pieces, [(" cat", 2), ("the", 2)]);
        assert_eq!(counts.text_bytes(en), 27);
    }

    #[test]
    fn absorbing_adds_by_language_name() {
        let splitter = PieceSplitter::new(O200K_PATTERN, &[]).unwrap();
        let mut a = PieceCounts::new();
        let de = a.language("de");
        a.add_document(de, "hallo", &splitter).unwrap();
        let mut b = PieceCounts::new();
        let fr = b.language("fr");
        let de_b = b.language("de");
        b.add_document(fr, "salut", &splitter).unwrap();
        b.add_document(de_b, "hallo", &splitter).unwrap();
        a.absorb(b);
        assert_eq!(a.language_names().collect::<Vec<_>>(), ["de", "fr"]);
        assert_eq!(a.pieces(0).collect::<Vec<_>>(), [("hallo", 2)]);
        assert_eq!(a.documents(0), 2);
    }

    #[test]
    fn temperature_one_keeps_the_natural_mix_and_below_one_lifts_small_languages() {
        assert_eq!(
            temperature_weights(&[900, 100], 1.0),
            [WEIGHT_ONE, WEIGHT_ONE]
        );
        let lifted = temperature_weights(&[900, 100], 0.5);
        // p = (30, 10) / 40 = (0.75, 0.25); q = (0.9, 0.1).
        assert_eq!(lifted, [(0.75f64 / 0.9 * 1024.0).round() as u64, 2560]);
        assert_eq!(temperature_weights(&[0, 5], 0.3), [0, WEIGHT_ONE]);
    }
}
