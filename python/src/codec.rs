//! `omnitok.audio.Codec`: neural audio codec inference (EnCodec, DAC, SNAC) on numpy arrays.

use std::sync::Arc;

use crate::errors::input_error;
use ndarray::{Array2, ArrayView1, Ix1};
use numpy::{
    IntoPyArray, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray2, PyReadonlyArrayDyn,
    PyUntypedArrayMethods,
};
use omnitok_audio::codec::{Codec as Model, Codes, StreamingDecoder, StreamingEncoder};
use omnitok_audio::{Audio, AudioError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3::types::PyList;

use crate::audio::audio_err;

/// Audio of float32 `[samples]` or `[channels, samples]` at `sr` Hz.
pub fn audio_of(samples: &PyReadonlyArrayDyn<'_, f32>, sr: u32) -> PyResult<Audio> {
    let shape = samples.shape().to_vec();
    let (channels, frames) = match shape[..] {
        [n] => (1, n),
        [c, n] => (c, n),
        _ => {
            return Err(input_error(format!(
                "samples must be [samples] or [channels, samples], not {shape:?}"
            )))
        }
    };
    let max_channels = omnitok_audio::AudioLimits::default().max_channels;
    if channels > max_channels {
        let hint = if frames <= max_channels {
            format!(": is it [samples, channels]? pass samples.T, shape [{frames}, {channels}]")
        } else {
            String::new()
        };
        return Err(input_error(format!(
            "samples are [channels, samples] and this array has {channels} channels, more than \
             the {max_channels} audio may have{hint}"
        )));
    }
    let planar: Vec<f32> = samples.as_array().iter().copied().collect();
    // Interleave [channels, samples] into frames.
    let mut interleaved = vec![0f32; planar.len()];
    for c in 0..channels {
        for t in 0..frames {
            interleaved[t * channels + c] = planar[c * frames + t];
        }
    }
    Ok(Audio {
        samples: interleaved,
        channels,
        sample_rate: sr,
    })
}

/// A neural audio codec (EnCodec, DAC or SNAC) loaded from a checkpoint directory.
#[pyclass(frozen, module = "omnitok._omnitok")]
pub struct Codec {
    pub(crate) inner: Arc<Model>,
    /// What a layout records of it: the checkpoint folder, or the built-in codec's name.
    pub(crate) name: String,
    /// The checkpoint folder as an absolute path (`None` for the built-in codec): what a
    /// pickle refers to.
    folder: Option<std::path::PathBuf>,
}

#[pymethods]
impl Codec {
    /// Loads `config.json` and `model.safetensors` from `path`; the configuration's
    /// `model_type` ("encodec", "dac", "snac") names the family, or SNAC's own keys
    /// (`vq_strides`, ...) where it has none.
    #[staticmethod]
    fn from_pretrained(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Self> {
        let inner =
            crate::threads::detach(py, || Model::from_pretrained(&path)).map_err(audio_err)?;
        Ok(Self {
            inner: Arc::new(inner),
            name: path.display().to_string(),
            folder: Some(std::path::absolute(&path).unwrap_or(path)),
        })
    }

    /// The codec a pickle refers to: the built-in one, or the checkpoint in `folder` (loaded
    /// again, and refused if its files changed: `checksum` is the pickled codec's).
    #[staticmethod]
    fn _unpickle(
        py: Python<'_>,
        name: String,
        folder: Option<std::path::PathBuf>,
        checksum: String,
    ) -> PyResult<Self> {
        let codec = match &folder {
            None => Self::default(),
            Some(folder) => Self {
                name,
                ..Self::from_pretrained(py, folder.clone())?
            },
        };
        if codec.inner.checksum() != checksum {
            let what = folder.map_or_else(|| codec.name.clone(), |f| f.display().to_string());
            return Err(input_error(format!(
                "{what}: the codec's files changed since it was pickled (checksum {checksum}, now {})",
                codec.inner.checksum()
            )));
        }
        Ok(codec)
    }

    /// Pickles by reference: the checkpoint folder (or the built-in codec's name) and the
    /// checksum its files must still have where the pickle is loaded.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
        let constructor = py.get_type::<Codec>().getattr("_unpickle")?;
        let args = (
            self.name.clone(),
            self.folder.clone(),
            self.inner.checksum().to_owned(),
        )
            .into_pyobject(py)?
            .into_any();
        pyo3::types::PyTuple::new(py, [constructor, args])
    }

    /// omnitok's built-in speech codec, omnitok-speech-16k: a small causal EnCodec at 16 kHz
    /// mono, trained by omnitok (its model card lists the measured quality).
    #[staticmethod]
    fn default() -> Self {
        Self {
            inner: Arc::new(Model::default_speech()),
            name: omnitok_audio::codec::DEFAULT_SPEECH_NAME.into(),
            folder: None,
        }
    }

    /// Codes of `samples` (float32 `[samples]` or `[channels, samples]`) at `sr` Hz, at
    /// `bandwidth` kbps (one of `bandwidths`; default the smallest) or with the first
    /// `codebooks` codebooks: int64 `[codebooks, frames]`, or `[chunks, codebooks, frames]`
    /// for models that encode in chunks; for SNAC, a list of int64 `[codes]` arrays, one per
    /// level, coarse to fine (every level). With `return_info`, `(codes, info)` where `info`
    /// holds what `decode` needs besides the codes (`scales`, `last_frame_pad_length`,
    /// `length`; SNAC: `length`): `decode(codes, **info)`.
    #[pyo3(signature = (samples, sr, bandwidth=None, return_info=false, *, codebooks=None))]
    fn encode<'py>(
        &self,
        py: Python<'py>,
        samples: PyReadonlyArrayDyn<'py, f32>,
        sr: u32,
        bandwidth: Option<f64>,
        return_info: bool,
        codebooks: Option<usize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let audio = audio_of(&samples, sr)?;
        let bandwidth = self.bandwidth(bandwidth, codebooks)?;
        if self.inner.level_strides().is_some() {
            let (levels, length) = crate::threads::detach(py, || {
                let input = self.inner.model_input(&audio)?;
                self.inner.codebooks_for(bandwidth)?;
                Ok::<_, AudioError>((self.inner.encode_levels(input.view())?, input.ncols()))
            })
            .map_err(audio_err)?;
            let list = PyList::new(py, levels.into_iter().map(|l| l.into_pyarray(py)))?;
            if return_info {
                let info = PyDict::new(py);
                info.set_item("length", length)?;
                return Ok((list, info).into_pyobject(py)?.into_any());
            }
            return Ok(list.into_any());
        }
        let codes = crate::threads::detach(py, || self.inner.encode_audio(&audio, bandwidth))
            .map_err(audio_err)?;
        let (chunks, codebooks, n) = codes.codes.dim();
        let values = codes.codes.clone().into_raw_vec_and_offset().0;
        let array = if chunks == 1 {
            PyArray1::from_vec(py, values)
                .reshape([codebooks, n])?
                .into_any()
        } else {
            PyArray1::from_vec(py, values)
                .reshape([chunks, codebooks, n])?
                .into_any()
        };
        if return_info {
            let info = PyDict::new(py);
            info.set_item("scales", codes.scales.clone())?;
            info.set_item("last_frame_pad_length", codes.last_frame_pad_length)?;
            info.set_item("length", codes.samples)?;
            return Ok((array, info).into_pyobject(py)?.into_any());
        }
        Ok(array)
    }

    /// Audio, float32 `[channels, samples]`, of `codes` (as `encode` returns them; SNAC: a
    /// list of every level's int64 `[codes]`, coarse to fine); models that encode in chunks
    /// need the `info` of `encode(..., return_info=True)` (`decode(codes, **info)`); `length`
    /// trims the audio to that many samples. SNAC decodes without its reference's random
    /// noise, and without `length` gives every frame the codes cover (the encoder's padding
    /// included).
    #[pyo3(signature = (codes, scales=None, length=None, last_frame_pad_length=0))]
    fn decode<'py>(
        &self,
        py: Python<'py>,
        codes: &Bound<'py, PyAny>,
        scales: Option<Vec<f32>>,
        length: Option<usize>,
        last_frame_pad_length: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        if self.inner.level_strides().is_some() {
            let levels: Vec<PyReadonlyArrayDyn<'py, i64>> = codes.extract().map_err(|_| {
                crate::errors::argument_type_error(
                    "SNAC codes are a list of int64 arrays, one per level (as encode returns them)",
                )
            })?;
            let mut views: Vec<ArrayView1<i64>> = Vec::with_capacity(levels.len());
            for (i, level) in levels.iter().enumerate() {
                let view = level.as_array().into_dimensionality::<Ix1>().map_err(|_| {
                    input_error(format!(
                        "level {i} has shape {:?}; each level is 1-D",
                        level.shape()
                    ))
                })?;
                views.push(view);
            }
            let audio = crate::threads::detach(py, || self.inner.decode_levels(&views))
                .map_err(audio_err)?;
            let samples = length.unwrap_or(usize::MAX).min(audio.ncols());
            let audio = audio.slice(ndarray::s![.., ..samples]).to_owned();
            return Ok(audio.into_pyarray(py).into_any());
        }
        let codes: PyReadonlyArrayDyn<'py, i64> = codes.extract()?;
        let values: Vec<i64> = codes.as_array().iter().copied().collect();
        let codes = Codes::array_of_shape(codes.shape(), values).map_err(audio_err)?;
        let codes = Codes {
            codes,
            scales: scales.unwrap_or_default(),
            last_frame_pad_length,
            samples: length.unwrap_or(usize::MAX),
        };
        let audio: Array2<f32> =
            crate::threads::detach(py, || self.inner.decode(&codes)).map_err(|e| match e {
                AudioError::MissingScales { .. } => input_error(
                    "this model scales each chunk: pass the info of encode(..., \
                     return_info=True), as decode(codes, **info)",
                ),
                other => audio_err(other),
            })?;
        Ok(audio.into_pyarray(py).into_any())
    }

    /// A stream that encodes audio arriving in pieces at `bandwidth` kbps (default the
    /// smallest) or with the first `codebooks` codebooks: its codes equal `encode`'s of the
    /// whole audio. Causal models only (`can_stream`); others raise `InputError`.
    #[pyo3(signature = (bandwidth=None, *, codebooks=None))]
    fn streaming_encoder(
        &self,
        bandwidth: Option<f64>,
        codebooks: Option<usize>,
    ) -> PyResult<CodecEncoderStream> {
        let bandwidth = self.bandwidth(bandwidth, codebooks)?;
        let inner = StreamingEncoder::new(self.inner.clone(), bandwidth).map_err(audio_err)?;
        Ok(CodecEncoderStream { inner })
    }

    /// A stream that decodes code frames arriving in pieces: its audio equals `decode`'s of
    /// all the codes. Causal models only (`can_stream`); others raise `InputError`.
    fn streaming_decoder(&self) -> PyResult<CodecDecoderStream> {
        let inner = StreamingDecoder::new(self.inner.clone()).map_err(audio_err)?;
        Ok(CodecDecoderStream { inner })
    }

    /// The model's family: "encodec", "dac" or "snac".
    #[getter]
    fn family(&self) -> &'static str {
        self.inner.family().model_type()
    }

    /// Whether the model can encode and decode as a stream (causal EnCodec models).
    #[getter]
    fn can_stream(&self) -> bool {
        self.inner.can_stream()
    }

    /// Codebooks at the largest bandwidth (SNAC: its levels).
    #[getter]
    fn n_codebooks(&self) -> usize {
        self.inner.n_codebooks()
    }

    /// For SNAC, the frames (of the finest level) per code of each level, coarse to fine;
    /// `None` for models with one code per codebook per frame.
    #[getter]
    fn level_strides(&self) -> Option<Vec<usize>> {
        self.inner.level_strides().map(<[usize]>::to_vec)
    }

    /// Entries per codebook.
    #[getter]
    fn codebook_size(&self) -> usize {
        self.inner.codebook_size()
    }

    /// Code frames per second: the sample rate over the hop (86.13 for DAC at 44.1 kHz).
    #[getter]
    fn frame_rate(&self) -> f64 {
        self.inner.frame_rate()
    }

    /// The model's sample rate.
    #[getter]
    fn sample_rate(&self) -> u32 {
        self.inner.sampling_rate()
    }

    /// The model's channels.
    #[getter]
    fn channels(&self) -> usize {
        self.inner.channels()
    }

    /// The bandwidths (kbps) the model encodes at.
    #[getter]
    fn bandwidths(&self) -> Vec<f64> {
        self.inner.bandwidths()
    }

    /// SHA-256 (hex) of the checkpoint's files: what a token layout records of the codec.
    #[getter]
    fn checksum(&self) -> &str {
        self.inner.checksum()
    }
}

