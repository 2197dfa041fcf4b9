//! Character classes used by the built-in pre-tokenization patterns, as a two-level lookup
//! table.
//!
//! The table is filled from the Unicode tables of `regex-syntax`, the same tables the regex
//! engines use, so `\p{L}`, `\s` and friends classify every code point exactly as the regex
//! would.

use std::sync::OnceLock;

use regex_syntax::hir::{Class, HirKind};

/// `\p{L}`: a letter.
pub const LETTER: u8 = 1;
/// `\p{N}`: a number.
pub const NUMBER: u8 = 1 << 1;
/// `\s`: Unicode White_Space.
pub const SPACE: u8 = 1 << 2;
/// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`: o200k's "upper-case-like" class.
pub const UPPER_LIKE: u8 = 1 << 3;
/// `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`: o200k's "lower-case-like" class.
pub const LOWER_LIKE: u8 = 1 << 4;
/// `[\r\n]`.
pub const NEWLINE: u8 = 1 << 5;

const BLOCK_BITS: u32 = 8;
const BLOCK_LEN: usize = 1 << BLOCK_BITS;
const N_BLOCKS: usize = (char::MAX as usize >> BLOCK_BITS) + 1;

/// Class flags of every code point: `blocks[index[cp >> 8]][cp & 0xff]`, identical blocks shared.
pub struct ClassTable {
    ascii: [u8; 128],
    index: Vec<u16>,
    blocks: Vec<[u8; BLOCK_LEN]>,
}

impl ClassTable {
    /// The process-wide table, built on first use (about a millisecond).
    pub fn get() -> &'static ClassTable {
        static TABLE: OnceLock<ClassTable> = OnceLock::new();
        TABLE.get_or_init(ClassTable::build)
    }

    /// Flags of `c`.
    #[inline]
    pub fn of(&self, c: char) -> u8 {
        self.of_code_point(c as u32)
    }

    /// Flags of code point `cp`; 0 for values beyond U+10FFFF.
    #[inline(always)]
    pub fn of_code_point(&self, cp: u32) -> u8 {
        if cp < 128 {
            return self.ascii[cp as usize];
        }
        match self.index.get((cp >> BLOCK_BITS) as usize) {
            Some(&block) => self.blocks[block as usize][(cp as usize) & (BLOCK_LEN - 1)],
            None => 0,
        }
    }

    /// Flags of an ASCII byte (`byte < 0x80`).
    #[inline(always)]
    pub fn of_ascii(&self, byte: u8) -> u8 {
        self.ascii[usize::from(byte & 0x7f)]
    }

    fn build() -> ClassTable {
        let mut flat = vec![0u8; N_BLOCKS * BLOCK_LEN];
        let classes: [(&str, u8); 5] = [
            (r"\p{L}", LETTER),
            (r"\p{N}", NUMBER),
            (r"\s", SPACE),
            (r"[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]", UPPER_LIKE),
            (r"[\p{Ll}\p{Lm}\p{Lo}\p{M}]", LOWER_LIKE),
        ];
        for (pattern, flag) in classes {
            for (start, end) in unicode_ranges(pattern) {
                for cp in start..=end {
                    flat[cp as usize] |= flag;
                }
            }
        }
        flat['\r' as usize] |= NEWLINE;
        flat['\n' as usize] |= NEWLINE;

        let mut ascii = [0u8; 128];
        ascii.copy_from_slice(&flat[..128]);
        let mut index = Vec::with_capacity(N_BLOCKS);
        let mut blocks: Vec<[u8; BLOCK_LEN]> = Vec::new();
        let mut seen = rustc_hash::FxHashMap::default();
        for chunk in flat.chunks_exact(BLOCK_LEN) {
            let mut block = [0u8; BLOCK_LEN];
            block.copy_from_slice(chunk);
            let id = *seen.entry(block).or_insert_with(|| {
                blocks.push(block);
                blocks.len() - 1
            });
            // At most N_BLOCKS (4352) distinct blocks exist, which fits u16.
            index.push(id as u16);
        }
        ClassTable {
            ascii,
            index,
            blocks,
        }
    }
}

/// The code point ranges of a Unicode class expression, as regex-syntax parses it.
fn unicode_ranges(pattern: &str) -> Vec<(u32, u32)> {
    // The patterns are constants of this module; a failure here is a programming error caught
    // by every test that tokenizes anything.
    #[allow(clippy::expect_used)]
    let hir = regex_syntax::parse(pattern).expect("built-in class pattern parses");
    match hir.kind() {
        HirKind::Class(Class::Unicode(class)) => class
            .ranges()
            .iter()
            .map(|r| (r.start() as u32, r.end() as u32))
            .collect(),
        other => unreachable!("class pattern {pattern} parsed to {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_match_expectations() {
        let t = ClassTable::get();
        assert_eq!(t.of('a'), LETTER | LOWER_LIKE);
        assert_eq!(t.of('A'), LETTER | UPPER_LIKE);
        assert_eq!(t.of('7'), NUMBER);
        assert_eq!(t.of('\n'), SPACE | NEWLINE);
        assert_eq!(t.of('\u{a0}'), SPACE);
        assert_eq!(t.of('中'), LETTER | UPPER_LIKE | LOWER_LIKE);
        assert_eq!(t.of('\u{301}'), UPPER_LIKE | LOWER_LIKE); // combining acute: a mark
        assert_eq!(t.of('Ⅻ'), NUMBER); // letter number Nl
        assert_eq!(t.of('!'), 0);
        assert_eq!(t.of('\u{10FFFF}'), 0);
    }

    #[test]
    fn table_agrees_with_regex_syntax_everywhere() {
        let t = ClassTable::get();
        let letters = unicode_ranges(r"\p{L}");
        let is_letter = |c: u32| letters.iter().any(|&(s, e)| s <= c && c <= e);
        for cp in (0..=0x10FFFFu32).step_by(97) {
            if let Some(c) = char::from_u32(cp) {
                assert_eq!(t.of(c) & LETTER != 0, is_letter(cp), "U+{cp:04X}");
            }
        }
    }
}
