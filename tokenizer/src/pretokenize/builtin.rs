//! Hand-written matchers for the pre-tokenization patterns of the OpenAI encodings.
//!
//! Each matcher returns, for a start position, the end of the match that the backtracking regex
//! engine (leftmost-first alternation, greedy quantifiers with backtracking, possessive ones
//! without) would find there. They run in time linear in the text: every run of a class is
//! scanned a bounded number of times. `tests/pretokenize_oracle.rs` checks them against
//! fancy-regex on the published pattern strings.

use super::classes::{ClassTable, LETTER, LOWER_LIKE, NEWLINE, NUMBER, SPACE, UPPER_LIKE};

/// `'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s`
pub const GPT2_PATTERN: &str =
    r"'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s";

/// The pattern of cl100k_base.
pub const CL100K_PATTERN: &str = r"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s";

/// The pattern of o200k_base (and o200k_harmony): the seven alternatives joined by `|`.
pub const O200K_PATTERN: &str = concat!(
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    "|",
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    "|",
    r"\p{N}{1,3}",
    "|",
    r" ?[^\s\p{L}\p{N}]+[\r\n/]*",
    "|",
    r"\s*[\r\n]+",
    "|",
    r"\s+(?!\S)",
    "|",
    r"\s+"
);

/// Which built-in pattern a matcher implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuiltinPattern {
    /// GPT-2, r50k_base and p50k_base.
    Gpt2,
    /// cl100k_base.
    Cl100k,
    /// o200k_base and o200k_harmony.
    O200k,
}

impl BuiltinPattern {
    /// The regex this matcher implements.
    pub fn pattern(self) -> &'static str {
        match self {
            Self::Gpt2 => GPT2_PATTERN,
            Self::Cl100k => CL100K_PATTERN,
            Self::O200k => O200K_PATTERN,
        }
    }

    /// The same regex spelled for Oniguruma (HF tokenizers), where `{n,m}+` is not possessive
    /// but a repetition of the braced group. cl100k's `\p{N}{1,3}+` is a whole alternative, so
    /// dropping the possessive mark there matches the same text.
    pub fn oniguruma_pattern(self) -> String {
        self.pattern().replace(r"\p{N}{1,3}+", r"\p{N}{1,3}")
    }

    /// The matcher whose regex is exactly `pattern` (in either spelling), if any.
    pub fn recognize(pattern: &str) -> Option<Self> {
        [Self::Gpt2, Self::Cl100k, Self::O200k]
            .into_iter()
            .find(|p| p.pattern() == pattern || p.oniguruma_pattern() == pattern)
    }

    /// Calls `piece(start, end)` for every match in `text`, in order. Matches tile the text.
    pub fn for_each_piece(self, text: &str, mut piece: impl FnMut(usize, usize)) {
        let scanner = Scanner {
            text,
            bytes: text.as_bytes(),
            table: ClassTable::get(),
        };
        let mut start = 0;
        while start < text.len() {
            let end = match self {
                Self::Gpt2 => scanner.gpt2(start),
                Self::Cl100k => scanner.cl100k(start),
                Self::O200k => scanner.o200k(start),
            };
            debug_assert!(end > start, "every pattern matches at least one char");
            piece(start, end);
            start = end;
        }
    }
}

/// Characters that are neither white space, letter nor number (`[^\s\p{L}\p{N}]`).
const fn is_punct(flags: u8) -> bool {
    flags & (SPACE | LETTER | NUMBER) == 0
}

/// Characters of `[^\r\n\p{L}\p{N}]`, the optional prefix of a word.
const fn is_word_prefix(flags: u8) -> bool {
    flags & (NEWLINE | LETTER | NUMBER) == 0
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    table: &'static ClassTable,
}

