"""A progress line on stderr for long runs: bytes done, rate, ETA. Only on a terminal, never in CI logs."""

from __future__ import annotations

import time
from typing import IO


class Progress:
    """Call ``advance(bytes)`` as data is done; nothing shows for the first second (small runs stay quiet).

    ``total`` is None when the size is not known in advance (standard input, compressed files: their
    lines are counted decompressed): the line then shows what was done and the rate, without an ETA.
    """

    def __init__(self, total: int | None, out: IO[str]) -> None:
        self.total = None if total is None else max(total, 1)
        self.out = out
        self.done = 0
        self.start = time.monotonic()
        self._last_draw = 0.0
        self._shown = False

    def advance(self, amount: int) -> None:
        self.done = self.done + amount if self.total is None else min(self.done + amount, self.total)
        now = time.monotonic()
        if now - self.start < 1.0 or now - self._last_draw < 0.2:
            return
        self._last_draw = now
        rate = self.done / max(now - self.start, 1e-9)
        if self.total is None:
            line = f"ftlint: {self.done / 1e6:,.1f} MB, {rate / 1e6:,.1f} MB/s"
        else:
            left = (self.total - self.done) / rate if rate else 0
            line = (f"ftlint: {self.done / 1e6:,.1f} of {self.total / 1e6:,.1f} MB, {rate / 1e6:,.1f} MB/s, "
                    f"about {left:,.0f} s left")
        self.out.write(f"\r{line}  ")
        self.out.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            self.out.write("\r" + " " * 72 + "\r")
            self.out.flush()
