//! Multimodal documents: text, audio, images and video as IDs of one token layout.
//!
//! - [`parts`]: a document as a JSON line, `{"parts": [{"text": ...}, {"audio": path}, ...]}`.
//! - [`encoder`]: parts to IDs of a layout (with the segments' spans), by the layout's
//!   tokenizer, codec and image quantizer.
//! - [`totals`]: tokens and media measures per modality over a corpus.
//!
//! Corpora of such documents are muxed into shards by [`crate::tokenize`] (see
//! [`crate::tokenize::TokenizeOptions::multimodal`]).

pub mod encoder;
pub mod parts;
pub mod totals;

pub use encoder::{audio_codes, Components, DocumentEncoder, Modality, MuxedDocument, Span};
pub use parts::{parse_document, Part};
pub use totals::{ModalityTotals, Totals};
