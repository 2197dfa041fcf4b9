"""``mypy --strict`` accepts every Python example of the README against the shipped stubs: each
```python block becomes the body of a function, with the names the examples take as given
(``text``, ``pixels``, ...) declared once below."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The names README examples use without defining them, with the types they stand for.
GIVEN = """
import glob
from typing import Any, Dict, List
import numpy as np
import omnitok
from omnitok import audio, vision

docs: List[str]
text: str
text_en: str
text_de: str
ids: List[int]
english_texts: List[str]
finnish_texts: List[str]
pixels: np.ndarray
y: np.ndarray
sr: int
answer: str
book: vision.Codebook
pil_image_or_array_or_path: Any
codec: audio.Codec
dataset: Any
layout: omnitok.Layout
"""


def test_readme_examples_type_check_strictly(tmp_path):
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert len(blocks) >= 6
    functions = [f"def example_{i}() -> None:\n" + textwrap.indent(block, "    ") for i, block in enumerate(blocks)]
    module = tmp_path / "readme_examples.py"
    module.write_text(GIVEN + "\n\n" + "\n\n".join(functions))
    # dask.distributed's own functions are untyped; omnitok's must not be.
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                             "--untyped-calls-exclude=distributed", str(module)],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
