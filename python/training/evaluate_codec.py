"""Measures a codec checkpoint on the evaluation material of make_codec_data.py, at each of its
bandwidths, next to Opus (ffmpeg's libopus) at the same bitrates: SI-SDR, log-mel distance,
STOI (pystoi) and wide-band PESQ (pesq), averaged over the recorded and the synthetic clips.
The codec runs as users run it: omnitok's Rust implementation, through the Python package.

    python python/training/evaluate_codec.py DATA MODEL_DIR|default [--json OUT.json] [--picture OUT.png]

Needs omnitok (built), pystoi and pesq, and ffmpeg with libopus.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np
from pesq import pesq
from pystoi import stoi

import omnitok.audio as audio

RATE = 16_000


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768


def write_wav(path: Path, samples: np.ndarray) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())


def si_sdr(reference: np.ndarray, estimate: np.ndarray) -> float:
    reference = reference - reference.mean()
    estimate = estimate - estimate.mean()
    scale = np.dot(estimate, reference) / (np.dot(reference, reference) + 1e-12)
    target = scale * reference
    return float(10 * np.log10((target ** 2).sum() / (((estimate - target) ** 2).sum() + 1e-12) + 1e-12))


def log_mel(samples: np.ndarray) -> np.ndarray:
    """64-band mel power in dB (librosa's power_to_db: 80 dB below the peak at most)."""
    return audio.features(samples, RATE, "librosa-mel", n_fft=512, hop_length=160, n_mels=64)


def measures(reference: np.ndarray, estimate: np.ndarray) -> dict:
    n = min(len(reference), len(estimate))
    reference, estimate = reference[:n], estimate[:n]
    try:
        pesq_wb = float(pesq(RATE, reference, estimate, "wb"))
    except Exception:  # pesq refuses clips it finds no speech in
        pesq_wb = float("nan")
    return {"si_sdr": si_sdr(reference, estimate),
            "mel_distance_db": float(np.abs(log_mel(reference) - log_mel(estimate)).mean()),
            "stoi": float(stoi(reference, estimate, RATE, extended=False)),
            "pesq_wb": pesq_wb}


def opus(samples: np.ndarray, kbps: float, tmp: Path) -> tuple:
    """Opus at `kbps` (libopus, VoIP mode) decoded back, and the bitrate it reached (libopus
    does not go below about 6 kbps, whatever is asked; the Ogg container is counted)."""
    source, packed, decoded = tmp / "in.wav", tmp / "out.opus", tmp / "out.wav"
    write_wav(source, samples)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(source), "-c:a", "libopus", "-b:a", f"{kbps}k",
                    "-application", "voip", str(packed)], check=True)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(packed), "-ar", str(RATE), "-ac", "1", str(decoded)],
                   check=True)
    return read_wav(decoded), packed.stat().st_size * 8 / 1000 / (len(samples) / RATE)


def picture(path: Path, rows: list) -> None:
    """Log-mel spectrograms stacked top to bottom, each labelled, as a PNG."""
    from PIL import Image, ImageDraw

    images = []
    for label, samples in rows:
        mel = log_mel(samples)[::-1]
        norm = np.clip((mel - (mel.max() - 70)) / 70, 0, 1)
        rgb = np.stack([norm ** 0.6, norm ** 1.5, 0.4 * (1 - norm) + norm ** 4], axis=-1)
        image = Image.fromarray((rgb * 255).astype(np.uint8)).resize((norm.shape[1] * 2, norm.shape[0] * 2))
        ImageDraw.Draw(image).text((4, 2), label, fill=(255, 255, 255))
        images.append(image)
    out = Image.new("RGB", (max(i.width for i in images), sum(i.height + 4 for i in images)))
    y = 0
    for image in images:
        out.paste(image, (0, y))
        y += image.height + 4
    out.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("model", help="a checkpoint folder, or default for the built-in speech codec")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--picture", type=Path)
    args = parser.parse_args()
    index = json.loads((args.data / "index.json").read_text())
    codec = audio.Codec.default() if args.model == "default" else audio.Codec.from_pretrained(args.model)
    bandwidths = list(codec.bandwidths)
    report = {"model": args.model, "bandwidths": bandwidths, "sets": {}}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name in ("eval_recorded", "eval_synthetic"):
            rows = {f"codec {b:g} kbps": [] for b in bandwidths}
            rows.update({f"opus {b:g} kbps": [] for b in bandwidths})
            for entry in index[name]:
                x = read_wav(args.data / entry["file"])
                for b in bandwidths:
                    y = codec.decode(codec.encode(x, RATE, bandwidth=b))[0]
                    rows[f"codec {b:g} kbps"].append(measures(x, y))
                    decoded, reached = opus(x, b, tmp)
                    rows[f"opus {b:g} kbps"].append({**measures(x, decoded), "kbps": reached})
            report["sets"][name] = {
                "clips": len(index[name]),
                "seconds": round(sum(len(read_wav(args.data / e["file"])) for e in index[name]) / RATE, 1),
                "results": {row: {m: float(np.nanmean([r[m] for r in values])) for m in values[0]}
                            for row, values in rows.items()}}
        if args.picture:
            first = args.data / index["eval_recorded"][0]["file"]
            x = read_wav(first)
            rows = [(f"original: {first.name}", x)]
            rows += [(f"omnitok codec {b:g} kbps", codec.decode(codec.encode(x, RATE, bandwidth=b))[0])
                     for b in (max(bandwidths), min(bandwidths))]
            rows.append((f"opus {max(bandwidths):g} kbps", opus(x, max(bandwidths), tmp)[0]))
            picture(args.picture, rows)
    text = json.dumps(report, indent=1)
    if args.json:
        args.json.write_text(text + "\n")
    for name, part in report["sets"].items():
        print(f"\n{name}: {part['clips']} clips, {part['seconds']} s", file=sys.stderr)
        print(f"{'':18} {'SI-SDR':>8} {'mel dB':>7} {'STOI':>6} {'PESQ':>6}", file=sys.stderr)
        for row, r in part["results"].items():
            reached = f"  (reached {r['kbps']:.1f} kbps)" if "kbps" in r else ""
            print(f"{row:18} {r['si_sdr']:8.2f} {r['mel_distance_db']:7.2f} {r['stoi']:6.3f} {r['pesq_wb']:6.2f}"
                  f"{reached}", file=sys.stderr)


if __name__ == "__main__":
    main()
