"""Images for omnitok: resizing exactly as Pillow does.

    from omnitok import vision
    small = vision.resize(pixels, (224, 224), "bicubic")   # uint8 [224, 224, 3]

``resize`` takes a uint8 ``[height, width, 3]`` RGB array and Pillow's ``(width, height)`` size
order and filter names (nearest, box, bilinear, hamming, bicubic, lanczos), and returns what
``numpy.asarray(PIL.Image.fromarray(pixels).resize(size, filter))`` returns with Pillow 12.
"""

from __future__ import annotations

from typing import Tuple

import numpy as np

from ._omnitok import _vision_resize

__all__ = ["resize"]


def resize(image: np.ndarray, size: Tuple[int, int], filter: str = "bicubic") -> np.ndarray:
    """``image`` (uint8 ``[height, width, 3]``) resized to ``size = (width, height)``."""
    image = np.ascontiguousarray(image, dtype=np.uint8)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"images are uint8 [height, width, 3]; this one is {image.shape}")
    width, height = size
    return _vision_resize(image, int(width), int(height), filter)
