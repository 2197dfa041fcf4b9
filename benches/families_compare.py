#!/usr/bin/env python3
"""Every tokenizer family side by side with HF tokenizers on one thread: the tokenizer.json files
of fixtures/tokenizers on the same multilingual text (every line of ../shared's gnome-user-docs
corpus when it is there, else the bundled sample), MB of text encoded per CPU-second of this
process (best of --rounds), and the ratio. IDs are checked equal before timing.

    RAYON_NUM_THREADS=1 .venv/bin/python benches/families_compare.py [--rounds 3] [--max-mb 4]

`encode_batch` (one call for all lines) and `encode` (one call a line, as a loop in a notebook
makes them) are both timed; omnitok encodes with allowed_special="all", as HF matches special
tokens in text.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import tokenizers

import omnitok

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = ROOT / "fixtures" / "tokenizers"


def corpus_lines(max_bytes: int) -> list[str]:
    shared = ROOT.parent / "shared" / "corpora" / "gnome-user-docs"
    folder = shared if shared.is_dir() else ROOT / "fixtures" / "multilingual"
    files = sorted(folder.glob("*.txt"))
    per_file = max_bytes // max(len(files), 1)
    lines = []
    for path in files:
        taken = 0
        for line in path.read_text(encoding="utf-8").splitlines():
            if taken > per_file:
                break
            lines.append(line)
            taken += len(line.encode())
    return lines


def best_cpu(rounds: int, run) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--max-mb", type=float, default=4.0)
    args = parser.parse_args()
    if os.environ.get("RAYON_NUM_THREADS") != "1":
        print("note: set RAYON_NUM_THREADS=1 to compare on one thread")
    lines = corpus_lines(int(args.max_mb * 1e6))
    megabytes = sum(len(line.encode()) for line in lines) / 1e6
    print(f"{len(lines)} lines, {megabytes:.2f} MB; tokenizers {tokenizers.__version__}")
    print(f"{'family':22} {'call':7} {'HF MB/s':>9} {'omnitok MB/s':>13} {'ratio':>7}")
    for path in sorted(FAMILIES.glob("*.json")):
        if path.stem == "goldens":
            continue
        hf = tokenizers.Tokenizer.from_file(str(path))
        ours = omnitok.Tokenizer.from_file(path)
        expected = [e.ids for e in hf.encode_batch(lines, add_special_tokens=False)]
        assert ours.encode_batch(lines, allowed_special="all") == expected, path.stem
        runs = {
            "batch": (
                lambda: hf.encode_batch(lines, add_special_tokens=False),
                lambda: ours.encode_batch(lines, allowed_special="all"),
            ),
            "encode": (
                lambda: [hf.encode(line, add_special_tokens=False) for line in lines],
                lambda: [ours.encode(line, allowed_special="all") for line in lines],
            ),
        }
        for call, (theirs, mine) in runs.items():
            hf_rate = megabytes / best_cpu(args.rounds, theirs)
            our_rate = megabytes / best_cpu(args.rounds, mine)
            print(f"{path.stem:22} {call:7} {hf_rate:9.2f} {our_rate:13.2f} {our_rate / hf_rate:7.2f}")


if __name__ == "__main__":
    main()
