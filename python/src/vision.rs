//! The image functions of `omnitok.vision`.

use std::str::FromStr;
use std::sync::Arc;

use crate::errors::{file_error, input_error, limit_error};
use numpy::{
    PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray3, PyReadonlyArray4, PyUntypedArrayMethods,
};
use omnitok_vision::codebook::{train, CodeGrid, Codebook, KMeansConfig, PatchSet};
use omnitok_vision::decode::ImageLimits;
use omnitok_vision::image_codes::ImageQuantizer;
use omnitok_vision::quantize::Quantizer;
use omnitok_vision::{resize, Filter, Overrides, Preset, RgbImage, VisionError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

/// A Python exception for `error`: `OSError` for I/O, else `ValueError`.
pub(crate) fn vision_err(error: VisionError) -> PyErr {
    match &error {
        VisionError::Io { source, .. } => file_error(source.kind(), error.to_string()),
        VisionError::Limit { .. } => limit_error(error.to_string()),
        _ => input_error(error.to_string()),
    }
}

/// The frames of a uint8 `[frames, height, width, 3]` array, each within the default
/// [`ImageLimits`] a decoded frame has.
fn frames_of(frames: &PyReadonlyArray4<'_, u8>) -> PyResult<Vec<RgbImage>> {
    let shape = frames.shape().to_vec();
    if shape[3] != 3 {
        return Err(input_error(format!(
            "frames are [frames, height, width, 3] RGB; these are {shape:?}"
        )));
    }
    ImageLimits::default()
        .check_frame(shape[2], shape[1])
        .map_err(vision_err)?;
    let array = frames.as_array();
    let thw = [shape[0], shape[1], shape[2]];
    match array.as_slice() {
        // A C-contiguous array: each frame is one copy of its bytes.
        Some(all) => RgbImage::split_frames(all, thw),
        None => RgbImage::split_frames(&array.iter().copied().collect::<Vec<u8>>(), thw),
    }
    .map_err(vision_err)
}

/// Code indices (int64) as `u32`, or an error naming the first that is not one.
fn indices_u32<'a>(indices: impl Iterator<Item = &'a i64>) -> PyResult<Vec<u32>> {
    indices
        .enumerate()
        .map(|(position, &index)| {
            u32::try_from(index).map_err(|_| {
                input_error(format!(
                    "index {index} at position {position} is negative or too large"
                ))
            })
        })
        .collect()
}

/// Decodes an image (uint8 `[height, width, 3]`) or an animation or video (`[frames, height,
/// width, 3]`), with its frame rate when it has one; a limit left as `None` is the default.
#[pyfunction]
#[pyo3(signature = (path, max_pixels=None, max_frames=None, max_bytes=None))]
pub fn _vision_load(
    py: Python<'_>,
    path: std::path::PathBuf,
    max_pixels: Option<u64>,
    max_frames: Option<usize>,
    max_bytes: Option<u64>,
) -> PyResult<(Bound<'_, PyAny>, Option<f64>)> {
    let limits = ImageLimits::from_options(max_pixels, max_frames, max_bytes);
    let frames = crate::threads::detach(py, || omnitok_vision::decode::load(&path, &limits))
        .map_err(vision_err)?;
    let still = frames.fps.is_none() && frames.frames.len() == 1;
    let (data, [count, height, width]) =
        RgbImage::join_frames(frames.frames).map_err(vision_err)?;
    let array = PyArray1::from_vec(py, data);
    let array = if still {
        array.reshape([height, width, 3])?.into_any()
    } else {
        array.reshape([count, height, width, 3])?.into_any()
    };
    Ok((array, frames.fps))
}

