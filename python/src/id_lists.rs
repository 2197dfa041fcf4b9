//! Token IDs returned as Python lists without a new int object per token.

use omnitok_tokenizer::TokenId;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyInt, PyList, PyModule};

/// The Python int of every token ID of one tokenizer, made on first use (about 32 bytes an ID:
/// 6 MB for a 200k vocabulary). A list of IDs then holds references to these shared ints
/// instead of allocating one int per token, which was most of the time of returning IDs to
/// Python. Ints are immutable, so sharing them cannot be seen.
pub(crate) struct IdInts(PyOnceLock<Vec<Py<PyInt>>>);

impl Default for IdInts {
    fn default() -> Self {
        Self(PyOnceLock::new())
    }
}

impl IdInts {
    /// `ids` as a Python list; IDs at or past `n_vocab` (never cached) get ints of their own.
    pub(crate) fn list<'py>(
        &self,
        py: Python<'py>,
        n_vocab: usize,
        ids: &[TokenId],
    ) -> PyResult<Bound<'py, PyList>> {
        let ints = self.ints(py, n_vocab);
        PyList::new(
            py,
            ids.iter().map(|&id| match ints.get(id as usize) {
                Some(int) => int.bind(py).clone(),
                None => PyInt::new(py, id),
            }),
        )
    }

    /// Each of `batch` as a Python list, in a list. The cycle collector is paused meanwhile:
    /// lists of ints cannot form cycles, and collections triggered by thousands of new lists
    /// would each walk all of them (a third of the time of a batch of short texts).
    pub(crate) fn lists<'py>(
        &self,
        py: Python<'py>,
        n_vocab: usize,
        batch: &[Vec<TokenId>],
    ) -> PyResult<Bound<'py, PyList>> {
        let _paused = CollectorPause::new(py)?;
        let lists = batch
            .iter()
            .map(|ids| self.list(py, n_vocab, ids))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, lists)
    }

    fn ints(&self, py: Python<'_>, n_vocab: usize) -> &[Py<PyInt>] {
        self.0.get_or_init(py, || {
            (0..n_vocab).map(|id| PyInt::new(py, id).unbind()).collect()
        })
    }
}

/// Python's cycle collector paused (if it was running) until dropped.
struct CollectorPause<'py> {
    gc: Option<Bound<'py, PyModule>>,
}

impl<'py> CollectorPause<'py> {
    fn new(py: Python<'py>) -> PyResult<Self> {
        let gc = py.import("gc")?;
        if !gc.call_method0("isenabled")?.is_truthy()? {
            return Ok(Self { gc: None });
        }
        gc.call_method0("disable")?;
        Ok(Self { gc: Some(gc) })
    }
}

impl Drop for CollectorPause<'_> {
    fn drop(&mut self) {
        if let Some(gc) = &self.gc {
            // Enabling cannot fail; were it to, the collector would stay paused, not crash.
            let _ = gc.call_method0("enable");
        }
    }
}
