//! Command-line options shared by the commands that read corpora (`tokenize`, `train`).

use clap::{Args, ValueEnum};
use omnitok_corpus::tokenize::{InputFormat, InputSelection, OnError, ReadOptions, Split};

/// How inputs are found and read.
#[derive(Args, Debug, Clone)]
pub struct CorpusArgs {
    /// Only files under input directories whose path relative to the directory matches this
    /// glob (e.g. '*.jsonl.gz'; `*` matches across `/`).
    #[arg(long, value_name = "GLOB")]
    pub glob: Option<String>,

    /// Format of the inputs.
    #[arg(long, value_enum, default_value_t = InputFormatArg::Auto)]
    pub input_format: InputFormatArg,

    /// JSON Lines field holding the text; a dotted path reaches into nested objects.
    #[arg(long, value_name = "PATH", default_value = "text")]
    pub field: String,

    /// Parquet column holding the text; a dotted path reaches into struct columns.
    #[arg(long, value_name = "PATH", default_value = "text")]
    pub column: String,

    /// What a document is: a whole file / JSON record / Parquet row, or each line of them.
    #[arg(long, value_enum, default_value_t = SplitArg::Doc)]
    pub split: SplitArg,

    /// Largest document (and JSON line) accepted, in bytes; larger ones are input errors.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 30)]
    pub max_document_bytes: usize,

    /// What to do with invalid UTF-8, malformed JSON lines, missing fields, oversized documents
    /// and unreadable files: leave them out, replace invalid UTF-8 with U+FFFD (others are left
    /// out), or stop. Every one left out or replaced is listed in the manifest.
    #[arg(long, value_enum, default_value_t = OnErrorArg::Fail)]
    pub on_error: OnErrorArg,
}

impl CorpusArgs {
    /// Which inputs are read, and as what.
    pub fn selection(&self) -> InputSelection {
        InputSelection {
            glob: self.glob.clone(),
            format: match self.input_format {
                InputFormatArg::Auto => None,
                InputFormatArg::Text => Some(InputFormat::Text),
                InputFormatArg::Jsonl => Some(InputFormat::Jsonl),
                InputFormatArg::Parquet => Some(InputFormat::Parquet),
            },
            exclude: None,
        }
    }

    /// How documents are read; `lang_field` is the dotted path of a JSON Lines language field.
    pub fn read_options(&self, lang_field: Option<&str>) -> ReadOptions {
        ReadOptions {
            split: match self.split {
                SplitArg::Doc => Split::Doc,
                SplitArg::Line => Split::Line,
            },
            on_error: match self.on_error {
                OnErrorArg::Skip => OnError::Skip,
                OnErrorArg::Replace => OnError::Replace,
                OnErrorArg::Fail => OnError::Fail,
            },
            field: dotted_path(&self.field),
            lang_field: lang_field.map(dotted_path),
            column: dotted_path(&self.column),
            max_document_bytes: self.max_document_bytes,
        }
    }
}

/// `meta.body` as `["meta", "body"]`.
fn dotted_path(dotted: &str) -> Vec<String> {
    dotted.split('.').map(str::to_string).collect()
}

/// Input format choice on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InputFormatArg {
    /// From each file name: .jsonl/.ndjson/.json, .parquet/.pq, else text (stdin: text).
    Auto,
    Text,
    Jsonl,
    Parquet,
}

/// `--split`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SplitArg {
    Doc,
    Line,
}

/// `--on-error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OnErrorArg {
    Skip,
    Replace,
    Fail,
}
