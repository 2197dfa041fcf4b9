"""examples/quickstart.py runs as documented and prints what it promises."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quickstart_runs():
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "quickstart.py")], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for expected in ("ID ranges:", "audio.0", "image", "text back: 'Listen to this sentence",
                     "audio back: codes", "image back: codes (13, 20)", "mux(demux(ids)) == ids"):
        assert expected in out, (expected, out)


def test_compare_tokenizers_example_runs(tmp_path):
    script = ROOT / "examples" / "compare_tokenizers.py"
    result = subprocess.run([sys.executable, str(script), str(tmp_path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for expected in ("bert-like", "mt5-like", "cl100k (tiktoken)", "chart:", "tokens: "):
        assert expected in out, (expected, out)
    assert (tmp_path / "premiums.png").stat().st_size > 1000
    assert (tmp_path / "premiums.svg").read_text().count("mt5-like") >= 1
    page = (tmp_path / "tokens.html").read_text(encoding="utf-8")
    assert page.count('<div class="view"') == 3 * (4 if "cl100k (tiktoken)" in out else 3)
    assert "tokens side by side:" in out
