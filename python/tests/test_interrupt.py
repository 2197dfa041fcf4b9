"""Ctrl-C in a notebook or script: a real SIGINT stops ``omnitok.train``, ``tokenize_corpus`` and
``Layout.encode_batch`` while they run (not after they finish) and raises ``KeyboardInterrupt``;
an interrupted ``tokenize_corpus`` leaves its output to resume, and the resumed run writes the
same shards as a run never interrupted. The child reports how long it took from the signal to
the exception (printed, not asserted: timings belong in benchmarks)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import omnitok

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")

MAKE_TEXT = """
import numpy as np
def make_text(megabytes, seed=0):
    rng = np.random.default_rng(seed)
    letters = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz     \\n", dtype=np.uint8)
    return letters[rng.integers(0, len(letters), megabytes << 20)].tobytes().decode()
"""


def interrupt(tmp_path: Path, body: str) -> str:
    """Runs ``body`` (which prints "ready" just before the call to stop) in a child, sends it
    SIGINT a second later, and returns what it printed."""
    script = tmp_path / "child.py"
    script.write_text(MAKE_TEXT + textwrap.dedent("""
        import sys, time
        import omnitok
        try:
    """) + textwrap.indent(textwrap.dedent(body), "    ") + textwrap.dedent("""
            print("finished", flush=True)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
    """))
    child = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                             cwd=tmp_path)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    time.sleep(1.0)
    sent = time.monotonic()
    child.send_signal(signal.SIGINT)
    first = child.stdout.readline()
    print(f"signal to exception: {time.monotonic() - sent:.2f} s")
    rest, _ = child.communicate(timeout=120)
    out = first + rest
    assert child.returncode == 0, out
    return out


def test_ctrl_c_stops_training(tmp_path):
    out = interrupt(tmp_path, """
        texts = {"xx": make_text(24).split("\\n")}
        print("ready", flush=True)
        omnitok.train(texts, 100000, threads=1)
    """)
    assert out.split() == ["interrupted"]


def test_ctrl_c_stops_tokenizing_and_the_run_resumes(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    out = interrupt(tmp_path, f"""
        for i in range(6):
            with open({str(corpus)!r} + f"/part-{{i}}.txt", "w") as f:
                f.write(make_text(12, seed=i))
        print("ready", flush=True)
        omnitok.tokenize_corpus([{str(corpus)!r}], {str(tmp_path / "out")!r}, split="line", threads=1)
    """)
    assert out.split() == ["interrupted"]
    assert not (tmp_path / "out" / "manifest.json").exists()
    resumed = omnitok.tokenize_corpus([corpus], tmp_path / "out", split="line", threads=2, resume=True)
    whole = omnitok.tokenize_corpus([corpus], tmp_path / "whole", split="line", threads=2)
    assert resumed["totals"] == whole["totals"]
    shards = sorted(p.name for p in (tmp_path / "whole").iterdir() if p.name.startswith("shard-"))
    assert shards == sorted(p.name for p in (tmp_path / "out").iterdir() if p.name.startswith("shard-"))
    for name in shards:
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name


def test_ctrl_c_stops_a_batch_of_documents(tmp_path):
    out = interrupt(tmp_path, """
        import numpy as np
        layout = omnitok.Layout.build("o200k_base", image="fsq:8,5,5,5")
        rng = np.random.default_rng(0)
        image = rng.integers(0, 256, (128, 128, 3), dtype=np.uint8)
        text = make_text(80)
        docs = [[{"text": text[i * 40000 : (i + 1) * 40000]}, {"image": image}] for i in range(2000)]
        print("ready", flush=True)
        layout.encode_batch(docs, threads=1)  # one thread: seconds of work on any machine
    """)
    assert out.split() == ["interrupted"]
