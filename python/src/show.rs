//! `omnitok.show`: texts as each tokenizer cuts them (`omnitok_corpus::show`), rendered for a
//! notebook, a page of its own and a terminal.

use omnitok_corpus::show::terminal::{self, TerminalOptions};
use omnitok_corpus::show::{html, Sample};
use omnitok_tokenizer::Tokenizer;
use pyo3::prelude::*;

use crate::report::report_tokenizers;
use crate::report_err;

/// `texts` (`[(name, text), ...]`), each shortened to `max_chars`, under `encodings` (names,
/// `Encoding` objects or tiktoken `Encoding` objects). Returns the HTML fragment of a notebook
/// cell, the whole page, the plain text (`|` between tokens) and the coloured text.
#[pyfunction]
pub fn _show(
    py: Python<'_>,
    texts: Vec<(String, String)>,
    encodings: &Bound<'_, PyAny>,
    max_chars: usize,
) -> PyResult<(String, String, String, String)> {
    let loaded = report_tokenizers(py, encodings)?;
    crate::threads::detach(py, || {
        let tokenizers: Vec<(String, &Tokenizer)> = loaded
            .iter()
            .map(|(name, tokenizer)| (name.clone(), &**tokenizer))
            .collect();
        let samples = texts
            .iter()
            .map(|(name, text)| Sample::new(name.clone(), text, max_chars, &tokenizers))
            .collect::<Result<Vec<Sample>, _>>()?;
        let in_terminal =
            |colour| terminal::render_all(&samples, TerminalOptions { colour, ids: false });
        Ok((
            html::fragment(&samples, ""),
            html::render(&samples),
            in_terminal(false),
            in_terminal(true),
        ))
    })
    .map_err(report_err)
}
