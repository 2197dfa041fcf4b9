//! The models that turn one word into token IDs: BPE over chars (SentencePiece-style, with byte
//! fallback), Unigram (the best-scoring segmentation) and WordPiece (greedy longest match).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use omnitok_vocab::TokenId;
use rustc_hash::FxHashMap;

/// The `<0xAB>` token of each byte, where the vocabulary has all 256.
pub type ByteTokens = Box<[TokenId; 256]>;

/// The name of byte `b`'s fallback token, `<0xAB>`.
pub fn byte_token_name(byte: u8) -> String {
    format!("<0x{byte:02X}>")
}

/// The byte of a `<0xAB>` token (`None` for other tokens).
pub fn byte_of_token(token: &str) -> Option<u8> {
    let hex = token.strip_prefix("<0x")?.strip_suffix('>')?;
    if hex.len() != 2 {
        return None;
    }
    u8::from_str_radix(hex, 16).ok()
}

/// A word-level model of a tokenizer.json.
#[derive(Debug)]
pub enum Model {
    /// BPE over the chars of a word.
    Bpe(CharBpe),
    /// Unigram language model.
    Unigram(Unigram),
    /// WordPiece.
    WordPiece(WordPiece),
}

impl Model {
    /// Calls `part` with pieces of `word` that encode independently (their IDs concatenated
    /// are the word's): the whole word, or for BPE whose vocabulary never joins a char to a
    /// following `▁`, the stretches that start at each run of `▁` (SentencePiece's word
    /// boundary), so that a line without a pre-tokenizer still encodes word by word.
    pub fn for_each_part<'w>(&self, word: &'w str, part: impl FnMut(&'w str)) {
        let mark = match self {
            Self::Bpe(bpe) if !(bpe.ignore_merges && bpe.vocab.contains_key(word)) => {
                bpe.independent_before
            }
            _ => None,
        };
        for_each_independent_part(word, mark, part);
    }

    /// Appends the IDs of `word`, through this thread's cache of pipeline `owner`'s words.
    pub fn encode_cached(&self, owner: u64, word: &str, out: &mut Vec<TokenId>) {
        if let Self::Unigram(unigram) = self {
            if unigram.score_in_f32 {
                return unigram.encode_summing_f32(owner, word, out);
            }
        }
        self.for_each_part(word, |part| {
            super::cache::encode_cached(owner, part, out, |w, out| self.encode_word(w, out))
        });
    }

    /// Appends the IDs of `word` to `out`.
    pub fn encode_word(&self, word: &str, out: &mut Vec<TokenId>) {
        if word.is_empty() {
            return;
        }
        match self {
            Self::Bpe(model) => model.encode_word(word, out),
            Self::Unigram(model) => model.encode_word(word, out),
            Self::WordPiece(model) => model.encode_word(word, out),
        }
    }
}

/// BPE whose symbols start as the word's chars, as HF's BPE model runs without a ByteLevel
/// pre-tokenizer (SentencePiece-converted vocabularies) and also with one (the chars are then
/// byte chars).
#[derive(Debug)]
pub struct CharBpe {
    pub(crate) vocab: FxHashMap<String, TokenId>,
    /// `(left, right) -> (rank, merged)`.
    pub(crate) merges: FxHashMap<(TokenId, TokenId), (u32, TokenId)>,
    pub(crate) unk: Option<TokenId>,
    pub(crate) fuse_unk: bool,
    /// Set when `byte_fallback` is on and all 256 byte tokens exist; with some missing, a char
    /// falls back only when all its bytes have tokens, so the table holds `None` there.
    pub(crate) byte_fallback: Option<Box<[Option<TokenId>; 256]>>,
    pub(crate) continuing_subword_prefix: Option<String>,
    pub(crate) end_of_word_suffix: Option<String>,
    pub(crate) ignore_merges: bool,
    /// `Some('▁')` when no token holds a char other than `▁` followed by `▁`, `▁` is a token,
    /// and no prefix or suffix marks positions: then no merge joins across the start of a run
    /// of `▁`, and the stretches between such starts encode independently.
    pub(crate) independent_before: Option<char>,
}

