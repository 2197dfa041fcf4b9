//! `omnitok count`: bytes, chars and tokens per file and in total.

use std::path::PathBuf;

use anyhow::{anyhow, Result};
use clap::{Args, ValueEnum};
use omnitok_corpus::report::format::{aligned, PerTokenizer};
use omnitok_tokenizer::SpecialPolicy;
use serde::Serialize;

use crate::input;

/// How counts are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CountFormat {
    /// An aligned table: one row per file, then a total row.
    Text,
    /// {"files": [{"path", "bytes", "chars", "tokens": {ENCODING: N}}], "total": {...}}
    Json,
}

/// Count bytes, chars (Unicode scalar values) and tokens per file and in total.
///
/// Special tokens' strings (such as <|endoftext|>) are counted as ordinary text. Tokens are
/// counted under every --encoding and --tokenizer given (o200k_base when none is); a tokenizer
/// file is reported under its path.
#[derive(Args, Debug)]
pub struct CountArgs {
    #[command(flatten)]
    pub tokenizers: input::TokenizerListArgs,

    /// Also count the special tokens each tokenizer's post-processor puts around a text
    /// (BERT's [CLS] and [SEP], Llama's <s>), as HF's `encode` does by default: one file is one
    /// text.
    #[arg(long)]
    pub add_special_tokens: bool,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = CountFormat::Text)]
    pub format: CountFormat,

    #[command(flatten)]
    pub limit: input::InputLimitArgs,

    /// UTF-8 text files; `-` reads stdin.
    #[arg(value_name = "FILE", required = true)]
    pub inputs: Vec<PathBuf>,
}

/// Counts of one file, or of all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub bytes: usize,
    pub chars: usize,
    /// One per tokenizer, in the order of [`Report::tokenizers`].
    pub tokens: Vec<usize>,
}

/// What `count` reports.
#[derive(Debug)]
pub struct Report {
    /// Tokenizer names, in command-line order (encodings first), without repeats.
    pub tokenizers: Vec<String>,
    pub files: Vec<(String, Counts)>,
    pub total: Counts,
}

/// Runs `omnitok count`.
pub fn run(args: &CountArgs) -> Result<()> {
    let tokenizers = args.tokenizers.load()?;
    let policy = SpecialPolicy::as_text().adding_special_tokens(args.add_special_tokens);
    let mut total = Counts {
        tokens: vec![0; tokenizers.len()],
        ..Counts::default()
    };
    let mut files = Vec::with_capacity(args.inputs.len());
    for path in &args.inputs {
        let (name, text) = input::read_text(Some(path), args.limit)?;
        let tokens = tokenizers
            .iter()
            .map(|(tokenizer_name, tokenizer)| {
                tokenizer
                    .count(&text, &policy)
                    .map_err(|e| anyhow!("{name}: {tokenizer_name}: {e}"))
            })
            .collect::<Result<Vec<usize>>>()?;
        let counts = Counts {
            bytes: text.len(),
            chars: text.chars().count(),
            tokens,
        };
        total.bytes += counts.bytes;
        total.chars += counts.chars;
        for (sum, n) in total.tokens.iter_mut().zip(&counts.tokens) {
            *sum += n;
        }
        files.push((name, counts));
    }
    let report = Report {
        tokenizers: tokenizers.into_iter().map(|(name, _)| name).collect(),
        files,
        total,
    };
    let out = match args.format {
        CountFormat::Text => format_table(&report),
        CountFormat::Json => format_json(&report)?,
    };
    input::write_stdout(out.as_bytes())
}

/// An aligned table: a header, one row per file, a total row. Text left-aligned, numbers right.
pub fn format_table(report: &Report) -> String {
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(report.files.len() + 2);
    let mut header = vec!["file".to_string(), "bytes".to_string(), "chars".to_string()];
    header.extend(report.tokenizers.iter().cloned());
    rows.push(header);
    let row = |name: &str, counts: &Counts| {
        let mut row = vec![
            name.to_string(),
            counts.bytes.to_string(),
            counts.chars.to_string(),
        ];
        row.extend(counts.tokens.iter().map(usize::to_string));
        row
    };
    rows.extend(report.files.iter().map(|(name, counts)| row(name, counts)));
    rows.push(row("total", &report.total));
    aligned(&rows, &[0])
}

/// The JSON report, keys in the documented order, newline-terminated.
pub fn format_json(report: &Report) -> Result<String> {
    #[derive(Serialize)]
    struct File<'a> {
        path: &'a str,
        bytes: usize,
        chars: usize,
        tokens: PerTokenizer<'a, usize>,
    }
    #[derive(Serialize)]
    struct Total<'a> {
        bytes: usize,
        chars: usize,
        tokens: PerTokenizer<'a, usize>,
    }
    #[derive(Serialize)]
    struct Json<'a> {
        files: Vec<File<'a>>,
        total: Total<'a>,
    }
    let names = &report.tokenizers[..];
    let json = Json {
        files: report
            .files
            .iter()
            .map(|(path, c)| File {
                path,
                bytes: c.bytes,
                chars: c.chars,
                tokens: PerTokenizer {
                    names,
                    values: c.tokens.clone(),
                },
            })
            .collect(),
        total: Total {
            bytes: report.total.bytes,
            chars: report.total.chars,
            tokens: PerTokenizer {
                names,
                values: report.total.tokens.clone(),
            },
        },
    };
    let mut out = serde_json::to_string_pretty(&json)?;
    out.push('\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report {
            tokenizers: vec!["o200k_base".into(), "cl100k_base".into()],
            files: vec![
                (
                    "a.txt".into(),
                    Counts {
                        bytes: 5,
                        chars: 5,
                        tokens: vec![1, 2],
                    },
                ),
                (
                    "long/b.txt".into(),
                    Counts {
                        bytes: 1200,
                        chars: 1100,
                        tokens: vec![300, 301],
                    },
                ),
            ],
            total: Counts {
                bytes: 1205,
                chars: 1105,
                tokens: vec![301, 303],
            },
        }
    }

    #[test]
    fn table_is_aligned() {
        let table = format_table(&report());
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4, "{table}");
        assert!(
            lines[0].starts_with("file ") && lines[0].ends_with("cl100k_base"),
            "{table}"
        );
        assert!(
            lines[3].starts_with("total ") && lines[3].ends_with(" 303"),
            "{table}"
        );
        let width = lines[0].len();
        assert!(lines.iter().all(|l| l.len() == width), "{table}");
    }

    #[test]
    fn json_keeps_key_order() {
        let json = format_json(&report()).unwrap();
        let compact: String = json.split_whitespace().collect();
        assert!(compact.starts_with(r#"{"files":[{"path":"a.txt","bytes":5,"chars":5,"tokens":{"o200k_base":1,"cl100k_base":2}}"#), "{json}");
        assert!(compact.ends_with(r#""total":{"bytes":1205,"chars":1105,"tokens":{"o200k_base":301,"cl100k_base":303}}}"#), "{json}");
    }
}
