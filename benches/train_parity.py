#!/usr/bin/env python3
"""Parity-aware training against classical BPE: train on a part, measure on held-apart pages.

Data: ../shared/corpora/gnome-user-docs (override: OMNITOK_CORPUS_DIR), its <lang>.txt files
and aligned_en.jsonl (64,527 pairs {"lang", "en", "tr"}, 34 languages, page by page).

Split (deterministic, written to benches/data/parity/):
- en.txt's lines are cut into blocks of --block (50) consecutive lines; a pair belongs to the
  block of its English paragraph (first occurrence in en.txt). Pairs of blocks with
  index % 5 == 0 form the TEST set (test.jsonl), of blocks with index % 10 == 2 the DEV set
  (dev.jsonl), in the same {"lang", "en", "tr"} form. So every language holds apart the same
  English pages, and English keeps most of its text (blocks taken per language instead would
  hold apart, over 34 languages, about 70% of en.txt's distinct lines).
- train/<lang>.txt: <lang>.txt without every line that is the "tr" of a test or dev pair of
  that language; train/en.txt: en.txt without every line that is the "en" of a test or dev
  pair. Only the 34 languages of aligned_en.jsonl, plus en.

Variants, each at every --vocab-size (all with --lang-from file and --parity-dev dev.jsonl,
which adds the report on the dev set):
- classical:       omnitok train --vocab-size V --lang-from file --parity-dev DEV
- parity-aware:    ... --parity-aware --parity-dev DEV
- hybrid:          ... --parity-aware --global-merges N (N = --global-fraction of the merges,
                   default 25%; repeat --global-fraction for several rows)
- temperature:     classical with --lang-temperature T (--temperature, default 0.3)
- weighted:        ... --parity-aware --parity-weighted B (--weighted, default 11; repeat
                   --weighted for several rows)

Each is measured on TEST with
    omnitok stats --tokenizer A/tokenizer.json ... --reference en --format json TEST
(per-language premium = tokens of the translations over tokens of their English texts, and the
Gini of the premiums over all languages, en's 1.0 included). "Tokens" is the whole test set:
every translation plus each distinct English paragraph once, as `omnitok stats` counts it.
Targets: parity-aware at least 50% lower Gini than classical, at most 1% more tokens.

--select-on-dev PERCENT makes the choice of the weighted variant's exponent a held-out one: per
vocabulary size it takes, among the --weighted rows, the lowest Gini on the development set
whose development-set tokens are at most PERCENT above classical's (both from each training's
report.json), and gives that row's test verdict; the test pages play no part in the choice.

Usage (from the workspace root; Python 3.9+, standard library only):
    cargo build --release -p omnitok-cli
    mkdir -p /tmp/omnitok-bench && cp target/release/omnitok /tmp/omnitok-bench/omnitok
    python3 benches/train_parity.py [--vocab-size 32000 --vocab-size 16000] \
        [--global-fraction 0.25 --global-fraction 0.5] [--temperature 0.3] [--weighted 11] \
        [--variant classical --variant weighted] [--select-on-dev 1] [--plot]
Prints a Markdown table and the verdicts against the targets; --plot draws the test premiums
per language of classical and parity-aware (benches/data/parity/premium-v<V>.png).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

BENCHES = Path(__file__).resolve().parent
ROOT = BENCHES.parent
CORPUS_DIR = Path(
    os.environ.get("OMNITOK_CORPUS_DIR", ROOT.parent / "shared" / "corpora" / "gnome-user-docs")
)
DATA = Path(os.environ.get("OMNITOK_BENCH_DATA", BENCHES / "data")) / "parity"
MODELS = DATA / "models"
VARIANTS = ("classical", "parity-aware", "hybrid", "temperature", "weighted")


# ---------------------------------------------------------------------------------------------
# The split


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def split_of(block: int) -> str | None:
    if block % 5 == 0:
        return "test"
    if block % 10 == 2:
        return "dev"
    return None


def write_jsonl(path: Path, pairs: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for pair in pairs:
            f.write(json.dumps(pair, ensure_ascii=False) + "\n")


def write_training_text(source: Path, target: Path, held: set[str]) -> tuple[int, int]:
    """Copies source's lines that are not in `held`; returns (lines kept, lines removed)."""
    kept, removed = [], 0
    for line in read_lines(source):
        if not line:
            continue
        if line in held:
            removed += 1
        else:
            kept.append(line)
    target.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return len(kept), removed


