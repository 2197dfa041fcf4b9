//! SentencePiece's normalizer as the library runs it: at each position the longest
//! user-defined symbol (kept as typed) or else the longest rule of the precompiled character
//! map, else the char itself; leading, trailing and repeated spaces dropped
//! (`remove_extra_whitespaces`), a space put first (`add_dummy_prefix`) and spaces written as
//! `▁` (`escape_whitespaces`).

use aho_corasick::{AhoCorasick, Anchored, Input, MatchKind, StartKind};

/// The character map of a `.model` file: a double-array trie (darts-clone's layout) from input
/// bytes to offsets of NUL-terminated replacements.
#[derive(Debug)]
pub struct CharsMap {
    units: Vec<u32>,
    replacements: String,
    /// Whether any rule starts with each byte (most ASCII bytes start none).
    starts_rule: [bool; 256],
}

impl CharsMap {
    /// Reads `precompiled_charsmap`: a little-endian u32 byte length of the trie, the trie's
    /// units, then the replacement strings.
    pub fn parse(blob: &[u8]) -> Result<Self, String> {
        let header: [u8; 4] = blob
            .get(..4)
            .and_then(|b| b.try_into().ok())
            .ok_or("shorter than its 4-byte header")?;
        let trie_bytes = u32::from_le_bytes(header) as usize;
        let trie = blob
            .get(4..4 + trie_bytes)
            .filter(|t| t.len() % 4 == 0 && !t.is_empty())
            .ok_or_else(|| format!("a trie of {trie_bytes} bytes does not fit"))?;
        let units = trie
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let replacements = String::from_utf8(blob[4 + trie_bytes..].to_vec()).map_err(|e| {
            format!(
                "replacement text is not UTF-8 at byte {}",
                e.utf8_error().valid_up_to()
            )
        })?;
        let mut map = Self {
            units,
            replacements,
            starts_rule: [false; 256],
        };
        for byte in 0..=255u8 {
            map.starts_rule[byte as usize] = map.child(map.root()?, byte).is_some();
        }
        Ok(map)
    }

    fn root(&self) -> Result<usize, String> {
        let unit = self.units.first().ok_or("an empty trie")?;
        Ok(unit_offset(*unit))
    }

    /// The node reached from `node` by `byte`, and its unit.
    fn child(&self, node: usize, byte: u8) -> Option<(usize, u32)> {
        let at = node ^ byte as usize;
        let unit = *self.units.get(at)?;
        (unit & ((1 << 31) | 0xFF) == u32::from(byte)).then_some((at ^ unit_offset(unit), unit))
    }

    /// The longest rule matching the start of `text`: its length in bytes and replacement.
    pub fn longest_prefix(&self, text: &[u8]) -> Option<(usize, &str)> {
        if !self.starts_rule[*text.first()? as usize] {
            return None;
        }
        let mut node = self.root().ok()?;
        let mut best = None;
        for (i, &byte) in text.iter().enumerate() {
            if byte == 0 {
                break;
            }
            let Some((next, unit)) = self.child(node, byte) else {
                break;
            };
            node = next;
            if (unit >> 8) & 1 == 1 {
                let Some(&leaf) = self.units.get(node) else {
                    break;
                };
                best = Some((i + 1, (leaf & ((1 << 31) - 1)) as usize));
            }
        }
        let (length, at) = best?;
        let rest = self.replacements.get(at..)?;
        Some((length, rest.split('\0').next().unwrap_or(rest)))
    }
}

/// The offset a double-array unit points to.
fn unit_offset(unit: u32) -> usize {
    ((unit >> 10) << ((unit & (1 << 9)) >> 6)) as usize
}

/// A `.model` file's normalization.
#[derive(Debug)]
pub struct SentencePieceNormalizer {
    pub(crate) charsmap: Option<CharsMap>,
    /// The user-defined symbols, passed through unnormalized (longest match).
    pub(crate) user_defined: Option<AhoCorasick>,
    /// Whether a user-defined symbol starts with each byte.
    starts_symbol: [bool; 256],
    pub(crate) add_dummy_prefix: bool,
    pub(crate) remove_extra_whitespaces: bool,
    pub(crate) escape_whitespaces: bool,
}

