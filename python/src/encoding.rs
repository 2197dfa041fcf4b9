//! `omnitok.Encoding`: a shared [`Tokenizer`] with tiktoken's method names, and the built-in
//! encodings.

use std::sync::Arc;

use crate::errors::{file_error, input_error, limit_error, unknown_token_error};
use numpy::PyArray1;
use omnitok_tokenizer::{
    encoding_name_for_model as model_encoding, get_encoding as builtin_encoding, SpecialPolicy,
    SpecialSet, TokenId, Tokenizer, TokenizerError,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyFrozenSet, PyList, PySet, PyString, PyTuple};

use crate::id_lists::IdInts;

pub(crate) fn to_py_err(error: TokenizerError) -> PyErr {
    match &error {
        TokenizerError::UnknownId { .. } => unknown_token_error(error.to_string()),
        TokenizerError::Io { source, .. } => file_error(source.kind(), error.to_string()),
        TokenizerError::Limit { .. } => limit_error(error.to_string()),
        _ => input_error(error.to_string()),
    }
}

/// Batches of more text than this are encoded in pieces of about this size, so that Ctrl-C
/// stops them between pieces.
const BATCH_PIECE_BYTES: usize = 1 << 20;

/// `encode(texts)` with the GIL released; a batch of more than [`BATCH_PIECE_BYTES`] is encoded
/// a piece at a time, each piece in parallel, and stops at the next piece on Ctrl-C.
fn batch_in_pieces(
    py: Python<'_>,
    texts: &[&str],
    encode: impl Fn(&[&str]) -> omnitok_tokenizer::Result<Vec<Vec<TokenId>>> + Sync,
) -> PyResult<Vec<Vec<TokenId>>> {
    let total: usize = texts.iter().map(|t| t.len()).sum();
    if total <= BATCH_PIECE_BYTES {
        return crate::threads::detach(py, || encode(texts)).map_err(to_py_err);
    }
    let stop = std::sync::atomic::AtomicBool::new(false);
    let encoded = crate::interrupt::interruptible(py, &stop, None, || {
        let mut out = Vec::with_capacity(texts.len());
        let mut start = 0;
        while start < texts.len() {
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                break;
            }
            let mut end = start;
            let mut bytes = 0;
            while end < texts.len()
                && (end == start || bytes + texts[end].len() <= BATCH_PIECE_BYTES)
            {
                bytes += texts[end].len();
                end += 1;
            }
            out.extend(encode(&texts[start..end])?);
            start = end;
        }
        Ok(out)
    })?;
    encoded.map_err(to_py_err)
}

