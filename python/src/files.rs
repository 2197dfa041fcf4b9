//! Output files written whole or not at all, by the library's `omnitok_corpus::files`.

use std::path::PathBuf;

use pyo3::prelude::*;

/// Writes `data` to `path` under a temporary name beside it and renames it when complete.
#[pyfunction]
pub fn _write_atomically(py: Python<'_>, path: PathBuf, data: &[u8]) -> PyResult<()> {
    crate::threads::detach(py, || omnitok_corpus::files::write_atomically(&path, data))
        .map_err(crate::report_err)
}