def prepare(block_lines: int) -> dict:
    """Writes test.jsonl, dev.jsonl and train/<lang>.txt; returns counts for the report."""
    english = read_lines(CORPUS_DIR / "en.txt")
    position: dict[str, int] = {}
    for i, line in enumerate(english):
        position.setdefault(line, i)
    splits: dict[str, list[dict]] = {"test": [], "dev": []}
    held: dict[str, set[str]] = defaultdict(set)
    languages = []
    train_pairs = 0
    with open(CORPUS_DIR / "aligned_en.jsonl", encoding="utf-8") as f:
        for line in f:
            pair = json.loads(line)
            if pair["lang"] not in languages:
                languages.append(pair["lang"])
            if pair["en"] not in position:
                sys.exit(f"English paragraph not in en.txt: {pair['en'][:80]!r}")
            split = split_of(position[pair["en"]] // block_lines)
            if split is None:
                train_pairs += 1
                continue
            splits[split].append(pair)
            held[pair["lang"]].add(pair["tr"])
            held["en"].add(pair["en"])

    shutil.rmtree(DATA, ignore_errors=True)
    (DATA / "train").mkdir(parents=True)
    for split, pairs in splits.items():
        write_jsonl(DATA / f"{split}.jsonl", pairs)
    kept = removed = 0
    for lang in ["en", *languages]:
        k, r = write_training_text(CORPUS_DIR / f"{lang}.txt", DATA / "train" / f"{lang}.txt",
                                   held[lang])
        kept, removed = kept + k, removed + r
    train_bytes = sum(p.stat().st_size for p in (DATA / "train").iterdir())
    return {
        "languages": len(languages),
        "test": len(splits["test"]),
        "dev": len(splits["dev"]),
        "train_pairs": train_pairs,
        "train_lines": kept,
        "removed_lines": removed,
        "train_bytes": train_bytes,
    }


# ---------------------------------------------------------------------------------------------
# Training and measuring


def global_merges(vocab: int, fraction: float) -> int:
    return round((vocab - 256) * fraction)


def variants(vocab: int, args: argparse.Namespace) -> list[tuple[str, str, list[str]]]:
    """(key, label, extra flags of `omnitok train`) of each variant asked for."""
    chosen = args.variant or VARIANTS
    out = []
    if "classical" in chosen:
        out.append(("classical", "classical", []))
    if "parity-aware" in chosen:
        out.append(("parity-aware", "parity-aware", ["--parity-aware"]))
    if "hybrid" in chosen:
        for fraction in args.global_fraction or [0.25]:
            n = global_merges(vocab, fraction)
            out.append((f"hybrid-{fraction:g}", f"hybrid, --global-merges {n} ({fraction:.0%})",
                        ["--parity-aware", "--global-merges", str(n)]))
    if "temperature" in chosen:
        for t in args.temperature or [0.3]:
            out.append((f"temperature-{t:g}", f"classical, --lang-temperature {t:g}",
                        ["--lang-temperature", str(t)]))
    if "weighted" in chosen:
        for b in args.weighted or [11.0]:
            out.append((f"weighted-{b:g}", f"weighted, --parity-weighted {b:g}",
                        ["--parity-aware", "--parity-weighted", str(b)]))
    return out


def train(key: str, flags: list[str], vocab: int, args: argparse.Namespace) -> tuple[Path, float]:
    out = MODELS / f"v{vocab}-{key}"
    shutil.rmtree(out, ignore_errors=True)
    command = [args.omnitok, "train", "-q", "--vocab-size", str(vocab), "--threads",
               str(args.threads), "--lang-from", "file", "--parity-dev",
               str(DATA / "dev.jsonl"), *flags, "-o", str(out), str(DATA / "train")]
    print("$ " + " ".join(command), file=sys.stderr, flush=True)
    start = time.perf_counter()
    done = subprocess.run(command, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"omnitok train failed ({done.returncode}):\n{done.stderr}")
    return out, seconds


def stats_command(models: list[Path], args: argparse.Namespace) -> list[str]:
    """`omnitok stats` on the test set; run in data/parity/models so that the tokenizers are
    named by their short relative paths (v32000-classical/tokenizer.json)."""
    command = [args.omnitok, "stats", "--reference", "en"]
    for model in models:
        command += ["--tokenizer", str((model / "tokenizer.json").relative_to(MODELS))]
    return command


def measure(models: list[Path], args: argparse.Namespace) -> dict:
    command = stats_command(models, args) + ["--format", "json", str(DATA / "test.jsonl")]
    print("$ " + " ".join(command), file=sys.stderr, flush=True)
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, cwd=MODELS)
    return json.loads(done.stdout)


def plot(models: list[Path], vocab: int, args: argparse.Namespace) -> Path:
    chart = DATA / f"premium-v{vocab}.png"
    command = stats_command(models, args) + [
        "--plot", str(chart), "--plot-metric", "premium", "--plot-title",
        f"Premium over English on held-out pages, vocabulary {vocab:,}",
        str(DATA / "test.jsonl")]
    print("$ " + " ".join(command), file=sys.stderr, flush=True)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=MODELS)
    return chart


