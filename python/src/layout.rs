//! `omnitok.Layout`, `omnitok.mux` and `omnitok.demux`: Python's parts to the library's
//! documents and back.

use std::sync::Arc;

use crate::errors::{file_error, input_error, io_cause};
use numpy::{IntoPyArray, PyArray1, PyArrayMethods, PyUntypedArrayMethods};
use omnitok_corpus::choice::Choice;
use omnitok_corpus::multimodal::{
    build_layout, decode_document, turn_marker, turn_name, AudioCodebooks, Components,
    DecodedSegment, DocumentEncoder, DocumentError, MarkerSetting, Part, PartKind, Source,
    TextPart,
};
use omnitok_vision::decode::Frames;
use omnitok_vision::image_codes::ImageQuantizer;
use omnitok_vision::RgbImage;
use omnitok_vocab::{Flatten, Marker, Truncated, VocabError, VocabLayout};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use crate::vision::vision_err;

fn vocab_err(error: VocabError) -> PyErr {
    input_error(error.to_string())
}

/// The layout of the shared token space (a checked JSON manifest).
#[pyclass(module = "omnitok._omnitok", name = "Layout", frozen)]
pub struct PyLayout {
    pub(crate) inner: VocabLayout,
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

/// An int64 array as `u32` values, or an error naming the first that is not one.
fn u32_values(values: impl Iterator<Item = i64>, what: &str) -> PyResult<Vec<u32>> {
    values
        .enumerate()
        .map(|(position, value)| {
            u32::try_from(value).map_err(|_| {
                input_error(format!(
                    "{what}: value {value} at position {position} is negative or too large"
                ))
            })
        })
        .collect()
}

fn is_path(value: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(value.is_instance_of::<PyString>() || value.hasattr("__fspath__")?)
}

/// Part `index` of a document given as a dict of one kind (audio samples with their `"sr"`).
pub(crate) fn part_of(index: usize, part: &Bound<'_, PyAny>) -> PyResult<Part> {
    let bad = |message: String| input_error(format!("part {index}: {message}"));
    let dict = part
        .cast::<PyDict>()
        .map_err(|_| bad("not a dict".into()))?;
    let keys: Vec<String> = dict.keys().extract()?;
    let kinds: Vec<&String> = keys.iter().filter(|k| *k != "sr").collect();
    let rate = dict.get_item("sr")?;
    let [key] = kinds[..] else {
        let mut sorted = keys.clone();
        sorted.sort();
        return Err(bad(format!("one kind a part, not {sorted:?}")));
    };
    let kind = PartKind::from_name(key).map_err(|_| {
        bad(format!(
            "unknown kind {key:?}; one of {}",
            PartKind::names().join(", ")
        ))
    })?;
    if rate.is_some() && kind != PartKind::Audio {
        return Err(bad(format!("one kind a part, not {keys:?}")));
    }
    let value = dict
        .get_item(key)?
        .ok_or_else(|| bad(format!("no {key:?}")))?;
    if is_path(&value)? {
        if let Some(part) = Part::file(kind, value.extract()?) {
            return Ok(part);
        }
    }
    let label = |what: &str| format!("part {index}: {what}");
    let with_shape = |what: &str| -> PyResult<(Vec<usize>, Vec<u32>)> {
        let array = crate::arrays::checked_array::<i64>(&value, "integers", &label(what))?;
        let values = u32_values(array.as_array().iter().copied(), &label(what))?;
        Ok((array.shape().to_vec(), values))
    };
    Ok(match kind {
        PartKind::Text => Part::Text(
            value
                .extract()
                .map_err(|_| bad("\"text\" is not a string".into()))?,
        ),
        PartKind::Ids => Part::Ids(with_shape("ids")?.1),
        PartKind::Turn => {
            let name: String = value
                .extract()
                .map_err(|_| bad("\"turn\" is not a string".into()))?;
            Part::Turn(turn_marker(&name).map_err(bad)?)
        }
        PartKind::Audio => {
            let rate: u32 = rate
                .ok_or_else(|| {
                    bad("audio samples need their rate: {\"audio\": samples, \"sr\": rate}".into())
                })?
                .extract()?;
            Part::Audio(Source::Given(crate::codec::audio_of(
                &crate::arrays::checked_array::<f32>(&value, "samples", &label("audio samples"))?,
                rate,
            )?))
        }
        PartKind::Image => {
            let array = crate::arrays::checked_array::<u8>(&value, "pixels", &label("images"))?;
            match array.shape() {
                &[height, width, 3] => Part::Image(Source::Given(
                    RgbImage::new(width, height, array.as_array().iter().copied().collect())
                        .map_err(vision_err)?,
                )),
                shape => {
                    return Err(bad(format!(
                        "an image is [height, width, 3], not {shape:?}"
                    )))
                }
            }
        }
        PartKind::Video => {
            let array = crate::arrays::checked_array::<u8>(&value, "pixels", &label("videos"))?;
            match *array.shape() {
                [count, height, width, 3] => {
                    let data = array.as_slice()?;
                    let frames =
                        RgbImage::split_frames(data, [count, height, width]).map_err(vision_err)?;
                    Part::Video(Source::Given(Frames { frames, fps: None }))
                }
                ref shape => {
                    return Err(bad(format!(
                        "a video is [frames, height, width, 3], not {shape:?}"
                    )))
                }
            }
        }
        PartKind::AudioCodes
            if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() =>
        {
            // Levels at several rates (SNAC), as `Codec.encode` returns them.
            let mut levels = Vec::new();
            for (i, level) in value.try_iter()?.enumerate() {
                let what = label(&format!("audio_codes level {i}"));
                let array = crate::arrays::checked_array::<i64>(&level?, "integers", &what)?;
                let values = u32_values(array.as_array().iter().copied(), &what)?;
                levels.push((format!("level_{i}"), array.shape().to_vec(), values));
            }
            let codes =
                <omnitok_vocab::AudioCodes as omnitok_corpus::multimodal::parts::Codes>::of_levels(
                    levels,
                )
                .map_err(|e| bad(format!("{key}: {e}")))?;
            Part::AudioCodes(Source::Given(codes))
        }
        PartKind::AudioCodes | PartKind::ImageCodes | PartKind::VideoCodes => {
            let (shape, values) = with_shape(key)?;
            Part::codes(kind, &shape, values).map_err(|e| bad(format!("{key}: {e}")))?
        }
    })
}

/// A Python exception for a document that cannot be encoded; a missing component names the
/// keyword argument that gives it.
pub(crate) fn document_err(error: DocumentError) -> PyErr {
    match &error {
        DocumentError::MissingComponent { component, .. } => {
            let keyword = match *component {
                "tokenizer" => "encoding=",
                "codec" => "codec=",
                _ => "image_quantizer=the Codebook",
            };
            input_error(format!("{error}: pass {keyword}"))
        }
        _ => match io_cause(&error).map(std::io::Error::kind) {
            Some(kind) => file_error(kind, error.to_string()),
            None => input_error(error.to_string()),
        },
    }
}

/// The components given from Python, else those the layout names that need no file loaded
/// beyond a tokenizer (a built-in encoding, FSQ / LFQ). Each is checked against the layout.
fn components_of(
    layout: &VocabLayout,
    encoding: Option<&crate::encoding::Encoding>,
    codec: Option<&crate::codec::Codec>,
    codebook: Option<&crate::vision::PyCodebook>,
    named: bool,
) -> PyResult<Components> {
    let tokenizer = match encoding {
        Some(encoding) => Some(Arc::clone(&encoding.inner)),
        None => Components::named_tokenizer(layout).map_err(crate::encoding::to_py_err)?,
    };
    let image_quantizer = match codebook {
        Some(book) => Some(ImageQuantizer::Codebook(Arc::clone(&book.inner))),
        None if named => Components::named_image_quantizer(layout).map_err(vision_err)?,
        None => None,
    };
    let components = Components {
        tokenizer,
        codec: codec.map(|codec| Arc::clone(&codec.inner)),
        image_quantizer,
    };
    components.check(layout).map_err(crate::report_err)?;
    Ok(components)
}

/// The IDs (uint32) of a document of `parts` (dicts of one kind each), encoded with the
/// layout's components: `encoding` (by default the layout's built-in one), `codec`, and
/// `image_quantizer` (a codebook; by default the layout's FSQ / LFQ). Special tokens' strings
/// in text follow `allowed_special`, as `Encoding.encode` does.
#[pyfunction]
#[pyo3(signature = (layout, parts, encoding, allowed_special, codec, image_quantizer))]
pub fn _mux<'py>(
    py: Python<'py>,
    layout: &PyLayout,
    parts: Vec<Bound<'py, PyAny>>,
    encoding: Option<PyRef<'py, crate::encoding::Encoding>>,
    allowed_special: Bound<'py, PyAny>,
    codec: Option<PyRef<'py, crate::codec::Codec>>,
    image_quantizer: Option<PyRef<'py, crate::vision::PyCodebook>>,
) -> PyResult<Bound<'py, PyArray1<u32>>> {
    let parts = parts
        .iter()
        .enumerate()
        .map(|(index, part)| part_of(index, part))
        .collect::<PyResult<Vec<_>>>()?;
    let encoder = document_encoder(
        py,
        layout,
        encoding.as_deref(),
        &allowed_special,
        codec.as_deref(),
        image_quantizer.as_deref(),
    )?;
    let document = crate::threads::detach(py, || encoder.encode(&parts)).map_err(document_err)?;
    Ok(PyArray1::from_vec(py, document.ids))
}

