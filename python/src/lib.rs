//! Python bindings: the native module `omnitok._omnitok`.
//!
//! One class, `Encoding`, wraps a shared [`Tokenizer`] with tiktoken's method names. Heavy calls
//! release the GIL; batches run on rayon's thread pool. `_compression_report_*` measure
//! compression per language with `omnitok_corpus::report` and return the CLI's JSON report;
//! `_train` trains a tokenizer with `omnitok_corpus::train`; [`audio`] holds `omnitok.audio`'s
//! functions.

mod audio;
mod codec;
mod corpus;
mod files;
mod layout;
mod vision;

use std::sync::Arc;

use numpy::PyArray1;
use omnitok_corpus::report;
use omnitok_corpus::tokenize::dotted_path;
use omnitok_corpus::CorpusError;
use omnitok_tokenizer::{
    encoding_name_for_model as model_encoding, get_encoding as builtin_encoding, SpecialPolicy,
    SpecialSet, TokenId, Tokenizer, TokenizerError,
};
use pyo3::exceptions::{
    PyFileNotFoundError, PyKeyError, PyOSError, PyPermissionError, PyTypeError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyFrozenSet, PyList, PySet, PyString, PyTuple};

fn to_py_err(error: TokenizerError) -> PyErr {
    match error {
        TokenizerError::UnknownId { .. } => PyKeyError::new_err(error.to_string()),
        TokenizerError::Io { .. } => PyOSError::new_err(error.to_string()),
        other => PyValueError::new_err(other.to_string()),
    }
}

/// `"all"`, or a collection of special-token strings.
fn special_set(value: &Bound<'_, PyAny>, argument: &str) -> PyResult<SpecialSet> {
    if let Ok(text) = value.cast::<PyString>() {
        return match text.to_str()? {
            "all" => Ok(SpecialSet::All),
            other => Err(PyValueError::new_err(format!(
                "{argument} must be \"all\" or a collection of special tokens, not the string {other:?}"
            ))),
        };
    }
    let mut names = rustc_hash::FxHashSet::default();
    for item in value.try_iter()? {
        names.insert(item?.extract::<String>()?);
    }
    Ok(if names.is_empty() {
        SpecialSet::None
    } else {
        SpecialSet::Only(names)
    })
}

fn policy(allowed: &Bound<'_, PyAny>, disallowed: &Bound<'_, PyAny>) -> PyResult<SpecialPolicy> {
    Ok(SpecialPolicy {
        allowed: special_set(allowed, "allowed_special")?,
        disallowed: special_set(disallowed, "disallowed_special")?,
    })
}

/// `(id, byte_start, byte_end, char_start, char_end)` of one token.
type OffsetTuple = (TokenId, usize, usize, usize, usize);

/// How an `Encoding` is rebuilt when unpickled.
#[derive(Clone)]
enum Origin {
    /// A built-in encoding, pickled by name.
    Builtin(String),
    /// Loaded from a file or built in memory, pickled by value.
    Value,
}

/// A byte-level BPE encoding with tiktoken's API.
#[pyclass(frozen, module = "omnitok._omnitok")]
struct Encoding {
    inner: Arc<Tokenizer>,
    origin: Origin,
}

#[pymethods]
impl Encoding {
    /// Loads tokenizer.json or a tiktoken rank file (its pattern from `pattern`, or from the
    /// side file `<path>.json`).
    #[staticmethod]
    #[pyo3(signature = (path, pattern=None))]
    fn from_file(
        py: Python<'_>,
        path: std::path::PathBuf,
        pattern: Option<String>,
    ) -> PyResult<Self> {
        let tokenizer = py
            .detach(|| Tokenizer::from_file(&path, pattern.as_deref()))
            .map_err(to_py_err)?;
        Ok(Self {
            inner: Arc::new(tokenizer),
            origin: Origin::Value,
        })
    }

    /// Saves as tokenizer.json when `path` ends in `.json`, else as a tiktoken rank file plus
    /// its side file `<path>.json`.
    fn to_file(&self, py: Python<'_>, path: std::path::PathBuf) -> PyResult<()> {
        let is_json = path.extension().is_some_and(|e| e == "json");
        py.detach(|| {
            if is_json {
                self.inner.save_tokenizer_json(&path)
            } else {
                self.inner.save_rank_file(&path)
            }
        })
        .map_err(to_py_err)
    }