/// `image` (uint8 `[height, width, 3]`) resized to `width` x `height` with `filter`, as Pillow's
/// `Image.resize` does it; a target over `max_pixels` (by default the decoders' limit) is refused.
#[pyfunction]
pub fn _vision_resize<'py>(
    py: Python<'py>,
    image: PyReadonlyArray3<'py, u8>,
    width: usize,
    height: usize,
    filter: &str,
    max_pixels: Option<u64>,
) -> PyResult<Bound<'py, PyAny>> {
    ImageLimits::from_options(max_pixels, None, None)
        .check_frame(width, height)
        .map_err(vision_err)?;
    let shape = image.shape().to_vec();
    if shape[2] != 3 {
        return Err(input_error(format!(
            "images are [height, width, 3] RGB; this one is {shape:?}"
        )));
    }
    let filter = Filter::from_name(filter).map_err(vision_err)?;
    let data = image.as_array().iter().copied().collect();
    let image = RgbImage::new(shape[1], shape[0], data).map_err(vision_err)?;
    let out =
        crate::threads::detach(py, || resize(&image, width, height, filter)).map_err(vision_err)?;
    Ok(PyArray1::from_vec(py, out.data)
        .reshape([out.height, out.width, 3])?
        .into_any())
}

/// The presets' names, in the order they are listed to users.
#[pyfunction]
pub fn _vision_presets() -> Vec<&'static str> {
    Preset::names().to_vec()
}

/// The settings `preset` lets a caller change.
#[pyfunction]
pub fn _vision_preset_settings(preset: &str) -> PyResult<Vec<&'static str>> {
    Ok(Preset::from_str(preset)
        .map_err(vision_err)?
        .settings()
        .to_vec())
}

/// Patches of `frames` (uint8 `[frames, height, width, 3]`; one frame for an image) by
/// `preset` with `overrides` of its settings: `(pixel_values [patches, values], (grid_t,
/// grid_h, grid_w))`. The values are written into `out` when given (a C-contiguous float32 or
/// float16 array of that shape, reused across calls so that no fresh memory is touched), else
/// into a new float32 array, or float16 with `float16`.
#[pyfunction]
#[pyo3(signature = (frames, preset, out=None, float16=false, **overrides))]
pub fn _vision_patchify<'py>(
    py: Python<'py>,
    frames: PyReadonlyArray4<'py, u8>,
    preset: &str,
    out: Option<Bound<'py, PyAny>>,
    float16: bool,
    overrides: Option<std::collections::BTreeMap<String, usize>>,
) -> PyResult<(Bound<'py, PyAny>, (usize, usize, usize))> {
    let images = frames_of(&frames)?;
    let patchifier = patchifier_of(preset, overrides)?;
    let (width, height) = images.first().map_or((0, 0), |f| (f.width, f.height));
    let shape = patchifier
        .shape(images.len(), width, height)
        .map_err(vision_err)?;
    let dims = [shape.rows, shape.values_per_patch];
    let out = match out {
        Some(out) => out,
        None if float16 => PyArray2::<half::f16>::zeros(py, dims, false).into_any(),
        None => PyArray2::<f32>::zeros(py, dims, false).into_any(),
    };
    let [t, h, w] = shape.grid_thw;
    if let Ok(array) = out.cast::<PyArray2<f32>>() {
        fill(py, array, &patchifier, &images, dims, |row, target| {
            target.copy_from_slice(row)
        })?;
    } else if let Ok(array) = out.cast::<PyArray2<half::f16>>() {
        // Rounded to nearest, as numpy's astype(float16); F16C instructions where the CPU has
        // them.
        fill(py, array, &patchifier, &images, dims, |row, target| {
            use half::slice::HalfFloatSliceExt;
            target.convert_from_f32_slice(row)
        })?;
    } else {
        return Err(bad_out(out.get_type().name()?.to_string(), dims));
    }
    Ok((out, (t, h, w)))
}

/// The patchifier of `preset` with `overrides` of its settings.
fn patchifier_of(
    preset: &str,
    overrides: Option<std::collections::BTreeMap<String, usize>>,
) -> PyResult<omnitok_vision::Patchifier> {
    let mut settings = Overrides::default();
    for (name, value) in overrides.unwrap_or_default() {
        settings.set(&name, value).map_err(vision_err)?;
    }
    Preset::from_str(preset)
        .and_then(|preset| preset.patchifier(&settings))
        .map_err(vision_err)
}

