#!/usr/bin/env python3
"""DAC at the real 44.1 kHz size (descript/dac_44khz's configuration: 64 encoder channels,
ratios 2-4-8-8, 1536 decoder channels, 9 codebooks of 1024 of 8 dimensions; 76 million weights)
with seeded random weights, on 10 s of audio with every codebook, one thread, CPU seconds (best
of --rounds): transformers' DacModel on PyTorch, and the same checkpoint and samples written for
omnitok's `codec_speed`:

    python3 benches/dac_compare.py /tmp/dac-44k-random [--rounds 3]   # torch, transformers
    cargo run --release -p omnitok-benches --bin codec_speed -- /tmp/dac-44k-random [--rounds 3]
"""

import argparse
from pathlib import Path

import numpy as np
import torch
import transformers
from transformers import DacConfig, DacModel

from codec_compare import best

RATE = 44100


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dir", help="where the checkpoint and audio.f32 are written")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    config = DacConfig(encoder_hidden_size=64, downsampling_ratios=[2, 4, 8, 8], decoder_hidden_size=1536,
                       n_codebooks=9, codebook_size=1024, codebook_dim=8, sampling_rate=RATE)
    model = DacModel(config).eval()
    out = Path(args.dir)
    model.save_pretrained(out)
    rng = np.random.default_rng(0)
    t = np.arange(10 * RATE) / RATE
    audio = (0.3 * np.sin(2 * np.pi * 220 * t * (1 + t)) + 0.05 * rng.standard_normal(len(t)))
    audio = audio.astype(np.float32)
    audio.tofile(out / "audio.f32")
    x = torch.from_numpy(audio)[None, None]
    with torch.inference_mode():
        codes = model.encode(x).audio_codes
        encode = best(args.rounds, lambda: model.encode(x))
        decode = best(args.rounds, lambda: model.decode(audio_codes=codes))
    print(f"transformers {transformers.__version__} / torch {torch.__version__}, 10 s at 44.1 kHz, "
          f"{codes.shape[1]} codebooks, one thread: encode {encode:.3f} CPU-s, decode {decode:.3f} CPU-s, "
          f"best of {args.rounds}")


if __name__ == "__main__":
    main()
