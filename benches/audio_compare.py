#!/usr/bin/env python3
"""librosa on the same 10 minutes of 16 kHz audio as `audio_features` (best of --rounds, CPU
seconds of this process), to set beside omnitok's figures:

    cargo run --release -p omnitok-benches --bin audio_features -- --rounds 5 --write /tmp/audio-10min.f32
    python3 benches/audio_compare.py /tmp/audio-10min.f32 [--rounds 5]     # librosa, numpy
"""

import argparse
import time

import librosa
import numpy as np


def best(rounds: int, run) -> float:
    times = []
    for _ in range(rounds):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("samples", help="raw little-endian float32, 16 kHz")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    y = np.fromfile(args.samples, dtype="<f4")
    sr = 16000
    mel = dict(sr=sr, n_fft=400, hop_length=160, n_mels=128)
    cases = {
        "log-mel 128, n_fft 400, hop 160": lambda: librosa.power_to_db(
            librosa.feature.melspectrogram(y=y, **mel)
        ),
        "MFCC 20 of that": lambda: librosa.feature.mfcc(y=y, n_mfcc=20, **mel),
    }
    for name, run in cases.items():
        run()  # warm up: filterbank caches, imports
        print(f"librosa {librosa.__version__} {name}: {best(args.rounds, run):.4f} CPU-s for "
              f"{len(y) / sr:.0f} s of audio, best of {args.rounds}")


if __name__ == "__main__":
    main()
