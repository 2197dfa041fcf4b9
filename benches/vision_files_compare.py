#!/usr/bin/env python3
"""From JPEG files to Qwen2-VL patches written as .npy, end to end as users run it, one thread,
user + system CPU time of each whole run (page faults and file writes included):

- `omnitok vision patchify -o OUT FILES...` (the CLI, a process of its own, timed by the OS),
- omnitok from Python: `vision.load(f)`, `vision.patchify(...)`, `np.save`,
- transformers' PIL processor: `Image.open(f).convert("RGB")`, the processor, `np.save`.

    .venv/bin/python benches/vision_files_compare.py [--images 20] [--omnitok target/release/omnitok]

The photos are made here: fixtures/vision/photos/garden.png resized to 1024x768 (Lanczos) in
--images crops and flips, saved as JPEG quality 90 by Pillow.
"""

import argparse
import os
import resource
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

warnings.simplefilter("ignore")

try:
    from transformers import Qwen2VLImageProcessorPil as PilProcessor  # transformers 5
except ImportError:
    from transformers import Qwen2VLImageProcessor as PilProcessor  # transformers 4

from omnitok import vision

ROOT = Path(__file__).resolve().parents[1]


def photos(folder: Path, count: int) -> list:
    garden = Image.open(ROOT / "fixtures/vision/photos/garden.png").convert("RGB")
    paths = []
    for i in range(count):
        crop = garden.crop((i % 7, i % 5, garden.width - i % 3, garden.height - i % 4))
        image = crop.resize((1024, 768), Image.LANCZOS)
        if i % 2:
            image = ImageOps.mirror(image)
        path = folder / f"photo-{i:03}.jpg"
        image.save(path, quality=90)
        paths.append(path)
    return paths


def cpu_seconds(run) -> tuple:
    """User + system seconds of this process (and of children it waited for), and wall."""
    before = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    start = time.perf_counter()
    run()
    wall = time.perf_counter() - start
    after = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    cpu = sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before))
    return cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=20)
    parser.add_argument("--omnitok", default=str(ROOT / "target/release/omnitok"))
    args = parser.parse_args()
    os.environ["RAYON_NUM_THREADS"] = "1"
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        (scratch / "photos").mkdir()
        paths = photos(scratch / "photos", args.images)

        def cli():
            subprocess.run([args.omnitok, "vision", "patchify", "-o", str(scratch / "cli"),
                            *map(str, paths)], check=True, stdout=subprocess.DEVNULL,
                           env={**os.environ, "RAYON_NUM_THREADS": "1"})

        def python():
            (scratch / "py").mkdir()
            for path in paths:
                values, _ = vision.patchify(vision.load(path), preset="qwen2-vl")
                np.save(scratch / "py" / f"{path.stem}.npy", values)

        processor = PilProcessor()

        def transformers():
            (scratch / "hf").mkdir()
            for path in paths:
                with Image.open(path) as image:
                    values = processor(images=[image.convert("RGB")], return_tensors="np")
                np.save(scratch / "hf" / f"{path.stem}.npy", values["pixel_values"])

        results = {name: cpu_seconds(run) for name, run in
                   [("omnitok CLI", cli), ("omnitok Python", python), ("transformers PIL", transformers)]}
        same = all(np.array_equal(np.load(scratch / "py" / f"{p.stem}.npy"),
                                  np.load(scratch / "hf" / f"{p.stem}.npy")) for p in paths)
    print(f"{args.images} JPEG files 1024x768 -> qwen2-vl patches .npy, one thread "
          f"(images per CPU-second, per wall-second); Python output equal to transformers': {same}")
    for name, (cpu, wall) in results.items():
        print(f"  {name:18} {args.images / cpu:7.1f} {args.images / wall:7.1f}")


if __name__ == "__main__":
    main()
