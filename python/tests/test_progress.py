"""Progress of long calls: callbacks get each stage's counts while the call runs; a bar (tqdm's,
or a plain line without tqdm) when asked; nothing when the session is not interactive; an
error in a callback stops the call and is raised."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import omnitok
from omnitok import _progress


def text(megabytes: int, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    letters = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz     \n", dtype=np.uint8)
    return letters[rng.integers(0, len(letters), megabytes << 20)].tobytes().decode()


class Recorder:
    def __init__(self):
        self.calls = []

    def __call__(self, stage, done, total):
        self.calls.append((stage, done, total))

    def check(self, stages):
        assert self.calls, "no progress reported"
        assert {stage for stage, _, _ in self.calls} <= set(stages)
        for stage in stages:
            counts = [(done, total) for s, done, total in self.calls if s == stage]
            assert all(done <= total or total == 0 for done, total in counts), counts
            assert [done for done, _ in counts] == sorted(done for done, _ in counts), stage


def test_training_reports_its_stages():
    recorder = Recorder()
    omnitok.train({"xx": text(8).split("\n")}, 3000, progress=recorder)
    recorder.check(["counting", "merging"])
    merging = [(done, total) for stage, done, total in recorder.calls if stage == "merging"]
    assert all(total == 3000 - 256 for _, total in merging)


def test_tokenizing_reports_bytes_read(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(text(24))
    recorder = Recorder()
    omnitok.tokenize_corpus([corpus], tmp_path / "out", split="line", threads=1, progress=recorder)
    recorder.check(["reading"])
    assert all(total == corpus.stat().st_size for _, _, total in recorder.calls)


def test_a_failing_callback_stops_the_call(tmp_path):
    def fail(stage, done, total):
        raise RuntimeError(f"stop at {stage}")

    with pytest.raises(RuntimeError, match="stop at"):
        omnitok.train({"xx": text(8).split("\n")}, 3000, progress=fail)


def test_bars_and_lines(capsys, monkeypatch):
    monkeypatch.setattr(_progress, "DELAY", 0.0)
    omnitok.train({"xx": text(8).split("\n")}, 3000, progress=True)
    assert "train: " in capsys.readouterr().err
    # Without tqdm: a plain line.
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    omnitok.train({"xx": text(8).split("\n")}, 3000, progress=True)
    err = capsys.readouterr().err
    assert "\rtrain: " in err and err.endswith("\n")
    # Not interactive (pytest captures stderr): nothing.
    omnitok.train({"xx": text(8).split("\n")}, 3000)
    assert capsys.readouterr().err == ""
    with pytest.raises(omnitok.ArgumentTypeError, match="progress is None, True, False or a callable"):
        omnitok.train({"xx": ["a b"]}, 300, progress="yes")
