"""The exceptions omnitok raises, under one base class so that callers can catch them all::

    try:
        ids = omnitok.mux(parts, layout)
    except omnitok.OmnitokError as e:
        print("skipped:", e)

Each is also the built-in exception it stands for, so code that catches ``ValueError``,
``KeyError``, ``TypeError`` or ``OSError`` keeps working:

- ``OmnitokError``
    - ``InputError`` (``ValueError``): a bad argument value, or input that cannot be read as what
      it should be (a malformed file, an unsupported format, a special token in text). The
      message names the file, line, field, ID or position.
        - ``LimitError``: input larger than a stated limit (file size, pixels, seconds).
        - ``UnknownTokenError`` (also ``KeyError``): an ID or token outside the vocabulary.
    - ``ArgumentTypeError`` (``TypeError``): an argument of the wrong type or dtype.
    - ``FileError`` (``OSError``): a file that cannot be read or written.
        - ``FileMissingError`` (``FileNotFoundError``)
        - ``FilePermissionError`` (``PermissionError``)
"""

from __future__ import annotations

__all__ = [
    "ArgumentTypeError",
    "FileError",
    "FileMissingError",
    "FilePermissionError",
    "InputError",
    "LimitError",
    "OmnitokError",
    "UnknownTokenError",
]


class OmnitokError(Exception):
    """Base class of every exception omnitok raises about its arguments, input or files."""


class InputError(OmnitokError, ValueError):
    """A bad argument value, or input that is not what it should be."""


class LimitError(InputError):
    """Input larger than a stated limit (file size, pixels, frames, seconds)."""


class UnknownTokenError(InputError, KeyError):
    """An ID or token that the vocabulary does not have."""

    def __str__(self) -> str:
        # KeyError's own str() shows the message's repr; this one reads as the other errors do.
        return str(self.args[0]) if len(self.args) == 1 else super().__str__()


class ArgumentTypeError(OmnitokError, TypeError):
    """An argument of the wrong type, or an array of the wrong dtype."""


class FileError(OmnitokError, OSError):
    """A file that cannot be read or written."""


class FileMissingError(FileError, FileNotFoundError):
    """A file or folder that does not exist."""


class FilePermissionError(FileError, PermissionError):
    """A file or folder that may not be read or written."""
