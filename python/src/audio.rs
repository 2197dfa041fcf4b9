//! The audio functions of `omnitok.audio`: loading, features by preset, streaming features.

use std::sync::Arc;

use crate::errors::{file_error, input_error, limit_error};
use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyUntypedArrayMethods};
use omnitok_audio::{
    load, load_bytes, Audio, AudioError, AudioLimits, Extractor, ExtractorCache, FeatureConfig,
    Features, SettingValue, StreamingExtractor,
};
use pyo3::prelude::*;
use pyo3::types::PyDict;

pub(crate) fn audio_err(error: AudioError) -> PyErr {
    match &error {
        AudioError::Io { source, .. } => file_error(source.kind(), error.to_string()),
        AudioError::Limit { .. } => limit_error(error.to_string()),
        _ => input_error(error.to_string()),
    }
}

/// The feature presets' names, in the order they are listed to users.
#[pyfunction]
pub fn _audio_presets() -> Vec<&'static str> {
    omnitok_audio::features::PRESETS.to_vec()
}

/// Decodes a file (a path, or the bytes of one named `name`) as librosa's `load` does: the
/// excerpt from `offset` seconds, `duration` long; channels averaged when `mono`; resampled to
/// `sr` when given. `(samples, sample_rate)`: float32 `[frames]` for one channel, else
/// `[channels, frames]`. A limit left as `None` is the default.
#[pyfunction]
#[pyo3(signature = (source, name, sr, mono, offset, duration, max_file_bytes, max_seconds, max_channels))]
// One parameter per keyword argument of the Python function, as pyo3 binds them.
#[allow(clippy::too_many_arguments)]
pub fn _audio_load<'py>(
    py: Python<'py>,
    source: &Bound<'py, PyAny>,
    name: String,
    sr: Option<u32>,
    mono: bool,
    offset: f64,
    duration: Option<f64>,
    max_file_bytes: Option<u64>,
    max_seconds: Option<f64>,
    max_channels: Option<usize>,
) -> PyResult<(Bound<'py, PyAny>, u32)> {
    let limits = AudioLimits::from_options(max_file_bytes, max_seconds, max_channels);
    enum Input {
        Path(std::path::PathBuf),
        Bytes(Vec<u8>),
    }
    let input = match source.cast::<pyo3::types::PyBytes>() {
        Ok(bytes) => Input::Bytes(bytes.as_bytes().to_vec()),
        Err(_) => Input::Path(source.extract()?),
    };
    let audio = crate::threads::detach(py, || {
        let audio = match input {
            Input::Bytes(bytes) => load_bytes(bytes, &name, &limits)?,
            Input::Path(path) => load(&path, &limits)?,
        };
        let mut audio = audio.excerpt(offset, duration)?;
        if mono && audio.channels > 1 {
            audio = Audio {
                samples: audio.mono(),
                channels: 1,
                sample_rate: audio.sample_rate,
            };
        }
        match sr {
            Some(rate) => audio.resampled(rate),
            None => Ok(audio),
        }
    })
    .map_err(audio_err)?;
    let rate = audio.sample_rate;
    let channels = audio.channels;
    let frames = audio.frames();
    let interleaved = PyArray1::from_vec(py, audio.samples);
    if channels == 1 {
        return Ok((interleaved.into_any(), rate));
    }
    // [frames, channels] in memory, returned as its transpose: [channels, frames].
    let array = interleaved.reshape([frames, channels])?.transpose()?;
    Ok((array.into_any(), rate))
}

/// A Python value as a setting: bool, int or float, str, or None.
fn setting_value(key: &str, value: &Bound<'_, PyAny>) -> PyResult<SettingValue> {
    if value.is_none() {
        Ok(SettingValue::Absent)
    } else if let Ok(b) = value.cast::<pyo3::types::PyBool>() {
        Ok(SettingValue::Bool(b.is_true()))
    } else if let Ok(n) = value.extract::<f64>() {
        Ok(SettingValue::Number(n))
    } else if let Ok(t) = value.extract::<String>() {
        Ok(SettingValue::Text(t))
    } else {
        Err(input_error(format!(
            "setting {key}: {} is not a bool, number, str or None",
            value.get_type().name()?
        )))
    }
}

/// The configuration of `preset` with the keyword overrides applied (the references' keyword
/// names; see `omnitok_audio::settings`).
fn configure(preset: &str, overrides: Option<&Bound<'_, PyDict>>) -> PyResult<FeatureConfig> {
    let mut config = FeatureConfig::preset(preset).map_err(audio_err)?;
    let Some(overrides) = overrides else {
        return Ok(config);
    };
    let mut settings = Vec::new();
    for (key, value) in overrides.iter() {
        let key: String = key.extract()?;
        let value = setting_value(&key, &value)?;
        settings.push((key, value));
    }
    config
        .apply_settings(settings.iter().map(|(k, v)| (k.as_str(), v.clone())))
        .map_err(audio_err)?;
    Ok(config)
}

