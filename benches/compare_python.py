#!/usr/bin/env python3
"""Python tokenizers side by side on the bench inputs: MB per CPU-second and ratios vs omnitok.

Times, in one run, on the same documents (benches/data/{english,multilingual}.txt cut into
~1 MiB documents at line ends, exactly as the Rust benches cut them):

- Python tiktoken: tiktoken.get_encoding(ENC).encode_ordinary(doc)
- HF tokenizers: tokenizers.Tokenizer.from_file(<ENC>.tokenizer.json exported by omnitok)
  .encode(doc, add_special_tokens=False), one document at a time; and, as HF's best case,
  .encode_batch(all lines of the documents) (HF is ~2x slower per byte on 1 MiB strings)
- omnitok's Python module, if `import omnitok` works: omnitok.get_encoding(ENC).encode_ordinary
- omnitok in Rust (the `compare` binary, run as a subprocess on the same files once a round), so
  that there is an omnitok figure even without the Python module.

All outputs are checked against tiktoken's before timing. CPU time is time.process_time() (all
threads of this process), so a library that uses several threads is charged for all of them;
each library keeps its best of --rounds rounds, and the rounds interleave the libraries so that
noise from other processes hits them alike. MB = 10^6 bytes.

Usage (from the workspace root; any Python with tiktoken and tokenizers installed):
    python benches/compare_python.py [--rounds 3] [--encoding o200k_base] [--input english] ...

The script first runs `cargo build --release -p omnitok-benches --bins` (skip with --no-build),
then makes missing inputs and tokenizer.json with the `make_inputs` and `export_tokenizer_json`
binaries. Without network access, tiktoken's rank file is
taken from the committed tokenizer/data/<ENC>.tiktoken.gz (tiktoken checks its SHA-256).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

BENCHES = Path(__file__).resolve().parent
ROOT = BENCHES.parent
INPUTS = ("english", "multilingual")
DOCUMENT_BYTES = 1 << 20  # omnitok_benches::inputs::DOCUMENT_BYTES
TIKTOKEN_URL = "https://openaipublic.blob.core.windows.net/encodings/{}.tiktoken"


def split_documents(data: bytes, chunk: int = DOCUMENT_BYTES) -> list[str]:
    """The cut of omnitok_benches::inputs::split_documents: each document ends at the first
    newline at or after `chunk` bytes from its start (newline included)."""
    documents = []
    start = 0
    while start < len(data):
        newline = data.find(b"\n", min(start + chunk - 1, len(data)))
        end = len(data) if newline < 0 else newline + 1
        documents.append(data[start:end].decode("utf-8"))
        start = end
    return documents


def build_rust() -> None:
    """Builds the crate's binaries once, before any timing (a `cargo run` per round would rebuild
    in the middle of the measurements whenever the sources change)."""
    command = ["cargo", "build", "--quiet", "--release", "-p", "omnitok-benches", "--bins"]
    print("$ " + " ".join(command), file=sys.stderr)
    subprocess.run(command, cwd=ROOT, check=True)


def rust_binary(name: str) -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "release" / name


def run_rust(binary: str, *args: str) -> str:
    command = [str(rust_binary(binary)), *args]
    print("$ " + " ".join(command), file=sys.stderr)
    done = subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True)
    return done.stdout


def data_dir() -> Path:
    return Path(os.environ.get("OMNITOK_BENCH_DATA", BENCHES / "data"))


def ensure_inputs(names: Sequence[str]) -> dict[str, list[str]]:
    directory = data_dir()
    if not all((directory / f"{name}.txt").exists() for name in names):
        run_rust("make_inputs", "--out", str(directory))
    return {name: split_documents((directory / f"{name}.txt").read_bytes()) for name in names}


def tiktoken_encoding(encoding: str):
    """tiktoken.get_encoding, seeding tiktoken's cache from the committed rank file when the
    file is not cached yet (no network needed; tiktoken still verifies the SHA-256)."""
    import tiktoken

    if "TIKTOKEN_CACHE_DIR" not in os.environ and "DATA_GYM_CACHE_DIR" not in os.environ:
        os.environ["TIKTOKEN_CACHE_DIR"] = str(data_dir() / "tiktoken-cache")
    cache = Path(os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ["DATA_GYM_CACHE_DIR"])
    cached = cache / hashlib.sha1(TIKTOKEN_URL.format(encoding).encode()).hexdigest()
    committed = ROOT / "tokenizer" / "data" / f"{encoding}.tiktoken.gz"
    if not cached.exists() and committed.exists():
        cache.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(gzip.decompress(committed.read_bytes()))
    return tiktoken.get_encoding(encoding)


def hf_tokenizer(encoding: str):
    from tokenizers import Tokenizer

    path = data_dir() / f"{encoding}.tokenizer.json"
    if not path.exists():
        run_rust("export_tokenizer_json", encoding, str(path))
    return Tokenizer.from_file(str(path))


def omnitok_python(encoding: str):
    """omnitok's Python encode_ordinary, or None (with the reason) when it cannot be used."""
    try:
        import omnitok  # noqa: PLC0415
    except ImportError as error:
        return None, f"import omnitok failed ({error})"
    try:
        encoder = omnitok.get_encoding(encoding)
        encode = encoder.encode_ordinary
    except Exception as error:  # noqa: BLE001 - any API mismatch just skips the library
        return None, f"omnitok.get_encoding({encoding!r}).encode_ordinary unavailable ({error})"
    return encode, ""


