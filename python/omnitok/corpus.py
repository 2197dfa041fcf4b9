"""``omnitok.tokenize_corpus``: ``omnitok tokenize`` as a function (the same shards, index and
manifest.json for the same inputs and options, byte for byte)."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Optional, Sequence, Union

from . import _progress
from ._omnitok import Encoding, _defaults, _tokenize_corpus, get_encoding

_DEFAULTS = _defaults()

__all__ = ["tokenize_corpus"]

PathLike = Union[str, "os.PathLike[str]"]


def tokenize_corpus(inputs: Sequence[PathLike], output_dir: PathLike,
                    encoding: Union[str, Encoding] = _DEFAULTS["encoding"], *, tokenizer_name: Optional[str] = None,
                    glob: Optional[str] = None, input_format: Optional[str] = None,
                    field: Optional[str] = None, column: Optional[str] = None, split: Optional[str] = None,
                    max_document_bytes: Optional[int] = None, on_error: Optional[str] = None,
                    append_eot: Optional[str] = None, allow_special: bool = False,
                    format: Optional[str] = None, shard_tokens: Optional[int] = None,
                    threads: Optional[int] = None, resume: bool = False,
                    progress: _progress.ProgressArg = None) -> Dict[str, Any]:
    """Tokenizes files and directories (text, JSON Lines, Parquet; plain, gzip or zstd) into
    shards in ``output_dir``, exactly as ``omnitok tokenize`` with the same options (each
    keyword is the CLI flag of that name, and one left out takes the CLI's default: ``input_format``
    "auto", ``field`` and ``column`` "text", ``split`` "doc", ``on_error`` "fail", ``format``
    "bin"; ``append_eot`` names the special token to append).
    ``tokenizer_name`` is how the manifest names the tokenizer (default: the encoding's name;
    the CLI writes the ``--tokenizer`` path there for files). Returns the manifest. The GIL is
    released while it runs. ``progress``: a bar of the bytes read when the session is
    interactive (None), always (True), never (False), or a callable ``progress(stage, done,
    total)``. Ctrl-C stops the run with ``KeyboardInterrupt``, leaving it to ``resume``."""
    if isinstance(encoding, str):
        encoding = get_encoding(encoding)
    report = _progress.reporter(progress, "tokenize")
    try:
        manifest = _tokenize_corpus(
            encoding, tokenizer_name or encoding.name, [os.fspath(p) for p in inputs], os.fspath(output_dir),
            glob, input_format, field, column, split, max_document_bytes, on_error, append_eot,
            allow_special, format, shard_tokens, threads or os.cpu_count() or 1, resume, report)
    finally:
        _progress.close(report)
    return json.loads(manifest)
