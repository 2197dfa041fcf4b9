//! `Layout.encode` and `Layout.encode_batch`: documents to IDs with, for every token, its
//! modality, the index of the part it comes from and whether it counts for the loss.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use numpy::PyArray1;
use omnitok_corpus::multimodal::{DocumentEncoder, MuxedDocument, Part};
use pyo3::prelude::*;
use pyo3::types::PyString;
use rayon::prelude::*;

use crate::errors::input_error;
use crate::layout::{document_encoder, document_err, part_of, PyLayout};

/// One document's arrays: IDs (uint32), modality (uint8: 0 text, 1 audio, 2 image, 3 video),
/// part index (uint32) and loss mask (bool), each one value a token.
type EncodedArrays<'py> = (
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<u8>>,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<bool>>,
);

/// Encodes `documents` (each a list of part dicts, as `mux` takes them) with `loss[d][p]` saying
/// whether part `p` of document `d` counts for the loss. Parts are read with the GIL held;
/// the documents are then encoded in parallel without it, on `threads` threads (by default
/// rayon's pool). An error names the document and the part.
#[pyfunction]
#[pyo3(signature = (layout, documents, loss, encoding, allowed_special, codec, image_quantizer, threads, progress=None))]
// One parameter per keyword argument of the Python function, as pyo3 binds them.
#[allow(clippy::too_many_arguments)]
pub fn _encode_documents<'py>(
    py: Python<'py>,
    layout: &PyLayout,
    documents: Vec<Vec<Bound<'py, PyAny>>>,
    loss: Vec<Vec<bool>>,
    encoding: Option<PyRef<'py, crate::encoding::Encoding>>,
    allowed_special: Bound<'py, PyAny>,
    codec: Option<PyRef<'py, crate::codec::Codec>>,
    image_quantizer: Option<PyRef<'py, crate::vision::PyCodebook>>,
    threads: Option<usize>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Vec<EncodedArrays<'py>>> {
    if loss.len() != documents.len() || loss.iter().zip(&documents).any(|(l, d)| l.len() != d.len())
    {
        return Err(input_error("one loss flag a part of every document"));
    }
    let encoder = document_encoder(
        py,
        layout,
        encoding.as_deref(),
        &allowed_special,
        codec.as_deref(),
        image_quantizer.as_deref(),
    )?;
    let parts = documents
        .iter()
        .enumerate()
        .map(|(index, parts)| {
            parts
                .iter()
                .enumerate()
                .map(|(part, value)| part_of(part, value))
                .collect::<PyResult<Vec<Part>>>()
                .map_err(|e| in_document(py, index, e))
        })
        .collect::<PyResult<Vec<_>>>()?;
    let pool = match threads {
        Some(0) => return Err(input_error("threads is at least 1")),
        Some(count) => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(count)
                .build()
                .map_err(|e| input_error(format!("cannot start {count} threads: {e}")))?,
        ),
        None => None,
    };
    let stop = AtomicBool::new(false);
    let done = AtomicU64::new(0);
    let total = parts.len() as u64;
    let counts = || ("encoding", done.load(Ordering::Relaxed), total);
    let reporter = progress.map(|callback| crate::interrupt::Progress {
        callback,
        counts: &counts,
    });
    let encoded = crate::interrupt::interruptible(py, &stop, reporter, || {
        let run = || encode_all(&encoder, &parts, &loss, &stop, &done);
        match &pool {
            Some(pool) => pool.install(run),
            None => run(),
        }
    })?;
    encoded
        .into_iter()
        .enumerate()
        .map(|(index, result)| {
            // Left out only once stopped, and a stopped call raises the signal instead.
            let result = result.ok_or_else(|| input_error("interrupted"))?;
            let (document, tokens) = result
                .map_err(document_err)
                .map_err(|e| in_document(py, index, e))?;
            Ok((
                PyArray1::from_vec(py, document.ids),
                PyArray1::from_vec(py, tokens.modality),
                PyArray1::from_vec(py, tokens.part),
                PyArray1::from_vec(py, tokens.loss),
            ))
        })
        .collect()
}

/// What each token of a document is.
struct TokenInfo {
    modality: Vec<u8>,
    part: Vec<u32>,
    loss: Vec<bool>,
}

type Encoded = Result<(MuxedDocument, TokenInfo), omnitok_corpus::multimodal::DocumentError>;

/// Every document encoded, in order (in parallel where the pool has threads), counted in `done`;
/// those not begun when `stop` is set are left out (`None`).
fn encode_all(
    encoder: &DocumentEncoder,
    parts: &[Vec<Part>],
    loss: &[Vec<bool>],
    stop: &AtomicBool,
    done: &AtomicU64,
) -> Vec<Option<Encoded>> {
    parts
        .par_iter()
        .zip(loss)
        .map(|(parts, loss)| {
            if stop.load(Ordering::Relaxed) {
                return None;
            }
            let encoded = encoder.encode(parts).map(|document| {
                let info = token_info(&document, loss);
                (document, info)
            });
            done.fetch_add(1, Ordering::Relaxed);
            Some(encoded)
        })
        .collect()
}

/// Each token's modality, part and loss flag, from the document's spans (one a part, in order).
fn token_info(document: &MuxedDocument, loss: &[bool]) -> TokenInfo {
    let n = document.ids.len();
    let mut info = TokenInfo {
        modality: Vec::with_capacity(n),
        part: Vec::with_capacity(n),
        loss: Vec::with_capacity(n),
    };
    for (index, (span, &counts)) in document.spans.iter().zip(loss).enumerate() {
        let length = (span.end - span.start) as usize;
        info.modality
            .extend(std::iter::repeat_n(span.kind as u8, length));
        info.part.extend(std::iter::repeat_n(index as u32, length));
        info.loss.extend(std::iter::repeat_n(counts, length));
    }
    info
}

/// `error` with `document {index}: ` before its message, of the same class.
fn in_document(py: Python<'_>, index: usize, error: PyErr) -> PyErr {
    let message = match error.value(py).str() {
        Ok(text) => text.to_string(),
        Err(_) => return error,
    };
    let class = error.get_type(py);
    PyErr::from_type(
        class,
        (PyString::new(py, &format!("document {index}: {message}")).unbind(),),
    )
}
