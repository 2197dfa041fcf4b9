//! The merge loop: distinct words as symbol sequences, pair counts kept up to date merge after
//! merge, and a heap per count table to find the most frequent pair.
//!
//! A merge touches only the words that contain its pair (found through an index from pair to
//! words), and only the counts of the pairs those words gain or lose. Pair counts live in one or
//! more tables: one for the whole corpus in classical training, one per language (plus an
//! optional whole-corpus one) in parity-aware training. Each table's heap may hold stale
//! entries; an entry is trusted only when its count equals the table's current count, and every
//! increase of a count pushes a fresh entry, so the top trusted entry is always the true maximum.

use std::cmp::Reverse;
use std::collections::hash_map::Entry;
use std::collections::BinaryHeap;

use omnitok_vocab::TokenId;
use rustc_hash::FxHashMap;

/// `left << 32 | right`: ordering keys by it orders pairs by left ID, then right ID.
pub(crate) type Pair = u64;

#[inline]
pub(crate) fn pair_key(left: TokenId, right: TokenId) -> Pair {
    (u64::from(left) << 32) | u64::from(right)
}

#[inline]
pub(crate) fn pair_parts(pair: Pair) -> (TokenId, TokenId) {
    ((pair >> 32) as TokenId, pair as TokenId)
}

/// What a group of words feeds: the count tables it adds to, and the development-set slot whose
/// token total it makes up.
#[derive(Debug, Clone, Default)]
pub(crate) struct Group {
    pub tables: Vec<usize>,
    pub dev_slot: Option<usize>,
}

/// Pair counts of one table, with a max-heap over them.
#[derive(Debug, Default)]
struct PairTable {
    counts: FxHashMap<Pair, u64>,
    /// `(count, Reverse(pair))`: the highest count first, then the lowest pair.
    heap: BinaryHeap<(u64, Reverse<Pair>)>,
}

impl PairTable {
    fn add(&mut self, pair: Pair, times: i64, count: u64) {
        let change = times.unsigned_abs() * count;
        match self.counts.entry(pair) {
            Entry::Occupied(mut slot) => {
                if times > 0 {
                    *slot.get_mut() += change;
                } else if *slot.get() <= change {
                    slot.remove();
                } else {
                    *slot.get_mut() -= change;
                }
            }
            Entry::Vacant(slot) => {
                if times > 0 {
                    slot.insert(change);
                }
            }
        }
    }

    fn count(&self, pair: Pair) -> u64 {
        self.counts.get(&pair).copied().unwrap_or(0)
    }

    /// The most frequent pair that `allowed` accepts, lowest pair on ties. Pairs it refuses are
    /// dropped from the heap (they come back if their count rises).
    fn best(&mut self, allowed: impl Fn(Pair) -> bool) -> Option<(u64, Pair)> {
        while let Some(&(stored, Reverse(pair))) = self.heap.peek() {
            let current = self.count(pair);
            if current != stored {
                self.heap.pop();
                if current > 0 {
                    self.heap.push((current, Reverse(pair)));
                }
            } else if !allowed(pair) {
                self.heap.pop();
            } else {
                return Some((current, pair));
            }
        }
        None
    }

    /// The `k` most frequent distinct pairs that `allowed` accepts, most frequent first.
    fn top(&mut self, k: usize, allowed: impl Fn(Pair) -> bool + Copy) -> Vec<(u64, Pair)> {
        let mut found: Vec<(u64, Pair)> = Vec::with_capacity(k);
        let mut taken = Vec::new();
        while found.len() < k {
            let Some(best) = self.best(allowed) else {
                break;
            };
            taken.extend(self.heap.pop());
            if !found.iter().any(|&(_, pair)| pair == best.1) {
                found.push(best);
            }
        }
        self.heap.extend(taken);
        found
    }
}

/// Distinct words as symbol sequences, with the pair index and count tables.
#[derive(Debug)]
pub(crate) struct Engine {
    /// All words' symbols, one after another; a word only ever shrinks in place.
    symbols: Vec<TokenId>,
    start: Vec<usize>,
    len: Vec<u32>,
    count: Vec<u64>,
    group: Vec<u32>,
    groups: Vec<Group>,
    tables: Vec<PairTable>,
    /// Words that contain (or once contained) each pair; no word is listed twice for a pair.
    index: FxHashMap<Pair, Vec<u32>>,
    /// Token totals of the development-set slots.
    dev_tokens: Vec<u64>,
    // Buffers reused from word to word.
    old: Vec<TokenId>,
    fresh: Vec<bool>,
    old_pairs: Vec<Pair>,
    new_pairs: Vec<Pair>,
    raised: Vec<(usize, Pair)>,
}