/// The shape `(patches, values)` `_vision_patchify` gives `frames` frames of `height` x
/// `width`.
#[pyfunction]
#[pyo3(signature = (height, width, preset, frames, **overrides))]
pub fn _vision_patch_shape(
    height: usize,
    width: usize,
    preset: &str,
    frames: usize,
    overrides: Option<std::collections::BTreeMap<String, usize>>,
) -> PyResult<(usize, usize)> {
    let shape = patchifier_of(preset, overrides)?
        .shape(frames, width, height)
        .map_err(vision_err)?;
    Ok((shape.rows, shape.values_per_patch))
}

/// The error for an `out` array that cannot take patches of shape `dims`.
fn bad_out(found: String, dims: [usize; 2]) -> PyErr {
    input_error(format!(
        "out must be a writable C-contiguous float32 or float16 array of shape {dims:?}, not \
         {found}"
    ))
}

/// Writes the patches of `images` (of shape `dims`) into `out`, each row by `convert`, without
/// holding the GIL; `out` is checked first, so nothing is written into a wrong one.
fn fill<T: numpy::Element + Send>(
    py: Python<'_>,
    out: &Bound<'_, PyArray2<T>>,
    patchifier: &omnitok_vision::Patchifier,
    images: &[RgbImage],
    dims: [usize; 2],
    convert: impl Fn(&[f32], &mut [T]) + Sync,
) -> PyResult<()> {
    if out.shape() != dims {
        return Err(bad_out(format!("shape {:?}", out.shape()), dims));
    }
    if !out.is_c_contiguous() {
        return Err(bad_out("an array not in C order".into(), dims));
    }
    let mut writable = out
        .try_readwrite()
        .map_err(|e| bad_out(e.to_string(), dims))?;
    let out = writable
        .as_slice_mut()
        .map_err(|_| bad_out("a strided array".into(), dims))?;
    crate::threads::detach(py, || {
        let mut at = 0;
        let mut overflowed = false;
        patchifier.patchify_rows(images, &mut |row| {
            match out.get_mut(at..at + row.len()) {
                Some(target) => convert(row, target),
                None => overflowed = true,
            }
            at += row.len();
        })?;
        if overflowed || at != out.len() {
            return Err(VisionError::BadParameter(format!(
                "the patches hold {at} values, not the {} their shape says",
                out.len()
            )));
        }
        Ok(())
    })
    .map_err(vision_err)
}

/// FSQ or LFQ codes of latent vectors (`omnitok.vision.Quantizer`).
#[pyclass(frozen, module = "omnitok._omnitok", name = "Quantizer")]
pub struct PyQuantizer {
    inner: Quantizer,
}

#[pymethods]
impl PyQuantizer {
    /// `fsq:8,8,8,5,5,5` or `lfq:18`.
    #[new]
    fn new(spec: &str) -> PyResult<Self> {
        Ok(Self {
            inner: Quantizer::parse(spec).map_err(vision_err)?,
        })
    }

    /// Indices (int64 `[n]`) of latents (float32 `[n, dim]`).
    fn indices<'py>(
        &self,
        py: Python<'py>,
        latents: numpy::PyReadonlyArray2<'py, f32>,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        if latents.shape()[1] != self.inner.dim() {
            return Err(input_error(format!(
                "latents of {} values; this quantizer takes {}",
                latents.shape()[1],
                self.inner.dim()
            )));
        }
        let values: Vec<f32> = latents.as_array().iter().copied().collect();
        let indices =
            crate::threads::detach(py, || self.inner.indices(&values)).map_err(vision_err)?;
        Ok(PyArray1::from_vec(
            py,
            indices.into_iter().map(i64::from).collect(),
        ))
    }

    /// Codes (float32 `[n, dim]`) of indices (int64 `[n]`).
    fn codes<'py>(
        &self,
        py: Python<'py>,
        indices: numpy::PyReadonlyArray1<'py, i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut values = Vec::with_capacity(indices.len() * self.inner.dim());
        for (position, index) in indices_u32(indices.as_array().iter())?
            .into_iter()
            .enumerate()
        {
            let code = self
                .inner
                .code(index)
                .map_err(|e| input_error(format!("position {position}: {e}")))?;
            values.extend(code);
        }
        let n = values.len() / self.inner.dim();
        Ok(PyArray1::from_vec(py, values)
            .reshape([n, self.inner.dim()])?
            .into_any())
    }

    /// Pickles by its spec.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let constructor = py.get_type::<PyQuantizer>().into_any();
        let args = (self.inner.spec(),).into_pyobject(py)?.into_any();
        PyTuple::new(py, [constructor, args])
    }

    /// Values per latent vector.
    #[getter]
    fn dim(&self) -> usize {
        self.inner.dim()
    }

    /// Number of distinct codes.
    #[getter]
    fn codebook_size(&self) -> u64 {
        self.inner.codebook_size()
    }
}

