"""Makes the training and evaluation audio of omnitok's default speech codec, offline, from
Debian packages only (installed here with apt-get when missing).

Training material (16 kHz mono WAV under OUT/train/):
- speech synthesised by espeak-ng in 24 languages, each clip with a random voice variant, rate
  and pitch, from the sentences of fixtures/multilingual/<lang>.txt;
- speech of Festival's recorded-diphone and cluster-unit voices (English, Italian, Russian,
  Finnish), from the same sentences;
- music: random melodies over chords, written as MIDI here and rendered by fluidsynth with the
  FluidR3 General MIDI soundfont.
Noise is mixed in by the training script, at random SNRs.

Evaluation material (OUT/eval/):
- synthetic/: the same synthesisers on sentences no training clip uses (the last fifth of each
  language's lines), with voice settings drawn apart;
- recorded/: real recordings no training clip comes from: the prompts of Asterisk's core sound
  sets (asterisk-core-sounds-{en,es,fr,it,ru}-g722: one speaker per language, recorded in the
  studio and stored as 16 kHz G.722), decoded by ffmpeg.

Everything is seeded: the same command writes the same files. Usage:

    python python/training/make_codec_data.py OUT [--minutes 40]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import struct
import subprocess
import sys
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RATE = 16_000

PACKAGES = ["espeak-ng", "festival", "festvox-kallpc16k", "festvox-kdlpc16k", "festvox-italp16k",
            "festvox-itapc16k", "festvox-ru", "festvox-suopuhe-lj", "festvox-suopuhe-mv", "fluidsynth",
            "fluid-soundfont-gm", "ffmpeg"] + [f"asterisk-core-sounds-{lang}-g722" for lang in
                                               ("en", "es", "fr", "it", "ru")]

# fixtures/multilingual locale -> espeak-ng voice.
ESPEAK = {"ca": "ca", "cs": "cs", "da": "da", "de": "de", "el": "el", "en": "en-us", "es": "es", "fi": "fi",
          "fr": "fr-fr", "hi": "hi", "hr": "hr", "hu": "hu", "id": "id", "it": "it", "ja": "ja", "ko": "ko",
          "nl": "nl", "pl": "pl", "pt": "pt", "ro": "ro", "ru": "ru", "sv": "sv", "uk": "uk", "vi": "vi",
          "zh_CN": "cmn"}
VARIANTS = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5", "klatt", "klatt2", "croak",
            "whisper"]
# Festival voice -> the fixtures language it reads.
FESTIVAL = {"kal_diphone": "en", "ked_diphone": "en", "lp_diphone": "it", "pc_diphone": "it",
            "msu_ru_nsh_clunits": "ru", "suo_fi_lj_diphone": "fi", "hy_fi_mv_diphone": "fi"}
SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
ASTERISK = Path("/usr/share/asterisk/sounds")


def install() -> None:
    missing = [p for p in PACKAGES if subprocess.run(["dpkg", "-s", p], capture_output=True).returncode]
    if missing:
        print("installing", " ".join(missing), file=sys.stderr)
        sudo = [] if Path("/proc/self").stat().st_uid == 0 or shutil.which("sudo") is None else ["sudo"]
        subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True)
        subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], check=True,
                       env={"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})


def sentences(lang: str) -> list:
    """The lines of fixtures/multilingual/<lang>.txt cut at sentence ends, 20 to 300 chars."""
    out = []
    for line in (ROOT / "fixtures" / "multilingual" / f"{lang}.txt").read_text(encoding="utf-8").splitlines():
        for piece in line.replace("。", "。\n").replace(". ", ".\n").splitlines():
            piece = piece.strip()
            if 20 <= len(piece) <= 300:
                out.append(piece)
    return out


def split(items: list) -> tuple:
    """Training and evaluation parts: the last fifth is for evaluation."""
    cut = len(items) - max(1, len(items) // 5)
    return items[:cut], items[cut:]


def to_16k(source: Path, target: Path, extra=()) -> None:
    """Any audio ffmpeg reads as 16 kHz mono 16-bit WAV."""
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["ffmpeg", "-v", "error", "-y", *extra, "-i", str(source), "-ac", "1", "-ar", str(RATE),
                    "-sample_fmt", "s16", str(target)], check=True)


def espeak(text: str, voice: str, rng: random.Random, target: Path, tmp: Path) -> dict:
    settings = {"voice": f"{voice}+{rng.choice(VARIANTS)}", "rate": rng.randint(120, 230),
                "pitch": rng.randint(15, 85)}
    raw = tmp / "espeak.wav"
    subprocess.run(["espeak-ng", "-v", settings["voice"], "-s", str(settings["rate"]), "-p",
                    str(settings["pitch"]), "-w", str(raw), text], check=True, capture_output=True)
    to_16k(raw, target)
    return settings


def festival_text(text: str, lang: str) -> bytes:
    """What Festival's voices read: Latin-1 (English, Italian, Finnish), or for the Russian voice
    Cyrillic letters and plain punctuation only (its letter-to-sound rules stop at anything else)."""
    if lang == "ru":
        text = re.sub(r"[^А-Яа-яЁё ,.!?]", " ", text)
        text = re.sub(r" *([,.!?])+", r"\1", re.sub(" +", " ", text)).strip(" ,.!?")
        return (text + ".").encode("utf-8")
    return text.encode("latin-1", errors="replace")


def festival(text: str, voice: str, target: Path, tmp: Path) -> dict:
    source, raw = tmp / "festival.txt", tmp / "festival.wav"
    source.write_bytes(festival_text(text, FESTIVAL[voice]))
    raw.unlink(missing_ok=True)
    subprocess.run(["text2wave", "-eval", f"(voice_{voice})", "-o", str(raw), str(source)], check=True,
                   capture_output=True)
    if not raw.exists() or raw.stat().st_size < 1000:
        raise RuntimeError(f"Festival voice {voice} wrote no audio for {text!r}")
    to_16k(raw, target)
    return {"voice": voice}


def midi(rng: random.Random, seconds: float) -> bytes:
    """A type-0 MIDI file: a random melody over chords, each with a random General MIDI program."""
    ticks, tempo = 480, rng.randint(70, 150)
    beat = 60.0 / tempo
    events = []  # (tick, bytes)
    melody_program, chord_program = rng.randrange(0, 80), rng.randrange(0, 80)
    events += [(0, bytes([0xC0, melody_program])), (0, bytes([0xC1, chord_program]))]
    key = rng.randrange(48, 60)
    scale = [0, 2, 4, 5, 7, 9, 11]
    t, end = 0, int(seconds / beat * ticks)
    while t < end:
        root = key + rng.choice([0, 5, 7, 9])
        for note in (root, root + 4, root + 7):
            events += [(t, bytes([0x91, note, 60])), (t + 2 * ticks, bytes([0x81, note, 0]))]
        for k in range(4):
            note = key + 12 + rng.choice(scale) + 12 * rng.randint(0, 1)
            start = t + k * ticks // 2
            events += [(start, bytes([0x90, note, rng.randint(60, 110)])), (start + ticks // 2, bytes([0x80, note, 0]))]
        t += 2 * ticks
    events.sort(key=lambda e: e[0])
    track, last = bytearray(), 0
    tempo_us = int(beat * 1e6)
    track += b"\x00\xff\x51\x03" + tempo_us.to_bytes(3, "big")
    for tick, data in events:
        delta, last = tick - last, tick
        var = [delta & 0x7F]
        while delta > 0x7F:
            delta >>= 7
            var.insert(0, (delta & 0x7F) | 0x80)
        track += bytes(var) + data
    track += b"\x00\xff\x2f\x00"
    return b"MThd" + struct.pack(">IHHH", 6, 0, 1, ticks) + b"MTrk" + struct.pack(">I", len(track)) + bytes(track)


def music(rng: random.Random, seconds: float, target: Path, tmp: Path) -> dict:
    source, raw = tmp / "music.mid", tmp / "music.wav"
    source.write_bytes(midi(rng, seconds))
    subprocess.run(["fluidsynth", "-ni", "-q", "-F", str(raw), "-r", "44100", str(SOUNDFONT), str(source)],
                   check=True, capture_output=True)
    to_16k(raw, target)
    return {"kind": "music"}


def seconds_of(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--minutes", type=float, default=40.0, help="speech minutes to synthesise for training")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    install()
    rng = random.Random(args.seed)
    out, tmp = args.out, args.out / ".tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    index = {"train": [], "eval_synthetic": [], "eval_recorded": []}

    texts = {lang: split(sentences(lang)) for lang in ESPEAK}
    # Training speech: languages in turn, espeak-ng three clips in four, Festival the fourth.
    total, n = 0.0, 0
    festival_voices = list(FESTIVAL)
    while total < args.minutes * 60:
        target = out / "train" / f"speech-{n:05d}.wav"
        if n % 4 == 3:
            voice = festival_voices[(n // 4) % len(festival_voices)]
            lang = FESTIVAL[voice]
            for attempt in range(5):  # a sentence the voice cannot read is replaced
                try:
                    settings = festival(rng.choice(texts[lang][0]), voice, target, tmp)
                    break
                except RuntimeError:
                    if attempt == 4:
                        raise
        else:
            lang = list(ESPEAK)[n % len(ESPEAK)]
            settings = espeak(rng.choice(texts[lang][0]), ESPEAK[lang], rng, target, tmp)
        seconds = seconds_of(target)
        total += seconds
        index["train"].append({"file": str(target.relative_to(out)), "lang": lang, "seconds": seconds, **settings})
        n += 1
    # Music: a tenth of the speech time.
    music_seconds, m = 0.0, 0
    while music_seconds < args.minutes * 6:
        target = out / "train" / f"music-{m:04d}.wav"
        settings = music(rng, rng.uniform(4, 10), target, tmp)
        music_seconds += seconds_of(target)
        index["train"].append({"file": str(target.relative_to(out)), "seconds": seconds_of(target), **settings})
        m += 1

    # Synthetic evaluation: held-out sentences, two per language and synthesiser.
    eval_rng = random.Random(args.seed + 1)
    k = 0
    for lang, (_, held_out) in texts.items():
        for text in held_out[:2]:
            target = out / "eval" / "synthetic" / f"{lang}-{k:03d}.wav"
            settings = espeak(text, ESPEAK[lang], eval_rng, target, tmp)
            index["eval_synthetic"].append({"file": str(target.relative_to(out)), "lang": lang, **settings})
            k += 1
    for voice, lang in FESTIVAL.items():
        target = out / "eval" / "synthetic" / f"{voice}-{k:03d}.wav"
        festival(texts[lang][1][0], voice, target, tmp)
        index["eval_synthetic"].append({"file": str(target.relative_to(out)), "lang": lang, "voice": voice})
        k += 1

    # Recorded evaluation: 12 prompts of at least 1.5 s per language, chosen by a seeded draw.
    for lang in ("en", "es", "fr", "it", "ru"):
        files = sorted(p for p in ASTERISK.glob(f"{lang}*/**/*.g722") if p.stat().st_size >= 12_000)
        for source in random.Random(lang).sample(files, min(12, len(files))):
            target = out / "eval" / "recorded" / lang / (source.stem + ".wav")
            to_16k(source, target, extra=("-f", "g722"))
            index["eval_recorded"].append({"file": str(target.relative_to(out)), "lang": lang,
                                           "source": str(source.relative_to(ASTERISK))})
    shutil.rmtree(tmp)
    (out / "index.json").write_text(json.dumps(index, indent=1, ensure_ascii=False) + "\n")
    minutes = sum(e["seconds"] for e in index["train"]) / 60
    print(f"{len(index['train'])} training clips ({minutes:.1f} min), {len(index['eval_synthetic'])} synthetic "
          f"and {len(index['eval_recorded'])} recorded evaluation clips in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
