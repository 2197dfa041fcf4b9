"""Images for omnitok: resizing exactly as Pillow does, and patches as model processors make
them.

    from omnitok import vision
    small = vision.resize(pixels, (224, 224), "bicubic")        # uint8 [224, 224, 3]
    values, grid_thw = vision.patchify(pixels, preset="qwen2-vl")  # float32 [patches, 1176]
    fsq = vision.Quantizer("fsq:8,8,8,5,5,5")                  # 64,000 codes, no weights
    ids = fsq.indices(latents)                                 # int64 [n] for float32 [n, 6]
    book = vision.Codebook.train(photos, size=1024)            # k-means VQ of 8 x 8 patches
    grid = vision.tokenize(pixels, book)                       # int64 [grid_h, grid_w]

``resize`` takes a uint8 ``[height, width, 3]`` RGB array and Pillow's ``(width, height)`` size
order and filter names (nearest, box, bilinear, hamming, bicubic, lanczos), and returns what
``numpy.asarray(PIL.Image.fromarray(pixels).resize(size, filter))`` returns with Pillow 12.
"""

from __future__ import annotations

import os
from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np

from . import _arrays
from ._files import write_atomically
from ._omnitok import Codebook as _Codebook
from ._omnitok import Quantizer, _vision_load, _vision_patch_shape, _vision_patchify, _vision_remove_static
from ._omnitok import _vision_resize
from ._omnitok import _defaults, _vision_preset_settings, _vision_presets, _vision_tokenize_scalar
from .errors import InputError

_DEFAULTS = _defaults()

__all__ = ["PRESETS", "Codebook", "Quantizer", "load", "patch_shape", "patchify", "remove_static", "resize",
           "tokenize"]

PRESETS = tuple(_vision_presets())


def load(path: Union[str, "os.PathLike[str]"], with_fps: bool = False, *,
         max_pixels: Optional[int] = None, max_frames: Optional[int] = None,
         max_bytes: Optional[int] = None):
    """Decodes an image file to uint8 ``[height, width, 3]`` (PNG, JPEG, WebP, GIF, BMP, TIFF),
    or an animation or video to ``[frames, height, width, 3]`` (animated GIF, APNG, animated
    WebP, Y4M; mp4/webm/mkv through ffmpeg when installed). With ``with_fps``, returns
    ``(frames, fps)`` (``fps`` None for still images). JPEG is decoded as Pillow decodes it
    (libjpeg-turbo's decoder): the same pixels as ``Image.open(f).convert("RGB")``.

    A file over a limit is a ``ValueError``: ``max_pixels`` a frame (width x height, checked
    before decoding), ``max_frames``, ``max_bytes``; each left as None keeps its default
    (``omnitok vision patchify --help`` shows them)."""
    frames, fps = _vision_load(os.fspath(path), max_pixels, max_frames, max_bytes)
    return (frames, fps) if with_fps else frames


def resize(image: np.ndarray, size: Tuple[int, int], filter: str = _DEFAULTS["resize_filter"],
           max_pixels: Optional[int] = None) -> np.ndarray:
    """``image`` (uint8 ``[height, width, 3]``) resized to ``size = (width, height)``. A target of
    more than ``max_pixels`` pixels (by default the limit ``load`` has) is a ``ValueError``."""
    image = _arrays.pixels(image)
    if image.ndim != 3 or image.shape[2] != 3:
        raise InputError(f"images are uint8 [height, width, 3]; this one is {image.shape}")
    width, height = size
    return _vision_resize(image, int(width), int(height), filter, max_pixels)


