//! Command-line options shared by the commands that read corpora (`tokenize`, `train`).

use clap::Args;
use omnitok_corpus::tokenize::{
    dotted_path, InputFormatChoice, InputSelection, OnError, ReadOptions, Split,
};

use crate::choice::choice;

/// How inputs are found and read.
#[derive(Args, Debug, Clone)]
pub struct CorpusArgs {
    /// Only files under input directories whose path relative to the directory matches this
    /// glob (e.g. '*.jsonl.gz'; `*` matches across `/`).
    #[arg(long, value_name = "GLOB")]
    pub glob: Option<String>,

    /// Format of the inputs; `auto` goes by each file name: .jsonl/.ndjson/.json are JSON
    /// Lines, .parquet/.pq Parquet, anything else text (stdin: text).
    #[arg(long, value_parser = choice::<InputFormatChoice>(), default_value_t)]
    pub input_format: InputFormatChoice,

    /// JSON Lines field holding the text; a dotted path reaches into nested objects.
    #[arg(long, value_name = "PATH", default_value = ReadOptions::DEFAULT_TEXT_FIELD)]
    pub field: String,

    /// Parquet column holding the text; a dotted path reaches into struct columns.
    #[arg(long, value_name = "PATH", default_value = ReadOptions::DEFAULT_TEXT_FIELD)]
    pub column: String,

    /// What a document is: a whole file / JSON record / Parquet row, or each line of them.
    #[arg(long, value_parser = choice::<Split>(), default_value_t)]
    pub split: Split,

    /// Largest document (and JSON line) accepted, in bytes; larger ones are input errors.
    #[arg(long, value_name = "BYTES", default_value_t = ReadOptions::DEFAULT_MAX_DOCUMENT_BYTES)]
    pub max_document_bytes: usize,

    /// What to do with invalid UTF-8, malformed JSON lines, missing fields, oversized documents
    /// and unreadable files: leave them out, replace invalid UTF-8 with U+FFFD (others are left
    /// out), or stop. Every one left out or replaced is listed in the manifest.
    #[arg(long, value_parser = choice::<OnError>(), default_value_t)]
    pub on_error: OnError,
}

impl CorpusArgs {
    /// Which inputs are read, and as what.
    pub fn selection(&self) -> InputSelection {
        InputSelection {
            glob: self.glob.clone(),
            format: self.input_format.format(),
            exclude: None,
        }
    }

    /// How documents are read; `lang_field` is the dotted path of a JSON Lines language field.
    pub fn read_options(&self, lang_field: Option<&str>) -> ReadOptions {
        ReadOptions {
            split: self.split,
            on_error: self.on_error,
            field: dotted_path(&self.field),
            lang_field: lang_field.map(dotted_path),
            column: dotted_path(&self.column),
            max_document_bytes: self.max_document_bytes,
        }
    }
}
