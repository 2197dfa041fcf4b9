"""examples/prepare_chat_data.ipynb runs: its code cells, in order, as one script in the
examples folder (as a notebook kernel would run them), and writes the plot and picture it shows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "examples" / "prepare_chat_data.ipynb"


def test_the_example_notebook_runs(tmp_path):
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    code = [cell for cell in cells if cell["cell_type"] == "code"]
    assert all(not cell["outputs"] for cell in code), "the notebook is committed without outputs"
    script = "\n\n".join("".join(cell["source"]) for cell in code)
    # The cells run in a copy of the examples folder, so that what they write stays there.
    examples = tmp_path / "examples"
    examples.mkdir()
    (examples / "notebook.py").write_text(script)
    os.symlink(ROOT / "fixtures", tmp_path / "fixtures")
    env = dict(os.environ, MPLBACKEND="Agg", HF_DATASETS_OFFLINE="1")
    result = subprocess.run([sys.executable, "notebook.py"], cwd=examples, env=env, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (examples / "token_budget.png").stat().st_size > 1000
    assert (examples / "decoded_picture.png").exists()
    assert "<assistant>" in result.stdout and "documents per sequence" in result.stdout
