//! Multimodal documents: text, audio, images and video as IDs of one token layout.
//!
//! - [`parts`]: a document as a JSON line, `{"parts": [{"text": ...}, {"audio": path}, ...]}`.
//! - [`components`]: a layout read from its file, and the tokenizer, codec and image quantizer
//!   it names.
//! - [`encoder`]: parts to IDs of a layout (with the segments' spans), by the layout's
//!   tokenizer, codec and image quantizer.
//! - [`layout`]: a layout built from a tokenizer, a codec, an image quantizer and markers.
//! - [`demux`]: muxed IDs back to documents as files that mux again to the same IDs.
//! - [`totals`]: tokens and media measures per modality over a corpus.
//!
//! Corpora of such documents are muxed into shards by [`crate::tokenize`] (see
//! [`crate::tokenize::TokenizeOptions::multimodal`]).

pub mod components;
pub mod demux;
pub mod encoder;
pub mod layout;
pub mod parts;
pub mod totals;

pub use components::{read_layout, ComponentFiles, Components};
pub use demux::{
    decode_document, read_id_documents, text_parts, write_documents, DecodedSegment, TextPart,
};
pub use encoder::{audio_codes, DocumentEncoder, Modality, MuxedDocument, Span};
pub use layout::{build_layout, AudioCodebooks, MarkerSetting};
pub use parts::{
    parse_document, turn_marker, turn_name, Codes, DocumentError, MediaPaths, Part, PartKind,
    ShapeError, Source,
};
pub use totals::{ModalityTotals, Totals};

use crate::read::documents::{OnError, ReadOptions, Split};
use crate::read::inputs::{InputFormat, InputSelection};

/// The files of documents in input directories (media files sit beside them).
pub const DOCUMENT_FILES: &str = "*.{jsonl,ndjson,jsonl.gz,ndjson.gz,jsonl.zst,ndjson.zst}";

/// Largest document line read unless a caller says otherwise: 16 MiB (media are files beside it).
pub const DEFAULT_MAX_DOCUMENT_BYTES: usize = 1 << 24;

/// Which inputs are documents files: those matching `glob` in directories, as JSON Lines.
pub fn document_selection(glob: &str) -> InputSelection {
    InputSelection {
        glob: Some(glob.to_owned()),
        format: Some(InputFormat::Text),
        exclude: None,
    }
}

/// How documents files are read: a line at a time, each line at most `max_document_bytes`.
/// A document that cannot be read is left out under [`OnError::Skip`] and [`OnError::Replace`]
/// alike: a document is never encoded from a line with replaced bytes.
pub fn document_read_options(on_error: OnError, max_document_bytes: usize) -> ReadOptions {
    ReadOptions {
        split: Split::Line,
        on_error: match on_error {
            OnError::Fail => OnError::Fail,
            OnError::Skip | OnError::Replace => OnError::Skip,
        },
        field: Vec::new(),
        lang_field: None,
        column: Vec::new(),
        max_document_bytes,
    }
}
