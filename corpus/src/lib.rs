//! Corpus-scale work on top of `omnitok-tokenizer`.
//!
//! - [`choice`]: options chosen by name, with their names listed once.
//! - [`files`]: output files written whole or not at all, and the names outputs take.
//! - [`multimodal`]: documents of text, audio, images and video as IDs of one token layout.
//! - [`npy`]: `.npy` files: arrays written whole, headers, ID arrays read back.
//! - [`read`]: finding inputs and reading their documents (text, JSON Lines, Parquet; plain,
//!   gzip or zstd) under an error policy.
//! - [`tokenize`]: tokenize many inputs (text, JSON Lines, Parquet; plain, gzip or zstd) into
//!   shards of a flat token stream with a document index and a manifest, in parallel, in bounded
//!   memory, resumable after an interruption.
//! - [`train`]: train a tokenizer on corpora (per-language counts, classical or parity-aware
//!   merges) and write it as tokenizer.json and a tiktoken rank file, with a report.
//! - [`show`]: token boundaries made visible, several tokenizers side by side, in a terminal or
//!   as one HTML page.
//! - [`report`]: compression per language: bytes, chars and tokens per tokenizer, ratios against a
//!   baseline tokenizer, the token premium of each language over a reference language.

pub mod choice;
pub mod error;
pub mod files;
pub mod multimodal;
pub mod npy;
pub mod npz;
pub mod read;
pub mod report;
pub mod show;
pub mod tokenize;
pub mod train;

pub use error::CorpusError;

/// Most threads a run accepts: far more than any machine has cores, few enough that starting
/// them cannot exhaust memory.
pub const MAX_THREADS: usize = 1024;

/// Checks a number of threads: 1 to [`MAX_THREADS`].
pub fn check_threads(threads: usize) -> error::Result<()> {
    if (1..=MAX_THREADS).contains(&threads) {
        Ok(())
    } else {
        Err(CorpusError::BadParameter(format!(
            "{threads} threads: 1 to {MAX_THREADS} are possible"
        )))
    }
}
