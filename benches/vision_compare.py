#!/usr/bin/env python3
"""transformers' Qwen2-VL processors on 1024x768 RGB images (seeded noise), images per
CPU-second of this process (best of --rounds) on one thread: the PIL processor and, where torch
and torchvision are installed, the torchvision ("fast") processor, beside omnitok.vision.patchify
on the same arrays (and omnitok's Rust `vision_speed`):

    cargo run --release -p omnitok-benches --bin vision_speed -- --images 50 --rounds 3
    .venv/bin/python benches/vision_compare.py [--images 20] [--rounds 3]   # transformers 5, pillow 12
    # the torchvision processor: a Python with torch, torchvision, transformers and pillow, and
    # omnitok built in place (maturin develop) on its path:
    PYTHONPATH=python /path/to/venv/bin/python benches/vision_compare.py
"""

import argparse
import time
import warnings

import numpy as np

warnings.simplefilter("ignore")

try:
    from transformers import Qwen2VLImageProcessorPil as PilProcessor  # noqa: E402  (transformers 5)
except ImportError:
    from transformers import Qwen2VLImageProcessor as PilProcessor  # noqa: E402  (transformers 4)

from omnitok import vision  # noqa: E402


def rate(count: int, rounds: int, run) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for i in range(count):
            run(i)
        best = min(best, time.process_time() - start)
    return count / best


def rates(count: int, rounds: int, run) -> tuple:
    """Images per CPU-second (user + system, page faults included) and per wall-second, best
    of `rounds`."""
    cpu, wall = float("inf"), float("inf")
    for _ in range(rounds):
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        for i in range(count):
            run(i)
        cpu = min(cpu, time.process_time() - start_cpu)
        wall = min(wall, time.perf_counter() - start_wall)
    return count / cpu, count / wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (768, 1024, 3), dtype=np.uint8) for _ in range(4)]
    import transformers

    processor = PilProcessor()
    pil = rate(args.images, args.rounds,
               lambda i: processor(images=[images[i % 4]], return_tensors="np"))
    ours = rate(args.images, args.rounds, lambda i: vision.patchify(images[i % 4]))
    print(f"qwen2-vl 1024x768, one thread, transformers {transformers.__version__}")
    print(f"  transformers PIL processor   {pil:7.1f} images/s   omnitok is {ours / pil:.2f}x")
    try:
        import torch
        from transformers import Qwen2VLImageProcessorFast
    except ImportError:
        print("  transformers torchvision processor: not measured (no torch / torchvision here)")
    else:
        torch.set_num_threads(1)
        fast = Qwen2VLImageProcessorFast()
        tensors = [torch.from_numpy(image).permute(2, 0, 1).contiguous() for image in images]
        speed = rate(args.images, args.rounds,
                     lambda i: fast(images=[tensors[i % 4]], return_tensors="pt"))
        print(f"  transformers torchvision     {speed:7.1f} images/s   omnitok is {ours / speed:.2f}x")
    print(f"  omnitok (Python)             {ours:7.1f} images/s")

    # End to end as a user runs it: each output kept until the next image, per CPU-second and
    # per wall-second; a new float32 array, a new float16 array, or one float32 buffer reused.
    out = np.empty(vision.patch_shape(768, 1024), np.float32)
    kept = [None]

    def keep(values):
        kept[0] = values

    print("  omnitok end to end (images per CPU-second, per wall-second):")
    for name, run in [
        ("float32, new array", lambda i: keep(vision.patchify(images[i % 4]))),
        ("float16, new array", lambda i: keep(vision.patchify(images[i % 4], dtype=np.float16))),
        ("float32, out= reused", lambda i: keep(vision.patchify(images[i % 4], out=out))),
    ]:
        cpu, wall = rates(args.images, args.rounds, run)
        print(f"    {name:22} {cpu:7.1f} {wall:7.1f}")


if __name__ == "__main__":
    main()
