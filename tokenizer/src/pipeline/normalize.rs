//! Normalizers: text rewritten before it is split and encoded (Unicode forms, case, accents,
//! replacements, BERT's cleaning, SentencePiece's precompiled character map).

use unicode_categories::UnicodeCategories;
use unicode_normalization_alignments::char::is_combining_mark;
use unicode_normalization_alignments::{
    is_nfc_quick, is_nfd_quick, is_nfkc_quick, is_nfkd_quick, IsNormalized, UnicodeNormalization,
};

/// One normalization step of a tokenizer.json `normalizer`.
#[derive(Debug)]
pub enum Normalizer {
    /// Unicode normalization form C.
    Nfc,
    /// Unicode normalization form D.
    Nfd,
    /// Unicode normalization form KC.
    Nfkc,
    /// Unicode normalization form KD.
    Nfkd,
    /// Each char to lower case on its own (no context rules such as the final sigma).
    Lowercase,
    /// Whitespace removed from the left and/or right end.
    Strip { left: bool, right: bool },
    /// Combining marks removed.
    StripAccents,
    /// Every match of a pattern replaced by `content`.
    Replace {
        pattern: fancy_regex::Regex,
        content: String,
    },
    /// `prefix` put before any non-empty text.
    Prepend(String),
    /// BERT's cleaning, CJK spacing, accent stripping and lower-casing.
    Bert {
        clean_text: bool,
        handle_chinese_chars: bool,
        strip_accents: bool,
        lowercase: bool,
    },
    /// A SentencePiece normalization map, as converted tokenizers carry it.
    Precompiled(Box<spm_precompiled::Precompiled>),
    /// A `.model` file's normalization, as the sentencepiece library runs it.
    SentencePiece(Box<crate::sentencepiece::SentencePieceNormalizer>),
    /// Steps applied in order.
    Sequence(Vec<Normalizer>),
}

impl Normalizer {
    /// `text` normalized.
    pub fn normalize(&self, text: &str) -> String {
        match self {
            // Text the quick check finds already normalized (most text) is kept as it is.
            Self::Nfc if is_nfc_quick(text.chars()) == IsNormalized::Yes => text.to_string(),
            Self::Nfd if is_nfd_quick(text.chars()) == IsNormalized::Yes => text.to_string(),
            Self::Nfkc if is_nfkc_quick(text.chars()) == IsNormalized::Yes => text.to_string(),
            Self::Nfkd if is_nfkd_quick(text.chars()) == IsNormalized::Yes => text.to_string(),
            Self::Nfc => text.nfc().map(|(c, _)| c).collect(),
            Self::Nfd => text.nfd().map(|(c, _)| c).collect(),
            Self::Nfkc => text.nfkc().map(|(c, _)| c).collect(),
            Self::Nfkd => text.nfkd().map(|(c, _)| c).collect(),
            Self::Lowercase if text.is_ascii() => text.to_ascii_lowercase(),
            Self::Lowercase => text.chars().flat_map(char::to_lowercase).collect(),
            Self::Strip { left, right } => {
                let mut out = text;
                if *left {
                    out = out.trim_start();
                }
                if *right {
                    out = out.trim_end();
                }
                out.to_string()
            }
            Self::StripAccents => text.chars().filter(|&c| !is_combining_mark(c)).collect(),
            Self::Replace { pattern, content } => replace_all(text, pattern, content),
            Self::Prepend(prefix) if !text.is_empty() => format!("{prefix}{text}"),
            Self::Prepend(_) => String::new(),
            Self::Bert {
                clean_text,
                lowercase,
                ..
            } if text.is_ascii() => {
                // ASCII has no CJK, no accents and no multi-char lower case: one pass.
                let mut out = String::with_capacity(text.len());
                for c in text.chars() {
                    match c {
                        _ if *clean_text && (c == '\0' || is_bert_control(c)) => {}
                        _ if *clean_text && is_bert_whitespace(c) => out.push(' '),
                        _ if *lowercase => out.push(c.to_ascii_lowercase()),
                        _ => out.push(c),
                    }
                }
                out
            }
            Self::Bert {
                clean_text,
                handle_chinese_chars,
                strip_accents,
                lowercase,
            } => {
                let mut out = String::with_capacity(text.len());
                for c in text.chars() {
                    if *clean_text {
                        if c == '\0' || c == '\u{fffd}' || is_bert_control(c) {
                            continue;
                        }
                        if is_bert_whitespace(c) {
                            out.push(' ');
                            continue;
                        }
                    }
                    if *handle_chinese_chars && is_chinese_char(c) {
                        out.extend([' ', c, ' ']);
                    } else {
                        out.push(c);
                    }
                }
                if *strip_accents {
                    out = out
                        .as_str()
                        .nfd()
                        .map(|(c, _)| c)
                        .filter(|c| !c.is_mark_nonspacing())
                        .collect();
                }
                if *lowercase {
                    out = out.chars().flat_map(char::to_lowercase).collect();
                }
                out
            }
            Self::Precompiled(map) => map.normalize_string(text),
            Self::SentencePiece(normalizer) => normalizer.normalize(text),
            Self::Sequence(steps) => {
                let mut out = text.to_string();
                for step in steps {
                    out = step.normalize(&out);
                }
                out
            }
        }
    }
}