/// `"all"`, or a collection of special-token strings.
fn special_set(value: &Bound<'_, PyAny>, argument: &str) -> PyResult<SpecialSet> {
    if let Ok(text) = value.cast::<PyString>() {
        return match text.to_str()? {
            "all" => Ok(SpecialSet::All),
            other => Err(input_error(format!(
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
        add_special_tokens: false,
    })
}

/// `(id, byte_start, byte_end, char_start, char_end)` of one token.
type OffsetTuple = (TokenId, usize, usize, usize, usize);

/// How an `Encoding` is rebuilt when unpickled.
#[derive(Clone)]
pub(crate) enum Origin {
    /// A built-in encoding, pickled by name.
    Builtin(String),
    /// Loaded from a file or built in memory, pickled by value.
    Value,
}

/// A tokenizer with tiktoken's API: byte-level BPE, or any HF tokenizer.json family.
#[pyclass(frozen, module = "omnitok._omnitok")]
pub struct Encoding {
    pub(crate) inner: Arc<Tokenizer>,
    pub(crate) origin: Origin,
    /// The ints that lists of IDs returned to Python are made of.
    ints: IdInts,
}

#[pymethods]
impl Encoding {
    /// Loads tokenizer.json, a SentencePiece `.model` file, or a tiktoken rank file (its
    /// pattern from `pattern`, or from the side file `<path>.json`). `name` names it in reports
    /// (default: the file's name).
    #[staticmethod]
    #[pyo3(signature = (path, pattern=None, name=None))]
    fn from_file(
        py: Python<'_>,
        path: std::path::PathBuf,
        pattern: Option<String>,
        name: Option<String>,
    ) -> PyResult<Self> {
        let mut tokenizer =
            crate::threads::detach(py, || Tokenizer::from_file(&path, pattern.as_deref()))
                .map_err(to_py_err)?;
        if let Some(name) = name {
            tokenizer = tokenizer.with_name(name);
        }
        Ok(Self::wrap(Arc::new(tokenizer), Origin::Value))
    }

    /// tiktoken's constructor: an encoding from its pattern, `mergeable_ranks` (token bytes to
    /// rank) and special tokens; `explicit_n_vocab`, when given, must be their total count and
    /// one more than the largest ID.
    #[new]
    #[pyo3(signature = (name, pat_str, mergeable_ranks, special_tokens, explicit_n_vocab=None))]
    fn new(
        py: Python<'_>,
        name: String,
        pat_str: String,
        mergeable_ranks: std::collections::HashMap<Vec<u8>, TokenId>,
        special_tokens: std::collections::HashMap<String, TokenId>,
        explicit_n_vocab: Option<usize>,
    ) -> PyResult<Self> {
        if let Some(n) = explicit_n_vocab {
            let count = mergeable_ranks.len() + special_tokens.len();
            let largest = mergeable_ranks
                .values()
                .chain(special_tokens.values())
                .max()
                .map_or(0, |&id| id as usize + 1);
            if count != n || largest != n {
                return Err(input_error(format!(
                    "explicit_n_vocab is {n}, but there are {count} tokens and the largest ID is \
                     {}",
                    largest.saturating_sub(1)
                )));
            }
        }
        let mut specials: Vec<(String, TokenId)> = special_tokens.into_iter().collect();
        specials.sort_unstable_by_key(|&(_, id)| id);
        let tokens: Vec<(Vec<u8>, TokenId)> = mergeable_ranks.into_iter().collect();
        let tokenizer = crate::threads::detach(py, || {
            Tokenizer::from_ranks(name, tokens, "mergeable_ranks", &pat_str, specials)
        })
        .map_err(to_py_err)?;
        Ok(Self::wrap(Arc::new(tokenizer), Origin::Value))
    }

    /// The pre-tokenization pattern (tiktoken's private attribute).
    #[getter]
    fn _pat_str(&self) -> &str {
        self.inner.pattern()
    }

    /// Token bytes to rank, for byte-level BPE (tiktoken's private attribute).
    #[getter]
    fn _mergeable_ranks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let model = self.inner.model().ok_or_else(|| {
            input_error(format!(
                "{} is not byte-level BPE, so it has no mergeable ranks",
                self.inner.name()
            ))
        })?;
        let dict = PyDict::new(py);
        for (bytes, id) in model.tokens() {
            dict.set_item(PyBytes::new(py, bytes), id)?;
        }
        Ok(dict)
    }

    /// Encodes bytes that may not be UTF-8 (tiktoken's private `_encode_bytes`).
    fn _encode_bytes(&self, py: Python<'_>, bytes: Vec<u8>) -> PyResult<Vec<TokenId>> {
        crate::threads::detach(py, || self.inner.encode_bytes(&bytes)).map_err(to_py_err)
    }

    /// Whether `token` is the ID of a special token.
    fn is_special_token(&self, token: TokenId) -> bool {
        self.inner
            .special_tokens()
            .entries()
            .iter()
            .any(|&(_, id)| id == token)
    }

    /// `decode` of each list of IDs, in parallel. tiktoken's default for `errors` is "replace".
    #[pyo3(signature = (batch, *, errors="replace", num_threads=8))]
    fn decode_batch(
        &self,
        py: Python<'_>,
        batch: Vec<Vec<TokenId>>,
        errors: &str,
        num_threads: usize,
    ) -> PyResult<Vec<String>> {
        let _ = num_threads;
        let mode = DecodeErrors::parse(errors)?;
        use rayon::prelude::*;
        crate::threads::detach(py, || {
            batch
                .par_iter()
                .map(|ids| mode.decode(&self.inner, ids))
                .collect::<Result<Vec<String>, _>>()
        })
        .map_err(to_py_err)
    }

    /// `decode_bytes` of each list of IDs, in parallel.
    #[pyo3(signature = (batch, *, num_threads=8))]
    fn decode_bytes_batch<'py>(
        &self,
        py: Python<'py>,
        batch: Vec<Vec<TokenId>>,
        num_threads: usize,
    ) -> PyResult<Vec<Bound<'py, PyBytes>>> {
        let _ = num_threads;
        use rayon::prelude::*;
        let decoded = crate::threads::detach(py, || {
            batch
                .par_iter()
                .map(|ids| self.inner.decode_bytes(ids))
                .collect::<Result<Vec<Vec<u8>>, _>>()
        })
        .map_err(to_py_err)?;
        Ok(decoded.iter().map(|b| PyBytes::new(py, b)).collect())
    }

    /// The decoded text and, per token, the char index where it starts (a token starting
    /// inside a multi-byte char gets that char's index), as tiktoken's `decode_with_offsets`;
    /// bytes that are not UTF-8 are an error, as there.
    fn decode_with_offsets(&self, tokens: Vec<TokenId>) -> PyResult<(String, Vec<usize>)> {
        let mut offsets = Vec::with_capacity(tokens.len());
        let mut chars = 0usize;
        for &id in &tokens {
            let token = self.token(id)?;
            let starts_inside = token.first().is_some_and(|&b| (0x80..0xC0).contains(&b));
            offsets.push(chars.saturating_sub(usize::from(starts_inside)));
            chars += token
                .iter()
                .filter(|&&b| !(0x80..0xC0).contains(&b))
                .count();
        }
        let text = self.inner.decode(&tokens).map_err(to_py_err)?;
        Ok((text, offsets))
    }

    /// Saves as tokenizer.json when `path` ends in `.json`, as the SentencePiece model it was
    /// read from when `path` ends in `.model`, else as a tiktoken rank file plus its side file
    /// `<path>.json`.
    fn to_file(&self, py: Python<'_>, path: std::path::PathBuf) -> PyResult<()> {
        let is_json = path.extension().is_some_and(|e| e == "json");
        let is_model = path.extension().is_some_and(|e| e == "model");
        crate::threads::detach(py, || {
            if is_model {
                self.inner.save_sentencepiece_model(&path)
            } else if is_json {
                self.inner.save_tokenizer_json(&path)
            } else {
                self.inner.save_rank_file(&path)
            }
        })
        .map_err(to_py_err)
    }

    /// The tokenizer as tokenizer.json text (SentencePiece models have none: save the .model).
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        crate::threads::detach(py, || self.inner.to_tokenizer_json()).map_err(to_py_err)
    }

    /// The encoding's name (`o200k_base`, a file's name, or the `name` it was given).
    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }

    /// SHA-256 (hex) of everything that decides the encoding's output: what a token layout
    /// records of its text component.
    fn sha256(&self, py: Python<'_>) -> String {
        crate::threads::detach(py, || self.inner.sha256())
    }

    /// The pre-tokenization regex of byte-level BPE ("" for other families).
    #[getter]
    fn pattern(&self) -> &str {
        self.inner.pattern()
    }

    /// One more than the largest token ID.
    #[getter]
    fn n_vocab(&self) -> usize {
        self.inner.n_vocab()
    }

    /// The largest token ID (`n_vocab - 1`).
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
            .ok_or_else(|| input_error(format!("{} has no <|endoftext|>", self.inner.name())))
    }

    /// The special tokens' strings.
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

    /// The token IDs of `text`. A special token's string in the text is an error unless
    /// `allowed_special` allows it (a set of strings or "all") or `disallowed_special` leaves it
    /// out (then it is ordinary text), as in tiktoken; `add_special_tokens=True` puts the
    /// post-processor's tokens around the IDs (`[CLS] … [SEP]`, `<s>`), as HF's default `encode`.
    #[pyo3(signature = (text, *, allowed_special=None, disallowed_special=None, add_special_tokens=false))]
    fn encode<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'_, PyString>,
        allowed_special: Option<&Bound<'_, PyAny>>,
        disallowed_special: Option<&Bound<'_, PyAny>>,
        add_special_tokens: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let ids = self.encode_ids(
            py,
            text,
            allowed_special,
            disallowed_special,
            add_special_tokens,
        )?;
        self.id_list(py, &ids)
    }

    /// tiktoken's `encode_with_unstable`: the tokens that more text cannot change, and the
    /// token sequences the rest may begin as once text follows (byte-level BPE only).
    #[pyo3(signature = (text, *, allowed_special=None, disallowed_special=None))]
    #[allow(clippy::type_complexity)]
    fn encode_with_unstable(
        &self,
        py: Python<'_>,
        text: &Bound<'_, PyString>,
        allowed_special: Option<&Bound<'_, PyAny>>,
        disallowed_special: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(Vec<TokenId>, Vec<Vec<TokenId>>)> {
        let policy = policy_of(py, allowed_special, disallowed_special)?;
        let text = text_of(text)?;
        crate::threads::detach(py, || self.inner.encode_with_unstable(&text, &policy))
            .map_err(to_py_err)
    }

    /// The token IDs of `text`, special tokens' strings encoded as ordinary text.
    fn encode_ordinary<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'_, PyString>,
    ) -> PyResult<Bound<'py, PyList>> {
        let text = text_of(text)?;
        let ids =
            crate::threads::detach(py, || self.inner.encode_ordinary(&text)).map_err(to_py_err)?;
        self.id_list(py, &ids)
    }

    /// `encode` returning a numpy uint32 array.
    #[pyo3(signature = (text, *, allowed_special=None, disallowed_special=None, add_special_tokens=false))]
    fn encode_to_numpy<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyString>,
        allowed_special: Option<&Bound<'py, PyAny>>,
        disallowed_special: Option<&Bound<'py, PyAny>>,
        add_special_tokens: bool,
    ) -> PyResult<Bound<'py, PyArray1<TokenId>>> {
        let ids = self.encode_ids(
            py,
            text,
            allowed_special,
            disallowed_special,
            add_special_tokens,
        )?;
        Ok(PyArray1::from_vec(py, ids))
    }

    /// Number of tokens `encode` would return.
    #[pyo3(signature = (text, *, allowed_special=None, disallowed_special=None, add_special_tokens=false))]
    fn count(
        &self,
        py: Python<'_>,
        text: &Bound<'_, PyString>,
        allowed_special: Option<&Bound<'_, PyAny>>,
        disallowed_special: Option<&Bound<'_, PyAny>>,
        add_special_tokens: bool,
    ) -> PyResult<usize> {
        let policy = policy_of(py, allowed_special, disallowed_special)?
            .adding_special_tokens(add_special_tokens);
        let text = text_of(text)?;
        crate::threads::detach(py, || self.inner.count(&text, &policy)).map_err(to_py_err)
    }

    /// `(id, byte_start, byte_end, char_start, char_end)` for each token.
    #[pyo3(signature = (text, *, allowed_special=None, disallowed_special=None, add_special_tokens=false))]
    fn encode_with_offsets(
        &self,
        py: Python<'_>,
        text: &str,
        allowed_special: Option<&Bound<'_, PyAny>>,
        disallowed_special: Option<&Bound<'_, PyAny>>,
        add_special_tokens: bool,
    ) -> PyResult<Vec<OffsetTuple>> {
        let policy = policy_of(py, allowed_special, disallowed_special)?
            .adding_special_tokens(add_special_tokens);
        let spans = crate::threads::detach(py, || self.inner.encode_with_offsets(text, &policy))
            .map_err(to_py_err)?;
        Ok(spans
            .iter()
            .map(|s| (s.id, s.bytes.0, s.bytes.1, s.chars.0, s.chars.1))
            .collect())
    }

    /// Encodes many texts in parallel with the GIL released. `num_threads` is accepted for
    /// tiktoken compatibility; the shared thread pool decides.
    #[pyo3(signature = (text, *, num_threads=8, allowed_special=None, disallowed_special=None, add_special_tokens=false))]
    fn encode_batch<'py>(
        &self,
        py: Python<'py>,
        text: Vec<String>,
        num_threads: usize,
        allowed_special: Option<&Bound<'_, PyAny>>,
        disallowed_special: Option<&Bound<'_, PyAny>>,
        add_special_tokens: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let _ = num_threads;
        let policy = policy_of(py, allowed_special, disallowed_special)?
            .adding_special_tokens(add_special_tokens);
        let texts: Vec<&str> = text.iter().map(String::as_str).collect();
        let batch = batch_in_pieces(py, &texts, |piece| self.inner.encode_batch(piece, &policy))?;
        self.ints.lists(py, self.inner.n_vocab(), &batch)
    }

    /// `encode_ordinary` of each text, in parallel with the GIL released. `num_threads` is
    /// accepted for tiktoken compatibility; the shared thread pool decides.
    #[pyo3(signature = (text, *, num_threads=8))]
    fn encode_ordinary_batch<'py>(
        &self,
        py: Python<'py>,
        text: Vec<String>,
        num_threads: usize,
    ) -> PyResult<Bound<'py, PyList>> {
        let _ = num_threads;
        let texts: Vec<&str> = text.iter().map(String::as_str).collect();
        let batch = batch_in_pieces(py, &texts, |piece| self.inner.encode_ordinary_batch(piece))?;
        self.ints.lists(py, self.inner.n_vocab(), &batch)
    }

    /// The ID of one token given as bytes (an ordinary token, or a special token's string).
    fn encode_single_token(&self, text_or_bytes: &Bound<'_, PyAny>) -> PyResult<TokenId> {
        let bytes: Vec<u8> = match text_or_bytes.cast::<PyString>() {
            Ok(text) => text.to_str()?.as_bytes().to_vec(),
            Err(_) => text_or_bytes.extract()?,
        };
        self.inner.encode_single_token(&bytes).ok_or_else(|| {
            unknown_token_error(format!(
                "{:?} is not a single token",
                String::from_utf8_lossy(&bytes)
            ))
        })
    }

    /// Decodes to text. `errors="strict"` (default) raises on bytes that are not UTF-8, naming
    /// where; `errors="replace"` substitutes U+FFFD; `errors="ignore"` leaves them out.
    #[pyo3(signature = (tokens, errors="strict"))]
    fn decode(&self, py: Python<'_>, tokens: Vec<TokenId>, errors: &str) -> PyResult<String> {
        let mode = DecodeErrors::parse(errors)?;
        crate::threads::detach(py, || mode.decode(&self.inner, &tokens)).map_err(to_py_err)
    }

    /// The bytes the IDs spell (a pipeline's through its decoder); an unknown ID is a
    /// `KeyError` naming it and its position.
    fn decode_bytes<'py>(
        &self,
        py: Python<'py>,
        tokens: Vec<TokenId>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let bytes =
            crate::threads::detach(py, || self.inner.decode_bytes(&tokens)).map_err(to_py_err)?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// The bytes of one token (`KeyError` for an unknown ID).
    fn decode_single_token_bytes<'py>(
        &self,
        py: Python<'py>,
        token: TokenId,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = self.token(token)?;
        Ok(PyBytes::new(py, bytes))
    }

    /// The bytes of each token, as a list.
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
        let mut tokens: Vec<&[u8]> = match self.inner.model() {
            Some(model) => model.tokens().map(|(b, _)| b).collect(),
            None => {
                let specials = self.inner.special_tokens();
                (0..self.inner.n_vocab() as TokenId)
                    .filter(|&id| !specials.entries().iter().any(|&(_, s)| s == id))
                    .filter_map(|id| self.inner.token_bytes(id))
                    .collect()
            }
        };
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
            Origin::Value => match crate::threads::detach(py, || self.inner.to_rank_text()) {
                Some(ranks) => {
                    let args = (
                        self.inner.name(),
                        PyBytes::new(py, ranks.as_bytes()),
                        self.inner.pattern(),
                        self.inner.special_tokens().entries().to_vec(),
                    );
                    ("_encoding_from_ranks", args.into_pyobject(py)?.into_any())
                }
                None => match self.inner.sentencepiece_model() {
                    Some(bytes) => (
                        "_encoding_from_sentencepiece",
                        (self.inner.name(), PyBytes::new(py, bytes))
                            .into_pyobject(py)?
                            .into_any(),
                    ),
                    None => (
                        "_encoding_from_json",
                        (self.to_json(py)?,).into_pyobject(py)?.into_any(),
                    ),
                },
            },
        };
        let module = py.import("omnitok._omnitok")?;
        PyTuple::new(py, [module.getattr(constructor)?, args])
    }
}

