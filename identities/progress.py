"""A one-line progress display on stderr for the long commands (verify, conformance, docs build).

Shown only when asked to (the commands enable it when stderr is a terminal and ``--json`` is not given):
families and identities done, failures so far, elapsed time. The line is redrawn every second by a
background thread, so the elapsed time moves while a worker compiles a large family, and erased on close,
so that nothing of it remains in the terminal's scrollback above the command's own output.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterable
from typing import TextIO

from ._core import Identity


class Progress:
    """Counts work done over a known set of identities and draws it as one line.

    ``done(family, n, failures)`` records ``n`` identities of ``family`` finished with ``failures`` of them
    failed; a family counts as done when all its identities are. Disabled, every method does nothing."""

    def __init__(
        self,
        idents: Iterable[Identity],
        label: str,
        enabled: bool = True,
        stream: TextIO | None = None,
        interval: float = 1.0,
    ) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.totals: dict[str, int] = {}
        for ident in idents:
            self.totals[ident.family] = self.totals.get(ident.family, 0) + 1
        self.counts: dict[str, int] = {}
        self.failures = 0
        self.current = ""
        self.t0 = time.perf_counter()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._width = 0
        self._thread: threading.Thread | None = None
        if enabled:
            self._draw()
            self._thread = threading.Thread(target=self._tick, args=(interval,), daemon=True)
            self._thread.start()

    @property
    def identities_done(self) -> int:
        return sum(self.counts.values())

    @property
    def families_done(self) -> int:
        return sum(1 for f, n in self.totals.items() if self.counts.get(f, 0) >= n)

    def line(self) -> str:
        """The text shown: label, families and identities done, failures so far, elapsed seconds."""
        text = (
            f"{self.label}: {self.families_done}/{len(self.totals)} families, "
            f"{self.identities_done}/{sum(self.totals.values())} identities, "
            f"{self.failures} failed, {time.perf_counter() - self.t0:.0f} s"
        )
        return text + (f"  {self.current}" if self.current else "")

    def done(self, family: str, n: int = 1, failures: int = 0, current: str = "") -> None:
        """Record ``n`` identities of ``family`` finished, ``failures`` of them failed."""
        if not self.enabled:
            return
        with self._lock:
            self.counts[family] = self.counts.get(family, 0) + n
            self.failures += failures
            self.current = current
        self._draw()

    def print(self, message: str) -> None:
        """Write a line of text to the stream, above the progress line (which is redrawn under it)."""
        if not self.enabled:
            print(message, file=self.stream, flush=True)
            return
        with self._lock:
            self.stream.write("\r" + message + " " * max(0, self._width - len(message)) + "\n")
        self._draw()

    def close(self) -> None:
        """Stop redrawing and erase the line."""
        if not self.enabled:
            return
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
        self.enabled = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _draw(self) -> None:
        with self._lock:
            if self._stop.is_set():
                return
            text = self.line()
            pad = max(0, self._width - len(text))
            self._width = max(self._width, len(text))
            self.stream.write("\r" + text + " " * pad)
            self.stream.flush()

    def _tick(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self._draw()


def wanted(json_output: bool = False, stream: TextIO | None = None) -> bool:
    """Whether a command shows progress: its stderr is a terminal and its output is not ``--json``."""
    stream = stream if stream is not None else sys.stderr
    try:
        return not json_output and stream.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False