    /// The tokenizer as tokenizer.json text.
    fn to_json(&self, py: Python<'_>) -> String {
        py.detach(|| self.inner.to_tokenizer_json())
    }

    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }

    /// SHA-256 (hex) of everything that decides the encoding's output: what a token layout
    /// records of its text component.
    fn sha256(&self, py: Python<'_>) -> String {
        py.detach(|| self.inner.sha256())
    }

    #[getter]
    fn pattern(&self) -> &str {
        self.inner.pattern()
    }

    /// One more than the largest token ID.
    #[getter]
    fn n_vocab(&self) -> usize {
        self.inner.n_vocab()
    }

    #[getter]
    fn max_token_value(&self) -> usize {
        self.inner.n_vocab().saturating_sub(1)
    }

    /// The ID of `<|endoftext|>`.
    #[getter]
    fn eot_token(&self) -> PyResult<TokenId> {
        self.inner
            .special_tokens()
            .id("<|endoftext|>")
            .ok_or_else(|| {
                PyValueError::new_err(format!("{} has no <|endoftext|>", self.inner.name()))
            })
    }

    #[getter]
    fn special_tokens_set<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PySet>> {
        PySet::new(
            py,
            self.inner
                .special_tokens()
                .entries()
                .iter()
                .map(|(t, _)| t.as_str()),
        )
    }

    /// Special tokens as a dict of string -> ID.
    #[getter]
    fn _special_tokens<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (text, id) in self.inner.special_tokens().entries() {
            dict.set_item(text, id)?;
        }
        Ok(dict)
    }

    #[pyo3(signature = (text, *, allowed_special=None, disallowed_special=None))]
    fn encode(
        &self,
        py: Python<'_>,
        text: &str,
        allowed_special: Option<&Bound<'_, PyAny>>,
        disallowed_special: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<TokenId>> {
        let policy = policy_of(py, allowed_special, disallowed_special)?;
        py.detach(|| self.inner.encode_with_policy(text, &policy))
            .map_err(to_py_err)
    }

    fn encode_ordinary(&self, py: Python<'_>, text: &str) -> PyResult<Vec<TokenId>> {
        py.detach(|| self.inner.encode_ordinary(text))
            .map_err(to_py_err)
    }

    /// `encode` returning a numpy uint32 array.
    #[pyo3(signature = (text, *, allowed_special=None, disallowed_special=None))]
    fn encode_to_numpy<'py>(
        &self,
        py: Python<'py>,
        text: &str,
        allowed_special: Option<&Bound<'py, PyAny>>,
        disallowed_special: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyArray1<TokenId>>> {
        let ids = self.encode(py, text, allowed_special, disallowed_special)?;
        Ok(PyArray1::from_vec(py, ids))
    }

    /// Number of tokens `encode` would return.
    #[pyo3(signature = (text, *, allowed_special=None, disallowed_special=None))]
    fn count(
        &self,
        py: Python<'_>,
        text: &str,
        allowed_special: Option<&Bound<'_, PyAny>>,
        disallowed_special: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<usize> {
        let policy = policy_of(py, allowed_special, disallowed_special)?;
        py.detach(|| self.inner.count(text, &policy))
            .map_err(to_py_err)
    }

    /// `(id, byte_start, byte_end, char_start, char_end)` for each token.
    #[pyo3(signature = (text, *, allowed_special=None, disallowed_special=None))]
    fn encode_with_offsets(
        &self,
        py: Python<'_>,
        text: &str,
        allowed_special: Option<&Bound<'_, PyAny>>,
        disallowed_special: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<OffsetTuple>> {
        let policy = policy_of(py, allowed_special, disallowed_special)?;
        let spans = py
            .detach(|| self.inner.encode_with_offsets(text, &policy))
            .map_err(to_py_err)?;
        Ok(spans
            .iter()
            .map(|s| (s.id, s.bytes.0, s.bytes.1, s.chars.0, s.chars.1))
            .collect())
    }

    /// Encodes many texts in parallel with the GIL released. `num_threads` is accepted for
    /// tiktoken compatibility; the shared thread pool decides.
    #[pyo3(signature = (text, *, num_threads=8, allowed_special=None, disallowed_special=None))]
    fn encode_batch(
        &self,
        py: Python<'_>,
        text: Vec<String>,
        num_threads: usize,
        allowed_special: Option<&Bound<'_, PyAny>>,
        disallowed_special: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Vec<TokenId>>> {
        let _ = num_threads;
        let policy = policy_of(py, allowed_special, disallowed_special)?;
        let texts: Vec<&str> = text.iter().map(String::as_str).collect();
        py.detach(|| self.inner.encode_batch(&texts, &policy))
            .map_err(to_py_err)
    }

    #[pyo3(signature = (text, *, num_threads=8))]
    fn encode_ordinary_batch(
        &self,
        py: Python<'_>,
        text: Vec<String>,
        num_threads: usize,
    ) -> PyResult<Vec<Vec<TokenId>>> {
        let _ = num_threads;
        let texts: Vec<&str> = text.iter().map(String::as_str).collect();
        py.detach(|| self.inner.encode_ordinary_batch(&texts))
            .map_err(to_py_err)
    }

    /// The ID of one token given as bytes (an ordinary token, or a special token's string).
    fn encode_single_token(&self, text_or_bytes: &Bound<'_, PyAny>) -> PyResult<TokenId> {
        let bytes: Vec<u8> = match text_or_bytes.cast::<PyString>() {
            Ok(text) => text.to_str()?.as_bytes().to_vec(),
            Err(_) => text_or_bytes.extract()?,
        };
        self.inner.encode_single_token(&bytes).ok_or_else(|| {
            PyKeyError::new_err(format!(
                "{:?} is not a single token",
                String::from_utf8_lossy(&bytes)
            ))
        })
    }

    /// Decodes to text. `errors="strict"` (default) raises on bytes that are not UTF-8, naming
    /// where; `errors="replace"` substitutes U+FFFD.
    #[pyo3(signature = (tokens, errors="strict"))]
    fn decode(&self, py: Python<'_>, tokens: Vec<TokenId>, errors: &str) -> PyResult<String> {
        match errors {
            "strict" => py.detach(|| self.inner.decode(&tokens)).map_err(to_py_err),
            "replace" => py
                .detach(|| self.inner.decode_lossy(&tokens))
                .map_err(to_py_err),
            other => Err(PyValueError::new_err(format!(
                "errors must be \"strict\" or \"replace\", not {other:?}"
            ))),
        }
    }

    fn decode_bytes<'py>(
        &self,
        py: Python<'py>,
        tokens: Vec<TokenId>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = py
            .detach(|| self.inner.decode_bytes(&tokens))
            .map_err(to_py_err)?;
        Ok(PyBytes::new(py, &bytes))
    }

    fn decode_single_token_bytes<'py>(
        &self,
        py: Python<'py>,
        token: TokenId,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = self.token(token)?;
        Ok(PyBytes::new(py, bytes))
    }

    fn decode_tokens_bytes<'py>(
        &self,
        py: Python<'py>,
        tokens: Vec<TokenId>,
    ) -> PyResult<Bound<'py, PyList>> {
        let items = tokens
            .iter()
            .map(|&id| self.token(id).map(|b| PyBytes::new(py, b)))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// The bytes of every ordinary token, sorted bytewise (as tiktoken returns them).
    fn token_byte_values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let mut tokens: Vec<&[u8]> = self.inner.model().tokens().map(|(b, _)| b).collect();
        tokens.sort_unstable();
        PyList::new(py, tokens.into_iter().map(|b| PyBytes::new(py, b)))
    }

    fn __repr__(&self) -> String {
        format!("<Encoding {:?}>", self.inner.name())
    }

    /// Built-in encodings pickle by name; others by value (tokenizer.json text, or the rank file
    /// and its pattern and specials when tiktoken's merge rule describes them exactly).
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let (constructor, args) = match &self.origin {
            Origin::Builtin(name) => ("get_encoding", (name,).into_pyobject(py)?.into_any()),
            Origin::Value => match py.detach(|| self.inner.to_rank_text()) {
                Some(ranks) => {
                    let args = (
                        self.inner.name(),
                        PyBytes::new(py, ranks.as_bytes()),
                        self.inner.pattern(),
                        self.inner.special_tokens().entries().to_vec(),
                    );
                    ("_encoding_from_ranks", args.into_pyobject(py)?.into_any())
                }
                None => (
                    "_encoding_from_json",
                    (self.to_json(py),).into_pyobject(py)?.into_any(),
                ),
            },
        };
        let module = py.import("omnitok._omnitok")?;
        PyTuple::new(py, [module.getattr(constructor)?, args])
    }
}