def patchify(image: Union[np.ndarray, Sequence[np.ndarray]], preset: str = _DEFAULTS["vision_preset"], *,
             dtype: "np.typing.DTypeLike" = np.float32, out: Optional[np.ndarray] = None,
             **overrides) -> Tuple[np.ndarray, Any]:
    """Patches of an image (uint8 ``[height, width, 3]``) or, for ``qwen2-vl``, a video
    (``[frames, height, width, 3]``) as the preset's model processor makes them:
    ``(pixel_values, (grid_t, grid_h, grid_w))``.

    A list (or tuple) is a batch, each item an image or a video of its own, as the processors
    take a list: ``(pixel_values, [grid, ...])``, the items' patches one after the other (for
    ``qwen2-vl``, the processor's ``pixel_values`` and ``image_grid_thw``). A video is only ever
    a 4-D array, never a list of frames.

    ``pixel_values`` is float32, or float16 with ``dtype=np.float16`` (each value rounded to
    nearest, as ``.astype(np.float16)`` rounds it; half the memory). With ``out`` (a C-contiguous
    float32 or float16 array of the right shape, see :func:`patch_shape`) the values are
    written there and ``out`` is returned: a buffer reused from image to image costs no fresh
    memory, which for large images is most of the time a new array takes.

    - ``qwen2-vl``: transformers' ``Qwen2VLImageProcessor`` (smart resize to multiples of 28
      within ``min_pixels``..``max_pixels``, Pillow bicubic, CLIP normalisation, 14 x 14 patches
      in pairs of frames, 2 x 2 merge order), ``[patches, 1176]``; overrides ``min_pixels``,
      ``max_pixels``, ``patch_size``, ``temporal_patch_size``, ``merge_size``.
    - ``siglip``: ``SiglipImageProcessor`` (bicubic to 224 x 224, mean and std 0.5), 16 x 16
      patches in row-major order, each ``channel, row, column``: ``[196, 768]``.
    - ``clip-vit-b16``: ``CLIPImageProcessor`` (shorter side to 224, centre crop 224 x 224, CLIP
      normalisation), patches as ``siglip``'s.
    """
    if isinstance(image, (list, tuple)):
        if out is not None:
            raise InputError("out= takes the patches of one image or video, not of a batch")
        if not image:
            raise InputError("a batch of no images")
        batch = [patchify(item, preset, dtype=dtype, **overrides) for item in image]
        return np.concatenate([values for values, _ in batch]), [grid for _, grid in batch]
    known = set(_vision_preset_settings(preset))
    frames = _as_frames(image)
    unknown = set(overrides) - known
    if unknown:
        raise InputError(f"unknown setting(s) {sorted(unknown)} for {preset}; settings: {sorted(known)}")
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float16):
        raise InputError(f"dtype must be float32 or float16, not {dtype}")
    return _vision_patchify(frames, preset, out, dtype == np.float16, **overrides)


def patch_shape(height: int, width: int, preset: str = _DEFAULTS["vision_preset"], frames: int = 1,
                **overrides) -> Tuple[int, int]:
    """The shape ``[patches, values]`` of :func:`patchify`'s output for ``frames`` frames of
    ``height`` x ``width`` (for allocating ``out``)."""
    return _vision_patch_shape(height, width, preset, frames, **overrides)


def remove_static(video: np.ndarray, patch: int = _DEFAULTS["rlt_patch"], frames: int = _DEFAULTS["rlt_frames"],
                  threshold: float = _DEFAULTS["rlt_threshold"]):
    """Static-patch removal by run length (RLT): cuts ``video`` (uint8 ``[frames, height, width,
    3]``, sides multiples of ``patch``) into tubelets of ``frames`` x ``patch`` x ``patch``, drops
    each tubelet whose mean absolute difference (0..1) from the one before at the same place is
    below ``threshold``, and returns ``(kept, grid_thw)``: ``kept`` int64 ``[k, 4]`` rows of
    ``(t, y, x, run)``, where ``run`` counts the tubelet and the static ones after it."""
    video = _arrays.pixels(video, "videos")
    if video.ndim != 4 or video.shape[3] != 3:
        raise InputError(f"videos are uint8 [frames, height, width, 3]; not {video.shape}")
    return _vision_remove_static(video, patch, frames, float(threshold))