impl Engine {
    /// An engine with these groups, `n_tables` count tables and `n_dev_slots` development-set
    /// slots, and no words yet.
    pub fn new(groups: Vec<Group>, n_tables: usize, n_dev_slots: usize) -> Self {
        Self {
            symbols: Vec::new(),
            start: Vec::new(),
            len: Vec::new(),
            count: Vec::new(),
            group: Vec::new(),
            groups,
            tables: (0..n_tables).map(|_| PairTable::default()).collect(),
            index: FxHashMap::default(),
            dev_tokens: vec![0; n_dev_slots],
            old: Vec::new(),
            fresh: Vec::new(),
            old_pairs: Vec::new(),
            new_pairs: Vec::new(),
            raised: Vec::new(),
        }
    }

    /// Adds a word (a piece's bytes, each byte its own symbol) occurring `count` times.
    pub fn add_word(&mut self, bytes: &[u8], count: u64, group: usize) {
        if bytes.is_empty() || count == 0 {
            return;
        }
        let word = self.start.len() as u32;
        self.start.push(self.symbols.len());
        self.len.push(bytes.len() as u32);
        self.count.push(count);
        self.group.push(group as u32);
        self.symbols.extend(bytes.iter().map(|&b| TokenId::from(b)));
        if let Some(slot) = self.groups[group].dev_slot {
            self.dev_tokens[slot] += bytes.len() as u64 * count;
        }
        self.old_pairs.clear();
        self.old_pairs
            .extend(bytes.windows(2).map(|p| pair_key(p[0].into(), p[1].into())));
        for &pair in &self.old_pairs {
            for &table in &self.groups[group].tables {
                self.tables[table].add(pair, 1, count);
            }
        }
        self.old_pairs.sort_unstable();
        self.old_pairs.dedup();
        for &pair in &self.old_pairs {
            self.index.entry(pair).or_default().push(word);
        }
    }

    /// Builds the heaps once every word is in.
    pub fn start(&mut self) {
        for table in &mut self.tables {
            table.heap = table
                .counts
                .iter()
                .map(|(&pair, &count)| (count, Reverse(pair)))
                .collect();
        }
    }

    /// The most frequent pair of `table` that `allowed` accepts, with its count.
    pub fn best(&mut self, table: usize, allowed: impl Fn(Pair) -> bool) -> Option<(u64, Pair)> {
        self.tables[table].best(allowed)
    }

    /// The `k` most frequent distinct pairs of `table` that `allowed` accepts.
    pub fn top(
        &mut self,
        table: usize,
        k: usize,
        allowed: impl Fn(Pair) -> bool + Copy,
    ) -> Vec<(u64, Pair)> {
        self.tables[table].top(k, allowed)
    }

    /// The current count of `pair` in `table`.
    pub fn count(&self, table: usize, pair: Pair) -> u64 {
        self.tables[table].count(pair)
    }

    /// Token total of development-set slot `slot`.
    pub fn dev_tokens(&self, slot: usize) -> u64 {
        self.dev_tokens[slot]
    }

    /// Replaces every occurrence of `pair` (left to right, not overlapping) by `merged`, in
    /// every word, and updates counts, index and development-set totals.
    pub fn merge(&mut self, pair: Pair, merged: TokenId) {
        let (left, right) = pair_parts(pair);
        let words = self.index.remove(&pair).unwrap_or_default();
        for &word in &words {
            self.merge_in_word(word as usize, left, right, merged);
        }
        self.raised.sort_unstable();
        self.raised.dedup();
        for &(table, raised) in &self.raised {
            let table = &mut self.tables[table];
            let count = table.count(raised);
            if count > 0 {
                table.heap.push((count, Reverse(raised)));
            }
        }
        self.raised.clear();
    }