impl Encoding {
    fn token(&self, id: TokenId) -> PyResult<&[u8]> {
        self.inner
            .token_bytes(id)
            .ok_or_else(|| PyKeyError::new_err(format!("unknown token ID {id}")))
    }
}

fn policy_of(
    py: Python<'_>,
    allowed: Option<&Bound<'_, PyAny>>,
    disallowed: Option<&Bound<'_, PyAny>>,
) -> PyResult<SpecialPolicy> {
    let empty = PyFrozenSet::empty(py)?.into_any();
    let all = PyString::new(py, "all").into_any();
    policy(allowed.unwrap_or(&empty), disallowed.unwrap_or(&all))
}

/// The built-in encoding `name` (shared; cheap after the first call).
#[pyfunction]
fn get_encoding(py: Python<'_>, name: String) -> PyResult<Encoding> {
    let tokenizer = py.detach(|| builtin_encoding(&name)).map_err(to_py_err)?;
    Ok(Encoding {
        inner: tokenizer,
        origin: Origin::Builtin(name),
    })
}

/// The encoding name a model uses.
#[pyfunction]
fn encoding_name_for_model(model_name: &str) -> PyResult<&'static str> {
    model_encoding(model_name).map_err(|e| PyKeyError::new_err(e.to_string()))
}