/// Static tubelets removed from a video (uint8 `[frames, height, width, 3]`): `(kept int64
/// [k, 4] of t, y, x, run; (grid_t, grid_h, grid_w))`.
#[pyfunction]
pub fn _vision_remove_static<'py>(
    py: Python<'py>,
    frames: PyReadonlyArray4<'py, u8>,
    patch: usize,
    tubelet_frames: usize,
    threshold: f32,
) -> PyResult<(Bound<'py, PyAny>, (usize, usize, usize))> {
    let images = frames_of(&frames)?;
    let config = omnitok_vision::rlt::RltConfig {
        patch,
        frames: tubelet_frames,
        threshold,
    };
    let tokens =
        crate::threads::detach(py, || omnitok_vision::rlt::remove_static(&images, &config))
            .map_err(vision_err)?;
    let values: Vec<i64> = tokens
        .kept
        .iter()
        .flat_map(|k| [k.t, k.y, k.x, k.run].map(|v| v as i64))
        .collect();
    let [t, h, w] = tokens.grid_thw;
    let array = PyArray1::from_vec(py, values)
        .reshape([tokens.kept.len(), 4])?
        .into_any();
    Ok((array, (t, h, w)))
}

/// How `Codebook._train` cuts and learns: a dict with these keys.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct TrainSettings {
    patch_size: usize,
    stride: Option<usize>,
    size: usize,
    epochs: usize,
    batch_size: usize,
    seed: u64,
}

/// A VQ codebook of image patches learned by k-means (`omnitok.vision.Codebook`).
#[pyclass(frozen, module = "omnitok._omnitok", name = "Codebook")]
pub struct PyCodebook {
    pub(crate) inner: Arc<Codebook>,
}