impl Encoding {
    /// `inner`, made by `origin`.
    pub(crate) fn wrap(inner: Arc<Tokenizer>, origin: Origin) -> Self {
        Self {
            inner,
            origin,
            ints: IdInts::default(),
        }
    }

    /// `ids` as a Python list of ints.
    fn id_list<'py>(&self, py: Python<'py>, ids: &[TokenId]) -> PyResult<Bound<'py, PyList>> {
        self.ints.list(py, self.inner.n_vocab(), ids)
    }

    /// `encode` as IDs in Rust.
    fn encode_ids(
        &self,
        py: Python<'_>,
        text: &Bound<'_, PyString>,
        allowed_special: Option<&Bound<'_, PyAny>>,
        disallowed_special: Option<&Bound<'_, PyAny>>,
        add_special_tokens: bool,
    ) -> PyResult<Vec<TokenId>> {
        let policy = policy_of(py, allowed_special, disallowed_special)?
            .adding_special_tokens(add_special_tokens);
        let text = text_of(text)?;
        crate::threads::detach(py, || self.inner.encode_with_policy(&text, &policy))
            .map_err(to_py_err)
    }

    fn token(&self, id: TokenId) -> PyResult<&[u8]> {
        self.inner
            .token_bytes(id)
            .ok_or_else(|| unknown_token_error(format!("unknown token ID {id}")))
    }
}

