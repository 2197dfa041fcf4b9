"""omnitok.dask on a Dask LocalCluster of two worker processes: each part of a sharded corpus is
byte-identical to `omnitok tokenize` run on that file alone; omnitok.tokenize_corpus equals the
CLI in-process too."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
from pathlib import Path

import pytest

import omnitok
import omnitok.dask

ROOT = Path(__file__).resolve().parents[2]
WORDS = ["token", "Wörter", "сло́ва", "词语", "λέξεις", "kelimeler", "🙂", "shard", "Dask", "\n"]


def cli() -> Path:
    """The omnitok binary `cargo test` built (or a release build), building it if neither is."""
    for profile in ("debug", "release"):
        binary = ROOT / "target" / profile / "omnitok"
        if binary.exists():
            return binary
    subprocess.run(["cargo", "build", "--quiet", "-p", "omnitok-cli"], cwd=ROOT, check=True)
    return ROOT / "target" / "debug" / "omnitok"


def write_corpus(folder: Path) -> list:
    """Four shards of JSON Lines, two of them gzipped, of seeded multilingual text."""
    import random

    rng = random.Random(0)
    files = []
    for k in range(4):
        lines = [json.dumps({"text": " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 60)))},
                            ensure_ascii=False) for _ in range(50)]
        data = ("\n".join(lines) + "\n").encode()
        path = folder / (f"part{k}.jsonl.gz" if k % 2 else f"part{k}.jsonl")
        path.write_bytes(gzip.compress(data, mtime=0) if k % 2 else data)
        files.append(path)
    return files


def tree(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_dask_parts_equal_the_cli(tmp_path):
    distributed = pytest.importorskip("distributed")
    files = write_corpus(tmp_path)
    expected = {}
    for path in files:
        out = tmp_path / "cli" / omnitok.dask.part_name(path)
        subprocess.run([str(cli()), "tokenize", "--quiet", "--append-eot", "--shard-tokens", "500",
                        str(path), "-o", str(out)], check=True)
        expected[out.name] = tree(out)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        parts = omnitok.dask.tokenize([str(f) for f in files], tmp_path / "dask", client=client,
                                      append_eot="<|endoftext|>", shard_tokens=500)
    assert [p["part"] for p in parts] == ["part0", "part1", "part2", "part3"]
    for name, files_of_part in expected.items():
        assert tree(tmp_path / "dask" / name) == files_of_part, name
        assert len([f for f in files_of_part if f.endswith(".bin")]) >= 2  # several shards each
    listing = json.loads((tmp_path / "dask" / "parts.json").read_text())
    assert listing["parts"] == parts
    # Resuming skips finished parts and lists the same.
    again = omnitok.dask.tokenize([str(f) for f in files], tmp_path / "dask", resume=True,
                                  append_eot="<|endoftext|>", shard_tokens=500)
    assert again == parts


def test_tokenize_corpus_equals_the_cli(tmp_path):
    files = write_corpus(tmp_path)
    subprocess.run([str(cli()), "tokenize", "--quiet", "--split", "line", "--format", "npy",
                    str(tmp_path), "--glob", "*.jsonl*", "-o", str(tmp_path / "cli")], check=True)
    manifest = omnitok.tokenize_corpus([tmp_path], tmp_path / "py", split="line", format="npy",
                                       glob="*.jsonl*", threads=2)
    assert tree(tmp_path / "py") == tree(tmp_path / "cli")
    assert manifest["totals"]["documents"] > 200
    with pytest.raises(ValueError, match="split"):
        omnitok.tokenize_corpus(files, tmp_path / "bad", split="page")
