"""tiktoken's rank-file helpers (``tiktoken.load``): a ``.tiktoken`` file to ``mergeable_ranks``
and back, for building an :class:`omnitok.Encoding` the way tiktoken's README extends one.

Files are local paths (no download: omnitok works offline); ``expected_hash`` is the SHA-256 of
the file's bytes, checked when given.
"""

from __future__ import annotations

import hashlib
import os
from typing import Dict, Optional, Union

from ._omnitok import _format_ranks, _parse_ranks
from .errors import InputError

PathLike = Union[str, "os.PathLike[str]"]


def read_file(path: PathLike) -> bytes:
    """The bytes of a local file (a URL is refused with an error that says so)."""
    text = os.fspath(path)
    if "://" in text:
        raise InputError(f"{text}: omnitok reads local files only; download it first")
    with open(text, "rb") as f:
        return f.read()


def check_hash(data: bytes, expected_hash: str) -> bool:
    """Whether ``data``'s SHA-256 (hex) is ``expected_hash``."""
    return hashlib.sha256(data).hexdigest() == expected_hash


def load_tiktoken_bpe(tiktoken_bpe_file: PathLike, expected_hash: Optional[str] = None) -> Dict[bytes, int]:
    """The ``mergeable_ranks`` of a rank file: one ``base64(token) rank`` a line. A malformed
    line is an error naming its number."""
    contents = read_file(tiktoken_bpe_file)
    if expected_hash is not None and not check_hash(contents, expected_hash):
        raise InputError(f"{os.fspath(tiktoken_bpe_file)}: SHA-256 is not {expected_hash}")
    return _parse_ranks(contents, os.fspath(tiktoken_bpe_file))


def dump_tiktoken_bpe(bpe_ranks: Dict[bytes, int], tiktoken_bpe_file: PathLike) -> None:
    """Writes ``bpe_ranks`` as a rank file, in rank order."""
    with open(os.fspath(tiktoken_bpe_file), "w", encoding="ascii") as f:
        f.write(_format_ranks(bpe_ranks))