def lines(document: str) -> list[str]:
    """The document cut after each "\\n" (str.splitlines would also cut at other breaks)."""
    parts = document.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def as_list(ids) -> list[int]:
    return ids.tolist() if hasattr(ids, "tolist") else list(ids)


def first_difference(reference: list[int], ids: list[int]) -> str:
    at = next((i for i, (a, b) in enumerate(zip(reference, ids)) if a != b), None)
    if at is None:
        at = min(len(reference), len(ids))
    return (
        f"{len(reference)} vs {len(ids)} tokens, first difference at token {at}: "
        f"tiktoken {reference[at:at + 6]} vs {ids[at:at + 6]}"
    )


Encoder = Callable[[Sequence[str]], int]


def make_encoders(encoding: str) -> tuple[dict[str, Encoder], dict[str, Callable], list[str]]:
    """Whole-input encoders (documents -> token count), per-document encoders for the check,
    and notes on skipped libraries."""
    notes = []
    tiktoken_enc = tiktoken_encoding(encoding)
    hf = hf_tokenizer(encoding)
    per_document: dict[str, Callable] = {
        "Python tiktoken": tiktoken_enc.encode_ordinary,
        "HF tokenizers": lambda doc: hf.encode(doc, add_special_tokens=False).ids,
    }
    encoders: dict[str, Encoder] = {
        "Python tiktoken": lambda docs: sum(len(tiktoken_enc.encode_ordinary(d)) for d in docs),
        "HF tokenizers": lambda docs: sum(
            len(hf.encode(d, add_special_tokens=False).ids) for d in docs
        ),
        # HF is much slower on 1 MiB strings than on short ones; this row shows its best case:
        # the same bytes as lines (same tokens on these inputs), all in one encode_batch call.
        "HF tokenizers encode_batch, lines": lambda docs: sum(
            len(e.ids)
            for e in hf.encode_batch(
                [line for d in docs for line in lines(d)],
                add_special_tokens=False,
            )
        ),
    }
    omnitok_encode, why = omnitok_python(encoding)
    if omnitok_encode is None:
        notes.append(f"omnitok (Python) skipped: {why}")
    else:
        per_document["omnitok (Python)"] = omnitok_encode
        encoders["omnitok (Python)"] = lambda docs: sum(len(omnitok_encode(d)) for d in docs)
    return encoders, per_document, notes


def check(per_document: dict[str, Callable], documents: list[str]) -> list[str]:
    mismatches = []
    reference_encode = per_document["Python tiktoken"]
    for index, document in enumerate(documents):
        reference = as_list(reference_encode(document))
        for name, encode in per_document.items():
            if name == "Python tiktoken":
                continue
            ids = as_list(encode(document))
            if ids != reference:
                mismatches.append(f"{name}, document {index}: {first_difference(reference, ids)}")
    return mismatches


