"""Progress of long calls: a bar (tqdm's, where it is installed, else a plain line on stderr)
shown when the session is interactive and the call takes more than a few seconds, or a
callback a program gives.

``progress`` arguments take: None (a bar when interactive: stderr is a terminal, or a notebook
kernel runs), True (a bar), False (nothing), or a callable ``progress(stage, done, total)``,
called a few times a second with the stage (``"reading"`` bytes, ``"counting"`` documents,
``"merging"`` merges, ``"encoding"`` documents) and its counts (``total`` 0 when unknown).
"""

from __future__ import annotations

import sys
import time
from typing import Any, Callable, Optional, Union

ProgressArg = Union[None, bool, Callable[[str, int, int], Any]]

# Seconds a call runs before its bar appears.
DELAY = 2.0

_UNITS = {"reading": "B", "counting": "doc", "merging": "merge", "encoding": "doc"}


def reporter(progress: ProgressArg, what: str) -> Optional[Callable[[str, int, int], Any]]:
    """What a native call is given as its progress callback: None, the caller's callable, or a
    bar (close it with ``close(reporter)`` once the call returns)."""
    if progress is None:
        progress = _interactive()
    if progress is False:
        return None
    if progress is True:
        return _Bar(what)
    if callable(progress):
        return progress
    from .errors import ArgumentTypeError

    raise ArgumentTypeError(f"progress is None, True, False or a callable, not {type(progress).__name__}")


def close(report: Optional[Callable[[str, int, int], Any]]) -> None:
    """Ends a bar ``reporter`` made (a caller's callable is left alone)."""
    if isinstance(report, _Bar):
        report.close()


def _interactive() -> bool:
    if "ipykernel" in sys.modules:
        return True
    stream = sys.stderr
    return bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())


class _Bar:
    """One bar a stage: tqdm's when installed, else a line rewritten in place."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.start = time.monotonic()
        self.stage: Optional[str] = None
        self.bar: Any = None
        self.shown = 0.0
        try:
            from tqdm.auto import tqdm
        except ImportError:
            tqdm = None
        self.tqdm = tqdm

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.close()
            self.stage = stage
            if self.tqdm is not None:
                self.bar = self.tqdm(total=total or None, desc=f"{self.what}: {stage}", unit=_UNITS.get(stage, "it"),
                                     unit_scale=_UNITS.get(stage) == "B", delay=max(0.0, DELAY - self._elapsed()),
                                     leave=False)
        if self.bar is not None:
            if total and self.bar.total != total:
                self.bar.total = total
            self.bar.update(done - self.bar.n)
        elif self._elapsed() >= DELAY and time.monotonic() - self.shown >= 0.5:
            self.shown = time.monotonic()
            share = f" ({100 * done / total:.0f}%)" if total else ""
            amount = _amount(done, stage) + (f" of {_amount(total, stage)}" if total else "")
            sys.stderr.write(f"\r{self.what}: {stage} {amount}{share}  ")
            sys.stderr.flush()

    def _elapsed(self) -> float:
        return time.monotonic() - self.start

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        elif self.shown:
            sys.stderr.write("\n")
            self.shown = 0.0


def _amount(count: int, stage: str) -> str:
    if _UNITS.get(stage) == "B":
        return f"{count / 1e6:.1f} MB"
    return f"{count:,} {_UNITS.get(stage, 'it')}s"