/// Names of the built-in encodings.
#[pyfunction]
fn list_encoding_names() -> Vec<&'static str> {
    omnitok_tokenizer::ENCODING_NAMES.to_vec()
}

/// Rebuilds an encoding from tokenizer.json text (used by pickling).
#[pyfunction]
fn _encoding_from_json(py: Python<'_>, json: String) -> PyResult<Encoding> {
    let tokenizer = py
        .detach(|| omnitok_tokenizer::hf_json::parse_tokenizer_json(&json, "<pickled encoding>"))
        .map_err(to_py_err)?;
    Ok(Encoding {
        inner: Arc::new(tokenizer),
        origin: Origin::Value,
    })
}

/// Rebuilds an encoding from rank-file text, pattern and specials (used by pickling).
#[pyfunction]
fn _encoding_from_ranks(
    py: Python<'_>,
    name: String,
    ranks: Vec<u8>,
    pattern: String,
    specials: Vec<(String, TokenId)>,
) -> PyResult<Encoding> {
    let tokenizer = py
        .detach(|| {
            Tokenizer::from_rank_bytes(name, &ranks, "<pickled encoding>", &pattern, specials)
        })
        .map_err(to_py_err)?;
    Ok(Encoding {
        inner: Arc::new(tokenizer),
        origin: Origin::Value,
    })
}

/// The tokenizers of a compression report: built-in encoding names or `Encoding` objects, each
/// reported under its name.
fn report_tokenizers(
    py: Python<'_>,
    encodings: &Bound<'_, PyAny>,
) -> PyResult<Vec<(String, Arc<Tokenizer>)>> {
    let mut out = Vec::new();
    for item in encodings.try_iter()? {
        let item = item?;
        if let Ok(encoding) = item.cast::<Encoding>() {
            let inner = encoding.get().inner.clone();
            out.push((inner.name().to_string(), inner));
        } else if let Ok(name) = item.extract::<String>() {
            let tokenizer = py.detach(|| builtin_encoding(&name)).map_err(to_py_err)?;
            out.push((name, tokenizer));
        } else {
            return Err(PyTypeError::new_err(format!(
                "encodings holds encoding names or Encoding objects, not {}",
                item.get_type().name()?
            )));
        }
    }
    Ok(out)
}

/// A Python exception for `error`: I/O errors as `OSError` (`FileNotFoundError` and
/// `PermissionError` where they are those), the others as `ValueError`.
pub(crate) fn report_err(error: CorpusError) -> PyErr {
    let message = error.to_string();
    match &error {
        CorpusError::Io { source, .. } => match source.kind() {
            std::io::ErrorKind::NotFound => PyFileNotFoundError::new_err(message),
            std::io::ErrorKind::PermissionDenied => PyPermissionError::new_err(message),
            _ => PyOSError::new_err(message),
        },
        _ => PyValueError::new_err(message),
    }
}

/// Measures a corpus and returns the report as JSON text (the CLI's `--format json`).
fn report_json(
    corpus: &report::Corpus,
    tokenizers: &[(String, Arc<Tokenizer>)],
    baseline: Option<&str>,
    sort: Option<&str>,
) -> Result<String, CorpusError> {
    let mut measured = report::compute(corpus, tokenizers, baseline)?;
    if let Some(sort) = sort {
        measured.sort(sort_by(sort)?);
    }
    Ok(report::format::json(&measured))
}

