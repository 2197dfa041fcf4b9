//! Python bindings: the native module `omnitok._omnitok`.
//!
//! - [`encoding`]: `Encoding`, a shared tokenizer with tiktoken's method names (heavy calls
//!   release the GIL; batches run on rayon's thread pool).
//! - [`report`]: compression per language (`omnitok_corpus::report`), as the CLI's JSON report.
//! - [`show`]: texts as each tokenizer cuts them (`omnitok_corpus::show`).
//! - [`train`]: training a tokenizer (`omnitok_corpus::train`).
//! - [`corpus`]: tokenizing corpora into shards (`omnitok_corpus::tokenize`).
//! - [`audio`], [`codec`]: `omnitok.audio`'s features and codec.
//! - [`vision`]: `omnitok.vision`'s functions, quantizers and codebooks.
//! - [`layout`]: `omnitok.Layout`, `mux` and `demux` of codes.
//! - [`documents`]: `Layout.encode` / `encode_batch`: IDs with each token's modality, part and
//!   loss flag.
//! - [`errors`]: the exceptions raised, classes of `omnitok.errors`.
//! - [`files`]: files written whole or not at all.
//! - [`id_lists`]: token IDs returned as Python lists of shared ints.
//! - [`interrupt`]: long calls that Ctrl-C stops.
//! - [`threads`]: rayon's pool in forked processes.
//! - [`defaults`]: the libraries' defaults that the Python signatures show.

mod arrays;
mod audio;
mod codec;
mod corpus;
mod defaults;
mod documents;
mod encoding;
mod errors;
mod files;
mod id_lists;
mod interrupt;
mod layout;
mod report;
mod show;
mod threads;
mod train;
mod vision;

use omnitok_corpus::CorpusError;
use pyo3::prelude::*;

use encoding::{
    _encoding_from_json, _encoding_from_ranks, _encoding_from_sentencepiece,
    encoding_name_for_model, get_encoding, list_encoding_names, Encoding,
};
use report::{_compression_report_path, _compression_report_texts, _plot_report};
use train::_train;

/// A Python exception for `error`, of the class of `omnitok.errors` its kind is (I/O errors,
/// wherever in the chain of causes, as `FileError`; limits as `LimitError`).
pub(crate) fn report_err(error: CorpusError) -> PyErr {
    match error {
        CorpusError::Audio(inner) => audio::audio_err(inner),
        CorpusError::Vision(inner) => vision::vision_err(inner),
        CorpusError::Limit { .. } => errors::limit_error(error.to_string()),
        CorpusError::Tokenizer {
            source: omnitok_tokenizer::TokenizerError::Limit { .. },
            ..
        } => errors::limit_error(error.to_string()),
        _ => match errors::io_cause(&error).map(std::io::Error::kind) {
            Some(kind) => errors::file_error(kind, error.to_string()),
            None => errors::input_error(error.to_string()),
        },
    }
}

#[pymodule]
fn _omnitok(m: &Bound<'_, PyModule>) -> PyResult<()> {
    threads::init();
    m.add_class::<Encoding>()?;
    m.add_function(wrap_pyfunction!(get_encoding, m)?)?;
    m.add_function(wrap_pyfunction!(encoding_name_for_model, m)?)?;
    m.add_function(wrap_pyfunction!(list_encoding_names, m)?)?;
    m.add_function(wrap_pyfunction!(_encoding_from_json, m)?)?;
    m.add_function(wrap_pyfunction!(_encoding_from_sentencepiece, m)?)?;
    m.add_function(wrap_pyfunction!(_encoding_from_ranks, m)?)?;
    m.add_function(wrap_pyfunction!(encoding::_parse_ranks, m)?)?;
    m.add_function(wrap_pyfunction!(encoding::_format_ranks, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(_compression_report_path, m)?)?;
    m.add_function(wrap_pyfunction!(_compression_report_texts, m)?)?;
    m.add_function(wrap_pyfunction!(_plot_report, m)?)?;
    m.add_function(wrap_pyfunction!(show::_show, m)?)?;
    m.add_function(wrap_pyfunction!(_train, m)?)?;
    m.add_function(wrap_pyfunction!(audio::_audio_presets, m)?)?;
    m.add_function(wrap_pyfunction!(audio::_audio_load, m)?)?;
    m.add_function(wrap_pyfunction!(audio::_audio_features, m)?)?;
    m.add_class::<audio::StreamingFeatures>()?;
    m.add_class::<codec::Codec>()?;
    m.add_class::<codec::CodecEncoderStream>()?;
    m.add_class::<codec::CodecDecoderStream>()?;
    m.add_function(wrap_pyfunction!(documents::_encode_documents, m)?)?;
    m.add_function(wrap_pyfunction!(vision::_vision_resize, m)?)?;
    m.add_function(wrap_pyfunction!(vision::_vision_patchify, m)?)?;
    m.add_function(wrap_pyfunction!(vision::_vision_patch_shape, m)?)?;
    m.add_function(wrap_pyfunction!(vision::_vision_presets, m)?)?;
    m.add_function(wrap_pyfunction!(vision::_vision_preset_settings, m)?)?;
    m.add_function(wrap_pyfunction!(vision::_vision_load, m)?)?;
    m.add_class::<vision::PyQuantizer>()?;
    m.add_class::<vision::PyCodebook>()?;
    m.add_function(wrap_pyfunction!(vision::_vision_tokenize_scalar, m)?)?;
    m.add_function(wrap_pyfunction!(vision::_vision_remove_static, m)?)?;
    m.add_class::<layout::PyLayout>()?;
    m.add_function(wrap_pyfunction!(layout::_mux, m)?)?;
    m.add_function(wrap_pyfunction!(layout::_demux, m)?)?;
    m.add_function(wrap_pyfunction!(layout::_layout_build, m)?)?;
    m.add_function(wrap_pyfunction!(corpus::_tokenize_corpus, m)?)?;
    m.add_function(wrap_pyfunction!(files::_write_atomically, m)?)?;
    m.add_function(wrap_pyfunction!(defaults::_defaults, m)?)?;
    Ok(())
}