fn to_array<'py>(py: Python<'py>, features: Features) -> PyResult<Bound<'py, PyArray2<f32>>> {
    let shape = features.shape();
    PyArray1::from_vec(py, features.data).reshape(shape)
}

/// Features of mono `samples` at `sr` Hz by preset: float32 `[rows, frames]`, or
/// `[frames, rows]` for the Kaldi presets.
#[pyfunction]
#[pyo3(signature = (samples, sr, preset="librosa-mel", **overrides))]
pub fn _audio_features<'py>(
    py: Python<'py>,
    samples: PyReadonlyArray1<'py, f32>,
    sr: f64,
    preset: &str,
    overrides: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyArray2<f32>>> {
    let config = configure(preset, overrides)?;
    let extractor = planned(py, &config, sr)?;
    let samples = samples.as_slice()?.to_vec();
    let features = crate::threads::detach(py, || extractor.compute(&samples)).map_err(audio_err)?;
    to_array(py, features)
}

/// The extractors planned by recent calls, by configuration and sample rate.
static EXTRACTORS: ExtractorCache = ExtractorCache::new(16);

/// The extractor for `config` at `sr` Hz, planned on its first use; a `UserWarning` when some
/// of its mel filters are empty.
fn planned(py: Python<'_>, config: &FeatureConfig, sr: f64) -> PyResult<Arc<Extractor>> {
    let extractor = EXTRACTORS.get(config, sr).map_err(audio_err)?.extractor;
    if let Some(warning) = extractor.empty_filters_warning() {
        let message = std::ffi::CString::new(warning).map_err(|e| input_error(e.to_string()))?;
        let category = py.get_type::<pyo3::exceptions::PyUserWarning>();
        PyErr::warn(py, category.as_any(), &message, 2)?;
    }
    Ok(extractor)
}

/// Features of audio that arrives in chunks; see `omnitok.audio.StreamingFeatures`.
#[pyclass(module = "omnitok._omnitok")]
pub struct StreamingFeatures {
    inner: StreamingExtractor,
    /// Whether frames come first, as offline features of the preset lay them out.
    frames_first: bool,
}

#[pymethods]
impl StreamingFeatures {
    #[new]
    #[pyo3(signature = (preset, sr, **overrides))]
    fn new(
        py: Python<'_>,
        preset: &str,
        sr: f64,
        overrides: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let config = configure(preset, overrides)?;
        let extractor = planned(py, &config, sr)?;
        Ok(Self {
            inner: StreamingExtractor::new(Extractor::clone(&extractor)),
            frames_first: config.frames_first,
        })
    }

    /// Adds a chunk of mono samples (float32, or float64 as `features` takes); returns the
    /// frames now complete, laid out as `features` lays out the preset's: float32
    /// `[rows, frames]`, or `[frames, rows]` for the Kaldi presets.
    fn push<'py>(
        &mut self,
        py: Python<'py>,
        chunk: Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let chunk = crate::arrays::checked_array::<f32>(&chunk, "samples", "samples")?;
        if chunk.ndim() != 1 {
            return Err(input_error(format!(
                "push takes one channel, float32 [samples]; this chunk is {:?}",
                chunk.shape()
            )));
        }
        let frames = self.inner.push(chunk.as_slice()?).map_err(audio_err)?;
        self.frames(py, frames)
    }

    /// Ends the stream; returns the remaining frames, laid out as `push` lays them out.
    fn flush<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let frames = self.inner.flush().map_err(audio_err)?;
        self.frames(py, frames)
    }

    /// Samples from the start of the stream until the first frame is due.
    #[getter]
    fn latency_samples(&self) -> usize {
        self.inner.latency_samples()
    }
}

impl StreamingFeatures {
    /// Frame-major `data` as an array laid out as offline features are.
    fn frames<'py>(&self, py: Python<'py>, data: Vec<f32>) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let rows = self.inner.rows();
        let n = data.len() / rows;
        if self.frames_first {
            return PyArray1::from_vec(py, data).reshape([n, rows]);
        }
        let mut rows_first = vec![0f32; data.len()];
        for (frame, values) in data.chunks_exact(rows).enumerate() {
            for (row, &value) in values.iter().enumerate() {
                rows_first[row * n + frame] = value;
            }
        }
        PyArray1::from_vec(py, rows_first).reshape([rows, n])
    }
}