/// The text of a Python string; a string with lone surrogates (which UTF-8 cannot hold) has
/// each replaced by U+FFFD, as tiktoken does.
fn text_of<'a>(text: &'a Bound<'_, PyString>) -> PyResult<std::borrow::Cow<'a, str>> {
    if let Ok(valid) = text.to_str() {
        return Ok(std::borrow::Cow::Borrowed(valid));
    }
    let fixed = text
        .call_method1("encode", ("utf-16", "surrogatepass"))?
        .call_method1("decode", ("utf-16", "replace"))?;
    Ok(std::borrow::Cow::Owned(fixed.extract::<String>()?))
}

pub(crate) fn policy_of(
    py: Python<'_>,
    allowed: Option<&Bound<'_, PyAny>>,
    disallowed: Option<&Bound<'_, PyAny>>,
) -> PyResult<SpecialPolicy> {
    let empty = PyFrozenSet::empty(py)?.into_any();
    let all = PyString::new(py, "all").into_any();
    policy(allowed.unwrap_or(&empty), disallowed.unwrap_or(&all))
}

/// The built-in encoding `name`: one object per name, as tiktoken keeps them, so that calling
/// this again (even in a loop) costs a dictionary lookup and the object's ints of its IDs are
/// made once.
#[pyfunction]
pub fn get_encoding(py: Python<'_>, name: String) -> PyResult<Py<Encoding>> {
    static ENCODINGS: PyOnceLock<Py<PyDict>> = PyOnceLock::new();
    let made = ENCODINGS
        .get_or_init(py, || PyDict::new(py).unbind())
        .bind(py);
    if let Some(encoding) = made.get_item(&name)? {
        return Ok(encoding.cast_into::<Encoding>()?.unbind());
    }
    let tokenizer = crate::threads::detach(py, || builtin_encoding(&name)).map_err(to_py_err)?;
    let encoding = Py::new(py, Encoding::wrap(tokenizer, Origin::Builtin(name.clone())))?;
    made.set_item(name, &encoding)?;
    Ok(encoding)
}

