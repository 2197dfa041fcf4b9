"""Writing files that never look complete before they are."""

import os
from typing import Union


def write_atomically(path: Union[str, "os.PathLike[str]"], data: Union[str, bytes]) -> None:
    """Writes ``data`` under a temporary name beside ``path`` and renames it when complete."""
    path = os.fspath(path)
    temporary = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.tmp")
    with open(temporary, "wb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)
    os.replace(temporary, path)