impl SentencePieceNormalizer {
    /// A normalizer; `user_defined` are the symbols kept as typed.
    pub fn new(
        charsmap: Option<CharsMap>,
        user_defined_symbols: &[String],
        add_dummy_prefix: bool,
        remove_extra_whitespaces: bool,
        escape_whitespaces: bool,
    ) -> Result<Self, String> {
        let user_defined = match user_defined_symbols.is_empty() {
            true => None,
            false => Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .start_kind(StartKind::Anchored)
                    .build(user_defined_symbols)
                    .map_err(|e| format!("user-defined symbols: {e}"))?,
            ),
        };
        let mut starts_symbol = [false; 256];
        for symbol in user_defined_symbols {
            if let Some(&first) = symbol.as_bytes().first() {
                starts_symbol[first as usize] = true;
            }
        }
        Ok(Self {
            charsmap,
            user_defined,
            starts_symbol,
            add_dummy_prefix,
            remove_extra_whitespaces,
            escape_whitespaces,
        })
    }

    /// What the start of `text` normalizes to, and how many bytes of `text` that consumes.
    fn normalize_prefix<'a>(&'a self, text: &'a str) -> (&'a str, usize) {
        let first = text.as_bytes().first().copied().unwrap_or(0);
        if let Some(symbols) = self
            .user_defined
            .as_ref()
            .filter(|_| self.starts_symbol[first as usize])
        {
            let input = Input::new(text).anchored(Anchored::Yes);
            if let Some(found) = symbols.find(input) {
                return (&text[..found.end()], found.end());
            }
        }
        if let Some(map) = &self.charsmap {
            if let Some((length, replacement)) = map.longest_prefix(text.as_bytes()) {
                // A rule ends inside a char only in a malformed map: then the char is kept.
                if text.is_char_boundary(length) {
                    return (replacement, length);
                }
            }
        }
        let length = text.chars().next().map_or(text.len(), char::len_utf8);
        (&text[..length], length)
    }

    /// Whether `byte` (ASCII) is kept as it is wherever it stands: no rule or user-defined
    /// symbol starts with it and it is not a space.
    fn passes_through(&self, byte: u8) -> bool {
        byte.is_ascii()
            && byte != b' '
            && !self.starts_symbol[byte as usize]
            && !self
                .charsmap
                .as_ref()
                .is_some_and(|map| map.starts_rule[byte as usize])
    }

    /// `text` normalized.
    pub fn normalize(&self, text: &str) -> String {
        let mut rest = text;
        if self.remove_extra_whitespaces {
            while !rest.is_empty() {
                let (piece, consumed) = self.normalize_prefix(rest);
                if piece != " " {
                    break;
                }
                rest = &rest[consumed..];
            }
        }
        if rest.is_empty() {
            return String::new();
        }
        let space = if self.escape_whitespaces {
            "\u{2581}"
        } else {
            " "
        };
        let mut out = String::with_capacity(rest.len() + 3);
        if self.add_dummy_prefix {
            out.push_str(space);
        }
        let mut previous_was_space = self.remove_extra_whitespaces;
        while !rest.is_empty() {
            // A run of bytes that no rule or symbol starts, and no space, is copied as it is.
            let plain = rest
                .bytes()
                .position(|b| !self.passes_through(b))
                .unwrap_or(rest.len());
            if plain > 0 {
                out.push_str(&rest[..plain]);
                rest = &rest[plain..];
                previous_was_space = false;
                continue;
            }
            let (mut piece, consumed) = self.normalize_prefix(rest);
            if previous_was_space {
                piece = piece.trim_start_matches(' ');
            }
            if !piece.contains(' ') {
                out.push_str(piece);
            } else {
                for (i, part) in piece.split(' ').enumerate() {
                    if i > 0 {
                        out.push_str(space);
                    }
                    out.push_str(part);
                }
            }
            if !piece.is_empty() {
                previous_was_space = piece.ends_with(' ');
            }
            rest = &rest[consumed..];
            if !self.remove_extra_whitespaces {
                previous_was_space = false;
            }
        }
        if self.remove_extra_whitespaces {
            while out.ends_with(space) {
                out.truncate(out.len() - space.len());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_rules_follow_the_flags() {
        let plain = SentencePieceNormalizer::new(None, &[], true, true, true).expect("builds");
        assert_eq!(plain.normalize("  a   b  "), "\u{2581}a\u{2581}b");
        assert_eq!(plain.normalize("   "), "");
        let kept = SentencePieceNormalizer::new(None, &[], false, false, true).expect("builds");
        assert_eq!(
            kept.normalize(" a  b "),
            "\u{2581}a\u{2581}\u{2581}b\u{2581}"
        );
    }

    #[test]
    fn a_malformed_map_is_an_error_or_no_rule() {
        assert!(CharsMap::parse(&[1, 0]).is_err());
        assert!(CharsMap::parse(&[200, 0, 0, 0, 1, 2, 3, 4]).is_err());
        let map = CharsMap::parse(&[4, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]).expect("parses");
        assert_eq!(map.longest_prefix(b"abc"), None);
    }
}
