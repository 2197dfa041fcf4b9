"""Images for omnitok: resizing exactly as Pillow does, and patches as model processors make
them.

    from omnitok import vision
    small = vision.resize(pixels, (224, 224), "bicubic")        # uint8 [224, 224, 3]
    values, grid_thw = vision.patchify(pixels, preset="qwen2-vl")  # float32 [patches, 1176]
    fsq = vision.Quantizer("fsq:8,8,8,5,5,5")                  # 64,000 codes, no weights
    ids = fsq.indices(latents)                                 # int64 [n] for float32 [n, 6]

``resize`` takes a uint8 ``[height, width, 3]`` RGB array and Pillow's ``(width, height)`` size
order and filter names (nearest, box, bilinear, hamming, bicubic, lanczos), and returns what
``numpy.asarray(PIL.Image.fromarray(pixels).resize(size, filter))`` returns with Pillow 12.
"""

from __future__ import annotations

from typing import Tuple

import numpy as np

import os
from typing import Optional, Union

from ._omnitok import Quantizer, _vision_load, _vision_patchify, _vision_remove_static, _vision_resize

__all__ = ["PRESETS", "Quantizer", "load", "patchify", "remove_static", "resize"]

PRESETS = ("qwen2-vl", "siglip", "clip-vit-b16")


def load(path: Union[str, "os.PathLike[str]"], with_fps: bool = False):
    """Decodes an image file to uint8 ``[height, width, 3]`` (PNG, JPEG, WebP, GIF, BMP, TIFF),
    or an animation or video to ``[frames, height, width, 3]`` (animated GIF, APNG, animated
    WebP, Y4M; mp4/webm/mkv through ffmpeg when installed). With ``with_fps``, returns
    ``(frames, fps)`` (``fps`` None for still images)."""
    frames, fps = _vision_load(os.fspath(path))
    return (frames, fps) if with_fps else frames


def resize(image: np.ndarray, size: Tuple[int, int], filter: str = "bicubic") -> np.ndarray:
    """``image`` (uint8 ``[height, width, 3]``) resized to ``size = (width, height)``."""
    image = np.ascontiguousarray(image, dtype=np.uint8)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"images are uint8 [height, width, 3]; this one is {image.shape}")
    width, height = size
    return _vision_resize(image, int(width), int(height), filter)


def patchify(image: np.ndarray, preset: str = "qwen2-vl", **overrides) -> Tuple[np.ndarray, Tuple[int, int, int]]:
    """Patches of an image (uint8 ``[height, width, 3]``) or, for ``qwen2-vl``, a video
    (``[frames, height, width, 3]``) as the preset's model processor makes them:
    ``(pixel_values, (grid_t, grid_h, grid_w))``.

    - ``qwen2-vl``: transformers' ``Qwen2VLImageProcessor`` (smart resize to multiples of 28
      within ``min_pixels``..``max_pixels``, Pillow bicubic, CLIP normalisation, 14 x 14 patches
      in pairs of frames, 2 x 2 merge order), ``[patches, 1176]``; overrides ``min_pixels``,
      ``max_pixels``, ``patch_size``, ``temporal_patch_size``, ``merge_size``.
    - ``siglip``: ``SiglipImageProcessor`` (bicubic to 224 x 224, mean and std 0.5), 16 x 16
      patches in row-major order, each ``channel, row, column``: ``[196, 768]``.
    - ``clip-vit-b16``: ``CLIPImageProcessor`` (shorter side to 224, centre crop 224 x 224, CLIP
      normalisation), patches as ``siglip``'s.
    """
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; the presets are {', '.join(PRESETS)}")
    frames = np.ascontiguousarray(image, dtype=np.uint8)
    if frames.ndim == 3:
        frames = frames[np.newaxis]
    if frames.ndim != 4 or frames.shape[3] != 3:
        raise ValueError(f"images are uint8 [height, width, 3] (videos [frames, ...]); not {image.shape}")
    known = {"min_pixels", "max_pixels", "patch_size", "temporal_patch_size", "merge_size"}
    if preset != "qwen2-vl":
        known = set()
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"unknown setting(s) {sorted(unknown)} for {preset}; settings: {sorted(known)}")
    return _vision_patchify(frames, preset, **overrides)


def remove_static(video: np.ndarray, patch: int = 16, frames: int = 2, threshold: float = 0.02):
    """Static-patch removal by run length (RLT): cuts ``video`` (uint8 ``[frames, height, width,
    3]``, sides multiples of ``patch``) into tubelets of ``frames`` x ``patch`` x ``patch``, drops
    each tubelet whose mean absolute difference (0..1) from the one before at the same place is
    below ``threshold``, and returns ``(kept, grid_thw)``: ``kept`` int64 ``[k, 4]`` rows of
    ``(t, y, x, run)``, where ``run`` counts the tubelet and the static ones after it."""
    video = np.ascontiguousarray(video, dtype=np.uint8)
    if video.ndim != 4 or video.shape[3] != 3:
        raise ValueError(f"videos are uint8 [frames, height, width, 3]; not {video.shape}")
    return _vision_remove_static(video, patch, frames, float(threshold))