impl CharBpe {
    /// The value of [`CharBpe::independent_before`] for this vocabulary.
    pub(crate) fn find_independent_boundary(&self) -> Option<char> {
        if self.continuing_subword_prefix.is_some() || self.end_of_word_suffix.is_some() {
            return None;
        }
        independent_boundary(self.vocab.keys().map(String::as_str))
    }
}

/// Calls `part` with `word` cut before each run of `mark` (none without a mark).
fn for_each_independent_part<'w>(word: &'w str, mark: Option<char>, mut part: impl FnMut(&'w str)) {
    let Some(mark) = mark else {
        return part(word);
    };
    let mut start = 0;
    let mut previous: Option<char> = None;
    for (at, c) in word.char_indices() {
        if c == mark && previous.is_some_and(|p| p != mark) && at > start {
            part(&word[start..at]);
            start = at;
        }
        previous = Some(c);
    }
    part(&word[start..]);
}

/// `Some('▁')` when `tokens` hold `▁` and no token holds a char other than `▁` followed by
/// `▁`: then no token spans the start of a run of `▁`, and a model over these tokens encodes
/// the stretches between such starts independently.
pub(crate) fn independent_boundary<'a>(tokens: impl Iterator<Item = &'a str>) -> Option<char> {
    const MARK: char = '\u{2581}';
    let mut has_mark = false;
    for token in tokens {
        has_mark |= token == "\u{2581}";
        let mut previous: Option<char> = None;
        for c in token.chars() {
            if c == MARK && previous.is_some_and(|p| p != MARK) {
                return None;
            }
            previous = Some(c);
        }
    }
    has_mark.then_some(MARK)
}

impl CharBpe {
    fn encode_word(&self, word: &str, out: &mut Vec<TokenId>) {
        if self.ignore_merges {
            if let Some(&id) = self.vocab.get(word) {
                out.push(id);
                return;
            }
        }
        // The initial symbols: each char's token, its bytes' tokens, or (fused) unknowns.
        let mut symbols: Vec<TokenId> = Vec::with_capacity(word.len());
        let mut pending_unk = false;
        let mut chars = word.char_indices().peekable();
        let mut buffer = String::new();
        while let Some((at, c)) = chars.next() {
            let is_last = chars.peek().is_none();
            buffer.clear();
            if at > 0 {
                if let Some(prefix) = &self.continuing_subword_prefix {
                    buffer.push_str(prefix);
                }
            }
            buffer.push(c);
            if is_last {
                if let Some(suffix) = &self.end_of_word_suffix {
                    buffer.push_str(suffix);
                }
            }
            if let Some(&id) = self.vocab.get(buffer.as_str()) {
                if pending_unk {
                    symbols.extend(self.unk);
                    pending_unk = false;
                }
                symbols.push(id);
                continue;
            }
            if let Some(bytes) = &self.byte_fallback {
                let ids: Option<Vec<TokenId>> = buffer.bytes().map(|b| bytes[b as usize]).collect();
                if let Some(ids) = ids {
                    // As HF: a pending unknown is not flushed before fallback bytes.
                    symbols.extend(ids);
                    continue;
                }
            }
            if self.unk.is_some() {
                if pending_unk && !self.fuse_unk {
                    symbols.extend(self.unk);
                }
                pending_unk = true;
            }
        }
        if pending_unk {
            symbols.extend(self.unk);
        }
        self.merge(&mut symbols);
        out.extend(symbols);
    }