impl Scanner<'_> {
    /// Flags and UTF-8 length of the char starting at byte `i`, or `None` at the end.
    #[inline(always)]
    fn at(&self, i: usize) -> Option<(u8, usize)> {
        let first = *self.bytes.get(i)?;
        if first < 0x80 {
            return Some((self.table.of_ascii(first), 1));
        }
        // `text` is valid UTF-8 and `i` a char boundary, so `first` leads a 2-4 byte sequence.
        let continuation = |k: usize| u32::from(self.bytes.get(i + k).map_or(0, |b| b & 0x3f));
        let (cp, len) = if first < 0xE0 {
            ((u32::from(first & 0x1f) << 6) | continuation(1), 2)
        } else if first < 0xF0 {
            let cp = (u32::from(first & 0x0f) << 12) | (continuation(1) << 6) | continuation(2);
            (cp, 3)
        } else {
            let cp = (u32::from(first & 0x07) << 18)
                | (continuation(1) << 12)
                | (continuation(2) << 6)
                | continuation(3);
            (cp, 4)
        };
        Some((self.table.of_code_point(cp), len))
    }

    #[inline]
    fn has(&self, i: usize, class: u8) -> bool {
        matches!(self.at(i), Some((flags, _)) if flags & class != 0)
    }

    /// End of the maximal run, starting at `i`, of chars whose flags satisfy `member`.
    #[inline]
    fn run(&self, mut i: usize, member: impl Fn(u8) -> bool) -> usize {
        loop {
            // ASCII stretch first: one table lookup per byte.
            while let Some(&byte) = self.bytes.get(i) {
                if byte >= 0x80 {
                    break;
                }
                if !member(self.table.of_ascii(byte)) {
                    return i;
                }
                i += 1;
            }
            match self.at(i) {
                Some((flags, len)) if member(flags) => i += len,
                _ => return i,
            }
        }
    }

    /// End of at most `max` consecutive chars of `class` from `i`.
    fn run_at_most(&self, mut i: usize, class: u8, max: usize) -> usize {
        for _ in 0..max {
            match self.at(i) {
                Some((flags, len)) if flags & class != 0 => i += len,
                _ => break,
            }
        }
        i
    }

    /// Length of a contraction `'s 't 're 've 'm 'll 'd` at `i`, or 0. With `fold_case`, letters
    /// match as `(?i)` does, where `s` also matches U+017F LATIN SMALL LETTER LONG S.
    fn contraction(&self, i: usize, fold_case: bool) -> usize {
        let rest = &self.bytes[i.min(self.bytes.len())..];
        if rest.first() != Some(&b'\'') {
            return 0;
        }
        let fold = |b: u8| if fold_case { b.to_ascii_lowercase() } else { b };
        match rest.get(1).copied().map(fold) {
            Some(b's' | b't' | b'm' | b'd') => 2,
            Some(b'l') if rest.get(2).copied().map(fold) == Some(b'l') => 3,
            Some(b'v' | b'r') if rest.get(2).copied().map(fold) == Some(b'e') => 3,
            Some(0xC5) if fold_case && rest.get(2) == Some(&0xBF) => 3, // U+017F
            _ => 0,
        }
    }

    /// End of the white-space run from `start`, the end of its last `[\r\n]` (if any), and the
    /// start of its last char.
    fn space_run(&self, start: usize) -> (usize, Option<usize>, usize) {
        let (mut i, mut after_newline, mut last) = (start, None, start);
        while let Some((flags, len)) = self.at(i) {
            if flags & SPACE == 0 {
                break;
            }
            if flags & NEWLINE != 0 {
                after_newline = Some(i + len);
            }
            last = i;
            i += len;
        }
        (i, after_newline, last)
    }

    /// ` ?P++` where P is `class`: the end, if a char of `class` follows the optional space.
    fn space_then_run(&self, start: usize, member: impl Fn(u8) -> bool) -> Option<usize> {
        let first = if self.bytes[start] == b' ' {
            start + 1
        } else {
            start
        };
        match self.at(first) {
            Some((flags, _)) if member(flags) => Some(self.run(first, member)),
            _ => None,
        }
    }

    fn gpt2(&self, s: usize) -> usize {
        let n = self.contraction(s, false);
        if n > 0 {
            return s + n;
        }
        for class in [LETTER, NUMBER] {
            if let Some(end) = self.space_then_run(s, |f| f & class != 0) {
                return end;
            }
        }
        if let Some(end) = self.space_then_run(s, is_punct) {
            return end;
        }
        self.trailing_space(s)
    }

    /// `\s+$|\s+(?!\S)|\s+?`: the white-space run from `s` when it reaches the end of the text
    /// or is a single char, else the run less its last char (which then starts the next piece).
    /// Shared by all three patterns after their newline rules.
    fn trailing_space(&self, s: usize) -> usize {
        let (end, _, last) = self.space_run(s);
        if end == self.bytes.len() || last == s {
            // `max` guarantees progress should `s` not start white space (no pattern gets here
            // then: every char is a letter, number, punctuation or white space).
            return end.max(self.next_char_end(s));
        }
        last
    }

    fn next_char_end(&self, i: usize) -> usize {
        self.at(i).map_or(i, |(_, len)| i + len)
    }

    fn cl100k(&self, s: usize) -> usize {
        let n = self.contraction(s, true);
        if n > 0 {
            return s + n;
        }
        let Some((flags, len)) = self.at(s) else {
            return s;
        };
        // [^\r\n\p{L}\p{N}]?+\p{L}++
        let word = if is_word_prefix(flags) { s + len } else { s };
        if self.has(word, LETTER) {
            return self.run(word, |f| f & LETTER != 0);
        }
        if flags & NUMBER != 0 {
            return self.run_at_most(s, NUMBER, 3);
        }
        if let Some(end) = self.space_then_run(s, is_punct) {
            return self.run(end, |f| f & NEWLINE != 0);
        }
        let (end, after_newline, _) = self.space_run(s);
        if end == self.bytes.len() {
            return end;
        }
        if let Some(after) = after_newline {
            return after;
        }
        self.trailing_space(s)
    }

    fn o200k(&self, s: usize) -> usize {
        let Some((flags, len)) = self.at(s) else {
            return s;
        };
        if flags & (LETTER | UPPER_LIKE) != 0 || is_word_prefix(flags) {
            // Both word alternatives, each tried with the optional prefix char, then without.
            let with_prefix = is_word_prefix(flags).then_some(s + len);
            let starts = [with_prefix, Some(s)];
            for word in starts.into_iter().flatten() {
                if let Some(end) = self.o200k_lower_word(word) {
                    return end;
                }
            }
            for word in starts.into_iter().flatten() {
                if let Some(end) = self.o200k_upper_word(word) {
                    return end;
                }
            }
        }
        if flags & NUMBER != 0 {
            return self.run_at_most(s, NUMBER, 3);
        }
        if let Some(end) = self.space_then_run(s, is_punct) {
            return self.slash_or_newline_run(end);
        }
        let (_, after_newline, _) = self.space_run(s);
        if let Some(after) = after_newline {
            return after;
        }
        self.trailing_space(s)
    }

    /// `[\r\n/]*` from `i`.
    fn slash_or_newline_run(&self, mut i: usize) -> usize {
        while matches!(self.bytes.get(i), Some(b'\r' | b'\n' | b'/')) {
            i += 1;
        }
        i
    }

    /// `[U]*[L]+(?i:contraction)?` at `word`: U-run, then backtrack to the last position from
    /// which an L char starts.
    fn o200k_lower_word(&self, word: usize) -> Option<usize> {
        let upper_end = self.run(word, |f| f & UPPER_LIKE != 0);
        let lower_start = if self.has(upper_end, LOWER_LIKE) {
            upper_end
        } else {
            let upper = &self.text[word..upper_end];
            let (offset, _) = upper
                .char_indices()
                .rev()
                .find(|&(_, c)| self.table.of(c) & LOWER_LIKE != 0)?;
            word + offset
        };
        let end = self.run(lower_start, |f| f & LOWER_LIKE != 0);
        Some(end + self.contraction(end, true))
    }

    /// `[U]+[L]*(?i:contraction)?` at `word`.
    fn o200k_upper_word(&self, word: usize) -> Option<usize> {
        let upper_end = self.run(word, |f| f & UPPER_LIKE != 0);
        if upper_end == word {
            return None;
        }
        let end = self.run(upper_end, |f| f & LOWER_LIKE != 0);
        Some(end + self.contraction(end, true))
    }
}
