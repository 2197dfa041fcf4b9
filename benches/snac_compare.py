#!/usr/bin/env python3
"""SNAC at the real 24 kHz size (hubertsiuzdak/snac_24khz's configuration: 48 encoder channels,
rates 2-4-8-8, 1024 decoder channels, depthwise convolutions, noise blocks, three levels of 4096
codes at strides 4-2-1; 20 million weights) with seeded random weights, on 10 s of audio, one
thread, CPU seconds (best of --rounds): the snac package's SNAC on PyTorch (its noise off, as
omnitok decodes), and the same checkpoint (config.json, model.safetensors) and samples written
for omnitok's `codec_speed`:

    python3 benches/snac_compare.py /tmp/snac-24k-random [--rounds 3]   # torch, snac, safetensors
    cargo run --release -p omnitok-benches --bin codec_speed -- /tmp/snac-24k-random [--rounds 3]
"""

import argparse
import json
from pathlib import Path

import numpy as np
import safetensors.torch
import snac
import snac.layers
import torch

from codec_compare import best

RATE = 24000
CONFIG = dict(sampling_rate=RATE, encoder_dim=48, encoder_rates=[2, 4, 8, 8], latent_dim=None,
              decoder_dim=1024, decoder_rates=[8, 8, 4, 2], attn_window_size=None, codebook_size=4096,
              codebook_dim=8, vq_strides=[4, 2, 1], noise=True, depthwise=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dir", help="where the checkpoint and audio.f32 are written")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    snac.layers.NoiseBlock.forward = lambda self, x: x
    model = snac.SNAC(**CONFIG).eval()
    out = Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps(CONFIG, indent=2) + "\n")
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    safetensors.torch.save_file(state, out / "model.safetensors")
    rng = np.random.default_rng(0)
    t = np.arange(10 * RATE) / RATE
    audio = (0.3 * np.sin(2 * np.pi * 220 * t * (1 + t)) + 0.05 * rng.standard_normal(len(t)))
    audio = audio.astype(np.float32)
    audio.tofile(out / "audio.f32")
    x = torch.from_numpy(audio)[None, None]
    with torch.inference_mode():
        codes = model.encode(x)
        encode = best(args.rounds, lambda: model.encode(x))
        decode = best(args.rounds, lambda: model.decode(codes))
    weights = sum(p.numel() for p in model.parameters())
    print(f"snac {snac.__version__} / torch {torch.__version__}, 10 s at 24 kHz, {len(codes)} levels, "
          f"{weights / 1e6:.1f} M weights, one thread: encode {encode:.3f} CPU-s, decode {decode:.3f} CPU-s, "
          f"best of {args.rounds}")


if __name__ == "__main__":
    main()
