//! The shared token-ID space of omnitok.
//!
//! Every modality writes its tokens into one space of [`TokenId`]s. This crate holds the pieces
//! that all of them agree on:
//!
//! - the ID type, and [`range`]: [`IdRange`], a named half-open range of IDs, with the check that
//!   a set of ranges does not overlap;
//! - [`layout`]: the [`VocabLayout`] of text, specials, markers, audio codebooks and image codes,
//!   saved as a checked JSON manifest;
//! - [`flatten`]: multi-codebook audio codes as one sequence (interleave, sequential, delay);
//! - [`mux`]: documents of text, audio, image and video segments as one stream of IDs, and back.
//! - [`error`]: [`VocabError`], what went wrong.

pub mod error;
pub mod flatten;
pub mod layout;
pub mod mux;
pub mod range;

pub use error::VocabError;
pub use flatten::{AudioCodes, Flatten};
pub use layout::{Marker, VocabLayout};
pub use mux::{demux, demux_truncated, mux, CutSegment, ImageCodes, Segment, Truncated};
pub use range::{check_disjoint, IdRange};

/// One token ID of the shared vocabulary.
pub type TokenId = u32;
