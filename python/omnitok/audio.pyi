import os
from typing import Optional, Tuple, Union

import numpy as np

from ._omnitok import Codec as Codec
from ._omnitok import StreamingFeatures as StreamingFeatures

PRESETS: Tuple[str, ...]

def load(
    path: Union[str, os.PathLike[str]],
    sr: Optional[int] = ...,
    mono: bool = ...,
    *,
    max_file_bytes: Optional[int] = ...,
    max_seconds: Optional[float] = ...,
    max_channels: Optional[int] = ...,
) -> Tuple[np.ndarray, int]: ...
def features(samples: np.ndarray, sr: float, preset: str = ..., **overrides: object) -> np.ndarray: ...