    /// Applies merges lowest rank first, leftmost first among equal ranks.
    fn merge(&self, symbols: &mut Vec<TokenId>) {
        if symbols.len() < 2 {
            return;
        }
        // A linked list over `symbols`; merged-away entries get `removed`.
        let n = symbols.len();
        let mut next: Vec<usize> = (1..=n).collect();
        let mut prev: Vec<usize> = (0..n).map(|i| i.wrapping_sub(1)).collect();
        let mut removed = vec![false; n];
        let mut queue: BinaryHeap<Reverse<(u32, usize, TokenId)>> = BinaryHeap::new();
        for i in 0..n - 1 {
            if let Some(&(rank, merged)) = self.merges.get(&(symbols[i], symbols[i + 1])) {
                queue.push(Reverse((rank, i, merged)));
            }
        }
        while let Some(Reverse((_, at, merged))) = queue.pop() {
            if removed[at] || next[at] >= n {
                continue;
            }
            let right = next[at];
            // Skip entries made stale by an earlier merge.
            match self.merges.get(&(symbols[at], symbols[right])) {
                Some(&(_, m)) if m == merged => {}
                _ => continue,
            }
            symbols[at] = merged;
            removed[right] = true;
            next[at] = next[right];
            if next[at] < n {
                prev[next[at]] = at;
            }
            if prev[at] < n {
                let left = prev[at];
                if let Some(&(rank, m)) = self.merges.get(&(symbols[left], merged)) {
                    queue.push(Reverse((rank, left, m)));
                }
            }
            if next[at] < n {
                if let Some(&(rank, m)) = self.merges.get(&(merged, symbols[next[at]])) {
                    queue.push(Reverse((rank, at, m)));
                }
            }
        }
        let mut keep = removed.iter().map(|r| !r);
        symbols.retain(|_| keep.next().unwrap_or(false));
    }
}

/// A Unigram model: the segmentation of a word whose pieces' scores sum highest.
#[derive(Debug)]
pub struct Unigram {
    /// Pieces by ID.
    pub(crate) pieces: Vec<(String, f64)>,
    /// Piece text -> ID (a later duplicate wins, as in HF).
    pub(crate) ids: FxHashMap<String, TokenId>,
    /// Every piece, as a byte trie: `nodes[i]` maps a byte to a child; `ends[i]` the piece
    /// ending there.
    pub(crate) trie: Trie,
    pub(crate) unk: Option<TokenId>,
    pub(crate) unk_score: f64,
    pub(crate) byte_fallback: Option<Box<[Option<TokenId>; 256]>>,
    /// Path scores summed in f32 along the whole text, as the sentencepiece library does
    /// (HF sums in f64 word by word).
    pub(crate) score_in_f32: bool,
    /// As [`CharBpe::independent_before`], for the pieces in the trie.
    pub(crate) independent_before: Option<char>,
}

/// Buffers of the best-path search, kept across the words of a text.
struct PathScratch<S> {
    /// Per byte position: the best path's score there, its last piece's start and ID.
    best: Vec<Option<(S, usize, Option<TokenId>)>>,
    /// The path's pieces, walked back: start, end, ID (None: unknown).
    pieces: Vec<(usize, usize, Option<TokenId>)>,
}

impl<S> Default for PathScratch<S> {
    fn default() -> Self {
        Self {
            best: Vec::new(),
            pieces: Vec::new(),
        }
    }
}

/// One edge of a word's lattice: a piece, or (`id` None) an unknown char, over `start..end`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Edge {
    start: u32,
    end: u32,
    id: Option<TokenId>,
}

impl Edge {
    fn new(start: usize, end: usize, id: Option<TokenId>) -> Self {
        Self {
            start: start as u32,
            end: end as u32,
            id,
        }
    }
}

/// What sentencepiece's Unigram keeps of a word: its lattice, and its best path with how far
/// that path leads. A path's score summed in f32 from an offset differs from its exact score
/// by at most one rounding per step, each at most 2^-24 of the sum's magnitude; while the lead
/// exceeds twice that (each side of a comparison may be off by it, and by the rounding of the
/// piece scores to f32), every comparison of the
/// search from that offset goes the same way, and the path is the one kept.
pub(crate) struct KnownWord {
    edges: Box<[Edge]>,
    /// The best path's IDs (unknown stretches resolved).
    ids: Box<[TokenId]>,
    /// The best path's edge scores in f32, in order.
    scores: Box<[f32]>,
    /// The smallest exact difference, at a position of the best path, between its way in
    /// and any other way in (infinite when there is no other way).
    lead: f64,
    /// The most steps of any path (the word's chars).
    steps: f64,
    /// A bound on the magnitude of any path's score within the word.
    reach: f64,
}

impl KnownWord {
    /// How far rounding could move a comparison of two paths summed in f32 from `offset`:
    /// per side, one rounding per step plus the scores' own rounding to f32 (together at most
    /// steps + 1 units of 2^-24 of the largest magnitude), with room for the f64 rounding of
    /// the lead itself.
    fn rounding_bound(&self, offset: f32) -> f64 {
        let magnitude = f64::from(offset).abs() + self.reach;
        let unit = f64::from(f32::EPSILON) / 2.0;
        2.0 * (self.steps + 1.0) * magnitude * unit * 1.01 + 1e-9 * magnitude
    }
}