fn sort_by(name: &str) -> Result<report::SortBy, CorpusError> {
    Ok(match name {
        "lang" => report::SortBy::Lang,
        "tokens" => report::SortBy::Tokens,
        "ratio" => report::SortBy::Ratio,
        "premium" => report::SortBy::Premium,
        other => {
            return Err(CorpusError::BadParameter(format!(
                "sort is one of \"lang\", \"tokens\", \"ratio\", \"premium\", not {other:?}"
            )))
        }
    })
}

/// Compression report of a folder of `<language>.txt` files or a JSON Lines file, as JSON text.
#[pyfunction]
#[pyo3(signature = (path, encodings, baseline=None, reference=None, lang_field="lang".to_string(), field=None, sort=None))]
#[allow(clippy::too_many_arguments)]
fn _compression_report_path(
    py: Python<'_>,
    path: std::path::PathBuf,
    encodings: &Bound<'_, PyAny>,
    baseline: Option<String>,
    reference: Option<String>,
    lang_field: String,
    field: Option<String>,
    sort: Option<String>,
) -> PyResult<String> {
    let tokenizers = report_tokenizers(py, encodings)?;
    let options = report::InputOptions {
        reference,
        lang_field,
        field,
        ..report::InputOptions::default()
    };
    py.detach(|| {
        let corpus = report::read_input(&path, &options)?;
        report_json(&corpus, &tokenizers, baseline.as_deref(), sort.as_deref())
    })
    .map_err(report_err)
}

/// Compression report of texts in memory, `[(language, [text, ...]), ...]`, as JSON text.
#[pyfunction]
#[pyo3(signature = (texts, encodings, baseline=None, reference=None, sort=None))]
fn _compression_report_texts(
    py: Python<'_>,
    texts: Vec<(String, Vec<String>)>,
    encodings: &Bound<'_, PyAny>,
    baseline: Option<String>,
    reference: Option<String>,
    sort: Option<String>,
) -> PyResult<String> {
    let tokenizers = report_tokenizers(py, encodings)?;
    py.detach(|| {
        let corpus = report::Corpus::from_texts(texts, reference.as_deref())?;
        report_json(&corpus, &tokenizers, baseline.as_deref(), sort.as_deref())
    })
    .map_err(report_err)
}

/// Trains a tokenizer on files (`inputs`) or on texts in memory (`texts`, `[(language,
/// [document, ...]), ...]`); writes the output directory when one is given.
#[pyfunction]
#[pyo3(signature = (inputs, texts, vocab_size, output_dir=None, pattern="o200k".to_string(),
    special_tokens=Vec::new(), min_frequency=2, max_token_bytes=None, lang_temperature=1.0,
    lang_from=None, lang_field=None, field="text".to_string(), glob=None, parity_aware=false,
    parity_dev=None, reference="en".to_string(), global_merges=0, parity_window=None,
    parity_alpha=2.0, parity_weighted=None, parity_budget=None, threads=None,
    name="trained".to_string()))]
