import os
from typing import Any, List, Literal, Optional, Sequence, Tuple, Union, overload

import numpy as np
import numpy.typing as npt

def resize(image: np.ndarray, size: Tuple[int, int], filter: str = ..., max_pixels: Optional[int] = ...) -> np.ndarray: ...

PRESETS: Tuple[str, ...]

@overload
def patchify(
    image: np.ndarray,
    preset: str = ...,
    *,
    dtype: npt.DTypeLike = ...,
    out: Optional[np.ndarray] = ...,
    **overrides: int,
) -> Tuple[np.ndarray, Tuple[int, int, int]]: ...
@overload
def patchify(
    image: Union[List[np.ndarray], Tuple[np.ndarray, ...]],
    preset: str = ...,
    *,
    dtype: npt.DTypeLike = ...,
    **overrides: int,
) -> Tuple[np.ndarray, List[Tuple[int, int, int]]]: ...

@overload
def load(
    path: Union[str, os.PathLike[str]],
    with_fps: Literal[False] = ...,
    *,
    max_pixels: Optional[int] = ...,
    max_frames: Optional[int] = ...,
    max_bytes: Optional[int] = ...,
) -> np.ndarray: ...
@overload
def load(
    path: Union[str, os.PathLike[str]],
    with_fps: Literal[True],
    *,
    max_pixels: Optional[int] = ...,
    max_frames: Optional[int] = ...,
    max_bytes: Optional[int] = ...,
) -> Tuple[np.ndarray, Optional[float]]: ...

class Quantizer:
    def __init__(self, spec: str) -> None: ...
    def indices(self, latents: np.ndarray) -> np.ndarray: ...
    def codes(self, indices: np.ndarray) -> np.ndarray: ...
    @property
    def dim(self) -> int: ...
    @property
    def codebook_size(self) -> int: ...

def remove_static(
    video: np.ndarray, patch: int = ..., frames: int = ..., threshold: float = ...
) -> Tuple[np.ndarray, Tuple[int, int, int]]: ...

class Codebook:
    @staticmethod
    def train(
        images: Sequence[Union[np.ndarray, str, os.PathLike[str]]],
        size: int = ...,
        patch_size: int = ...,
        stride: Optional[int] = ...,
        epochs: int = ...,
        batch_size: int = ...,
        seed: int = ...,
    ) -> Codebook: ...
    @staticmethod
    def load(path: Union[str, os.PathLike[str]]) -> Codebook: ...
    def save(self, path: Union[str, os.PathLike[str]]) -> None: ...
    @property
    def size(self) -> int: ...
    @property
    def patch_size(self) -> int: ...
    @property
    def checksum(self) -> str: ...
    def encode(self, image: np.ndarray) -> np.ndarray: ...
    def decode(self, indices: np.ndarray, size: Optional[Tuple[int, int]] = ...) -> np.ndarray: ...

def tokenize(
    image: np.ndarray, quantizer: Union[str, Codebook], patch_size: int = ...
) -> np.ndarray: ...