/// The encoding name a model uses.
#[pyfunction]
pub fn encoding_name_for_model(model_name: &str) -> PyResult<&'static str> {
    model_encoding(model_name).map_err(|e| unknown_token_error(e.to_string()))
}

/// Names of the built-in encodings.
#[pyfunction]
pub fn list_encoding_names() -> Vec<&'static str> {
    omnitok_tokenizer::ENCODING_NAMES.to_vec()
}

/// The `{token bytes: rank}` of rank-file bytes (`omnitok.load.load_tiktoken_bpe`); `source`
/// names the file in errors.
#[pyfunction]
pub fn _parse_ranks<'py>(
    py: Python<'py>,
    data: Vec<u8>,
    source: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let tokens =
        crate::threads::detach(py, || omnitok_tokenizer::ranks::parse_ranks(&data, source))
            .map_err(to_py_err)?;
    let dict = PyDict::new(py);
    for (bytes, rank) in tokens {
        dict.set_item(PyBytes::new(py, &bytes), rank)?;
    }
    Ok(dict)
}

/// Rank-file text of `{token bytes: rank}` (`omnitok.load.dump_tiktoken_bpe`).
#[pyfunction]
pub fn _format_ranks(ranks: std::collections::HashMap<Vec<u8>, TokenId>) -> String {
    omnitok_tokenizer::ranks::format_ranks(ranks.iter().map(|(b, &r)| (b.as_slice(), r)))
}

