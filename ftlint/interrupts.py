"""Interruptions: Ctrl-C (SIGINT) and SIGTERM end a run the same way, cleaning up on the way out.

Python turns SIGINT into KeyboardInterrupt, but SIGTERM (``kill``, ``timeout``, a CI runner cancelling a
job) ends the process on the spot: worker processes would be left behind, blocked on their pipes, and
temporary files on disk. While a command runs, SIGTERM raises :class:`Terminated` instead, a kind of
KeyboardInterrupt, so that the same ``finally`` blocks and handlers run for both. The exit code is the
shell's, 128 + the signal: 130 for Ctrl-C, 143 for SIGTERM (click's default, 1, would read "violations").
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import NoReturn

_STOPPING = (signal.SIGINT, signal.SIGTERM)


class Terminated(KeyboardInterrupt):
    """The process received SIGTERM."""

    signum = signal.SIGTERM


def exit_code(interruption: KeyboardInterrupt) -> int:
    return 128 + int(getattr(interruption, "signum", signal.SIGINT))


def describe(interruption: KeyboardInterrupt) -> str:
    return "terminated (SIGTERM)" if isinstance(interruption, Terminated) else "interrupted"


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """While the block runs, SIGTERM raises Terminated in the main thread; the handler is restored after.
    (Signal handlers can only be set from the main thread: elsewhere this does nothing.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _raise_terminated(signum: int, frame: FrameType | None) -> NoReturn:
    raise Terminated


@contextmanager
def ignored() -> Iterator[None]:
    """While leaving after an interruption: a second Ctrl-C or SIGTERM changes nothing (no traceback from
    the middle of the cleanup)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, signal.SIG_IGN) for signum in _STOPPING}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
