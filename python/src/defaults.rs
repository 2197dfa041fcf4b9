//! The libraries' defaults, read by the Python modules for the signatures that show them, so
//! that each default is written once, where it belongs.

use std::collections::BTreeMap;

use pyo3::prelude::*;
use pyo3::types::PyDict;

/// `{name: value}` of the defaults the Python functions take.
#[pyfunction]
pub fn _defaults(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    use omnitok_vision::codebook::{KMeansConfig, DEFAULT_PATCH_SIZE};
    use omnitok_vision::image_codes::DEFAULT_SCALAR_PATCH_SIZE;
    let names = BTreeMap::from([
        ("encoding", omnitok_tokenizer::DEFAULT_ENCODING),
        ("audio_preset", omnitok_audio::features::DEFAULT_PRESET),
        ("vision_preset", omnitok_vision::Preset::DEFAULT.name()),
        ("flatten", omnitok_vocab::Flatten::DEFAULT.name()),
    ]);
    let kmeans = KMeansConfig::default();
    let numbers = BTreeMap::from([
        ("scalar_patch_size", DEFAULT_SCALAR_PATCH_SIZE as u64),
        ("codebook_patch_size", DEFAULT_PATCH_SIZE as u64),
        ("codebook_size", kmeans.size as u64),
        ("codebook_epochs", kmeans.epochs as u64),
        ("codebook_batch_size", kmeans.batch_size as u64),
        ("codebook_seed", kmeans.seed),
        (
            "audio_max_file_bytes",
            omnitok_audio::AudioLimits::default().max_file_bytes,
        ),
    ]);
    let rlt = omnitok_vision::rlt::RltConfig::default();
    let defaults = PyDict::new(py);
    defaults.set_item("resize_filter", omnitok_vision::Filter::DEFAULT_NAME)?;
    defaults.set_item(
        "reference",
        omnitok_corpus::report::InputOptions::DEFAULT_REFERENCE,
    )?;
    defaults.set_item("rlt_patch", rlt.patch)?;
    defaults.set_item("rlt_frames", rlt.frames)?;
    // The f32's shortest decimal (0.02), not its exact binary value (0.0199999995...).
    let threshold = rlt
        .threshold
        .to_string()
        .parse()
        .unwrap_or(f64::from(rlt.threshold));
    defaults.set_item("rlt_threshold", threshold)?;
    for (name, value) in names {
        defaults.set_item(name, value)?;
    }
    for (name, value) in numbers {
        defaults.set_item(name, value)?;
    }
    Ok(defaults)
}
