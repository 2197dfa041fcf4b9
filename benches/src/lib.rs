//! Shared helpers of the benchmarks.
//!
//! - [`inputs`]: the bench inputs (`data/english.txt`, `data/multilingual.txt`) built from the
//!   gnome-user-docs corpus, and their split into documents.
//! - [`peers`]: omnitok, tiktoken-rs and bpe-openai behind one interface, and the check that they
//!   agree on an input.
//! - [`cpu_time`]: CPU time of the calling thread and of the process (`clock_gettime`).

pub mod cpu_time;
pub mod inputs;
pub mod peers;