/// The encoder of documents of `layout` with the components given from Python (else those the
/// layout names that need no file), text encoded under `allowed_special`.
pub(crate) fn document_encoder(
    py: Python<'_>,
    layout: &PyLayout,
    encoding: Option<&crate::encoding::Encoding>,
    allowed_special: &Bound<'_, PyAny>,
    codec: Option<&crate::codec::Codec>,
    image_quantizer: Option<&crate::vision::PyCodebook>,
) -> PyResult<DocumentEncoder> {
    let components = components_of(&layout.inner, encoding, codec, image_quantizer, true)?;
    let policy = crate::encoding::policy_of(py, Some(allowed_special), None)?;
    DocumentEncoder::new(layout.inner.clone(), components, policy).map_err(crate::report_err)
}

/// The parts of `ids`, as dicts: `{"text": str}` or `{"ids": int64}` for text (see
/// `omnitok_corpus::multimodal::text_parts`), `{"audio_codes": ...}` with `"audio"` and `"sr"`
/// given the codec, `{"image_codes": ...}` with `"image"` given the codebook, `{"video_codes":
/// ...}` with `"video"` likewise.
#[pyfunction]
#[pyo3(signature = (layout, ids, encoding, codec, image_quantizer, truncated="error"))]
pub fn _demux<'py>(
    py: Python<'py>,
    layout: &PyLayout,
    ids: Bound<'py, PyAny>,
    encoding: Option<PyRef<'py, crate::encoding::Encoding>>,
    codec: Option<PyRef<'py, crate::codec::Codec>>,
    image_quantizer: Option<PyRef<'py, crate::vision::PyCodebook>>,
    truncated: &str,
) -> PyResult<Bound<'py, PyList>> {
    let truncated = match truncated {
        "error" => Truncated::Error,
        "drop" => Truncated::Drop,
        "keep" => Truncated::Keep,
        other => {
            return Err(input_error(format!(
                "truncated is \"error\", \"drop\" or \"keep\", not {other:?}"
            )))
        }
    };
    let array = crate::arrays::checked_array::<i64>(&ids, "integers", "IDs")?;
    let ids: Vec<u32> = array
        .as_array()
        .iter()
        .enumerate()
        .map(|(position, &id)| {
            u32::try_from(id).map_err(|_| {
                input_error(format!(
                    "position {position}: ID {id} is negative or too large"
                ))
            })
        })
        .collect::<PyResult<_>>()?;
    let components = components_of(
        &layout.inner,
        encoding.as_deref(),
        codec.as_deref(),
        image_quantizer.as_deref(),
        false,
    )?;
    let segments = crate::threads::detach(py, || {
        decode_document(&ids, &layout.inner, &components, truncated)
    })
    .map_err(crate::report_err)?;
    let sample_rate = codec.as_ref().map(|codec| codec.inner.sampling_rate());
    let codes_array = |values: &[u32], shape: &[usize]| -> PyResult<Bound<'py, PyAny>> {
        let values: Vec<i64> = values.iter().map(|&c| i64::from(c)).collect();
        Ok(PyArray1::from_vec(py, values).reshape(shape)?.into_any())
    };
    let pixels = |pictures: Vec<RgbImage>, still: bool| -> PyResult<Bound<'py, PyAny>> {
        let (data, [count, height, width]) = RgbImage::join_frames(pictures).map_err(vision_err)?;
        let array = PyArray1::from_vec(py, data);
        Ok(if still {
            array.reshape([height, width, 3])?.into_any()
        } else {
            array.reshape([count, height, width, 3])?.into_any()
        })
    };
    let mut parts = Vec::new();
    for segment in segments {
        let part = PyDict::new(py);
        match segment {
            DecodedSegment::Text(texts) => {
                for text in texts {
                    let part = PyDict::new(py);
                    match text {
                        TextPart::Text(text) => part.set_item("text", text)?,
                        TextPart::Ids(ids) => {
                            part.set_item("ids", codes_array(&ids, &[ids.len()])?)?
                        }
                    }
                    parts.push(part);
                }
                continue;
            }
            DecodedSegment::Audio { codes, sound } => {
                if codes.is_one_rate() {
                    part.set_item(
                        "audio_codes",
                        codes_array(&codes.codes, &[codes.codebooks, codes.frames])?,
                    )?;
                } else {
                    // Levels at several rates (SNAC): a list, one array per level.
                    let levels = (0..codes.codebooks)
                        .map(|k| codes_array(codes.codebook(k), &[codes.codebook(k).len()]))
                        .collect::<PyResult<Vec<_>>>()?;
                    part.set_item("audio_codes", levels)?;
                }
                if let (Some(sound), Some(rate)) = (sound, sample_rate) {
                    part.set_item("audio", sound.into_pyarray(py))?;
                    part.set_item("sr", rate)?;
                }
            }
            DecodedSegment::Image { codes, picture } => {
                part.set_item(
                    "image_codes",
                    codes_array(&codes.codes, &[codes.height, codes.width])?,
                )?;
                if let Some(picture) = picture {
                    part.set_item("image", pixels(vec![picture], true)?)?;
                }
            }
            DecodedSegment::Video { codes, pictures } => {
                let (height, width) = codes.first().map_or((0, 0), |f| (f.height, f.width));
                let values: Vec<u32> = codes.iter().flat_map(|f| f.codes.iter().copied()).collect();
                part.set_item(
                    "video_codes",
                    codes_array(&values, &[codes.len(), height, width])?,
                )?;
                if let Some(pictures) = pictures {
                    part.set_item("video", pixels(pictures, false)?)?;
                }
            }
            DecodedSegment::Turn(marker) => part.set_item("turn", turn_name(marker))?,
        }
        parts.push(part);
    }
    PyList::new(py, parts)
}

/// A layout of `encoding`'s text, then the markers, then `codebooks` codebooks of `codec`
/// (all of them by default) flattened by `flatten`, then the codes of `image` (a `fsq:`/`lfq:`
/// spec over `patch_size` patches, or a codebook); `markers` renames or places markers:
/// `(kind, token or None, id or None)`; `chat` adds the markers of chat turns.
#[pyfunction]
#[pyo3(signature = (encoding, codec, codebooks, flatten, image_spec, image_codebook, patch_size, markers, chat))]
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
    chat: bool,
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
        (None, Some(book)) => Some(ImageQuantizer::Codebook(Arc::clone(&book.inner))),
        (None, None) => None,
        (Some(_), Some(_)) => {
            return Err(input_error("one image quantizer, not two"));
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
    let layout = build_layout(
        &encoding.inner,
        None,
        audio,
        quantizer.as_ref(),
        &markers,
        chat,
    )
    .map_err(crate::report_err)?;
    Ok(PyLayout { inner: layout })
}