impl Codec {
    /// The bandwidth `bandwidth` or `codebooks` asks for (at most one of them), else the
    /// smallest.
    fn bandwidth(&self, bandwidth: Option<f64>, codebooks: Option<usize>) -> PyResult<f64> {
        match (bandwidth, codebooks) {
            (Some(_), Some(_)) => Err(crate::errors::argument_type_error(
                "pass bandwidth or codebooks, not both",
            )),
            (Some(bandwidth), None) => Ok(bandwidth),
            (None, Some(codebooks)) => self.inner.bandwidth_with(codebooks).map_err(audio_err),
            (None, None) => Ok(self.inner.smallest_bandwidth()),
        }
    }
}

/// Encodes audio that arrives in pieces; see `Codec.streaming_encoder`.
#[pyclass(module = "omnitok._omnitok")]
pub struct CodecEncoderStream {
    inner: StreamingEncoder,
}

#[pymethods]
impl CodecEncoderStream {
    /// Adds samples at the model's rate (float32 `[samples]` or `[channels, samples]`);
    /// returns the code frames now determined, int64 `[codebooks, frames]` (often none).
    fn push<'py>(
        &mut self,
        py: Python<'py>,
        samples: PyReadonlyArrayDyn<'py, f32>,
    ) -> PyResult<Bound<'py, PyArray2<i64>>> {
        let planar = match samples.shape() {
            [n] => Array2::from_shape_vec((1, *n), samples.as_array().iter().copied().collect()),
            [c, n] => {
                Array2::from_shape_vec((*c, *n), samples.as_array().iter().copied().collect())
            }
            shape => {
                return Err(input_error(format!(
                    "push takes [samples] or [channels, samples], not {shape:?}"
                )))
            }
        }
        .map_err(|e| input_error(e.to_string()))?;
        let inner = &mut self.inner;
        let codes = crate::threads::detach(py, || inner.push(planar.view())).map_err(audio_err)?;
        Ok(codes.into_pyarray(py))
    }

    /// Ends the stream; returns the remaining code frames, int64 `[codebooks, frames]`.
    fn flush<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<i64>>> {
        let inner = &mut self.inner;
        let codes = crate::threads::detach(py, || inner.flush()).map_err(audio_err)?;
        Ok(codes.into_pyarray(py))
    }

    /// Samples from the start of the stream until its first code frame.
    #[getter]
    fn latency_samples(&self) -> usize {
        self.inner.latency_samples()
    }
}

/// Decodes code frames that arrive in pieces; see `Codec.streaming_decoder`.
#[pyclass(module = "omnitok._omnitok")]
pub struct CodecDecoderStream {
    inner: StreamingDecoder,
}

#[pymethods]
impl CodecDecoderStream {
    /// Adds code frames, int64 `[codebooks, frames]`; returns the audio now determined,
    /// float32 `[channels, samples]`.
    fn push<'py>(
        &mut self,
        py: Python<'py>,
        codes: PyReadonlyArray2<'py, i64>,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let codes = codes.as_array().to_owned();
        let inner = &mut self.inner;
        let audio = crate::threads::detach(py, || inner.push(codes.view())).map_err(audio_err)?;
        Ok(audio.into_pyarray(py))
    }

    /// Ends the stream; returns the remaining audio, float32 `[channels, samples]`.
    fn flush<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let inner = &mut self.inner;
        let audio = crate::threads::detach(py, || inner.flush()).map_err(audio_err)?;
        Ok(audio.into_pyarray(py))
    }
}
