//! `omnitok encode`: text to token IDs.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{anyhow, Result};
use clap::{Args, ValueEnum};
use omnitok_tokenizer::{SpecialPolicy, TokenId, TokenizerError};

use crate::input::{self, InputLimitArgs, TokenizerArgs};

/// How IDs are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum IdFormat {
    /// IDs separated by single spaces, then a newline.
    Text,
    /// One JSON array of integers, then a newline.
    Json,
}

/// Encode text to token IDs (the whole input as one document).
///
/// By default, text containing a special token's string (such as <|endoftext|>) is an error
/// naming the token and its byte offset, so typed text can never produce a special ID. Use
/// --allow-special to encode the named special tokens (or all of them) as their IDs, or
/// --special-as-text to encode special tokens' strings as ordinary text.
#[derive(Args, Debug)]
pub struct EncodeArgs {
    #[command(flatten)]
    pub tokenizer: TokenizerArgs,

    #[command(flatten)]
    pub limit: InputLimitArgs,

    /// Encode these special tokens' strings as their IDs: `all`, or names separated by commas.
    /// Any other special token's string is still an error.
    #[arg(long, value_name = "all|NAME,...", value_delimiter = ',', num_args = 1)]
    pub allow_special: Vec<String>,

    /// Encode special tokens' strings as ordinary text.
    #[arg(long, conflicts_with = "allow_special")]
    pub special_as_text: bool,

    /// Put the special tokens of the tokenizer's post-processor around the IDs (BERT's [CLS]
    /// and [SEP], Llama's <s>), as HF's `encode` does by default.
    #[arg(long)]
    pub add_special_tokens: bool,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = IdFormat::Text)]
    pub format: IdFormat,

    /// UTF-8 text file; `-` or absent reads stdin.
    #[arg(value_name = "FILE")]
    pub input: Option<PathBuf>,
}

impl EncodeArgs {
    fn policy(&self) -> SpecialPolicy {
        self.text_policy()
            .adding_special_tokens(self.add_special_tokens)
    }

    fn text_policy(&self) -> SpecialPolicy {
        if self.special_as_text {
            SpecialPolicy::as_text()
        } else if self.allow_special.iter().any(|name| name == "all") {
            SpecialPolicy::allow_all()
        } else if self.allow_special.is_empty() {
            SpecialPolicy::raise()
        } else {
            SpecialPolicy::allow(self.allow_special.iter().cloned())
        }
    }
}

/// Runs `omnitok encode`.
pub fn run(args: &EncodeArgs) -> Result<()> {
    let tokenizer = args.tokenizer.load()?;
    let (name, text) = input::read_text(args.input.as_deref(), args.limit)?;
    let ids = tokenizer
        .encode_with_policy(&text, &args.policy())
        .map_err(|e| match e {
            TokenizerError::DisallowedSpecial { token, byte_offset } => anyhow!(
                "{name}: text contains the special token {token:?} at byte {byte_offset}; pass \
             --allow-special {token} to encode it as its ID, or --special-as-text to encode it \
             as ordinary text"
            ),
            e @ TokenizerError::BadParameter(_) => e.into(),
            e => anyhow!("{name}: {e}"),
        })?;
    input::write_stdout(format_ids(&ids, args.format).as_bytes())
}

/// `ids` in `format`, newline-terminated.
pub fn format_ids(ids: &[TokenId], format: IdFormat) -> String {
    let (open, separator, close) = match format {
        IdFormat::Text => ("", " ", "\n"),
        IdFormat::Json => ("[", ",", "]\n"),
    };
    let mut out = String::with_capacity(ids.len() * 7 + 3);
    out.push_str(open);
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        // Writing to a String cannot fail.
        let _ = write!(out, "{id}");
    }
    out.push_str(close);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(format_ids(&[1, 22, 333], IdFormat::Text), "1 22 333\n");
        assert_eq!(format_ids(&[1, 22, 333], IdFormat::Json), "[1,22,333]\n");
        assert_eq!(format_ids(&[], IdFormat::Text), "\n");
        assert_eq!(format_ids(&[], IdFormat::Json), "[]\n");
    }
}
