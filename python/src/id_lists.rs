//! Token IDs returned as Python lists without a new int object per token.

use omnitok_tokenizer::TokenId;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyInt, PyList};

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

    /// Each of `batch` as a Python list, in a list.
    pub(crate) fn lists<'py>(
        &self,
        py: Python<'py>,
        n_vocab: usize,
        batch: &[Vec<TokenId>],
    ) -> PyResult<Bound<'py, PyList>> {
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