def gini(values: list[float]) -> float:
    """Mean absolute difference over twice the mean (to check the figure stats reports)."""
    xs = sorted(values)
    n, total = len(xs), sum(xs)
    return sum((2 * i - n + 1) * x for i, x in enumerate(xs)) / (n * total)


def dev_figures(model: Path) -> tuple[float, int] | tuple[None, None]:
    """The Gini of the premiums and the total tokens on the development set, from the
    training's report.json."""
    report = model / "report.json"
    if not report.exists():
        return None, None
    summary = json.loads(report.read_text())["summary"]
    return (next(iter(summary["premium_gini"].values())),
            next(iter(summary["tokens"].values())))


# ---------------------------------------------------------------------------------------------
# Report


def rows_for(vocab: int, stats: dict, models: dict[str, Path], seconds: dict[str, float],
             labels: dict[str, str]) -> list[dict]:
    rows = []
    for variant, model in models.items():
        key = str((model / "tokenizer.json").relative_to(MODELS))
        premiums = [lang["premium"][key] for lang in stats["languages"]]
        reported = stats["summary"]["premium_gini"][key]
        if abs(gini(premiums) - reported) > 1e-9:
            print(f"note: Gini from the premiums {gini(premiums):.6f} != reported {reported:.6f}")
        worst = stats["summary"]["worst"][key]
        english = next(lang for lang in stats["languages"] if lang["lang"] == "en")
        dev_gini, dev_tokens = dev_figures(model)
        rows.append({
            "vocab": vocab,
            "variant": variant,
            "label": labels[variant],
            "gini": reported,
            "dev_gini": dev_gini,
            "dev_tokens": dev_tokens,
            "tokens": stats["summary"]["tokens"][key],
            "en_tokens": english["tokens"][key],
            "max_premium": worst["premium"],
            "worst": worst["lang"],
            "min_premium": min(p for lang, p in zip(stats["languages"], premiums)
                               if lang["lang"] != "en"),
            "seconds": seconds[variant],
            "merges_chosen": merges_chosen(model),
            "vocab_reached": json.loads((model / "training.json").read_text())["vocab_size"],
        })
    return rows


def merges_chosen(model: Path) -> dict[str, int]:
    summary = json.loads((model / "training.json").read_text())
    return {lang["lang"]: lang["merges_chosen"] for lang in summary["languages"]}


def print_table(rows: list[dict]) -> None:
    print("| vocab | variant | test Gini | vs classical | dev Gini | test tokens | vs classical "
          "| dev tokens vs classical | en tokens | highest premium | lowest premium | train s |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|")
    for row in rows:
        base = next(r for r in rows if r["vocab"] == row["vocab"] and r["variant"] == "classical")
        dev = "-" if row["dev_gini"] is None else f"{row['dev_gini']:.4f}"
        dev_tokens = ("-" if row["dev_tokens"] is None or base["dev_tokens"] is None
                      else percent(row["dev_tokens"], base["dev_tokens"], 2))
        vocab = f"{row['vocab']:,}"
        if row["vocab_reached"] != row["vocab"]:
            vocab += f" (reached {row['vocab_reached']:,})"
        print(f"| {vocab} | {row['label']} | {row['gini']:.4f} "
              f"| {percent(row['gini'], base['gini'])} | {dev} | {row['tokens']:,} "
              f"| {percent(row['tokens'], base['tokens'])} | {dev_tokens} | {row['en_tokens']:,} "
              f"| {row['max_premium']:.3f} ({row['worst']}) | {row['min_premium']:.3f} "
              f"| {row['seconds']:.1f} |")


def percent(value: float, base: float, digits: int = 1) -> str:
    return f"{(value / base - 1) * 100:+.{digits}f}%"


def print_verdicts(rows: list[dict]) -> None:
    for row in rows:
        if row["variant"] == "classical":
            continue
        base = next(r for r in rows if r["vocab"] == row["vocab"] and r["variant"] == "classical")
        reduction = 1 - row["gini"] / base["gini"]
        more = row["tokens"] / base["tokens"] - 1
        gini_ok = "met" if reduction >= 0.5 else "NOT met"
        tokens_ok = "met" if more <= 0.01 else "NOT met"
        print(f"- {row['vocab']:,} {row['label']}: Gini {base['gini']:.4f} -> {row['gini']:.4f} "
              f"({reduction * 100:.1f}% lower; >= 50%: {gini_ok}), total tokens "
              f"{more * 100:+.2f}% (<= +1%: {tokens_ok})")


