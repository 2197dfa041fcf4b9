import os
from typing import Any, Tuple, Union

import numpy as np

def resize(image: np.ndarray, size: Tuple[int, int], filter: str = ...) -> np.ndarray: ...

PRESETS: Tuple[str, ...]

def patchify(
    image: np.ndarray, preset: str = ..., **overrides: int
) -> Tuple[np.ndarray, Tuple[int, int, int]]: ...

def load(path: Union[str, os.PathLike[str]], with_fps: bool = ...) -> Any: ...
