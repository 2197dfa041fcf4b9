"""Tokenizing corpora larger than one machine on Dask: one task per input file (a corpus shard),
each writing ``output_dir/<name>/`` exactly as ``omnitok tokenize FILE -o output_dir/<name>``
would (shards, index and manifest.json, byte for byte), then ``output_dir/parts.json`` listing
the parts in input order with their totals.

    from dask.distributed import Client
    import omnitok.dask
    client = Client("scheduler:8786")          # or LocalCluster(); any Dask scheduler works
    parts = omnitok.dask.tokenize(sorted(glob.glob("/data/corpus/*.jsonl.zst")), "/data/tokens",
                                  encoding="o200k_base", append_eot="<|endoftext|>")

The workers need omnitok installed and the same paths visible (a shared file system). Each task
runs on one thread (``threads_per_task``), so a worker with N threads runs N files at once. A
task that fails leaves its part without manifest.json; run the same call with ``resume=True`` to
finish the parts that are missing.

The same one-task-per-file recipe works on other engines: Ray Data
(``ray.data.from_items(files).map(lambda row: {"manifest": omnitok.tokenize_corpus([row["item"]],
out / name(row["item"]), threads=1)})``) and Spark (``sc.parallelize(files, len(files))
.map(lambda f: omnitok.tokenize_corpus([f], out / name(f), threads=1)).collect()``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from ._files import write_atomically
from ._omnitok import _defaults
from .corpus import PathLike, tokenize_corpus
from .errors import InputError

_DEFAULTS = _defaults()

__all__ = ["part_name", "tokenize"]


def part_name(path: PathLike) -> str:
    """The folder a file's part goes to: its file name up to the first dot."""
    return Path(path).name.split(".")[0]


def _tokenize_part(path: str, output: str, encoding: str, options: Dict[str, Any]) -> Dict[str, Any]:
    manifest = tokenize_corpus([path], output, encoding, **options)
    return {"file": path, "part": os.path.basename(output), "totals": manifest["totals"]}


def tokenize(inputs: Sequence[PathLike], output_dir: PathLike, encoding: str = _DEFAULTS["encoding"], *,
             client=None, threads_per_task: int = 1, resume: bool = False, **options) -> List[Dict[str, Any]]:
    """Tokenizes each input file in its own Dask task (see the module documentation); returns
    and writes (``parts.json``) the parts in input order. ``options`` are those of
    ``omnitok.tokenize_corpus``. Without ``client``, the current Dask scheduler runs the tasks."""
    import dask

    files = [os.fspath(p) for p in inputs]
    names = [part_name(f) for f in files]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InputError(f"inputs that would share a part folder: {duplicates}")
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    tasks = []
    for path, name in zip(files, names):
        part = out / name
        if resume and (part / "manifest.json").exists():
            manifest = json.loads((part / "manifest.json").read_text())
            tasks.append({"file": path, "part": name, "totals": manifest["totals"]})
            continue
        settings = dict(options, threads=threads_per_task, resume=resume)
        tasks.append(dask.delayed(_tokenize_part, pure=False)(path, os.fspath(part), encoding, settings))
    scheduler = {"scheduler": client} if client is not None else {}
    parts = list(dask.compute(*tasks, **scheduler))
    write_atomically(out / "parts.json", json.dumps({"encoding": encoding, "parts": parts}, indent=2) + "\n")
    return parts
