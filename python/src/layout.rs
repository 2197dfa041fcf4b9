//! `omnitok.Layout`, `omnitok.mux` and `omnitok.demux` on codes.

use numpy::{PyArray1, PyReadonlyArray1};
use omnitok_corpus::multimodal::{build_layout, AudioCodebooks, MarkerSetting};
use omnitok_vision::image_codes::ImageQuantizer;
use omnitok_vocab::{
    demux, mux, AudioCodes, Flatten, ImageCodes, Marker, Segment, VocabError, VocabLayout,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::vision::vision_err;

fn vocab_err(error: VocabError) -> PyErr {
    PyValueError::new_err(error.to_string())
}

/// The layout of the shared token space (a checked JSON manifest).
#[pyclass(module = "omnitok._omnitok", name = "Layout", frozen)]
pub struct PyLayout {
    inner: VocabLayout,
}

#[pymethods]
impl PyLayout {
    /// A layout from its JSON manifest text.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(Self {
            inner: VocabLayout::from_json(text).map_err(vocab_err)?,
        })
    }

    /// A layout from its manifest file (at most `MAX_LAYOUT_BYTES`), checked.
    #[staticmethod]
    fn _read_file(path: std::path::PathBuf) -> PyResult<Self> {
        Ok(Self {
            inner: omnitok_corpus::multimodal::read_layout(&path).map_err(crate::report_err)?,
        })
    }

    /// The JSON manifest.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// `(name, start, end)` of every range, in ID order.
    #[getter]
    fn ranges(&self) -> Vec<(String, u32, u32)> {
        self.inner
            .ranges()
            .iter()
            .map(|r| (r.name.clone(), r.start, r.end))
            .collect()
    }

    /// `{marker name: (token, id)}`, e.g. `{"audio_start": ("<|audio_start|>", 200019)}`.
    #[getter]
    fn markers(&self) -> std::collections::BTreeMap<String, (String, u32)> {
        self.inner
            .markers()
            .iter()
            .map(|m| (m.marker.name().to_owned(), (m.token.clone(), m.id)))
            .collect()
    }

    /// One past the largest ID.
    #[getter]
    fn n_vocab(&self) -> u32 {
        self.inner.n_vocab()
    }

    /// The text tokenizer's name and checksum.
    #[getter]
    fn text(&self) -> (String, String) {
        let text = self.inner.text();
        (text.name.clone(), text.checksum.clone())
    }

    /// `(codebooks, codebook_size, flatten)` of the audio part, or None.
    #[getter]
    fn audio(&self) -> Option<(usize, u32, &'static str)> {
        self.inner
            .audio()
            .map(|a| (a.codebooks, a.codebook_size, a.flatten.name()))
    }

    /// `(name, size)` of the image quantizer, or None.
    #[getter]
    fn image(&self) -> Option<(String, u32)> {
        self.inner.image().map(|i| (i.name.clone(), i.size))
    }

    /// Raises unless `checksum` is the one recorded for `component` (text, audio, image).
    fn check_component(&self, component: &str, checksum: &str) -> PyResult<()> {
        self.inner
            .check_component(component, checksum)
            .map_err(vocab_err)
    }

    fn __repr__(&self) -> String {
        format!(
            "<Layout of {} IDs: {}>",
            self.inner.n_vocab(),
            self.inner
                .ranges()
                .iter()
                .map(|r| r.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    }

    /// Pickles by value (the manifest).
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let constructor = py.get_type::<PyLayout>().getattr("from_json")?;
        let args = (self.inner.to_json(),).into_pyobject(py)?.into_any();
        PyTuple::new(py, [constructor, args])
    }
}

fn codes(array: &PyReadonlyArray1<'_, i64>, what: &str) -> PyResult<Vec<u32>> {
    array
        .as_array()
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            u32::try_from(v).map_err(|_| {
                PyValueError::new_err(format!("{what}: value {v} at {i} is negative or too large"))
            })
        })
        .collect()
}

/// The IDs (uint32) of segments given as `(kind, values, shape)`: kind `text` (IDs), `audio`
/// (`[codebooks, frames]`), `image` (`[height, width]`) or `video` (`[frames, height, width]`).
#[pyfunction]
pub fn _mux<'py>(
    py: Python<'py>,
    layout: &PyLayout,
    segments: Vec<(String, PyReadonlyArray1<'py, i64>, Vec<usize>)>,
) -> PyResult<Bound<'py, PyArray1<u32>>> {
    let mut parsed = Vec::with_capacity(segments.len());
    for (index, (kind, values, shape)) in segments.iter().enumerate() {
        let what = format!("segment {index} ({kind})");
        let values = codes(values, &what)?;
        let bad_shape = || PyValueError::new_err(format!("{what}: shape {shape:?}"));
        let grid = kind == "image" || kind == "video";
        if kind != "text" && shape.iter().product::<usize>() != values.len()
            || grid && shape.contains(&0)
        {
            return Err(bad_shape());
        }
        parsed.push(match (kind.as_str(), shape.as_slice()) {
            ("text", _) => Segment::Text(values),
            ("audio", &[codebooks, frames]) => {
                Segment::Audio(AudioCodes::new(codebooks, frames, values).map_err(vocab_err)?)
            }
            ("image", &[height, width]) => Segment::Image(ImageCodes {
                height,
                width,
                codes: values,
            }),
            ("video", &[_, height, width]) => Segment::Video(
                values
                    .chunks(height * width)
                    .map(|c| ImageCodes {
                        height,
                        width,
                        codes: c.to_vec(),
                    })
                    .collect(),
            ),
            ("audio" | "image" | "video", _) => return Err(bad_shape()),
            (other, _) => {
                return Err(PyValueError::new_err(format!(
                    "segment {index}: unknown kind {other:?}; text, audio, image or video"
                )))
            }
        });
    }
    let ids = py
        .detach(|| mux(&layout.inner, &parsed))
        .map_err(vocab_err)?;
    Ok(PyArray1::from_vec(py, ids))
}

