"""Interruptions: Ctrl-C (SIGINT) and SIGTERM end a run the same way, cleaning up on the way out.

Python turns SIGINT into KeyboardInterrupt, but SIGTERM (``kill``, ``timeout``, a CI runner cancelling a
job) ends the process on the spot: worker processes would be left behind, blocked on their pipes, and
temporary files on disk. While a command runs, SIGTERM raises :class:`Terminated` instead, a kind of
KeyboardInterrupt, so that the same ``finally`` blocks and handlers run for both. The exit code is the
shell's, 128 + the signal: 130 for Ctrl-C, 143 for SIGTERM (click's default, 1, would read "violations").
Once interrupted, the program ignores further signals while it leaves: a second Ctrl-C cannot break
the cleanup half way or print a traceback from the middle of it.
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
def handled(program: bool) -> Iterator[None]:
    """While the block runs, SIGINT raises KeyboardInterrupt and SIGTERM raises Terminated.

    Once interrupted, both are ignored from then on: to the end of the process for the ``program``
    (which only leaves), until the block is left for a command called in process (a test, a script),
    whose handlers come back. Signal handlers belong to the main thread: elsewhere this does nothing.
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
    except KeyboardInterrupt:
        leaving = program
        for signum in _STOPPING:
            signal.signal(signum, signal.SIG_IGN)
        raise
    finally:
        if not leaving:
            for signum, handler in saved.items():
                signal.signal(signum, handler)


def _stop(signum: int, frame: FrameType | None) -> NoReturn:
    # Ignored from the first one on: a second signal must not raise again in the middle of the cleanup
    # (in a ``finally`` block, or in a generator closed on the way out, where it prints a traceback).
    for stopping in _STOPPING:
        signal.signal(stopping, signal.SIG_IGN)
    raise Terminated if signum == signal.SIGTERM else KeyboardInterrupt
