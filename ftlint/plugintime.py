"""A time limit for plugin rules: one that hangs is stopped, reported and turned off, not waited for.

A built-in rule is linear in its input (tested); a plugin is code from anywhere, and one that loops or
blocks would hang a CI job until its own timeout, with no word about which rule did it. Each call of a
plugin rule (``check``, and a dataset rule's ``collect``, ``merge``, ``finish``...) runs under a
one-shot SIGALRM timer (``plugin-timeout`` seconds, 0 for none); when it fires, the call raises
:class:`PluginTimeout`, which the engine contains like any other failure of the rule.

The timer needs POSIX signals and the main thread: elsewhere (Windows, a run inside a thread) plugins
run without a limit, as before. Built-in rules never pay for it.
"""

from __future__ import annotations

import functools
import signal
import threading
import types
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

DEFAULT_SECONDS = 60.0
TIMED_METHODS = ("check", "start", "collect", "merge", "finish", "publish")


class PluginTimeout(Exception):
    """A plugin rule ran past its time limit on one call."""


def available() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def limit(rule: Any, seconds: float) -> None:
    """Make every call of ``rule``'s methods stop after ``seconds`` (a no-op where it cannot be done)."""
    if seconds <= 0 or not available():
        return
    for name in TIMED_METHODS:
        method = getattr(rule, name, None)
        if callable(method):
            setattr(rule, name, _timed(method, seconds, f"{rule.code} ({rule.name})"))


def _timed(method: Callable[..., Any], seconds: float, who: str) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        return within(seconds, who, lambda: _drained(method(*args, **kwargs)))
    return call


def _drained(result: Any) -> Any:
    """A generator's findings are computed while it is iterated: iterate it under the timer."""
    return list(result) if isinstance(result, types.GeneratorType) else result


def within(seconds: float, who: str, action: Callable[[], T]) -> T:
    """``action()``, or PluginTimeout once ``seconds`` have passed."""
    def expired(signum: int, frame: Any) -> None:
        raise PluginTimeout(f"{who} ran for more than {seconds:g} s (plugin-timeout)")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return action()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
