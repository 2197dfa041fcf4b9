//! The image functions of `omnitok.vision`.

use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray3, PyUntypedArrayMethods};
use omnitok_vision::{resize, Filter, RgbImage, VisionError};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

fn vision_err(error: VisionError) -> PyErr {
    PyValueError::new_err(error.to_string())
}

/// `image` (uint8 `[height, width, 3]`) resized to `width` x `height` with `filter`, as Pillow's
/// `Image.resize` does it.
#[pyfunction]
pub fn _vision_resize<'py>(
    py: Python<'py>,
    image: PyReadonlyArray3<'py, u8>,
    width: usize,
    height: usize,
    filter: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let shape = image.shape().to_vec();
    if shape[2] != 3 {
        return Err(PyValueError::new_err(format!(
            "images are [height, width, 3] RGB; this one is {shape:?}"
        )));
    }
    let filter = Filter::from_name(filter).map_err(vision_err)?;
    let data = image.as_array().iter().copied().collect();
    let image = RgbImage::new(shape[1], shape[0], data).map_err(vision_err)?;
    let out = py
        .detach(|| resize(&image, width, height, filter))
        .map_err(vision_err)?;
    Ok(PyArray1::from_vec(py, out.data)
        .reshape([out.height, out.width, 3])?
        .into_any())
}
