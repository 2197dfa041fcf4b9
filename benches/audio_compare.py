#!/usr/bin/env python3
"""librosa and torchaudio on the same 10 minutes of 16 kHz audio as `audio_features` (best of
--rounds, CPU seconds of this process, one thread), to set beside omnitok's figures:

    cargo run --release -p omnitok-benches --bin audio_features -- --rounds 5 --write /tmp/audio-10min.f32
    python3 benches/audio_compare.py /tmp/audio-10min.f32 [--rounds 5]

Needs librosa and numpy; torchaudio is measured when torch and torchaudio are installed.
Last, the 400-point real FFTs of every frame alone, the input already framed: numpy's (double
precision, as librosa computes them) and, when pyFFTW is installed, FFTW's in double and single
precision (one thread, planned with FFTW_MEASURE; FFTW_PATIENT found no faster plan here, and
its planning takes minutes).
"""

import argparse
import os
import time

# One thread for the BLAS under numpy, as for omnitok (set before numpy loads it).
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = "1"

import librosa  # noqa: E402
import numpy as np  # noqa: E402


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
    torchaudio_cases(y, sr, args.rounds)
    transforms_alone(y, args.rounds)


def transforms_alone(y: np.ndarray, rounds: int) -> None:
    n_fft, hop = 400, 160
    frames = np.lib.stride_tricks.sliding_window_view(y, n_fft)[::hop].astype(np.float64)
    label = f"transforms alone ({n_fft} points, {len(frames)} frames)"
    print(f"numpy {np.__version__} {label}, f64: "
          f"{best(rounds, lambda: np.fft.rfft(frames, axis=1)):.4f} CPU-s, best of {rounds}")
    try:
        import pyfftw
    except ImportError:
        print("FFTW: pyFFTW not installed, skipped")
        return
    for real, complex_, precision in (("float64", "complex128", "f64"),
                                      ("float32", "complex64", "f32")):
        source = pyfftw.empty_aligned(frames.shape, dtype=real)
        target = pyfftw.empty_aligned((len(frames), n_fft // 2 + 1), dtype=complex_)
        plan = pyfftw.FFTW(source, target, axes=(1,), flags=("FFTW_MEASURE",), threads=1)
        source[:] = frames
        print(f"FFTW (pyFFTW {pyfftw.__version__}) {label}, {precision}: "
              f"{best(rounds, plan):.4f} CPU-s, best of {rounds}")


def torchaudio_cases(y: np.ndarray, sr: int, rounds: int) -> None:
    try:
        import torch
        import torchaudio
    except ImportError:
        print("torchaudio: not installed, skipped")
        return
    torch.set_num_threads(1)
    x = torch.from_numpy(y)
    melkwargs = dict(n_fft=400, hop_length=160, n_mels=128)
    log_mel = torch.nn.Sequential(
        torchaudio.transforms.MelSpectrogram(sample_rate=sr, **melkwargs),
        torchaudio.transforms.AmplitudeToDB("power", top_db=80.0),
    )
    mfcc = torchaudio.transforms.MFCC(sample_rate=sr, n_mfcc=20, melkwargs=melkwargs)
    cases = {
        "log-mel 128, n_fft 400, hop 160": lambda: log_mel(x),
        "MFCC 20 of that": lambda: mfcc(x),
        "kaldi-fbank (23 bins)": lambda: torchaudio.compliance.kaldi.fbank(x[None]),
    }
    with torch.inference_mode():
        for name, run in cases.items():
            run()
            print(f"torchaudio {torchaudio.__version__} {name}: {best(rounds, run):.4f} "
                  f"CPU-s for {len(y) / sr:.0f} s of audio, best of {rounds}")


if __name__ == "__main__":
    main()
