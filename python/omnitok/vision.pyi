from typing import Tuple

import numpy as np

def resize(image: np.ndarray, size: Tuple[int, int], filter: str = ...) -> np.ndarray: ...