/// A path score: f64 as HF tokenizers sums, or f32 as sentencepiece does.
trait PathScore: Copy + PartialOrd + std::ops::Add<Output = Self> {
    fn of(score: f64) -> Self;
}

impl PathScore for f64 {
    fn of(score: f64) -> Self {
        score
    }
}

impl PathScore for f32 {
    fn of(score: f64) -> Self {
        score as f32
    }
}

/// A byte trie of the pieces, for finding every piece that starts at a position. The root's
/// children are a table (every position starts there); other nodes keep theirs sorted.
#[derive(Debug)]
pub struct Trie {
    /// The root's child by byte (0: none; the root is no one's child).
    root: Box<[u32; 256]>,
    /// Each node's children, sorted by byte (the root's list stays empty).
    children: Vec<Vec<(u8, u32)>>,
    piece: Vec<Option<TokenId>>,
}

impl Default for Trie {
    fn default() -> Self {
        Self {
            root: Box::new([0; 256]),
            children: vec![Vec::new()],
            piece: vec![None],
        }
    }
}

impl Trie {
    /// Adds `key` for `id` (a key added twice keeps its last ID).
    pub fn insert(&mut self, key: &[u8], id: TokenId) {
        let mut node = 0usize;
        for &byte in key {
            let next_free = self.children.len() as u32;
            let child = if node == 0 {
                let slot = &mut self.root[byte as usize];
                if *slot == 0 {
                    *slot = next_free;
                }
                *slot
            } else {
                let edges = &mut self.children[node];
                match edges.binary_search_by_key(&byte, |&(b, _)| b) {
                    Ok(at) => edges[at].1,
                    Err(at) => {
                        edges.insert(at, (byte, next_free));
                        next_free
                    }
                }
            };
            if child == next_free {
                self.children.push(Vec::new());
                self.piece.push(None);
            }
            node = child as usize;
        }
        self.piece[node] = Some(id);
    }

    /// Calls `found(length, id)` for each key that is a prefix of `text`, shortest first.
    fn prefixes(&self, text: &[u8], mut found: impl FnMut(usize, TokenId)) {
        let mut node = 0usize;
        for (i, &byte) in text.iter().enumerate() {
            let child = if node == 0 {
                self.root[byte as usize]
            } else {
                let edges = &self.children[node];
                match edges.binary_search_by_key(&byte, |&(b, _)| b) {
                    Ok(at) => edges[at].1,
                    Err(_) => 0,
                }
            };
            if child == 0 {
                return;
            }
            node = child as usize;
            if let Some(id) = self.piece[node] {
                found(i + 1, id);
            }
        }
    }
}

impl Unigram {
    fn encode_word(&self, word: &str, out: &mut Vec<TokenId>) {
        let edges = self.lattice(word);
        match self.score_in_f32 {
            true => _ = self.best_path(word, &edges, 0f32, &mut PathScratch::default(), out),
            false => _ = self.best_path(word, &edges, 0f64, &mut PathScratch::default(), out),
        }
    }

    /// The lattice of `word`: its edges in the order the best-path search visits them (by
    /// start; pieces shortest first, then the unknown char where no piece is exactly one char).
    pub(crate) fn lattice(&self, word: &str) -> Vec<Edge> {
        let bytes = word.as_bytes();
        let mut edges = Vec::with_capacity(bytes.len() * 2);
        for (start, c) in word.char_indices() {
            let char_len = c.len_utf8();
            let mut has_single_char = false;
            self.trie.prefixes(&bytes[start..], |length, id| {
                edges.push(Edge::new(start, start + length, Some(id)));
                has_single_char |= length == char_len;
            });
            if !has_single_char {
                edges.push(Edge::new(start, start + char_len, None));
            }
        }
        edges
    }