#[pymethods]
impl PyCodebook {
    /// Learns a codebook from the patches of `images` (each uint8 `[frames, height, width, 3]`)
    /// as `settings` say.
    #[staticmethod]
    fn _train(
        py: Python<'_>,
        images: Vec<PyReadonlyArray4<'_, u8>>,
        settings: TrainSettings,
    ) -> PyResult<Self> {
        let TrainSettings {
            patch_size,
            stride,
            size,
            epochs,
            batch_size,
            seed,
        } = settings;
        let mut patches = PatchSet::new(patch_size).map_err(vision_err)?;
        for frames in &images {
            for frame in frames_of(frames)? {
                patches
                    .add_image(&frame, stride.unwrap_or(patch_size))
                    .map_err(vision_err)?;
            }
        }
        let config = KMeansConfig {
            size,
            epochs,
            batch_size,
            seed,
        };
        let inner =
            crate::threads::detach(py, || train(&patches, &config, &mut |_| {}, &mut |_, _| {}))
                .map_err(vision_err)?;
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// A codebook from its file (at most `omnitok_vision::codebook::MAX_FILE_BYTES` bytes).
    #[staticmethod]
    fn _read_file(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Self> {
        Ok(Self {
            inner: Arc::new(
                crate::threads::detach(py, || Codebook::read_file(&path)).map_err(vision_err)?,
            ),
        })
    }

    /// A codebook from the bytes of its file.
    #[staticmethod]
    fn _from_bytes(bytes: &[u8]) -> PyResult<Self> {
        Ok(Self {
            inner: Arc::new(Codebook::from_bytes(bytes, "codebook").map_err(vision_err)?),
        })
    }

    /// The SHA-256 of the codebook file, in hex: what a layout records of it.
    #[getter]
    fn checksum(&self) -> PyResult<String> {
        self.inner.checksum().map_err(vision_err)
    }

    /// The codebook file (safetensors) as bytes.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(
            py,
            &self.inner.to_bytes().map_err(vision_err)?,
        ))
    }

    /// Code indices (int64 `[frames, grid_h, grid_w]`) of uint8 `[frames, height, width, 3]`.
    fn _encode<'py>(
        &self,
        py: Python<'py>,
        frames: PyReadonlyArray4<'py, u8>,
    ) -> PyResult<Bound<'py, PyAny>> {
        grids_to_array(py, |frame| self.inner.encode(frame), frames_of(&frames)?)
    }

    /// The image (uint8 `[height, width, 3]`) of a grid of indices (int64 `[grid_h, grid_w]`),
    /// cropped to `height` x `width`.
    fn _decode<'py>(
        &self,
        py: Python<'py>,
        indices: numpy::PyReadonlyArray2<'py, i64>,
        height: usize,
        width: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (grid_h, grid_w) = (indices.shape()[0], indices.shape()[1]);
        let indices = indices_u32(indices.as_array().iter())?;
        let grid = CodeGrid {
            indices,
            grid_h,
            grid_w,
        };
        let image = crate::threads::detach(py, || self.inner.decode(&grid, width, height))
            .map_err(vision_err)?;
        Ok(PyArray1::from_vec(py, image.data)
            .reshape([height, width, 3])?
            .into_any())
    }

    /// Number of codes.
    #[getter]
    fn size(&self) -> usize {
        self.inner.size()
    }

    /// Side of a patch in pixels.
    #[getter]
    fn patch_size(&self) -> usize {
        self.inner.patch_size()
    }

    fn __repr__(&self) -> String {
        format!(
            "<Codebook of {} codes, {p} x {p} patches>",
            self.inner.size(),
            p = self.inner.patch_size()
        )
    }

    /// Pickles by value (the file's bytes).
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let constructor = py.get_type::<PyCodebook>().getattr("_from_bytes")?;
        let args = (self.to_bytes(py)?,).into_pyobject(py)?.into_any();
        PyTuple::new(py, [constructor, args])
    }
}

/// FSQ or LFQ codes (int64 `[frames, grid_h, grid_w]`) of the DCT features of `patch_size`
/// patches of uint8 `[frames, height, width, 3]`.
#[pyfunction]
pub fn _vision_tokenize_scalar<'py>(
    py: Python<'py>,
    frames: PyReadonlyArray4<'py, u8>,
    spec: &str,
    patch_size: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let quantizer = ImageQuantizer::from_spec(spec, patch_size).map_err(vision_err)?;
    grids_to_array(py, |frame| quantizer.encode(frame), frames_of(&frames)?)
}

/// The code grids of `frames` by `encode`, as int64 `[frames, grid_h, grid_w]`.
fn grids_to_array<'py>(
    py: Python<'py>,
    encode: impl Fn(&RgbImage) -> omnitok_vision::Result<CodeGrid> + Send + Sync,
    frames: Vec<RgbImage>,
) -> PyResult<Bound<'py, PyAny>> {
    let grids = crate::threads::detach(py, || {
        frames.iter().map(&encode).collect::<Result<Vec<_>, _>>()
    })
    .map_err(vision_err)?;
    let (indices, [t, grid_h, grid_w]) = CodeGrid::stack(&grids).map_err(vision_err)?;
    let values: Vec<i64> = indices.into_iter().map(i64::from).collect();
    Ok(PyArray1::from_vec(py, values)
        .reshape([t, grid_h, grid_w])?
        .into_any())
}
