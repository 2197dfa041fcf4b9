"""Writing files that never look complete before they are."""

import os
from typing import Union

from ._omnitok import _write_atomically


def write_atomically(path: Union[str, "os.PathLike[str]"], data: Union[str, bytes]) -> None:
    """Writes ``data`` under a temporary name beside ``path`` and renames it when complete."""
    _write_atomically(os.fspath(path), data.encode("utf-8") if isinstance(data, str) else data)
