//! `omnitok count`: bytes, chars and tokens per file and in total.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{anyhow, Result};
use clap::builder::PossibleValuesParser;
use clap::{Args, ValueEnum};
use omnitok_tokenizer::{SpecialPolicy, Tokenizer, ENCODING_NAMES};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

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
    /// Built-in encoding; repeat for several.
    #[arg(
        short,
        long = "encoding",
        value_name = "NAME",
        value_parser = PossibleValuesParser::new(ENCODING_NAMES)
    )]
    pub encodings: Vec<String>,

    /// Tokenizer file (tokenizer.json, or a tiktoken rank file); repeat for several.
    #[arg(short, long = "tokenizer", value_name = "FILE")]
    pub tokenizers: Vec<PathBuf>,

    /// Pre-tokenization regex for the rank files given with --tokenizer (overrides their side
    /// files'; required without one).
    #[arg(long, value_name = "REGEX", requires = "tokenizers")]
    pub pattern: Option<String>,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = CountFormat::Text)]
    pub format: CountFormat,

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
    let tokenizers = load_tokenizers(args)?;
    let policy = SpecialPolicy::as_text();
    let mut total = Counts {
        tokens: vec![0; tokenizers.len()],
        ..Counts::default()
    };
    let mut files = Vec::with_capacity(args.inputs.len());
    for path in &args.inputs {
        let (name, text) = input::read_text(Some(path))?;
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

/// The tokenizers to count with, each with the name it is reported under.
fn load_tokenizers(args: &CountArgs) -> Result<Vec<(String, Arc<Tokenizer>)>> {
    let mut loaded: Vec<(String, Arc<Tokenizer>)> = Vec::new();
    let default = ["o200k_base".to_string()];
    let encodings = if args.encodings.is_empty() && args.tokenizers.is_empty() {
        &default[..]
    } else {
        &args.encodings[..]
    };
    for name in encodings {
        if !loaded.iter().any(|(n, _)| n == name) {
            loaded.push((name.clone(), input::load_encoding(name)?));
        }
    }
    for path in &args.tokenizers {
        let name = path.display().to_string();
        if !loaded.iter().any(|(n, _)| *n == name) {
            loaded.push((name, input::load_file(path, args.pattern.as_deref())?));
        }
    }
    Ok(loaded)
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
    let columns = rows[0].len();
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (c, (cell, width)) in row.iter().zip(&widths).enumerate() {
            let pad = " ".repeat(width - cell.chars().count());
            if c == 0 {
                line.push_str(cell);
                line.push_str(&pad);
            } else {
                line.push_str("  ");
                line.push_str(&pad);
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The JSON report, keys in the documented order, newline-terminated.
pub fn format_json(report: &Report) -> Result<String> {
    #[derive(Serialize)]
    struct File<'a> {
        path: &'a str,
        bytes: usize,
        chars: usize,
        tokens: Tokens<'a>,
    }
    #[derive(Serialize)]
    struct Total<'a> {
        bytes: usize,
        chars: usize,
        tokens: Tokens<'a>,
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
                tokens: Tokens {
                    names,
                    counts: &c.tokens,
                },
            })
            .collect(),
        total: Total {
            bytes: report.total.bytes,
            chars: report.total.chars,
            tokens: Tokens {
                names,
                counts: &report.total.tokens,
            },
        },
    };
    let mut out = serde_json::to_string_pretty(&json)?;
    out.push('\n');
    Ok(out)
}

/// Token counts as a JSON object keyed by tokenizer name, in tokenizer order.
struct Tokens<'a> {
    names: &'a [String],
    counts: &'a [usize],
}

impl Serialize for Tokens<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.names.len()))?;
        for (name, count) in self.names.iter().zip(self.counts) {
            map.serialize_entry(name, count)?;
        }
        map.end()
    }
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
