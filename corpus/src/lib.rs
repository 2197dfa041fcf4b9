//! Corpus-scale work on top of `omnitok-tokenizer`.
//!
//! - [`tokenize`]: tokenize many inputs (text, JSON Lines, Parquet; plain, gzip or zstd) into
//!   shards of a flat token stream with a document index and a manifest, in parallel, in bounded
//!   memory, resumable after an interruption.
//! - [`report`]: compression per language: bytes, chars and tokens per tokenizer, ratios against a
//!   baseline tokenizer, the token premium of each language over a reference language.

pub mod error;
pub mod report;
pub mod tokenize;

pub use error::CorpusError;
