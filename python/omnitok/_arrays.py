"""numpy arrays as omnitok reads them: pixels are uint8, IDs and codes integers, samples
floats. Anything else is refused rather than cast: a cast turns images in [0, 1] black and
truncates float IDs."""

from __future__ import annotations

from typing import Any

import numpy as np
from .errors import ArgumentTypeError


def _array(value: Any) -> np.ndarray:
    return value if isinstance(value, np.ndarray) else np.asarray(value)


def pixels(value: Any, what: str = "images") -> np.ndarray:
    """``value`` as a C-contiguous uint8 array; other dtypes raise ``TypeError``."""
    array = _array(value)
    if array.dtype != np.uint8 and array.size:
        hint = " (for floats in [0, 1]: (image * 255).round().astype(np.uint8))" if array.dtype.kind == "f" else ""
        raise ArgumentTypeError(f"{what} are uint8 pixels, not {array.dtype}{hint}")
    return np.ascontiguousarray(array, dtype=np.uint8)


def integers(value: Any, what: str) -> np.ndarray:
    """``value`` as a C-contiguous int64 array; arrays that are not integers raise ``TypeError``."""
    array = _array(value)
    if array.dtype.kind not in "iu" and array.size:
        raise ArgumentTypeError(f"{what} are integers, not {array.dtype}")
    return np.ascontiguousarray(array, dtype=np.int64)


def samples(value: Any, what: str = "samples") -> np.ndarray:
    """``value`` as a C-contiguous float32 array; arrays that are not floating point raise
    ``TypeError`` (as librosa does: integer samples have no agreed scale)."""
    array = _array(value)
    if array.dtype.kind != "f" and array.size:
        raise ArgumentTypeError(f"{what} are floating point, not {array.dtype} (scale integer PCM to [-1, 1])")
    return np.ascontiguousarray(array, dtype=np.float32)