class Codebook:
    """A VQ codebook of ``patch_size`` x ``patch_size`` RGB patches learned by mini-batch k-means
    (seeded; the same images and settings give the same codebook on every run and for any
    thread count). Images are cut into a grid of patches (edges repeated up to a multiple of the
    patch size); each patch becomes the index of its nearest code, and ``decode`` puts the codes
    back. Pickles by value; ``save`` writes the file ``omnitok vision tokenize --quantizer
    codebook:FILE`` reads.

        book = vision.Codebook.train([vision.load(p) for p in photos], size=1024)
        ids = book.encode(pixels)                 # int64 [grid_h, grid_w]
        approx = book.decode(ids, pixels.shape[:2])  # uint8 [height, width, 3]
    """

    def __init__(self, inner: _Codebook) -> None:
        self._inner = inner

    @staticmethod
    def train(images, size: int = _DEFAULTS["codebook_size"],
              patch_size: int = _DEFAULTS["codebook_patch_size"], stride: Optional[int] = None,
              epochs: int = _DEFAULTS["codebook_epochs"], batch_size: int = _DEFAULTS["codebook_batch_size"],
              seed: int = _DEFAULTS["codebook_seed"]) -> "Codebook":
        """Learns ``size`` codes from the patches of ``images`` (uint8 ``[height, width, 3]``
        or ``[frames, height, width, 3]`` arrays, or paths to decode); ``stride`` below the patch
        size adds overlapping training patches."""
        frames = [_as_frames(load(i) if isinstance(i, (str, os.PathLike)) else i) for i in images]
        settings = dict(size=size, patch_size=patch_size, stride=stride, epochs=epochs,
                        batch_size=batch_size, seed=seed)
        return Codebook(_Codebook._train(frames, settings))

    @staticmethod
    def load(path: Union[str, "os.PathLike[str]"]) -> "Codebook":
        """Reads a codebook file (safetensors, from ``save`` or ``omnitok vision
        train-codebook``)."""
        return Codebook(_Codebook._read_file(os.fspath(path)))

    def save(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes the codebook file (under a temporary name, renamed when complete)."""
        write_atomically(path, self._inner.to_bytes())

    @property
    def size(self) -> int:
        """Number of codes."""
        return self._inner.size

    @property
    def patch_size(self) -> int:
        """Side of a patch in pixels."""
        return self._inner.patch_size

    @property
    def checksum(self) -> str:
        """The SHA-256 of the codebook file, in hex: what a layout records of it."""
        return self._inner.checksum

    def encode(self, image: np.ndarray) -> np.ndarray:
        """Code indices of an image (int64 ``[grid_h, grid_w]``) or of each frame of a video
        (``[frames, grid_h, grid_w]``)."""
        codes = self._inner._encode(_as_frames(image))
        return codes[0] if np.ndim(image) == 3 else codes

    def decode(self, indices: np.ndarray, size: Optional[Tuple[int, int]] = None) -> np.ndarray:
        """The image (uint8 ``[height, width, 3]``) of a grid of indices ``[grid_h, grid_w]``,
        cropped to ``size = (height, width)`` (default: the whole grid)."""
        indices = _arrays.integers(indices, "indices")
        if indices.ndim != 2:
            raise InputError(f"indices are [grid_h, grid_w]; not {indices.shape}")
        if size is None:
            size = (indices.shape[0] * self.patch_size, indices.shape[1] * self.patch_size)
        return self._inner._decode(indices, int(size[0]), int(size[1]))

    def __repr__(self) -> str:
        return repr(self._inner)

    def __reduce__(self):
        return (Codebook, (self._inner,))


def tokenize(image: np.ndarray, quantizer: Union[str, Codebook],
             patch_size: int = _DEFAULTS["scalar_patch_size"]) -> np.ndarray:
    """Discrete codes of an image (int64 ``[grid_h, grid_w]``) or a video (``[frames, grid_h,
    grid_w]``): by a ``Codebook``, or by ``"fsq:L1,...,Ld"`` / ``"lfq:BITS"`` applied to the
    first ``d`` DCT coefficients (luma DC, chroma DCs, then luma AC by frequency) of each
    ``patch_size`` patch. FSQ and LFQ codes of these features are for indexing and counting;
    only a codebook decodes back to pixels."""
    if isinstance(quantizer, Codebook):
        return quantizer.encode(image)
    codes = _vision_tokenize_scalar(_as_frames(image), quantizer, int(patch_size))
    return codes[0] if np.ndim(image) == 3 else codes


def _as_frames(image: np.ndarray) -> np.ndarray:
    frames = _arrays.pixels(image)
    if frames.ndim == 3:
        frames = frames[np.newaxis]
    if frames.ndim != 4 or frames.shape[3] != 3:
        raise InputError(f"images are uint8 [height, width, 3] (videos [frames, ...]); not {np.shape(image)}")
    return frames
