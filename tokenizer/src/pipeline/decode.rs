//! Decoders: a list of token strings back to text, as tokenizer.json's `decoder` describes.

use crate::pipeline::models::byte_of_token;
use crate::pipeline::normalize::replace_all;

/// One step of a tokenizer.json `decoder`.
#[derive(Debug)]
pub enum Decoder {
    /// GPT-2's byte chars back to bytes (tokens that are not all byte chars stay as they are).
    ByteLevel,
    /// `replacement` back to spaces; the first token loses it unless nothing was prepended.
    Metaspace {
        replacement: char,
        strip_first: bool,
    },
    /// Continuations lose `prefix`; other tokens after the first get a space before them.
    WordPiece { prefix: String, cleanup: bool },
    /// Runs of `<0xAB>` tokens become the text their bytes spell (U+FFFD each when invalid).
    ByteFallback,
    /// All tokens joined into one.
    Fuse,
    /// Up to `start` leading and `stop` trailing `content` chars removed from each token.
    Strip {
        content: char,
        start: usize,
        stop: usize,
    },
    /// A pattern replaced in each token.
    Replace {
        pattern: fancy_regex::Regex,
        content: String,
    },
    /// `suffix` (end of word) becomes a space, except in the last token.
    Bpe { suffix: String },
    /// A `.model` file's decoding, as the sentencepiece library does it.
    SentencePiece(Box<crate::sentencepiece::SentencePieceDecoding>),
    /// Steps applied in order.
    Sequence(Vec<Decoder>),
}

impl Decoder {
    /// The text of `tokens`.
    pub fn decode(&self, tokens: Vec<String>) -> String {
        self.decode_chain(tokens).concat()
    }

    fn decode_chain(&self, tokens: Vec<String>) -> Vec<String> {
        match self {
            Self::SentencePiece(decoding) => vec![decoding.decode(&tokens)],
            Self::ByteLevel => {
                let mut bytes = Vec::new();
                for token in &tokens {
                    match crate::hf_json::from_byte_level(token) {
                        Some(b) => bytes.extend(b),
                        None => bytes.extend_from_slice(token.as_bytes()),
                    }
                }
                vec![String::from_utf8_lossy(&bytes).into_owned()]
            }
            Self::Metaspace {
                replacement,
                strip_first,
            } => tokens
                .iter()
                .enumerate()
                .map(|(i, token)| {
                    token
                        .chars()
                        .filter_map(|c| match c {
                            c if c != *replacement => Some(c),
                            _ if i == 0 && *strip_first => None,
                            _ => Some(' '),
                        })
                        .collect()
                })
                .collect(),
            Self::WordPiece { prefix, cleanup } => tokens
                .into_iter()
                .enumerate()
                .map(|(i, token)| {
                    let token = if i == 0 {
                        token
                    } else if let Some(rest) = token.strip_prefix(prefix.as_str()) {
                        rest.to_string()
                    } else {
                        format!(" {token}")
                    };
                    if *cleanup {
                        wordpiece_cleanup(&token)
                    } else {
                        token
                    }
                })
                .collect(),
            Self::ByteFallback => {
                let mut out = Vec::with_capacity(tokens.len());
                let mut pending: Vec<u8> = Vec::new();
                let flush = |pending: &mut Vec<u8>, out: &mut Vec<String>| {
                    if pending.is_empty() {
                        return;
                    }
                    match String::from_utf8(std::mem::take(pending)) {
                        Ok(text) => out.push(text),
                        Err(e) => {
                            out.extend((0..e.as_bytes().len()).map(|_| "\u{fffd}".to_string()))
                        }
                    }
                };
                for token in tokens {
                    match byte_of_token(&token) {
                        Some(byte) => pending.push(byte),
                        None => {
                            flush(&mut pending, &mut out);
                            out.push(token);
                        }
                    }
                }
                flush(&mut pending, &mut out);
                out
            }
            Self::Fuse => vec![tokens.concat()],
            Self::Strip {
                content,
                start,
                stop,
            } => tokens
                .iter()
                .map(|token| {
                    let chars: Vec<char> = token.chars().collect();
                    let lead = chars
                        .iter()
                        .take(*start)
                        .take_while(|&&c| c == *content)
                        .count();
                    let trail = chars[lead..]
                        .iter()
                        .rev()
                        .take(*stop)
                        .take_while(|&&c| c == *content)
                        .count();
                    chars[lead..chars.len() - trail].iter().collect()
                })
                .collect(),
            Self::Replace { pattern, content } => tokens
                .iter()
                .map(|token| replace_all(token, pattern, content))
                .collect(),
            Self::Bpe { suffix } => {
                let last = tokens.len().saturating_sub(1);
                tokens
                    .iter()
                    .enumerate()
                    .map(|(i, token)| {
                        token.replace(suffix.as_str(), if i == last { "" } else { " " })
                    })
                    .collect()
            }
            Self::Sequence(steps) => {
                let mut tokens = tokens;
                for step in steps {
                    tokens = step.decode_chain(tokens);
                }
                tokens
            }
        }
    }
}

/// WordPiece's clean-up of spaces before punctuation and English contractions.
fn wordpiece_cleanup(text: &str) -> String {
    text.replace(" .", ".")
        .replace(" ?", "?")
        .replace(" !", "!")
        .replace(" ,", ",")
        .replace(" ' ", "'")
        .replace(" n't", "n't")
        .replace(" 'm", "'m")
        .replace(" do not", " don't")
        .replace(" 's", "'s")
        .replace(" 've", "'ve")
        .replace(" 're", "'re")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(tokens: &[&str]) -> Vec<String> {
        tokens.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn sentencepiece_style_chain_restores_text_and_bytes() {
        let chain = Decoder::Sequence(vec![
            Decoder::Replace {
                pattern: fancy_regex::Regex::new("▁").unwrap(),
                content: " ".into(),
            },
            Decoder::ByteFallback,
            Decoder::Fuse,
            Decoder::Strip {
                content: ' ',
                start: 1,
                stop: 0,
            },
        ]);
        let tokens = strings(&["▁Hello", "▁w", "<0xC3>", "<0xB6>", "rld", "<0xFF>"]);
        assert_eq!(chain.decode(tokens), "Hello wörld\u{fffd}");
    }

    #[test]
    fn wordpiece_joins_continuations() {
        let decoder = Decoder::WordPiece {
            prefix: "##".into(),
            cleanup: true,
        };
        assert_eq!(
            decoder.decode(strings(&["un", "##aff", "##able", "!"])),
            "unaffable!"
        );
    }
}
