#!/usr/bin/env python3
"""EnCodec at the real 24 kHz size (transformers' default EncodecConfig: 32 filters, ratios
8-5-4-2, LSTM of 512, 32 codebooks of 1024) with seeded random weights, on 10 s of audio at
6 kbps, one thread, CPU seconds (best of --rounds): transformers on PyTorch, and the same
checkpoint and samples written for omnitok's `codec_speed`. Then two floors on the same thread:
the encoder's LSTM alone on its 750 frames, and the rate of a square 1024 x 1024 float32 matrix
product (`torch.mm`, MKL), the most a convolution written as matrix products can reach here:

    python3 benches/codec_compare.py /tmp/encodec-24k-random [--rounds 3]   # torch, transformers
    cargo run --release -p omnitok-benches --bin codec_speed -- /tmp/encodec-24k-random [--rounds 3]
"""

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from transformers import EncodecConfig, EncodecModel


def best(rounds: int, run) -> float:
    times = []
    for _ in range(rounds):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dir", help="where the checkpoint and audio.f32 are written")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = EncodecModel(EncodecConfig()).eval()
    with torch.no_grad():
        for layer in model.quantizer.layers:
            layer.codebook.embed.normal_()
            layer.codebook.embed_avg.copy_(layer.codebook.embed)
    out = Path(args.dir)
    model.save_pretrained(out)
    rng = np.random.default_rng(0)
    t = np.arange(10 * 24000) / 24000
    audio = (0.3 * np.sin(2 * np.pi * 220 * t * (1 + t)) + 0.05 * rng.standard_normal(len(t)))
    audio = audio.astype(np.float32)
    audio.tofile(out / "audio.f32")
    x = torch.from_numpy(audio)[None, None]
    with torch.inference_mode():
        encoded = model.encode(x, bandwidth=6.0)
        encode = best(args.rounds, lambda: model.encode(x, bandwidth=6.0))
        decode = best(args.rounds, lambda: model.decode(encoded.audio_codes, encoded.audio_scales))
    print(f"transformers {__import__('transformers').__version__} / torch {torch.__version__}, "
          f"10 s at 24 kHz, 6 kbps ({encoded.audio_codes.shape[2]} codebooks), one thread: "
          f"encode {encode:.3f} CPU-s, decode {decode:.3f} CPU-s, best of {args.rounds}")
    floors(model, x, args.rounds)


def floors(model: EncodecModel, x: torch.Tensor, rounds: int) -> None:
    lstm = next(layer for layer in model.encoder.layers if type(layer).__name__ == "EncodecLSTM")
    with torch.inference_mode():
        hidden = x
        for layer in model.encoder.layers:
            if layer is lstm:
                break
            hidden = layer(hidden)
        spent = best(rounds, lambda: lstm(hidden))
        print(f"the encoder's LSTM alone ({hidden.shape[1]} channels, {hidden.shape[2]} frames): "
              f"{spent:.3f} CPU-s, best of {rounds}")
        a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
        spent = best(max(rounds, 5), lambda: torch.mm(a, b))
        print(f"torch.mm 1024 x 1024 x 1024, float32: {2 * 1024**3 / spent / 1e9:.1f} GFLOP/s, "
              f"best of {max(rounds, 5)}")


if __name__ == "__main__":
    main()
