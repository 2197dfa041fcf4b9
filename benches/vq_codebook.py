#!/usr/bin/env python3
"""Reconstruction PSNR of VQ codebooks of 8 x 8 patches (`omnitok vision train-codebook`, then
`omnitok vision tokenize --reconstruct`) for 1k, 8k and 64k codes, on real photographs:

- training: 9 of the 12 photographs of Debian's mate-backgrounds (nature/), 1280x1024 to
  2560x1920, GPL-2+;
- evaluation, never trained on: the other 3 (Dune, GreenMeadow, Storm) and 4 photographs that
  scikit-image bundles (astronaut, chelsea, coffee, rocket).

    cargo build --release -p omnitok-cli
    .venv/bin/pip install scikit-image pillow
    .venv/bin/python benches/vq_codebook.py [--sizes 1024,8192,65536] [--epochs 5] [--work DIR]

Fetches mate-backgrounds with `apt-get download` (no installation) into the work directory.
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OMNITOK = os.path.join(ROOT, "target", "release", "omnitok")
EVAL_MATE = ("Dune.jpg", "GreenMeadow.jpg", "Storm.jpg")
EVAL_SKIMAGE = ("astronaut", "chelsea", "coffee", "rocket")


def photographs(work: str):
    nature = os.path.join(work, "mate", "usr", "share", "backgrounds", "mate", "nature")
    if not os.path.isdir(nature):
        subprocess.run(["apt-get", "download", "mate-backgrounds"], cwd=work, check=True)
        deb = glob.glob(os.path.join(work, "mate-backgrounds_*.deb"))[0]
        subprocess.run(["dpkg", "-x", deb, os.path.join(work, "mate")], check=True)
    import skimage.data
    from PIL import Image

    evaluation = [os.path.join(nature, name) for name in EVAL_MATE]
    for name in EVAL_SKIMAGE:
        path = os.path.join(work, f"{name}.png")
        Image.fromarray(getattr(skimage.data, name)()).save(path)
        evaluation.append(path)
    training = sorted(p for p in glob.glob(os.path.join(nature, "*.jpg"))
                      if os.path.basename(p) not in EVAL_MATE)
    return training, evaluation


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1024,8192,65536")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--work", default="/tmp/omnitok-vq")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    training, evaluation = photographs(args.work)
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        book = os.path.join(args.work, f"codebook-{size}.safetensors")
        start = time.time()
        subprocess.run([OMNITOK, "vision", "train-codebook", "--size", str(size),
                        "--epochs", str(args.epochs), "--quiet", "-o", book, *training],
                       check=True)
        seconds = time.time() - start
        out = os.path.join(args.work, f"codes-{size}")
        for group, paths in (("train", training), ("eval", evaluation)):
            subprocess.run([OMNITOK, "vision", "tokenize", "--quantizer", f"codebook:{book}",
                            "--reconstruct", "-o", out, *paths], check=True,
                           stdout=subprocess.DEVNULL)
            for path in paths:
                stem = os.path.basename(path).split(".")[0]
                with open(os.path.join(out, f"{stem}.json")) as f:
                    rows.append((size, group, stem, json.load(f)["psnr"], seconds))
        print(f"{size} codes: trained in {seconds:.0f} s", file=sys.stderr)
    print("| codes | training s | train PSNR (mean) | " + " | ".join(
        os.path.basename(p).split(".")[0] for p in evaluation) + " | held-out mean |")
    print("|---:|---:|---:|" + "---:|" * (len(evaluation) + 1))
    for size in sorted({r[0] for r in rows}):
        mine = [r for r in rows if r[0] == size]
        train = [r[3] for r in mine if r[1] == "train"]
        held = [r[3] for r in mine if r[1] == "eval"]
        print(f"| {size} | {mine[0][4]:.0f} | {sum(train) / len(train):.2f} | "
              + " | ".join(f"{p:.2f}" for p in held) + f" | {sum(held) / len(held):.2f} |")


if __name__ == "__main__":
    main()