    /// Appends the IDs of the best path through `word`'s `edges`, its scores summed in `S`
    /// from `offset` (the score of the text before `word`); returns the path's score.
    fn best_path<S: PathScore>(
        &self,
        word: &str,
        edges: &[Edge],
        offset: S,
        scratch: &mut PathScratch<S>,
        out: &mut Vec<TokenId>,
    ) -> S {
        // best[i]: (score, start, id) of the best path covering word[..i].
        let PathScratch { best, pieces } = scratch;
        best.clear();
        best.resize(word.len() + 1, None);
        best[0] = Some((offset, 0, None));
        for edge in edges {
            let (start, end) = (edge.start as usize, edge.end as usize);
            let Some((score_here, ..)) = best[start] else {
                continue;
            };
            let piece_score = edge
                .id
                .map_or(self.unk_score, |id| self.pieces[id as usize].1);
            let score = score_here + S::of(piece_score);
            let slot = &mut best[end];
            if slot.is_none_or(|(s, ..)| score > s) {
                *slot = Some((score, start, edge.id));
            }
        }
        // Walk back; unknown stretches next to each other become one.
        pieces.clear();
        let mut end = word.len();
        while end > 0 {
            let Some((_, start, id)) = best[end] else {
                break;
            };
            // The unk piece itself, typed, fuses with unknown neighbours too.
            let id = id.filter(|&id| Some(id) != self.unk);
            match (id, pieces.last_mut()) {
                (None, Some((s, _, None))) => *s = start,
                _ => pieces.push((start, end, id)),
            }
            end = start;
        }
        for &(start, end, id) in pieces.iter().rev() {
            match id {
                Some(id) => out.push(id),
                None => self.push_unknown(&word[start..end], out),
            }
        }
        best[word.len()].map_or(offset, |(score, ..)| score)
    }

    /// Appends the IDs of `text` as the sentencepiece library segments it: one best path over
    /// the whole text, scores summed in f32. Where no piece spans the start of a run of `▁`,
    /// the stretches between such starts are searched one after the other, each from the
    /// score the text before it ended with (the same sums in the same order). What is known of
    /// each stretch comes from this thread's cache: its best path is taken as it is when its
    /// lead is beyond what rounding from this offset could undo, else its lattice is searched.
    fn encode_summing_f32(&self, owner: u64, text: &str, out: &mut Vec<TokenId>) {
        let mut offset = 0f32;
        let mut scratch = PathScratch::default();
        let mut exact = PathScratch::default();
        for_each_independent_part(text, self.independent_before, |part| {
            if !super::cache::keeps(part) {
                // Not kept: knowing its best path would cost a search of its own.
                let edges = self.lattice(part);
                offset = self.best_path(part, &edges, offset, &mut scratch, out);
                return;
            }
            offset = super::cache::with_known_word(
                owner,
                part,
                |p| self.known_word(p, &mut exact),
                |known| {
                    if known.lead > known.rounding_bound(offset) {
                        out.extend_from_slice(&known.ids);
                        // The same f32 sums as the search, in the same order.
                        known.scores.iter().fold(offset, |sum, &score| sum + score)
                    } else {
                        self.best_path(part, &known.edges, offset, &mut scratch, out)
                    }
                },
            );
        });
    }

    /// What is known of `word`: its lattice, and its best path searched in f64 from 0, with
    /// the path's lead over any other way into each of its positions.
    fn known_word(&self, word: &str, scratch: &mut PathScratch<f64>) -> KnownWord {
        let edges = self.lattice(word);
        let mut ids = Vec::new();
        self.best_path(word, &edges, 0f64, scratch, &mut ids);
        let best = &scratch.best;
        let score_of = |edge: &Edge| {
            edge.id
                .map_or(self.unk_score, |id| self.pieces[id as usize].1)
        };
        // The path's edges, walked back from the end: (start, end, id).
        let mut path = Vec::new();
        let mut end = word.len();
        while end > 0 {
            let Some((_, start, id)) = best[end] else {
                break;
            };
            path.push((start, end, id));
            end = start;
        }
        path.reverse();
        let mut on_path = vec![false; word.len() + 1];
        for &(_, end, _) in &path {
            on_path[end] = true;
        }
        // The smallest lead of the chosen way into a position of the path over another way in.
        let mut lead = f64::INFINITY;
        let mut largest_score = 0f64;
        for edge in &edges {
            let (start, end) = (edge.start as usize, edge.end as usize);
            largest_score = largest_score.max(score_of(edge).abs());
            let (Some((into, ..)), Some((chosen, chosen_start, chosen_id))) =
                (best[start], best[end])
            else {
                continue;
            };
            if on_path[end] && (start, edge.id) != (chosen_start, chosen_id) {
                lead = lead.min(chosen - (into + score_of(edge)));
            }
        }
        let scores = path
            .iter()
            .map(|&(start, end, id)| f32::of(score_of(&Edge::new(start, end, id))))
            .collect();
        KnownWord {
            edges: edges.into(),
            ids: ids.into(),
            scores,
            lead,
            steps: word.chars().count() as f64,
            reach: word.chars().count() as f64 * largest_score,
        }
    }

