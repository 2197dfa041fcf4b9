"""Trains omnitok's default speech codec: a small causal EnCodec (transformers' EncodecModel, so
the checkpoint loads in transformers and in omnitok's Rust codec alike) on the material of
make_codec_data.py.

Two stages, because a codec whose quantiser is on from the first step collapses to silence:
1. the continuous autoencoder (encoder -> decoder, no quantiser) learns to reconstruct;
2. each residual codebook is initialised by k-means on the residuals of encoder frames, then the
   whole model trains through the quantiser (straight-through gradients, a commitment loss, EMA
   codebook updates with dead codes moved onto live residuals, and quantiser dropout: each batch
   uses the codebooks of one of the target bandwidths, so every bandwidth decodes).
Losses: multi-resolution STFT (spectral convergence + L1 of |S|^0.3), multi-scale log-mel floored
60 dB below each clip's peak, and a small waveform L1: with logarithms floored at a fixed 1e-5,
as first tried, even one batch did not overfit in 150 steps (the near-silent bins dominate and
the output goes quiet); with these it does within 200. Noise (white, pink, brown) and music are
mixed into speech at random SNRs. The output level against the input level is logged, as a
collapse shows there first. The learning rate holds for half the steps, then falls to a tenth
along a half cosine.

The frame hop (--hop) decides how fast a small model learns on a CPU: at 64 samples (250 frames
a second, 2.5 kbps a codebook) it learns from the first hundred steps, also through the
quantiser; at 320 (50 frames a second) it stays at a plateau (output a fifth of the input's
level, little of the harmonics below 800 Hz) for at least 2,800 steps (14 minutes on two
cores), and neither dropping the spectral convergence term, nor 128 latent dimensions, nor 16
filters moved it within 400 steps; 128 (125 frames a second) sits between the two.

    python python/training/train_codec.py DATA OUT [--hop 64] [--steps 4200] [--device auto]

OUT gets model/ (config.json, model.safetensors), training.json (the settings, steps and time)
and log.jsonl (the loss curves). With --steps the same command and data give the same model on
the same device and thread count (seeded; on a GPU, cuDNN's nondeterministic kernels may move the
last digits); --minutes stops on the clock instead, and its learning rate follows the clock.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
import wave
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from transformers import EncodecConfig, EncodecModel

RATE = 16_000

# Frame hops (samples at 16 kHz) and their up-sampling ratios, with the bandwidths (kbps) offered:
# 320 -> 50 frames/s, 3, 6 and 12 codebooks of 1024 (10 bits) for 1.5, 3 and 6 kbps; 160 -> 100
# frames/s, 1, 2, 4 and 6 codebooks for 1, 2, 4 and 6 kbps.
HOPS = {
    320: ([8, 5, 4, 2], [1.5, 3.0, 6.0]),
    160: ([5, 4, 4, 2], [1.0, 2.0, 4.0, 6.0]),
    128: ([4, 4, 4, 2], [1.25, 2.5, 5.0]),
    64: ([4, 4, 2, 2], [2.5, 5.0]),
}
CONFIGS = {
    "small": dict(num_filters=8, hidden_size=64, num_lstm_layers=2),
    "large": dict(num_filters=16, hidden_size=64, num_lstm_layers=2),
}


def make_model(size: str, hop: int) -> EncodecModel:
    ratios, bandwidths = HOPS[hop]
    config = EncodecConfig(sampling_rate=RATE, audio_channels=1, upsampling_ratios=ratios,
                           codebook_size=1024, target_bandwidths=bandwidths, use_causal_conv=True,
                           normalize=False, norm_type="weight_norm", **CONFIGS[size])
    return EncodecModel(config)


def codebooks_per_bandwidth(config: EncodecConfig) -> list[int]:
    """The codebooks each target bandwidth uses, counted as transformers counts them."""
    frame_rate = math.ceil(config.sampling_rate / math.prod(config.upsampling_ratios))
    bits = int(math.log2(config.codebook_size))
    return [int(1000 * b // (frame_rate * bits)) for b in config.target_bandwidths]


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path)) as w:
        assert w.getframerate() == RATE and w.getnchannels() == 1 and w.getsampwidth() == 2, path
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768


class Batches:
    """Random one-second crops of the training clips: speech (mixed with noise or music at a random
    SNR half the time) nine times in ten, music alone the tenth; each crop at a random level."""

    def __init__(self, data: Path, seed: int, seconds: float) -> None:
        index = json.loads((data / "index.json").read_text())
        clips = [(e.get("kind") == "music", read_wav(data / e["file"])) for e in index["train"]]
        self.speech = [c for music, c in clips if not music]
        self.music = [c for music, c in clips if music]
        self.rng = np.random.default_rng(seed)
        self.length = int(seconds * RATE)

    def crop(self, clips: list) -> np.ndarray:
        clip = clips[self.rng.integers(len(clips))]
        if len(clip) <= self.length:
            clip = np.pad(clip, (0, self.length + 1 - len(clip)))
        start = self.rng.integers(len(clip) - self.length)
        return clip[start:start + self.length].copy()

    def noise(self) -> np.ndarray:
        white = self.rng.standard_normal(self.length).astype(np.float32)
        colour = self.rng.integers(3)
        if colour == 0:
            return white
        spectrum = np.fft.rfft(white)
        f = np.maximum(np.fft.rfftfreq(self.length), 1.0 / self.length)
        spectrum /= f ** (0.5 * colour)  # pink (1/f power) or brown (1/f^2)
        return np.fft.irfft(spectrum, self.length).astype(np.float32)

    def next(self, size: int) -> torch.Tensor:
        batch = []
        for _ in range(size):
            if self.rng.random() < 0.1:
                x = self.crop(self.music)
            else:
                x = self.crop(self.speech)
                if self.rng.random() < 0.5:
                    other = self.noise() if self.rng.random() < 0.7 else self.crop(self.music)
                    snr = self.rng.uniform(5, 30)
                    power = lambda s: float(np.mean(s ** 2)) + 1e-9  # noqa: E731
                    x = x + other * math.sqrt(power(x) / power(other) / 10 ** (snr / 10))
            peak = float(np.abs(x).max()) + 1e-6
            x = x / peak * self.rng.uniform(0.05, 0.95)
            batch.append(x)
        return torch.from_numpy(np.stack(batch))[:, None, :]


def stft_losses(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Multi-resolution STFT loss: spectral convergence plus L1 of power-law compressed
    magnitudes (|S|^0.3). Logarithms of magnitudes with a fixed floor weigh the near-silent
    bins, most of a spectrogram, as much as speech, and a model learning them first learns
    to be quiet; the compressed magnitudes do not."""
    total = x.new_zeros(())
    for n_fft in (256, 512, 1024, 2048):
        window = torch.hann_window(n_fft, device=x.device)
        spec = lambda s: torch.stft(s[:, 0], n_fft, n_fft // 4, window=window, return_complex=True).abs()  # noqa: E731
        a, b = spec(x), spec(y)
        total = total + torch.linalg.norm(a - b) / (torch.linalg.norm(a) + 1e-7)
        total = total + F.l1_loss(a.clamp(min=1e-7) ** 0.3, b.clamp(min=1e-7) ** 0.3)
    return total


class MelLoss(torch.nn.Module):
    """L1 of log-mel spectrograms at several window sizes, each floored 60 dB below the
    reference clip's peak (so silence and the noise floor do not dominate)."""

    def __init__(self) -> None:
        super().__init__()
        import torchaudio

        self.mels = torch.nn.ModuleList(
            torchaudio.transforms.MelSpectrogram(RATE, n_fft=n, hop_length=n // 4, n_mels=m, power=1.0)
            for n, m in ((256, 32), (512, 64), (1024, 80), (2048, 80)))

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        total = x.new_zeros(())
        for mel in self.mels:
            a, b = mel(x), mel(y)
            floor = 1e-3 * a.amax(dim=(-1, -2), keepdim=True) + 1e-7
            total = total + F.l1_loss(torch.log(a + floor), torch.log(b + floor))
        return total


class Quantizer:
    """Residual vector quantisation over the model's codebook buffers, trained by EMA."""

    def __init__(self, model: EncodecModel, decay: float = 0.99) -> None:
        self.layers = [layer.codebook for layer in model.quantizer.layers]
        self.decay = decay

    @torch.no_grad()
    def initialise(self, frames: torch.Tensor, rng: torch.Generator, iterations: int = 20) -> None:
        """k-means of each residual layer on `frames` [N, D], layer after layer."""
        residual = frames.clone()
        for codebook in self.layers:
            k = codebook.embed.shape[0]
            centres = residual[torch.randperm(len(residual), generator=rng)[:k]].clone()
            for _ in range(iterations):
                assign = torch.cdist(residual, centres).argmin(1)
                sums = torch.zeros_like(centres).index_add_(0, assign, residual)
                counts = torch.bincount(assign, minlength=k).float()
                live = counts > 0
                centres[live] = sums[live] / counts[live, None]
                dead = (~live).nonzero()[:, 0]
                centres[dead] = residual[torch.randint(len(residual), (len(dead),), generator=rng)]
            codebook.embed.copy_(centres)
            codebook.embed_avg.copy_(centres)
            codebook.cluster_size.fill_(1.0)
            codebook.inited.fill_(1.0)
            residual = residual - centres[torch.cdist(residual, centres).argmin(1)]

    def __call__(self, emb: torch.Tensor, n_q: int, train: bool, rng: torch.Generator) -> tuple:
        """Quantised `emb` [B, D, T] through the first `n_q` codebooks (straight-through), and the
        commitment loss."""
        b, d, t = emb.shape
        residual = emb.permute(0, 2, 1).reshape(-1, d)
        quantized = torch.zeros_like(residual)
        commit = emb.new_zeros(())
        for codebook in self.layers[:n_q]:
            embed = codebook.embed
            index = torch.cdist(residual.detach(), embed).argmin(1)
            q = embed[index]
            commit = commit + F.mse_loss(residual, q.detach())
            if train:
                self.update(codebook, residual.detach(), index, rng)
            quantized = quantized + q
            residual = residual - q.detach()
        out = quantized.reshape(b, t, d).permute(0, 2, 1)
        return emb + (out - emb).detach(), commit

    @torch.no_grad()
    def update(self, codebook, residual: torch.Tensor, index: torch.Tensor, rng: torch.Generator) -> None:
        k = codebook.embed.shape[0]
        counts = torch.bincount(index, minlength=k).float()
        sums = torch.zeros_like(codebook.embed).index_add_(0, index, residual)
        codebook.cluster_size.mul_(self.decay).add_(counts, alpha=1 - self.decay)
        codebook.embed_avg.mul_(self.decay).add_(sums, alpha=1 - self.decay)
        n = codebook.cluster_size.sum()
        size = (codebook.cluster_size + 1e-5) / (n + k * 1e-5) * n
        codebook.embed.copy_(codebook.embed_avg / size[:, None])
        dead = (codebook.cluster_size < 1e-2).nonzero()[:, 0]
        if len(dead):
            pick = residual[torch.randint(len(residual), (len(dead),), generator=rng, device=residual.device)]
            codebook.embed[dead] = pick
            codebook.embed_avg[dead] = pick
            codebook.cluster_size[dead] = 1.0


def learning_rate_factor(progress: float) -> float:
    """The learning rate's multiplier at `progress` (0 to 1) through training: 1 for the first
    half, then down to 0.1 along a half cosine."""
    if progress <= 0.5:
        return 1.0
    return 0.1 + 0.45 * (1 + math.cos(math.pi * (progress - 0.5) / 0.5))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--size", choices=sorted(CONFIGS), default="small")
    parser.add_argument("--hop", type=int, choices=sorted(HOPS), default=64, help="samples per frame")
    parser.add_argument("--steps", type=int, default=4200, help="steps in all (both stages)")
    parser.add_argument("--autoencoder-steps", type=int, default=None,
                        help="stage 1 steps (default: --autoencoder-share of --steps)")
    parser.add_argument("--autoencoder-share", type=float, default=0.3,
                        help="the share of the steps (or with --minutes, of the time) for stage 1")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--minutes", type=float, default=None,
                        help="stop after this long instead (a third of it for stage 1); the log and the model's "
                             "training.json record the steps, for a rerun with --steps/--autoencoder-steps")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--device", default="auto", help="cpu, cuda, or auto (cuda where available)")
    args = parser.parse_args()
    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else
                          ("cpu" if args.device == "auto" else args.device))
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    rng = torch.Generator(device=device).manual_seed(args.seed)
    stage_one = (args.autoencoder_steps if args.autoencoder_steps is not None
                 else round(args.steps * args.autoencoder_share))

    model = make_model(args.size, args.hop).to(device)
    quantizer = Quantizer(model)
    batches = Batches(args.data, args.seed, args.seconds)
    mel_loss = MelLoss().to(device)
    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.8, 0.99), weight_decay=0.0)
    n_params = sum(p.numel() for p in model.parameters())
    bandwidth_codebooks = codebooks_per_bandwidth(model.config)
    args.out.mkdir(parents=True, exist_ok=True)
    log = (args.out / "log.jsonl").open("w")
    plan = (f"{args.minutes:g} minutes, {args.autoencoder_share:.0%} without the quantiser"
            if args.minutes is not None else
            f"{stage_one} autoencoder steps, then {args.steps - stage_one} with the quantiser")
    print(f"{n_params / 1e6:.2f} M parameters on {device}; {plan}", file=sys.stderr)
    started = time.time()
    step, quantising = 0, False
    while True:
        step += 1
        elapsed = (time.time() - started) / 60
        if args.minutes is not None:
            if elapsed >= args.minutes:
                break
            start_quantising = elapsed >= args.minutes * args.autoencoder_share
        else:
            if step > args.steps:
                break
            start_quantising = step > stage_one
        if start_quantising and not quantising:
            quantising, stage_one = True, step - 1
            with torch.no_grad():
                frames = torch.cat([model.encoder(batches.next(args.batch).to(device)) for _ in range(8)])
                quantizer.initialise(frames.permute(0, 2, 1).reshape(-1, frames.shape[1]), rng)
        progress = elapsed / args.minutes if args.minutes is not None else step / args.steps
        for group in optimiser.param_groups:
            group["lr"] = args.lr * learning_rate_factor(progress)
        x = batches.next(args.batch).to(device)
        emb = model.encoder(x)
        commit = emb.new_zeros(())
        n_q = 0
        if quantising:
            n_q = bandwidth_codebooks[int(torch.randint(len(bandwidth_codebooks), (1,), generator=rng, device=device))]
            emb, commit = quantizer(emb, n_q, True, rng)
        y = model.decoder(emb)[..., : x.shape[-1]]
        stft, mel, wave_l1 = stft_losses(x, y), mel_loss(x, y), F.l1_loss(x, y)
        loss = stft + mel + 0.1 * wave_l1 + commit
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        if step % 25 == 0 or step == 1:
            level = float(y.detach().pow(2).mean().sqrt() / (x.pow(2).mean().sqrt() + 1e-9))
            record = {"step": step, "codebooks": n_q, "lr": optimiser.param_groups[0]["lr"], "loss": float(loss),
                      "stft": float(stft), "mel": float(mel), "l1": float(wave_l1), "commit": float(commit), "level": level,
                      "seconds": round(time.time() - started, 1)}
            log.write(json.dumps(record) + "\n")
            log.flush()
            if step % 100 == 0 or step == 1:
                print(json.dumps(record), file=sys.stderr)
    log.close()
    steps = step - 1
    model.eval()
    # The shipped file holds what inference reads: the codebooks' EMA state is left out.
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()
             if not k.endswith((".embed_avg", ".cluster_size", ".inited"))}
    from safetensors.torch import save_file

    (args.out / "model").mkdir(exist_ok=True)
    model.config.to_json_file(args.out / "model" / "config.json")
    save_file(state, args.out / "model" / "model.safetensors", metadata={"format": "pt"})
    settings = {**{k: str(v) for k, v in vars(args).items()}, "steps_done": steps, "autoencoder_steps_done": stage_one,
                "parameters": n_params, "device": str(device), "torch": torch.__version__,
                "seconds": round(time.time() - started)}
    (args.out / "training.json").write_text(json.dumps(settings, indent=1) + "\n")
    print(f"{steps} steps in {time.time() - started:.0f} s: {args.out / 'model'}", file=sys.stderr)


if __name__ == "__main__":
    main()