def rust_omnitok(inputs: Sequence[str], encoding: str, rounds: int) -> dict[str, float]:
    """Best single-thread CPU seconds of Rust omnitok per input, from the `compare` binary (its
    own CPU clock: process_time() does not see a child's time)."""
    args = ["--tsv", "--skip-check", "--no-batch", "--library", "omnitok"]
    args += ["--encoding", encoding, "--rounds", str(rounds)]
    for name in inputs:
        args += ["--input", name]
    best = {}
    for line in run_rust("compare", *args).splitlines():
        fields = line.split("\t")
        if len(fields) == 6 and fields[2] == "omnitok":
            best[fields[0]] = float(fields[4])
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--encoding", default="o200k_base")
    parser.add_argument("--input", action="append", choices=INPUTS, dest="inputs")
    parser.add_argument("--skip-check", action="store_true")
    parser.add_argument("--no-rust", action="store_true", help="do not run the Rust omnitok")
    parser.add_argument(
        "--no-build",
        action="store_true",
        help="use the binaries already in $CARGO_TARGET_DIR/release (default target/release)",
    )
    options = parser.parse_args()
    inputs = options.inputs or list(INPUTS)
    rounds = max(1, options.rounds)

    if not options.no_build:
        build_rust()
    documents = ensure_inputs(inputs)
    encoders, per_document, notes = make_encoders(options.encoding)
    for note in notes:
        print(note, file=sys.stderr)

    agree = True
    if not options.skip_check:
        for name in inputs:
            mismatches = check(per_document, documents[name])
            for mismatch in mismatches:
                print(f"MISMATCH ({name}): {mismatch}", file=sys.stderr)
            if not mismatches:
                print(f"{name}: all outputs agree with tiktoken", file=sys.stderr)
            agree &= not mismatches

    sizes = {name: sum(len(d.encode("utf-8")) for d in documents[name]) for name in inputs}
    best: dict[tuple[str, str], float] = {}
    # Rounds outermost, so that each round runs every library (Rust omnitok included) once on
    # every input, close together in time.
    for round_index in range(rounds):
        for name in inputs:
            for library, encode in encoders.items():
                started = time.process_time()
                tokens = encode(documents[name])
                cpu = time.process_time() - started
                key = (library, name)
                best[key] = min(best.get(key, float("inf")), cpu)
                print(
                    f"  round {round_index}, {name}: {library:<33} {tokens} tokens, "
                    f"{cpu:.3f} CPU-s",
                    file=sys.stderr,
                )
        if not options.no_rust:
            # Two passes: the first pass of a new process also pays for first touches (page faults
            # on the tables and output buffers) that the Python libraries paid in earlier rounds.
            for name, seconds in rust_omnitok(inputs, options.encoding, 2).items():
                key = ("omnitok (Rust)", name)
                best[key] = min(best.get(key, float("inf")), seconds)

    measured = {library for library, _ in best}
    order = ("omnitok (Rust)", "omnitok (Python)", *encoders)
    libraries = [lib for lib in dict.fromkeys(order) if lib in measured]
    omnitoks = [lib for lib in ("omnitok (Python)", "omnitok (Rust)") if lib in measured]
    reference = omnitoks[0] if omnitoks else None

    print(f"\n{options.encoding}, MB per CPU-second, best of {rounds} rounds (MB = 10^6 bytes)")
    if reference:
        print(f"ratio = {reference} MB/CPU-s / the library's MB/CPU-s")
    print()
    header = "| library |" + "".join(f" {n} MB/CPU-s | {n} ratio |" for n in inputs)
    print(header)
    print("|---|" + "---:|---:|" * len(inputs))
    for library in libraries:
        cells = []
        for name in inputs:
            seconds = best.get((library, name))
            if seconds is None:
                cells += ["-", "-"]
                continue
            rate = sizes[name] / 1e6 / seconds
            ref = best.get((reference, name)) if reference else None
            cells += [f"{rate:.1f}", f"{seconds / ref:.2f}x" if ref else "-"]
        print(f"| {library} | " + " | ".join(cells) + " |")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