/// `text` with every match of `pattern` replaced by `content`. A pattern that fails on the
/// input (fancy-regex's backtracking limit) leaves the rest of the text as it is.
pub(crate) fn replace_all(text: &str, pattern: &fancy_regex::Regex, content: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut covered = 0;
    for found in pattern.find_iter(text) {
        let Ok(found) = found else { break };
        out.push_str(&text[covered..found.start()]);
        out.push_str(content);
        covered = found.end();
    }
    out.push_str(&text[covered..]);
    out
}

/// BERT's whitespace: tab, newline, carriage return and Unicode White_Space.
pub(crate) fn is_bert_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || c.is_whitespace()
}

/// BERT's control chars: general category Cc, Cf, Cn, Co or Cs, except tab, newline and
/// carriage return.
fn is_bert_control(c: char) -> bool {
    !matches!(c, '\t' | '\n' | '\r') && c.is_other()
}

/// The CJK Unified Ideographs blocks BERT pads with spaces.
fn is_chinese_char(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF
        | 0x3400..=0x4DBF
        | 0x20000..=0x2A6DF
        | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F
        | 0x2B920..=0x2CEAF
        | 0xF900..=0xFAFF
        | 0x2F800..=0x2FA1F)
}

/// BERT's punctuation: ASCII punctuation and Unicode categories Pc, Pd, Pe, Pf, Pi, Po, Ps.
pub(crate) fn is_bert_punctuation(c: char) -> bool {
    // Every ASCII char of a P category is ASCII punctuation, so ASCII needs no table search.
    match c.is_ascii() {
        true => c.is_ascii_punctuation(),
        false => c.is_punctuation(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bert_normalizer_cleans_spaces_cjk_and_strips_accents() {
        let bert = Normalizer::Bert {
            clean_text: true,
            handle_chinese_chars: true,
            strip_accents: true,
            lowercase: true,
        };
        assert_eq!(
            bert.normalize("Héllo\tWörld\u{0}中文"),
            "hello world 中  文 "
        );
        // Control chars go before whitespace becomes a space (\x0b is both), ASCII or not.
        assert_eq!(bert.normalize("A\x0bB\tC"), "ab c");
        assert_eq!(bert.normalize("É\x0bB\tC"), "eb c");
    }

    #[test]
    fn lowercase_is_per_char_and_prepend_skips_empty_text() {
        assert_eq!(Normalizer::Lowercase.normalize("ΟΔΟΣ"), "οδοσ");
        let prepend = Normalizer::Prepend("▁".into());
        assert_eq!(prepend.normalize(""), "");
        assert_eq!(prepend.normalize("a"), "▁a");
    }
}
