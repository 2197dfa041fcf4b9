#!/usr/bin/env python3
"""SentencePiece .model files side by side with the sentencepiece library on one thread: the
models of fixtures/sentencepiece on the same multilingual text (lines of ../shared's
gnome-user-docs corpus when it is there, else the bundled sample), MB of text encoded per
CPU-second of this process (best of --rounds), and the ratio. IDs are checked equal before
timing.

    RAYON_NUM_THREADS=1 .venv/bin/python benches/sentencepiece_compare.py [--rounds 3] [--max-mb 2]

Timed: one call for all lines (sentencepiece's `encode(list)`, omnitok's
`encode_ordinary_batch`) and one call a line.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import sentencepiece as spm

import omnitok

sys.path.insert(0, str(Path(__file__).resolve().parent))
from families_compare import best_cpu, corpus_lines  # noqa: E402

MODELS = Path(__file__).resolve().parents[1] / "fixtures" / "sentencepiece"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--max-mb", type=float, default=2.0)
    args = parser.parse_args()
    if os.environ.get("RAYON_NUM_THREADS") != "1":
        print("note: set RAYON_NUM_THREADS=1 to compare on one thread")
    lines = corpus_lines(int(args.max_mb * 1e6))
    megabytes = sum(len(line.encode()) for line in lines) / 1e6
    print(f"{len(lines)} lines, {megabytes:.2f} MB; sentencepiece {spm.__version__}")
    print(f"{'model':34} {'call':7} {'spm MB/s':>9} {'omnitok MB/s':>13} {'ratio':>7}")
    for path in sorted(MODELS.glob("*.model")):
        sp = spm.SentencePieceProcessor(model_file=str(path))
        ours = omnitok.Tokenizer.from_file(path)
        assert ours.encode_ordinary_batch(lines) == sp.encode(lines), path.stem
        runs = {
            "batch": (lambda: sp.encode(lines), lambda: ours.encode_ordinary_batch(lines)),
            "encode": (
                lambda: [sp.encode(line) for line in lines],
                lambda: [ours.encode_ordinary(line) for line in lines],
            ),
        }
        for call, (theirs, mine) in runs.items():
            sp_rate = megabytes / best_cpu(args.rounds, theirs)
            our_rate = megabytes / best_cpu(args.rounds, mine)
            print(f"{path.stem:34} {call:7} {sp_rate:9.2f} {our_rate:13.2f} {our_rate / sp_rate:7.2f}")


if __name__ == "__main__":
    main()
