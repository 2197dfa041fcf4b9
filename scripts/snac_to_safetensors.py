#!/usr/bin/env python3
"""Converts a SNAC checkpoint folder as published (config.json + pytorch_model.bin, e.g.
hubertsiuzdak/snac_24khz) into the folder omnitok reads (config.json + model.safetensors):

    python3 scripts/snac_to_safetensors.py SNAC_DIR OUT_DIR   # needs torch, safetensors

The .bin file is read with torch.load(weights_only=True), which loads tensors only and runs no
pickled code. Every tensor is written as float32 under its own name (weight norms stay as the
file has them: weight_g / weight_v or parametrizations.weight.original0/1); config.json is
copied unchanged. Nothing is written over an existing model.safetensors.
"""

import argparse
import shutil
import sys
from pathlib import Path

import safetensors.torch
import torch


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="folder with config.json and pytorch_model.bin")
    parser.add_argument("out", type=Path, help="folder to write config.json and model.safetensors to")
    args = parser.parse_args()
    config, weights = args.source / "config.json", args.source / "pytorch_model.bin"
    for path in (config, weights):
        if not path.is_file():
            print(f"{path}: missing", file=sys.stderr)
            return 1
    target = args.out / "model.safetensors"
    if target.exists():
        print(f"{target}: exists; not written over", file=sys.stderr)
        return 1
    state = torch.load(weights, map_location="cpu", weights_only=True)
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        print(f"{weights}: not a state dict of tensors", file=sys.stderr)
        return 1
    tensors = {name: value.detach().to(torch.float32).contiguous() for name, value in state.items()}
    args.out.mkdir(parents=True, exist_ok=True)
    if config.resolve() != (args.out / "config.json").resolve():
        shutil.copyfile(config, args.out / "config.json")
    safetensors.torch.save_file(tensors, target)
    print(f"{target}: {len(tensors)} tensors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
