#!/usr/bin/env python3
"""transformers' Qwen2-VL PIL processor on 1024x768 RGB images (seeded noise), images per
CPU-second of this process (best of --rounds), beside omnitok's `vision_speed` and, through the
Python package, omnitok.vision.patchify on the same arrays:

    cargo run --release -p omnitok-benches --bin vision_speed -- --images 50 --rounds 3
    .venv/bin/python benches/vision_compare.py [--images 20] [--rounds 3]   # transformers 5, pillow 12
"""

import argparse
import time
import warnings

import numpy as np

warnings.simplefilter("ignore")

from transformers import Qwen2VLImageProcessorPil  # noqa: E402

from omnitok import vision  # noqa: E402


def rate(count: int, rounds: int, run) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for i in range(count):
            run(i)
        best = min(best, time.process_time() - start)
    return count / best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (768, 1024, 3), dtype=np.uint8) for _ in range(4)]
    processor = Qwen2VLImageProcessorPil()
    reference = rate(args.images, args.rounds,
                     lambda i: processor(images=[images[i % 4]], return_tensors="np"))
    ours = rate(args.images, args.rounds, lambda i: vision.patchify(images[i % 4]))
    print(f"qwen2-vl 1024x768, one thread: transformers PIL {reference:.1f} images/s, "
          f"omnitok (Python) {ours:.1f} images/s, {ours / reference:.2f}x")


if __name__ == "__main__":
    main()
