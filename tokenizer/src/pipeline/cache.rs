//! A per-thread cache of words already encoded by a pipeline's model: natural text repeats its
//! words, and a cached word costs one hash lookup instead of a segmentation.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use omnitok_vocab::TokenId;
use rustc_hash::FxHashMap;

/// Words longer than this are encoded each time (they rarely repeat).
const MAX_WORD_BYTES: usize = 48;
/// The cache is emptied when it holds this many words.
const MAX_WORDS: usize = 1 << 16;

/// Which pipeline a thread's cache belongs to.
pub(crate) fn next_owner() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

struct WordCache {
    owner: u64,
    words: FxHashMap<Box<str>, Box<[TokenId]>>,
}

thread_local! {
    static CACHE: RefCell<WordCache> = RefCell::new(WordCache {
        owner: 0,
        words: FxHashMap::default(),
    });
}

/// Appends the IDs of `word` to `out`: from this thread's cache for pipeline `owner`, or from
/// `encode` (whose result is then kept).
pub(crate) fn encode_cached(
    owner: u64,
    word: &str,
    out: &mut Vec<TokenId>,
    encode: impl FnOnce(&str, &mut Vec<TokenId>),
) {
    if word.len() > MAX_WORD_BYTES {
        return encode(word, out);
    }
    CACHE.with(|cell| {
        let Ok(mut cache) = cell.try_borrow_mut() else {
            return encode(word, out);
        };
        if cache.owner != owner {
            cache.owner = owner;
            cache.words.clear();
        }
        if let Some(ids) = cache.words.get(word) {
            out.extend_from_slice(ids);
            return;
        }
        let start = out.len();
        encode(word, out);
        if cache.words.len() >= MAX_WORDS {
            cache.words.clear();
        }
        cache.words.insert(word.into(), out[start..].into());
    })
}