#[allow(clippy::too_many_arguments)]
fn _train(
    py: Python<'_>,
    inputs: Vec<std::path::PathBuf>,
    texts: Option<Vec<(String, Vec<String>)>>,
    vocab_size: usize,
    output_dir: Option<std::path::PathBuf>,
    pattern: String,
    special_tokens: Vec<String>,
    min_frequency: u64,
    max_token_bytes: Option<usize>,
    lang_temperature: f64,
    lang_from: Option<String>,
    lang_field: Option<String>,
    field: String,
    glob: Option<String>,
    parity_aware: bool,
    parity_dev: Option<std::path::PathBuf>,
    reference: String,
    global_merges: usize,
    parity_window: Option<usize>,
    parity_alpha: f64,
    parity_weighted: Option<f64>,
    parity_budget: Option<f64>,
    threads: Option<usize>,
    name: String,
) -> PyResult<Encoding> {
    use omnitok_corpus::train::{self as corpus_train, DevSet, Labels, Progress};
    use omnitok_tokenizer::train::{ParityConfig, ParityWindow, TrainConfig};
    let labels = match (lang_from.as_deref(), &lang_field) {
        (Some("field") | None, Some(_)) => Labels::Field,
        (Some("field"), None) => {
            return Err(PyValueError::new_err(
                "lang_from=\"field\" needs lang_field",
            ))
        }
        (Some("file"), _) => Labels::FileName,
        (Some("none") | None, _) => Labels::None,
        (Some(other), _) => {
            return Err(PyValueError::new_err(format!(
                "lang_from is \"file\", \"field\" or \"none\", not {other:?}"
            )))
        }
    };
    let config = TrainConfig {
        vocab_size,
        pattern,
        specials: special_tokens,
        min_frequency,
        max_token_bytes,
        lang_temperature,
        parity: parity_aware.then(|| ParityConfig {
            dev: Vec::new(),
            global_merges,
            window: parity_window.map(|window| ParityWindow {
                window,
                alpha: parity_alpha,
            }),
            weighted: parity_weighted,
        }),
    };
    let dev = parity_dev.map(|path| DevSet {
        path,
        options: report::InputOptions {
            reference: Some(reference),
            ..report::InputOptions::default()
        },
    });
    let threads = threads.unwrap_or_else(rayon::current_num_threads);
    let progress = Progress::default();
    let outcome = py.detach(|| match texts {
        Some(texts) => corpus_train::train_texts(
            &texts,
            &corpus_train::TextTraining {
                config: &config,
                dev: dev.as_ref(),
                parity_budget,
                output_dir: output_dir.as_deref(),
                name: &name,
                threads,
            },
            &progress,
        ),
        None => {
            let options = corpus_train::TrainOptions {
                inputs,
                selection: omnitok_corpus::tokenize::InputSelection {
                    glob,
                    ..Default::default()
                },
                read: omnitok_corpus::tokenize::ReadOptions {
                    field: dotted_path(&field),
                    lang_field: lang_field.as_deref().map(dotted_path),
                    column: dotted_path(&field),
                    ..Default::default()
                },
                labels,
                config,
                dev,
                parity_budget,
                output_dir,
                name,
                threads,
            };
            corpus_train::train_corpus(&options, &progress)
        }
    });
    let outcome = outcome.map_err(report_err)?;
    Ok(Encoding {
        inner: Arc::new(outcome.tokenizer),
        origin: Origin::Value,
    })
}

#[pymodule]
fn _omnitok(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Encoding>()?;
    m.add_function(wrap_pyfunction!(get_encoding, m)?)?;
    m.add_function(wrap_pyfunction!(encoding_name_for_model, m)?)?;
    m.add_function(wrap_pyfunction!(list_encoding_names, m)?)?;
    m.add_function(wrap_pyfunction!(_encoding_from_json, m)?)?;
    m.add_function(wrap_pyfunction!(_encoding_from_ranks, m)?)?;
    m.add_function(wrap_pyfunction!(_compression_report_path, m)?)?;
    m.add_function(wrap_pyfunction!(_compression_report_texts, m)?)?;
    m.add_function(wrap_pyfunction!(_train, m)?)?;
    m.add_function(wrap_pyfunction!(audio::_audio_presets, m)?)?;
    m.add_function(wrap_pyfunction!(audio::_audio_load, m)?)?;
    m.add_function(wrap_pyfunction!(audio::_audio_features, m)?)?;
    m.add_class::<audio::StreamingFeatures>()?;
    m.add_class::<codec::Codec>()?;
    m.add_function(wrap_pyfunction!(vision::_vision_resize, m)?)?;
    m.add_function(wrap_pyfunction!(vision::_vision_patchify, m)?)?;
    m.add_function(wrap_pyfunction!(vision::_vision_presets, m)?)?;
    m.add_function(wrap_pyfunction!(vision::_vision_preset_settings, m)?)?;
    m.add_function(wrap_pyfunction!(vision::_vision_load, m)?)?;
    m.add_class::<vision::PyQuantizer>()?;
    m.add_class::<vision::PyCodebook>()?;
    m.add_function(wrap_pyfunction!(vision::_vision_tokenize_scalar, m)?)?;
    m.add_function(wrap_pyfunction!(vision::_vision_tokenize_named, m)?)?;
    m.add_function(wrap_pyfunction!(vision::_vision_remove_static, m)?)?;
    m.add_class::<layout::PyLayout>()?;
    m.add_function(wrap_pyfunction!(layout::_mux, m)?)?;
    m.add_function(wrap_pyfunction!(layout::_layout_audio_codes, m)?)?;
    m.add_function(wrap_pyfunction!(layout::_demux, m)?)?;
    m.add_function(wrap_pyfunction!(layout::_layout_build, m)?)?;
    m.add_function(wrap_pyfunction!(corpus::_tokenize_corpus, m)?)?;
    m.add_function(wrap_pyfunction!(files::_write_atomically, m)?)?;
    Ok(())
}
