//! Per-thread caches of words a pipeline's model has already seen: natural text repeats its
//! words, and a cached word costs one hash lookup instead of a segmentation. Most models cache
//! a word's IDs; sentencepiece's Unigram keeps a [`KnownWord`]: the word's lattice, and its best
//! path for when the score of the text before it cannot change that path.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use omnitok_vocab::TokenId;
use rustc_hash::FxBuildHasher;

use super::models::KnownWord;

/// Words longer than this are encoded each time (they rarely repeat).
const MAX_WORD_BYTES: usize = 48;
/// A cache is emptied when it holds this many words.
const MAX_WORDS: usize = 1 << 16;

/// Whether `word` is short enough to be kept.
pub(crate) fn keeps(word: &str) -> bool {
    word.len() <= MAX_WORD_BYTES
}

/// Which pipeline a thread's cache belongs to.
pub(crate) fn next_owner() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Words of one pipeline and what is kept of each.
struct WordCache<V> {
    owner: u64,
    words: hashbrown::HashMap<String, V, FxBuildHasher>,
}

impl<V> WordCache<V> {
    const fn new() -> Self {
        Self {
            owner: 0,
            words: hashbrown::HashMap::with_hasher(FxBuildHasher),
        }
    }

    /// What is kept for `word` of pipeline `owner`, made by `make` when missing.
    fn get_or_make(&mut self, owner: u64, word: &str, make: impl FnOnce() -> V) -> &V {
        if self.owner != owner {
            self.owner = owner;
            self.words.clear();
        }
        if self.words.len() >= MAX_WORDS && !self.words.contains_key(word) {
            self.words.clear();
        }
        self.words.entry_ref(word).or_insert_with(make)
    }
}

thread_local! {
    static IDS: RefCell<WordCache<Box<[TokenId]>>> = const { RefCell::new(WordCache::new()) };
    static KNOWN_WORDS: RefCell<WordCache<KnownWord>> = const { RefCell::new(WordCache::new()) };
}

/// Appends the IDs of `word` to `out`: from this thread's cache for pipeline `owner`, or from
/// `encode` (whose result is then kept).
pub(crate) fn encode_cached(
    owner: u64,
    word: &str,
    out: &mut Vec<TokenId>,
    encode: impl FnOnce(&str, &mut Vec<TokenId>),
) {
    if !keeps(word) {
        return encode(word, out);
    }
    IDS.with(|cell| {
        let Ok(mut cache) = cell.try_borrow_mut() else {
            return encode(word, out);
        };
        let ids = cache.get_or_make(owner, word, || {
            let mut ids = Vec::new();
            encode(word, &mut ids);
            ids.into()
        });
        out.extend_from_slice(ids);
    })
}

/// Runs `walk` on what is known of `word`: from this thread's cache for pipeline `owner`, or
/// from `make` (whose result is then kept).
pub(crate) fn with_known_word<R>(
    owner: u64,
    word: &str,
    make: impl FnOnce(&str) -> KnownWord,
    walk: impl FnOnce(&KnownWord) -> R,
) -> R {
    if !keeps(word) {
        return walk(&make(word));
    }
    KNOWN_WORDS.with(|cell| {
        let Ok(mut cache) = cell.try_borrow_mut() else {
            return walk(&make(word));
        };
        walk(cache.get_or_make(owner, word, || make(word)))
    })
}
