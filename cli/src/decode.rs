//! `omnitok decode`: token IDs to text.

use std::path::PathBuf;

use anyhow::{anyhow, bail, Result};
use clap::Args;
use omnitok_tokenizer::{TokenId, TokenizerError};

use crate::input::{self, InputLimitArgs, TokenizerArgs};

/// Decode token IDs to text.
///
/// The input is whitespace-separated integers, or one JSON array of integers. The text is
/// written to stdout as is, with no newline added. Positions in error messages count from 0.
#[derive(Args, Debug)]
pub struct DecodeArgs {
    #[command(flatten)]
    pub tokenizer: TokenizerArgs,

    #[command(flatten)]
    pub limit: InputLimitArgs,

    /// Replace bytes that are not valid UTF-8 with U+FFFD instead of failing.
    #[arg(long)]
    pub lossy: bool,

    /// File of token IDs; `-` or absent reads stdin.
    #[arg(value_name = "FILE")]
    pub input: Option<PathBuf>,
}

/// Runs `omnitok decode`.
pub fn run(args: &DecodeArgs) -> Result<()> {
    let tokenizer = args.tokenizer.load()?;
    let (name, text) = input::read_text(args.input.as_deref(), args.limit)?;
    let ids = parse_ids(&text).map_err(|e| anyhow!("{name}: {e}"))?;
    let decoded = if args.lossy {
        tokenizer.decode_lossy(&ids)
    } else {
        tokenizer.decode(&ids)
    };
    let text = decoded.map_err(|e| match e {
        TokenizerError::InvalidUtf8 {
            byte_offset,
            position,
        } => anyhow!(
            "{name}: decoded text is not valid UTF-8 at byte {byte_offset} (in the token at \
             position {position}); --lossy replaces invalid bytes with U+FFFD"
        ),
        e => anyhow!("{name}: {e}"),
    })?;
    input::write_stdout(text.as_bytes())
}

/// Token IDs from whitespace-separated integers, or from a JSON array when the text starts
/// with `[`.
pub fn parse_ids(text: &str) -> Result<Vec<TokenId>> {
    if text.trim_start().starts_with('[') {
        let values: Vec<serde_json::Value> = serde_json::from_str(text)
            .map_err(|e| anyhow!("not a JSON array of token IDs: {e}"))?;
        values
            .iter()
            .enumerate()
            .map(|(position, value)| {
                value
                    .as_u64()
                    .and_then(|n| TokenId::try_from(n).ok())
                    .ok_or_else(|| {
                        anyhow!(
                            "element {position} of the JSON array is {}, {}",
                            shorten(&value.to_string()),
                            NOT_AN_ID
                        )
                    })
            })
            .collect()
    } else {
        text.split_whitespace()
            .enumerate()
            .map(|(position, word)| {
                if word.bytes().all(|b| b.is_ascii_digit()) {
                    if let Ok(id) = word.parse::<TokenId>() {
                        return Ok(id);
                    }
                }
                bail!(
                    "word {position} is {}, {}",
                    shorten(&format!("{word:?}")),
                    NOT_AN_ID
                )
            })
            .collect()
    }
}

const NOT_AN_ID: &str = "not a token ID (an integer from 0 to 4294967295)";

/// `text`, cut to a readable length for an error message.
fn shorten(text: &str) -> String {
    const MAX_CHARS: usize = 40;
    if text.chars().count() <= MAX_CHARS {
        text.to_string()
    } else {
        let head: String = text.chars().take(MAX_CHARS).collect();
        format!("{head}...")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_words_and_json() {
        assert_eq!(parse_ids(" 1\n22\t333 ").unwrap(), [1, 22, 333]);
        assert_eq!(parse_ids("").unwrap(), Vec::<TokenId>::new());
        assert_eq!(parse_ids(" [1, 22,333]\n").unwrap(), [1, 22, 333]);
        assert_eq!(parse_ids("[]").unwrap(), Vec::<TokenId>::new());
    }

    #[test]
    fn names_the_bad_word() {
        let e = parse_ids("1 2 x3 4").unwrap_err().to_string();
        assert!(e.contains("word 2") && e.contains("\"x3\""), "{e}");
        let e = parse_ids("1 +2").unwrap_err().to_string();
        assert!(e.contains("word 1") && e.contains("\"+2\""), "{e}");
        let e = parse_ids("4294967296").unwrap_err().to_string();
        assert!(e.contains("word 0"), "{e}");
        let e = parse_ids("[1, -2]").unwrap_err().to_string();
        assert!(e.contains("element 1") && e.contains("-2"), "{e}");
        let e = parse_ids("[1, 2").unwrap_err().to_string();
        assert!(e.contains("not a JSON array"), "{e}");
    }

    #[test]
    fn shortens_long_words() {
        let e = parse_ids(&"y".repeat(1000)).unwrap_err().to_string();
        assert!(e.len() < 200, "{e}");
    }
}
