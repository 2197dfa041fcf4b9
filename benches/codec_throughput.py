#!/usr/bin/env python3
"""Throughput of a codec over many files, one thread against several, wall time: each file is
encoded and its codes decoded, files handed to a thread pool (omnitok releases the GIL while it
computes). Run with omnitok installed (the test command's .venv) on a checkpoint and samples
that benches/snac_compare.py or dac_compare.py wrote (audio.f32, cut into --files clips):

    .venv/bin/python benches/codec_throughput.py /tmp/snac-24k-random --files 8 --threads 1 2

With torch and the snac package instead (and no omnitok), the same files run through the
snac package with torch's own threads (torch.set_num_threads) for a reference:

    python3 benches/codec_throughput.py /tmp/snac-24k-random --files 8 --threads 1 2 --reference
"""

import argparse
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np


def clips(folder: Path, files: int):
    audio = np.fromfile(folder / "audio.f32", dtype=np.float32)
    return [np.ascontiguousarray(part) for part in np.array_split(audio, files)]


def omnitok_run(folder: Path, pieces, threads: int) -> float:
    from omnitok import audio

    codec = audio.Codec.from_pretrained(folder)

    def one(samples):
        codes = codec.encode(samples, codec.sample_rate, bandwidth=max(codec.bandwidths))
        return codec.decode(codes)

    one(pieces[0])  # warm up
    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, pieces))
    return time.perf_counter() - start


def reference_run(folder: Path, pieces, threads: int) -> float:
    import safetensors.torch
    import snac
    import snac.layers
    import torch

    snac.layers.NoiseBlock.forward = lambda self, x: x
    torch.set_num_threads(threads)
    model = snac.SNAC(**json.loads((folder / "config.json").read_text())).eval()
    model.load_state_dict(safetensors.torch.load_file(folder / "model.safetensors"))
    with torch.inference_mode():
        model.decode(model.encode(torch.from_numpy(pieces[0])[None, None]))
        start = time.perf_counter()
        for samples in pieces:
            model.decode(model.encode(torch.from_numpy(samples)[None, None]))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dir", type=Path)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--reference", action="store_true", help="the snac package on torch instead")
    args = parser.parse_args()
    rate = json.loads((args.dir / "config.json").read_text()).get("sampling_rate", 24000)
    pieces = clips(args.dir, args.files)
    seconds = sum(len(p) for p in pieces) / rate
    run = reference_run if args.reference else omnitok_run
    who = "snac on torch" if args.reference else "omnitok"
    for threads in args.threads:
        wall = run(args.dir, pieces, threads)
        print(f"{who}, {args.files} files, {seconds:.0f} s of audio, {threads} thread(s): encode + decode "
              f"in {wall:.2f} s wall, {seconds / wall:.1f} s of audio per second")


if __name__ == "__main__":
    main()
