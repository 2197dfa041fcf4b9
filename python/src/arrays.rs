//! numpy arrays read as `omnitok._arrays` reads them (one rule for the Python and the Rust side
//! of the bindings): pixels are uint8, IDs and codes integers, samples floats; other dtypes are
//! refused, never cast.

use numpy::PyArrayMethods;
use pyo3::prelude::*;

/// The array `value` as `omnitok._arrays.<kind>` reads it (`pixels`, `integers`, `samples`): of
/// element type `T`, C-contiguous, refused when its dtype would have to be cast.
pub(crate) fn checked_array<'py, T: numpy::Element>(
    value: &Bound<'py, PyAny>,
    kind: &str,
    what: &str,
) -> PyResult<numpy::PyReadonlyArrayDyn<'py, T>> {
    let arrays = value.py().import("omnitok._arrays")?;
    let array = arrays.call_method1(kind, (value, what))?;
    Ok(array.cast_into::<numpy::PyArrayDyn<T>>()?.readonly())
}