    /// An unknown stretch: its bytes' tokens if they all exist (byte fallback), else the unk
    /// ID (a stretch that happens to spell a piece, as a fused one can, is that piece).
    fn push_unknown(&self, text: &str, out: &mut Vec<TokenId>) {
        if let Some(&id) = self.ids.get(text) {
            out.push(id);
            return;
        }
        if let Some(bytes) = &self.byte_fallback {
            let ids: Option<Vec<TokenId>> = text.bytes().map(|b| bytes[b as usize]).collect();
            if let Some(ids) = ids {
                out.extend(ids);
                return;
            }
        }
        out.extend(self.unk);
    }
}

/// WordPiece: the longest vocabulary entry at the start of the word, then the longest
/// continuation (with its prefix, `##`) after it, and so on; a word that cannot be covered, or
/// is longer than `max_chars`, is the unk token.
#[derive(Debug)]
pub struct WordPiece {
    pub(crate) vocab: FxHashMap<String, TokenId>,
    pub(crate) unk: TokenId,
    pub(crate) prefix: String,
    pub(crate) max_chars: usize,
}

impl WordPiece {
    fn encode_word(&self, word: &str, out: &mut Vec<TokenId>) {
        if word.chars().count() > self.max_chars {
            out.push(self.unk);
            return;
        }
        let first = out.len();
        let mut start = 0;
        let mut candidate = String::new();
        while start < word.len() {
            let mut end = word.len();
            let mut found = None;
            while start < end {
                candidate.clear();
                if start > 0 {
                    candidate.push_str(&self.prefix);
                }
                candidate.push_str(&word[start..end]);
                if let Some(&id) = self.vocab.get(candidate.as_str()) {
                    found = Some(id);
                    break;
                }
                end -= word[..end].chars().next_back().map_or(1, char::len_utf8);
            }
            match found {
                Some(id) => out.push(id),
                None => {
                    out.truncate(first);
                    out.push(self.unk);
                    return;
                }
            }
            start = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unigram(pieces: &[(&str, f64)]) -> Unigram {
        let mut trie = Trie::default();
        let mut ids = FxHashMap::default();
        for (id, (piece, _)) in pieces.iter().enumerate() {
            trie.insert(piece.as_bytes(), id as TokenId);
            ids.insert(piece.to_string(), id as TokenId);
        }
        let min = pieces.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        Unigram {
            pieces: pieces.iter().map(|&(p, s)| (p.to_string(), s)).collect(),
            ids,
            trie,
            unk: Some(0),
            unk_score: min - 10.0,
            byte_fallback: None,
            score_in_f32: false,
            independent_before: None,
        }
    }

    #[test]
    fn unigram_picks_the_best_path_and_fuses_unknowns() {
        let model = unigram(&[
            ("<unk>", 0.0),
            ("ab", 0.0),
            ("cd", -0.1),
            ("abc", -0.2),
            ("a", -0.3),
            ("b", -0.4),
            ("c", -0.5),
            ("ABC", -0.5),
            ("abcdabcd", 20.0),
            ("q", 20.5),
            ("r", 20.5),
            ("qr", -0.5),
        ]);
        let encode = |text: &str| {
            let mut out = Vec::new();
            model.encode_word(text, &mut out);
            out
        };
        assert_eq!(encode("abc"), [3]);
        assert_eq!(encode("abcd"), [1, 2]);
        assert_eq!(encode("abcc"), [3, 6]);
        assert_eq!(encode("xyz東京"), [0]);
        assert_eq!(encode("ababcdabcdcd"), [1, 8, 2]);
        assert_eq!(encode("abqrcd"), [1, 9, 10, 2]);
    }

    #[test]
    fn kept_best_paths_equal_the_search_over_the_whole_text() {
        use rand::{Rng, SeedableRng};
        // Pieces whose scores nearly tie (a + b against ab, ...) so that the rounding of the
        // running f32 sum decides some words and leaves others beyond its reach.
        let mut model = unigram(&[
            ("<unk>", 0.0),
            ("\u{2581}", -2.0),
            ("a", -1.1),
            ("b", -2.3),
            ("ab", -3.4),
            ("\u{2581}a", -3.1),
            ("\u{2581}ab", -5.4),
            ("ba", -3.4000001),
            ("aba", -4.5),
            ("c", -7.25),
            ("bc", -9.55),
            ("abc", -10.0),
        ]);
        model.score_in_f32 = true;
        model.independent_before = Some('\u{2581}');
        let owner = crate::pipeline::cache::next_owner();
        let words = [
            "a", "b", "ab", "ba", "aba", "abc", "bca", "cab", "abab", "x", "aab",
        ];
        // Both ways are taken: some words lead by more than rounding reaches, some tie.
        let decided = |word: &str| {
            let known = model.known_word(&format!("\u{2581}{word}"), &mut PathScratch::default());
            known.lead > known.rounding_bound(-1000.0)
        };
        assert!(decided("abc") && decided("x"));
        assert!(!decided("ab") && !decided("aba"));
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..300 {
            let n = rng.random_range(1..400);
            let text: String = (0..n)
                .map(|_| format!("\u{2581}{}", words[rng.random_range(0..words.len())]))
                .collect();
            let mut cached = Vec::new();
            model.encode_summing_f32(owner, &text, &mut cached);
            let mut whole = Vec::new();
            let edges = model.lattice(&text);
            model.best_path(&text, &edges, 0f32, &mut PathScratch::default(), &mut whole);
            assert_eq!(cached, whole, "{text}");
        }
    }

    fn char_bpe(tokens: &[&str]) -> CharBpe {
        let mut bpe = CharBpe {
            vocab: tokens
                .iter()
                .enumerate()
                .map(|(i, t)| (t.to_string(), i as TokenId))
                .collect(),
            merges: FxHashMap::default(),
            unk: None,
            fuse_unk: false,
            byte_fallback: None,
            continuing_subword_prefix: None,
            end_of_word_suffix: None,
            ignore_merges: false,
            independent_before: None,
        };
        bpe.independent_before = bpe.find_independent_boundary();
        bpe
    }

    #[test]
    fn bpe_words_split_at_runs_of_the_boundary_mark_only_when_no_token_joins_one() {
        let parts = |model: &Model, word: &'static str| {
            let mut parts = Vec::new();
            model.for_each_part(word, |p| parts.push(p));
            parts
        };
        let free = Model::Bpe(char_bpe(&["▁", "a", "b", "▁▁", "▁a"]));
        assert_eq!(parts(&free, "▁a▁▁b▁a"), ["▁a", "▁▁b", "▁a"]);
        assert_eq!(parts(&free, "ab"), ["ab"]);
        // "a▁" joins a char to a following mark: the word stays whole.
        let joined = Model::Bpe(char_bpe(&["▁", "a", "a▁"]));
        assert_eq!(parts(&joined, "▁a▁a"), ["▁a▁a"]);
    }

    #[test]
    fn wordpiece_takes_longest_matches_and_gives_up_whole_words() {
        let vocab: FxHashMap<String, TokenId> =
            [("[UNK]", 0), ("un", 1), ("##aff", 2), ("##able", 3)]
                .into_iter()
                .map(|(t, i)| (t.to_string(), i))
                .collect();
        let model = WordPiece {
            vocab,
            unk: 0,
            prefix: "##".into(),
            max_chars: 100,
        };
        let mut out = vec![7];
        model.encode_word("unaffable", &mut out);
        assert_eq!(out, [7, 1, 2, 3]);
        model.encode_word("unaffablex", &mut out);
        assert_eq!(out, [7, 1, 2, 3, 0]);
    }
}