/// Rebuilds an encoding from tokenizer.json text (used by pickling).
#[pyfunction]
pub fn _encoding_from_json(py: Python<'_>, json: String) -> PyResult<Encoding> {
    let tokenizer = crate::threads::detach(py, || {
        omnitok_tokenizer::hf_json::parse_tokenizer_json(&json, "<pickled encoding>")
    })
    .map_err(to_py_err)?;
    Ok(Encoding::wrap(Arc::new(tokenizer), Origin::Value))
}

/// Rebuilds an encoding from a SentencePiece `.model` file's bytes (used by pickling).
#[pyfunction]
pub fn _encoding_from_sentencepiece(
    py: Python<'_>,
    name: String,
    model: Vec<u8>,
) -> PyResult<Encoding> {
    let tokenizer = crate::threads::detach(py, || {
        omnitok_tokenizer::sentencepiece::parse_model(&model, "<pickled encoding>", &name)
    })
    .map_err(to_py_err)?;
    Ok(Encoding::wrap(Arc::new(tokenizer), Origin::Value))
}

/// Rebuilds an encoding from rank-file text, pattern and specials (used by pickling).
#[pyfunction]
pub fn _encoding_from_ranks(
    py: Python<'_>,
    name: String,
    ranks: Vec<u8>,
    pattern: String,
    specials: Vec<(String, TokenId)>,
) -> PyResult<Encoding> {
    let tokenizer = crate::threads::detach(py, || {
        Tokenizer::from_rank_bytes(name, &ranks, "<pickled encoding>", &pattern, specials)
    })
    .map_err(to_py_err)?;
    Ok(Encoding::wrap(Arc::new(tokenizer), Origin::Value))
}

/// What `decode` does with bytes that are not UTF-8, named as Python's `errors` argument.
#[derive(Clone, Copy)]
enum DecodeErrors {
    Strict,
    Replace,
    Ignore,
}

impl DecodeErrors {
    fn parse(errors: &str) -> PyResult<Self> {
        match errors {
            "strict" => Ok(Self::Strict),
            "replace" => Ok(Self::Replace),
            "ignore" => Ok(Self::Ignore),
            other => Err(input_error(format!(
                "errors must be \"strict\", \"replace\" or \"ignore\", not {other:?}"
            ))),
        }
    }

    fn decode(self, tokenizer: &Tokenizer, ids: &[TokenId]) -> omnitok_tokenizer::Result<String> {
        match self {
            Self::Strict => tokenizer.decode(ids),
            Self::Replace => tokenizer.decode_lossy(ids),
            Self::Ignore => tokenizer.decode_ignoring_invalid(ids),
        }
    }
}