    fn merge_in_word(&mut self, word: usize, left: TokenId, right: TokenId, merged: TokenId) {
        let start = self.start[word];
        let len = self.len[word] as usize;
        let symbols = &mut self.symbols[start..start + len];
        let Some(first) = symbols
            .windows(2)
            .position(|p| p[0] == left && p[1] == right)
        else {
            // Listed when it held the pair; an earlier merge took it away.
            return;
        };
        // Rewrite from the first occurrence on, keeping the old symbols from just before it.
        self.old.clear();
        self.old
            .extend_from_slice(&symbols[first.saturating_sub(1)..]);
        let offset = first.saturating_sub(1);
        // Which symbols of the rewritten part (from `offset` on) are made by this merge.
        self.fresh.clear();
        self.fresh.resize(first - offset, false);
        let (mut out, mut i) = (first, first);
        while i < len {
            if i + 1 < len && self.old[i - offset] == left && self.old[i + 1 - offset] == right {
                symbols[out] = merged;
                self.fresh.push(true);
                i += 2;
            } else {
                symbols[out] = self.old[i - offset];
                self.fresh.push(false);
                i += 1;
            }
            out += 1;
        }
        self.len[word] = out as u32;

        // Only pairs next to a merge change: the old word loses every pair that touches an
        // occurrence, the new word gains every pair that touches the merged token.
        let old = &self.old;
        self.old_pairs.clear();
        self.new_pairs.clear();
        let mut k = first - offset;
        let mut previous_site_end = None;
        while k + 1 < old.len() {
            if old[k] == left && old[k + 1] == right {
                if k > 0 && previous_site_end != Some(k) {
                    self.old_pairs.push(pair_key(old[k - 1], old[k]));
                }
                self.old_pairs.push(pair_key(left, right));
                if k + 2 < old.len() {
                    self.old_pairs.push(pair_key(old[k + 1], old[k + 2]));
                }
                previous_site_end = Some(k + 2);
                k += 2;
            } else {
                k += 1;
            }
        }
        let new = &symbols[offset..out];
        for (q, p) in new.windows(2).enumerate() {
            if self.fresh[q] || self.fresh[q + 1] {
                self.new_pairs.push(pair_key(p[0], p[1]));
            }
        }

        let group = &self.groups[self.group[word] as usize];
        let count = self.count[word];
        for &lost in &self.old_pairs {
            for &table in &group.tables {
                self.tables[table].add(lost, -1, count);
            }
        }
        for &gained in &self.new_pairs {
            for &table in &group.tables {
                self.tables[table].add(gained, 1, count);
                self.raised.push((table, gained));
            }
        }
        // List the word once under each pair it gained (sorted, so that a long word of one
        // repeated piece costs n log n here, not n²).
        self.new_pairs.sort_unstable();
        self.new_pairs.dedup();
        for &gained in &self.new_pairs {
            self.index.entry(gained).or_default().push(word as u32);
        }
        if let Some(slot) = group.dev_slot {
            self.dev_tokens[slot] -= (len - out) as u64 * count;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_table() -> Engine {
        Engine::new(
            vec![Group {
                tables: vec![0],
                dev_slot: None,
            }],
            1,
            0,
        )
    }

    #[test]
    fn overlapping_runs_merge_left_to_right() {
        let mut engine = one_table();
        engine.add_word(b"aaaa", 1, 0);
        engine.add_word(b"aaa", 2, 0);
        engine.start();
        let aa = pair_key(97, 97);
        assert_eq!(engine.best(0, |_| true), Some((3 + 4, aa)));
        engine.merge(aa, 256);
        // "aaaa" -> [aa aa]; "aaa" -> [aa a].
        assert_eq!(engine.best(0, |_| true), Some((2, pair_key(256, 97))));
        assert_eq!(engine.tables[0].count(pair_key(256, 256)), 1);
        assert_eq!(engine.tables[0].count(aa), 0);
    }

    #[test]
    fn ties_go_to_the_lowest_pair_and_refused_pairs_are_skipped() {
        let mut engine = one_table();
        engine.add_word(b"ab", 1, 0);
        engine.add_word(b"cd", 1, 0);
        engine.start();
        assert_eq!(engine.best(0, |_| true), Some((1, pair_key(97, 98))));
        let cd = pair_key(99, 100);
        assert_eq!(engine.best(0, |p| p == cd), Some((1, cd)));
    }
}
