"""Interruptions: Ctrl-C (SIGINT), SIGTERM and SIGHUP end a command the same way, cleaning up on the way.

Python turns SIGINT into KeyboardInterrupt, but SIGTERM (``kill``, ``timeout``, a CI runner cancelling a
job) and SIGHUP (a closed terminal) end the process on the spot: worker processes would be left behind,
blocked on their pipes. While a command runs, they raise ``atomic.Terminated`` instead, which unwinds
like KeyboardInterrupt, so that the same ``finally`` blocks run for all three. The exit code is the
shell's, 128 + the signal: 130 for Ctrl-C, 143 for SIGTERM (click's default, 1, would read
"violations"). Once interrupted, the program ignores further signals while it leaves: a second Ctrl-C
cannot break the cleanup half way or print a traceback from the middle of it.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import NoReturn

from ftlint.atomic import Terminated

_STOPPING = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
Interruption = (KeyboardInterrupt, Terminated)  # what a stopping signal raises


def exit_code(interruption: BaseException) -> int:
    return interruption.exit_code if isinstance(interruption, Terminated) else 128 + signal.SIGINT


def describe(interruption: BaseException) -> str:
    if isinstance(interruption, Terminated):
        return f"terminated ({signal.Signals(interruption.signum).name})"
    return "interrupted"


@contextmanager
def handled(program: bool) -> Iterator[None]:
    """While the block runs, SIGINT raises KeyboardInterrupt; SIGTERM and SIGHUP raise Terminated.

    Once interrupted, all three are ignored from then on: to the end of the process for the
    ``program`` (which only leaves), until the block is left for a command called in process (a test, a
    script), whose handlers come back. Signal handlers belong to the main thread: elsewhere this does
    nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {signum: signal.getsignal(signum) for signum in _STOPPING}
    for signum in _STOPPING:
        signal.signal(signum, _stop)
    leaving = False
    try:
        yield
    except Interruption:
        leaving = program
        _ignore()
        raise
    finally:
        if not leaving:
            for signum, handler in saved.items():
                signal.signal(signum, handler)


def _stop(signum: int, frame: FrameType | None) -> NoReturn:
    # Ignored from the first one on: a second signal must not raise again in the middle of the cleanup
    # (in a ``finally`` block, or in a generator closed on the way out, where it prints a traceback).
    _ignore()
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Terminated(signum)


def _ignore() -> None:
    for signum in _STOPPING:
        signal.signal(signum, signal.SIG_IGN)