/// The segments of `ids` as `(kind, int64 values, shape)`.
#[pyfunction]
pub fn _demux<'py>(
    py: Python<'py>,
    layout: &PyLayout,
    ids: PyReadonlyArray1<'py, i64>,
) -> PyResult<Bound<'py, PyList>> {
    let ids: Vec<u32> = ids
        .as_array()
        .iter()
        .enumerate()
        .map(|(position, &id)| {
            u32::try_from(id).map_err(|_| {
                PyValueError::new_err(format!(
                    "position {position}: ID {id} is negative or too large"
                ))
            })
        })
        .collect::<PyResult<_>>()?;
    let segments = py
        .detach(|| demux(&layout.inner, &ids))
        .map_err(vocab_err)?;
    let array =
        |values: Vec<u32>| PyArray1::from_vec(py, values.into_iter().map(i64::from).collect());
    let items = segments
        .into_iter()
        .map(|segment| {
            let (kind, values, shape) = match segment {
                Segment::Text(ids) => ("text", array(ids), vec![]),
                Segment::Audio(a) => ("audio", array(a.codes), vec![a.codebooks, a.frames]),
                Segment::Image(g) => ("image", array(g.codes), vec![g.height, g.width]),
                Segment::Video(frames) => {
                    let (h, w) = frames.first().map_or((0, 0), |f| (f.height, f.width));
                    let n = frames.len();
                    let values = frames.into_iter().flat_map(|f| f.codes).collect();
                    ("video", array(values), vec![n, h, w])
                }
            };
            (kind, values, shape).into_pyobject(py)
        })
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, items)
}

/// A layout of `encoding`'s text, then the markers, then `codebooks` codebooks of `codec`
/// (all of them by default) flattened by `flatten`, then the codes of `image` (a `fsq:`/`lfq:`
/// spec over `patch_size` patches, or a codebook); `markers` renames or places markers:
/// `(kind, token or None, id or None)`.
#[pyfunction]
#[pyo3(signature = (encoding, codec, codebooks, flatten, image_spec, image_codebook, patch_size, markers))]
// One parameter per keyword argument of the Python function, as pyo3 binds them.
#[allow(clippy::too_many_arguments)]
pub fn _layout_build(
    encoding: &crate::encoding::Encoding,
    codec: Option<PyRef<'_, crate::codec::Codec>>,
    codebooks: Option<usize>,
    flatten: &str,
    image_spec: Option<String>,
    image_codebook: Option<PyRef<'_, crate::vision::PyCodebook>>,
    patch_size: usize,
    markers: Vec<(String, Option<String>, Option<u32>)>,
) -> PyResult<PyLayout> {
    let audio = match &codec {
        Some(codec) => Some(AudioCodebooks {
            name: codec.name.clone(),
            codec: &codec.inner,
            codebooks,
            flatten: Flatten::parse(flatten).map_err(vocab_err)?,
        }),
        None => None,
    };
    let quantizer = match (image_spec, image_codebook) {
        (Some(spec), None) => {
            Some(ImageQuantizer::from_spec(&spec, patch_size).map_err(vision_err)?)
        }
        (None, Some(book)) => Some(ImageQuantizer::Codebook(book.inner.clone())),
        (None, None) => None,
        (Some(_), Some(_)) => {
            return Err(PyValueError::new_err("one image quantizer, not two"));
        }
    };
    let markers = markers
        .into_iter()
        .map(|(kind, token, id)| {
            Ok(MarkerSetting {
                marker: Marker::from_name(&kind).map_err(vocab_err)?,
                token,
                id,
            })
        })
        .collect::<PyResult<Vec<_>>>()?;
    let layout = build_layout(&encoding.inner, audio, quantizer.as_ref(), &markers)
        .map_err(crate::report_err)?;
    Ok(PyLayout { inner: layout })
}

/// The codes (int64 `[codebooks, frames]`) of float32 `samples` (`[samples]` or `[channels,
/// samples]`, at `sr` Hz) by `codec` at the layout's codebooks.
#[pyfunction]
pub fn _layout_audio_codes<'py>(
    py: Python<'py>,
    layout: &PyLayout,
    codec: PyRef<'py, crate::codec::Codec>,
    samples: numpy::PyReadonlyArrayDyn<'py, f32>,
    sr: u32,
) -> PyResult<Bound<'py, PyAny>> {
    use numpy::PyArrayMethods;
    let audio = crate::codec::audio_of(&samples, sr)?;
    let model = &codec.inner;
    let codes = py
        .detach(|| omnitok_corpus::multimodal::audio_codes(&layout.inner, model, &audio))
        .map_err(PyValueError::new_err)?;
    let values: Vec<i64> = codes.codes.iter().map(|&c| i64::from(c)).collect();
    Ok(PyArray1::from_vec(py, values)
        .reshape([codes.codebooks, codes.frames])?
        .into_any())
}
