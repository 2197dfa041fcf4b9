//! Byte-level BPE tokenization, exactly compatible with tiktoken and HF tokenizer.json.
//!
//! - [`Tokenizer`]: encode, count, decode, offsets, batches ([`tokenizer`]).
//! - [`get_encoding`], [`encoding_name_for_model`]: the built-in OpenAI encodings
//!   ([`encodings`]).
//! - [`SpecialPolicy`]: what happens to special tokens' strings in text ([`special`]).
//! - [`pretokenize`]: splitting text into pieces (hand-written matchers for the OpenAI patterns,
//!   fancy-regex for any other).
//! - [`bpe`]: the merge loop, linear-memory and recursion-free on any piece length.
//! - [`ranks`], [`hf_json`], [`files`]: tiktoken rank files and tokenizer.json.
//! - [`train`]: learning a vocabulary from text, classical or parity-aware across languages.
//!
//! ```
//! let enc = omnitok_tokenizer::get_encoding("o200k_base").unwrap();
//! let ids = enc.encode("hello world").unwrap();
//! assert_eq!(ids, [24912, 2375]);
//! assert_eq!(enc.decode(&ids).unwrap(), "hello world");
//! ```

pub mod bpe;
pub mod bytemap;
pub mod encodings;
pub mod error;
pub mod files;
mod fingerprint;
pub mod hf_json;
pub mod pipeline;
pub mod pretokenize;
pub mod ranks;
pub mod segments;
pub mod sentencepiece;
pub mod special;
pub mod template;
pub mod tokenizer;
pub mod train;

pub use encodings::{encoding_name_for_model, get_encoding, DEFAULT_ENCODING, ENCODING_NAMES};
pub use error::{Result, TokenizerError};
pub use omnitok_vocab::TokenId;
pub use segments::{DecodedSegments, Segment};
pub use special::{MatchOptions, SpecialPolicy, SpecialSet};
pub use template::Template;
pub use tokenizer::{TokenSpan, Tokenizer};

/// The README's Rust example, compiled and run as a doc test.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
