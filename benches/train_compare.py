#!/usr/bin/env python3
"""Training speed and memory: `omnitok train` against HF tokenizers and sentencepiece.

On the same corpus and vocabulary size, each trainer runs in its own process, one after the
other (never two at once), and the rounds interleave the trainers so that noise from other
processes on the machine hits them alike. For each trainer the table shows its best round:

- omnitok: `omnitok train --vocab-size V --min-frequency F --threads T -o DIR CORPUS`, timed as
  the whole process (start-up, reading, counting, merging and writing its four files); the
  corpus file is one document. The ratios are for this row. Also shown: the same with
  `--split line` (each line a document, without its line end), which holds less text at once;
  HF, by contrast, reads the file line by line with the line ends kept;
- HF tokenizers: models.BPE() with pre_tokenizer Sequence([Split(Regex(<omnitok's pattern>),
  "isolated"), ByteLevel(add_prefix_space=False, use_regex=False)]) and BpeTrainer(vocab_size=V,
  min_frequency=F, initial_alphabet=ByteLevel.alphabet(), show_progress=False), timed around
  `tokenizer.train([CORPUS], trainer)` only (no interpreter start-up, no saving), with
  RAYON_NUM_THREADS=T;
- sentencepiece: SentencePieceTrainer.train(model_type="bpe", vocab_size=V, byte_fallback=True,
  character_coverage=1.0, num_threads=T, input_sentence_size=0 (every line),
  shuffle_input_sentence=False, max_sentence_length=<longest line + 1> (no line skipped),
  train_extremely_large_corpus=False, hard_vocab_limit=False (a corpus with too few distinct
  words stops below V instead of failing)), timed around the train call (it writes its model).
  sentencepiece has its own pre-tokenization (NFKC, whitespace and script boundaries, pieces of
  at most 16 characters) and no minimum frequency: it is a reference point, not the same task.

The o200k pattern handed to HF is the `pattern` field of the tokenizer.tiktoken.json that
omnitok writes. Peak RSS is each child's maximum resident set from GNU time (`/usr/bin/time -f
%M`; the whole process: for the Python trainers, the interpreter and the library too;
`--baseline` shows that floor). Wall times come from time.perf_counter. CPU stall from
/proc/pressure/cpu ("some": time in which a runnable task waited for a core, the trainers' own
threads included) is shown for each best run and each corpus; a large stall means the machine
was busy. --quiet-below waits before each run until the machine is quiet.

After timing, omnitok's trained tokenizer.json is loaded with HF tokenizers and its
tokenizer.tiktoken with tiktoken (tiktoken.Encoding(name, pat_str=<side file's pattern>,
mergeable_ranks=load_tiktoken_bpe(path), special_tokens={})), and both encode a sample of the
corpus's lines; the token IDs must be equal. The vocabularies of omnitok and HF are compared too.

Corpora (benches/data, git-ignored, built when missing):
- english: benches/data/english.txt (20,971,586 bytes; `make_inputs`), en.txt repeated;
- all-languages: benches/data/train-all-languages.txt, every <lang>.txt of
  ../shared/corpora/gnome-user-docs (40 languages, en included) concatenated in name order;
- large: benches/data/train-large.txt, all-languages 8 times then english (scaling).

Usage (from the workspace root; a Python with tokenizers, sentencepiece and tiktoken):
    python3 -m venv /tmp/trainbench
    /tmp/trainbench/bin/pip install tokenizers sentencepiece tiktoken
    cargo build --release -p omnitok-cli
    mkdir -p /tmp/omnitok-bench && cp target/release/omnitok /tmp/omnitok-bench/omnitok
    /tmp/trainbench/bin/python benches/train_compare.py --rounds 3 \
        [--corpus english --corpus all-languages --corpus large] [--trainer omnitok ...] \
        [--quiet-below 10] [--baseline]
MB = 10^6 bytes; RSS in MiB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCHES = Path(__file__).resolve().parent
ROOT = BENCHES.parent
DATA = Path(os.environ.get("OMNITOK_BENCH_DATA", BENCHES / "data"))
CORPUS_DIR = Path(
    os.environ.get("OMNITOK_CORPUS_DIR", ROOT.parent / "shared" / "corpora" / "gnome-user-docs")
)
CORPORA = ("english", "all-languages", "large")
TRAINERS = ("omnitok", "omnitok-lines", "hf", "sentencepiece")
LABELS = {"omnitok": "omnitok train", "omnitok-lines": "omnitok train --split line",
          "hf": "HF tokenizers", "sentencepiece": "sentencepiece"}
LARGE_COPIES = 8
TIME = "/usr/bin/time"  # GNU time: -f %M is the peak RSS in KiB


# ---------------------------------------------------------------------------------------------
# Corpora


def english_corpus() -> Path:
    path = DATA / "english.txt"
    if not path.exists():
        command = ["cargo", "run", "--quiet", "--release", "-p", "omnitok-benches",
                   "--bin", "make_inputs"]
        print("$ " + " ".join(command), file=sys.stderr)
        subprocess.run(command, cwd=ROOT, check=True)
    return path


def language_files() -> list[Path]:
    files = sorted(CORPUS_DIR.glob("*.txt"))
    if not files:
        sys.exit(f"no <lang>.txt files in {CORPUS_DIR}")
    return files


def write_concatenation(path: Path, parts: list[Path]) -> None:
    """Writes the parts one after the other, each ending with a newline."""
    temporary = path.with_suffix(".tmp")
    with open(temporary, "wb") as out:
        for part in parts:
            data = part.read_bytes()
            out.write(data)
            if data and not data.endswith(b"\n"):
                out.write(b"\n")
    temporary.rename(path)


def build_corpus(name: str) -> Path:
    """The corpus file, built into benches/data when missing."""
    DATA.mkdir(parents=True, exist_ok=True)
    if name == "english":
        return english_corpus()
    all_languages = DATA / "train-all-languages.txt"
    if not all_languages.exists():
        write_concatenation(all_languages, language_files())
    if name == "all-languages":
        return all_languages
    large = DATA / "train-large.txt"
    if not large.exists():
        write_concatenation(large, [all_languages] * LARGE_COPIES + [english_corpus()])
    return large


def longest_line(path: Path) -> int:
    with open(path, "rb") as f:
        return max((len(line) for line in f), default=0)


# ---------------------------------------------------------------------------------------------
# Children: one trainer each, run as `train_compare.py --child KIND ...`


def child_hf(corpus: str, out: Path, pattern: str, vocab: int, min_freq: int) -> dict:
    from tokenizers import Regex, Tokenizer, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(pattern), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    trainer = trainers.BpeTrainer(
        vocab_size=vocab,
        min_frequency=min_freq,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    start = time.perf_counter()
    tokenizer.train([corpus], trainer)
    seconds = time.perf_counter() - start
    tokenizer.save(str(out / "tokenizer.json"))
    return {"seconds": seconds, "vocab": tokenizer.get_vocab_size()}


def child_sentencepiece(corpus: str, out: Path, vocab: int, threads: int, max_len: int) -> dict:
    import sentencepiece as spm

    prefix = str(out / "spm")
    start = time.perf_counter()
    spm.SentencePieceTrainer.train(
        input=corpus,
        model_prefix=prefix,
        model_type="bpe",
        vocab_size=vocab,
        byte_fallback=True,
        character_coverage=1.0,
        num_threads=threads,
        input_sentence_size=0,
        shuffle_input_sentence=False,
        max_sentence_length=max_len,
        train_extremely_large_corpus=False,
        hard_vocab_limit=False,
        minloglevel=2,
    )
    seconds = time.perf_counter() - start
    size = spm.SentencePieceProcessor(model_file=prefix + ".model").get_piece_size()
    return {"seconds": seconds, "vocab": size}


def child_main(args: argparse.Namespace) -> None:
    out = Path(args.out)
    if args.child == "noop-hf":
        import tokenizers  # noqa: F401  (the interpreter and library alone)
        result = {"seconds": 0.0, "vocab": 0}
    elif args.child == "noop-sentencepiece":
        import sentencepiece  # noqa: F401
        result = {"seconds": 0.0, "vocab": 0}
    elif args.child == "hf":
        result = child_hf(args.corpus_file, out, args.pattern, args.vocab_size, args.min_frequency)
    else:
        result = child_sentencepiece(args.corpus_file, out, args.vocab_size, args.threads,
                                     args.max_sentence_length)
    print(json.dumps(result))


# ---------------------------------------------------------------------------------------------
# Running a trainer and measuring it


@dataclass
class Run:
    seconds: float  # the trainer's own time (see the docstring)
    process_seconds: float  # the whole child process
    rss_kib: int
    vocab: int
    stall: float = 0.0  # seconds of CPU stall (other processes waiting) during the run


@dataclass
class Results:
    runs: dict[str, list[Run]] = field(default_factory=dict)
    stall_seconds: float = 0.0

    def best(self, trainer: str) -> Run:
        return min(self.runs[trainer], key=lambda r: r.seconds)

    def peak_rss(self, trainer: str) -> int:
        return max(r.rss_kib for r in self.runs[trainer])


def cpu_pressure() -> tuple[float, int]:
    """(avg10 in %, total in µs) of "some" in /proc/pressure/cpu: processes waiting for a CPU."""
    try:
        first = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except OSError:
        return 0.0, 0
    fields = dict(f.split("=") for f in first.split()[1:])
    return float(fields["avg10"]), int(fields["total"])


def cpu_stall_us() -> int:
    return cpu_pressure()[1]


def wait_for_quiet(limit: float | None, most_seconds: float = 300) -> None:
    """Waits (at most most_seconds) until the 10-second CPU pressure is below limit %."""
    if limit is None:
        return
    deadline = time.monotonic() + most_seconds
    while cpu_pressure()[0] > limit and time.monotonic() < deadline:
        time.sleep(2)


def run_child(command: list[str], env: dict[str, str] | None = None) -> tuple[str, float, int]:
    """Runs `command` under /usr/bin/time; returns its stdout, wall seconds and peak RSS (KiB).

    Not os.wait4's ru_maxrss: on Linux a child's maxrss starts from the high-water mark of the
    process it was forked from (this script, which grows during the output checks), so small
    trainers would be charged for it. /usr/bin/time forks from a ~2 MiB process.
    """
    with tempfile.NamedTemporaryFile(mode="r") as rss, tempfile.TemporaryFile() as stdout, \
            tempfile.TemporaryFile() as stderr:
        timed = [TIME, "-f", "%M", "-o", rss.name, *command]
        start = time.perf_counter()
        code = subprocess.run(timed, stdout=stdout, stderr=stderr, env=env, cwd=ROOT).returncode
        seconds = time.perf_counter() - start
        stdout.seek(0)
        stderr.seek(0)
        out, err = stdout.read().decode(), stderr.read().decode()
        rss_kib = int(rss.read().strip().splitlines()[-1])
    if code != 0:
        sys.exit(f"failed ({code}): {' '.join(command)}\n{err}")
    return out, seconds, rss_kib


def trainer_command(trainer: str, args: argparse.Namespace, corpus: Path, out: Path,
                    pattern: str, max_len: int) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ)
    if trainer.startswith("omnitok"):
        split = ["--split", "line"] if trainer == "omnitok-lines" else []
        return [args.omnitok, "train", "-q", "--vocab-size", str(args.vocab_size),
                "--min-frequency", str(args.min_frequency), "--threads", str(args.threads),
                *split, "-o", str(out), str(corpus)], env
    env["RAYON_NUM_THREADS"] = str(args.threads)
    command = [sys.executable, str(Path(__file__).resolve()), "--child", trainer,
               "--corpus-file", str(corpus), "--out", str(out),
               "--vocab-size", str(args.vocab_size), "--min-frequency", str(args.min_frequency),
               "--threads", str(args.threads), "--max-sentence-length", str(max_len),
               "--pattern", pattern]
    return command, env


def run_trainer(trainer: str, args: argparse.Namespace, corpus: Path, out: Path, pattern: str,
                max_len: int) -> Run:
    shutil.rmtree(out, ignore_errors=True)
    if not trainer.startswith("omnitok"):
        out.mkdir(parents=True)
    command, env = trainer_command(trainer, args, corpus, out, pattern, max_len)
    wait_for_quiet(args.quiet_below)
    stall = cpu_stall_us()
    stdout, seconds, rss = run_child(command, env)
    stall = (cpu_stall_us() - stall) / 1e6
    if trainer.startswith("omnitok"):
        summary = json.loads((out / "training.json").read_text())
        vocab = summary["ordinary_tokens"] + len(summary["special_tokens"])
        return Run(seconds, seconds, rss, vocab, stall)
    result = json.loads(stdout.strip().splitlines()[-1])
    return Run(result["seconds"], seconds, rss, result["vocab"], stall)


def omnitok_pattern(args: argparse.Namespace, work: Path) -> str:
    """The pattern omnitok writes into tokenizer.tiktoken.json (o200k's), from a tiny run."""
    tiny = work / "tiny.txt"
    tiny.write_text("Hello world, hello omnitok.\n" * 4)
    out = work / "pattern"
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([args.omnitok, "train", "-q", "--vocab-size", "260", "--threads", "1",
                    "-o", str(out), str(tiny)], check=True)
    return json.loads((out / "tokenizer.tiktoken.json").read_text())["pattern"]


def baseline_rss(args: argparse.Namespace, work: Path) -> dict[str, int]:
    """Peak RSS of each trainer doing (almost) nothing: omnitok on a 112-byte input, the Python
    children after importing their library."""
    rss = {}
    out = work / "baseline"
    shutil.rmtree(out, ignore_errors=True)
    _, _, rss["omnitok"] = run_child([args.omnitok, "train", "-q", "--vocab-size", "260",
                                      "--threads", str(args.threads), "-o", str(out),
                                      str(work / "tiny.txt")])
    for trainer in ("hf", "sentencepiece"):
        _, _, rss[trainer] = run_child([sys.executable, str(Path(__file__).resolve()),
                                        "--child", "noop-" + trainer, "--out", str(work)])
    return rss


# ---------------------------------------------------------------------------------------------
# The checks on omnitok's output


def sample_lines(corpus: Path, max_bytes: int) -> list[str]:
    """Every k-th line of the corpus, k chosen so that the sample is about max_bytes."""
    size = corpus.stat().st_size
    step = max(1, size // max_bytes)
    with open(corpus, encoding="utf-8") as f:
        return [line for i, line in enumerate(f) if i % step == 0]


def check_outputs(omnitok_out: Path, hf_out: Path | None, corpus: Path, sample_bytes: int) -> None:
    import tiktoken
    import tiktoken.load
    from tokenizers import Tokenizer

    lines = sample_lines(corpus, sample_bytes)
    meta = json.loads((omnitok_out / "tokenizer.tiktoken.json").read_text())
    encoding = tiktoken.Encoding(
        "omnitok-trained",
        pat_str=meta["pattern"],
        mergeable_ranks=tiktoken.load.load_tiktoken_bpe(str(omnitok_out / "tokenizer.tiktoken")),
        special_tokens={},
    )
    hf = Tokenizer.from_file(str(omnitok_out / "tokenizer.json"))
    tk_ids = encoding.encode_ordinary_batch(lines)
    hf_ids = [e.ids for e in hf.encode_batch(lines, add_special_tokens=False)]
    differ = [i for i, (a, b) in enumerate(zip(tk_ids, hf_ids)) if a != b]
    tokens = sum(map(len, tk_ids))
    size = sum(len(line.encode()) for line in lines)
    verdict = "identical" if not differ else f"DIFFER on {len(differ)} lines"
    print(f"  check: {len(lines):,} lines ({size:,} bytes), {tokens:,} tokens: tiktoken "
          f"(tokenizer.tiktoken) and HF tokenizers (tokenizer.json) {verdict}")
    for i in differ[:3]:
        print(f"    line {i}: {lines[i]!r}\n      tiktoken {tk_ids[i][:20]}\n"
              f"      HF       {hf_ids[i][:20]}")
    decoded = encoding.decode_batch(tk_ids)
    print(f"  check: tiktoken decodes the sample back to the text: {decoded == lines}")
    if hf_out is not None and (hf_out / "tokenizer.json").exists():
        ours = set(json.loads((omnitok_out / "tokenizer.json").read_text())["model"]["vocab"])
        theirs = set(json.loads((hf_out / "tokenizer.json").read_text())["model"]["vocab"])
        print(f"  vocabularies: omnitok {len(ours):,}, HF {len(theirs):,}, "
              f"in both {len(ours & theirs):,}")


# ---------------------------------------------------------------------------------------------
# Tables


def mib(kib: int) -> str:
    return f"{kib / 1024:,.0f}"


def print_table(corpus_name: str, corpus: Path, results: Results, trainers: list[str],
                rounds: int) -> None:
    size = corpus.stat().st_size
    print(f"\n### {corpus_name}: {corpus.name}, {size:,} bytes, best of {rounds} "
          f"(CPU stall during the runs: {results.stall_seconds:.1f} s)\n")
    print("| trainer | seconds | all rounds | MB/s | process s | peak RSS MiB | vocab reached "
          "| stall s (best) |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for trainer in trainers:
        best = results.best(trainer)
        every = " ".join(f"{r.seconds:.2f}" for r in results.runs[trainer])
        speed = size / 1e6 / best.seconds
        print(f"| {LABELS[trainer]} | {best.seconds:.2f} | {every} | {speed:.1f} "
              f"| {best.process_seconds:.2f} | {mib(results.peak_rss(trainer))} | {best.vocab:,} "
              f"| {best.stall:.2f} |")
    if "omnitok" not in trainers:
        return
    ours = results.best("omnitok")
    print()
    for peer in trainers:
        if peer.startswith("omnitok"):
            continue
        theirs = results.best(peer)
        print(f"omnitok vs {LABELS[peer]}: {theirs.seconds / ours.seconds:.2f}x faster "
              f"({theirs.process_seconds / ours.process_seconds:.2f}x in process time), "
              f"peak RSS {results.peak_rss('omnitok') / results.peak_rss(peer):.2f}x theirs")


# ---------------------------------------------------------------------------------------------


def bench_corpus(name: str, args: argparse.Namespace, work: Path, pattern: str) -> None:
    corpus = build_corpus(name)
    max_len = longest_line(corpus) + 1
    trainers = list(args.trainer or TRAINERS)
    results = Results(runs={t: [] for t in trainers})
    stall_before = cpu_stall_us()
    for round_ in range(args.rounds):
        for trainer in trainers:
            out = work / name / trainer
            run = run_trainer(trainer, args, corpus, out, pattern, max_len)
            results.runs[trainer].append(run)
            print(f"  {name} round {round_ + 1}: {trainer} {run.seconds:.2f} s, "
                  f"{mib(run.rss_kib)} MiB, vocab {run.vocab}, CPU stall {run.stall:.2f} s",
                  file=sys.stderr, flush=True)
    results.stall_seconds = (cpu_stall_us() - stall_before) / 1e6
    print_table(name, corpus, results, trainers, args.rounds)
    if "omnitok" in trainers and not args.no_check:
        hf_out = work / name / "hf" if "hf" in trainers else None
        check_outputs(work / name / "omnitok", hf_out, corpus, args.sample_bytes)
    sys.stdout.flush()


def parse_args() -> argparse.Namespace:
    default_omnitok = Path("/tmp/omnitok-bench/omnitok")
    if not default_omnitok.exists():
        default_omnitok = ROOT / "target" / "release" / "omnitok"
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--corpus", action="append", choices=CORPORA,
                   help="corpus to train on (repeat; default: all three)")
    p.add_argument("--trainer", action="append", choices=TRAINERS,
                   help="trainer to run (repeat; default: all)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--vocab-size", type=int, default=32000)
    p.add_argument("--min-frequency", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--omnitok", default=str(default_omnitok),
                   help="the omnitok binary (default: %(default)s)")
    p.add_argument("--work", default="/tmp/omnitok-train-bench",
                   help="scratch folder for the trainers' outputs")
    p.add_argument("--sample-bytes", type=int, default=2_000_000,
                   help="about this much of the corpus is encoded by the output check")
    p.add_argument("--no-check", action="store_true", help="skip the output check")
    p.add_argument("--quiet-below", type=float, metavar="PERCENT",
                   help="before each run, wait (up to 5 minutes) until the 10-second CPU "
                        "pressure of other processes is below PERCENT")
    p.add_argument("--baseline", action="store_true",
                   help="also show each trainer's peak RSS when it does nothing")
    # Internal: run one trainer in this process and print {"seconds", "vocab"}.
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--corpus-file", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    p.add_argument("--pattern", help=argparse.SUPPRESS)
    p.add_argument("--max-sentence-length", type=int, default=1 << 20, help=argparse.SUPPRESS)
    return p.parse_args()


def main() -> None:
    args = parse_args()
    if args.child:
        child_main(args)
        return
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    pattern = omnitok_pattern(args, work)
    print(f"omnitok: {args.omnitok}; vocab size {args.vocab_size}, min frequency "
          f"{args.min_frequency}, {args.threads} threads")
    if args.baseline:
        rss = baseline_rss(args, work)
        print("peak RSS doing nothing: " + ", ".join(f"{LABELS[t]} {mib(v)} MiB"
                                                      for t, v in rss.items()))
    for name in args.corpus or CORPORA:
        bench_corpus(name, args, work, pattern)


if __name__ == "__main__":
    main()