def select_on_dev(rows: list[dict], budget: float) -> None:
    """Per vocabulary size, the weighted row chosen on the development set alone: the lowest
    dev Gini among those whose dev tokens are at most `budget` percent above classical's; then
    its test figures, which the choice never looked at."""
    for vocab in sorted({r["vocab"] for r in rows}):
        base = next(r for r in rows if r["vocab"] == vocab and r["variant"] == "classical")
        if base["dev_tokens"] is None:
            continue
        allowed = [r for r in rows if r["vocab"] == vocab and r["variant"].startswith("weighted")
                   and r["dev_tokens"] <= base["dev_tokens"] * (1 + budget / 100)]
        if not allowed:
            print(f"- {vocab:,}: no weighted row within +{budget:g}% dev tokens")
            continue
        row = min(allowed, key=lambda r: (r["dev_gini"], r["dev_tokens"]))
        reduction = 1 - row["gini"] / base["gini"]
        more = row["tokens"] / base["tokens"] - 1
        verdict = "met" if reduction >= 0.5 and more <= 0.01 else "NOT met"
        print(f"- {vocab:,}: chosen on dev ({row['label']}: dev Gini "
              f"{percent(row['dev_gini'], base['dev_gini'])}, dev tokens "
              f"{percent(row['dev_tokens'], base['dev_tokens'], 2)}); on test: Gini "
              f"{reduction * 100:.1f}% lower, tokens {more * 100:+.2f}%: {verdict}")


def print_merges(rows: list[dict]) -> None:
    for row in rows:
        if not row["variant"].startswith(("parity-aware", "hybrid")):
            continue
        chosen = sorted(row["merges_chosen"].items(), key=lambda kv: -kv[1])
        shown = ", ".join(f"{lang} {n}" for lang, n in chosen[:8])
        print(f"- {row['vocab']:,} {row['label']}: merges chosen for: {shown}, ...")


# ---------------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    default_omnitok = Path("/tmp/omnitok-bench/omnitok")
    if not default_omnitok.exists():
        default_omnitok = ROOT / "target" / "release" / "omnitok"
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--vocab-size", type=int, action="append",
                   help="vocabulary size (repeat; default 32000)")
    p.add_argument("--variant", action="append", choices=VARIANTS,
                   help="variant to train (repeat; default: all)")
    p.add_argument("--block", type=int, default=50, help="lines of en.txt per block")
    p.add_argument("--global-fraction", type=float, action="append",
                   help="hybrid: share of the merges chosen from whole-corpus counts "
                        "(repeat for several; default 0.25)")
    p.add_argument("--temperature", type=float, action="append",
                   help="temperature variant's --lang-temperature (repeat; default 0.3)")
    p.add_argument("--weighted", type=float, action="append",
                   help="weighted variant's --parity-weighted exponent (repeat; default 11)")
    p.add_argument("--select-on-dev", type=float, metavar="PERCENT",
                   help="per vocabulary size, choose among the weighted rows on the "
                        "development set alone (lowest dev Gini with dev tokens at most PERCENT "
                        "above classical's) and give the chosen row's test verdict")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--omnitok", default=str(default_omnitok),
                   help="the omnitok binary (default: %(default)s)")
    p.add_argument("--plot", action="store_true",
                   help="also draw the test premiums per language of classical and "
                        "parity-aware: data/parity/premium-v<V>.png")
    return p.parse_args()


def main() -> None:
    args = parse_args()
    # `omnitok stats` runs inside data/parity/models: a relative path is made absolute (a bare
    # name is left to PATH).
    if os.sep in args.omnitok:
        args.omnitok = str(Path(args.omnitok).resolve())
    counts = prepare(args.block)
    print(f"split: {counts['languages']} languages; test {counts['test']:,} pairs, dev "
          f"{counts['dev']:,} pairs, {counts['train_pairs']:,} pairs left in training; training "
          f"text {counts['train_bytes']:,} bytes in {counts['train_lines']:,} lines "
          f"({counts['removed_lines']:,} lines held apart)\n")
    rows = []
    for vocab in args.vocab_size or [32000]:
        models, seconds, labels = {}, {}, {}
        for key, label, flags in variants(vocab, args):
            models[key], seconds[key] = train(key, flags, vocab, args)
            labels[key] = label
        stats = measure(list(models.values()), args)
        rows += rows_for(vocab, stats, models, seconds, labels)
        if args.plot:
            shown = [models[k] for k in ("classical", "parity-aware") if k in models]
            print(f"chart: {plot(shown, vocab, args)}", file=sys.stderr)
    if not any(r["variant"] == "classical" for r in rows):
        sys.exit("the table compares against the classical variant: include it")
    print_table(rows)
    print()
    print_verdicts(rows)
    print()
    if args.select_on_dev is not None:
        select_on_dev(rows, args.select_on_dev)
        print()
    print_merges(rows)


if __name__ == "__main__":
    main()
