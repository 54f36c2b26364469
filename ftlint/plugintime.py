"""A time limit for plugin rules: one that hangs is stopped, reported and turned off, not waited for.

A built-in rule is linear in its input (tested); a plugin is code from anywhere, and one that loops or
blocks would hang a CI job until its own timeout, with no word about which rule did it. Each call of a
plugin rule (``check``, and a dataset rule's ``collect``, ``merge``, ``finish``...) runs under a
SIGALRM timer (``plugin-timeout`` seconds, 0 for none; then again every second, should the plugin
catch it); when it fires, the call raises :class:`PluginTimeout`, which the engine contains like any
other failure of the rule. A call inside a timed call keeps the outer limit, and an alarm set by
someone else is given back afterwards.

The timer needs POSIX signals and the main thread: elsewhere (Windows, a run inside a thread) plugins
run without a limit, as before. Built-in rules never pay for it.
"""

from __future__ import annotations

import functools
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

DEFAULT_SECONDS = 60.0
MAX_SECONDS = 86_400.0  # a day: setitimer refuses what overflows, and no plugin call should take longer
TIMED_METHODS = ("check", "start", "collect", "merge", "finish", "publish")


class PluginTimeout(BaseException):
    """A plugin rule ran past its time limit on one call. A BaseException, as KeyboardInterrupt is:
    a plugin's own `except Exception` must not swallow it."""


_active = 0  # timed calls in progress: a plugin method that calls another one runs under the outer timer


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
    """Findings are computed while an iterator is consumed (a generator, a `map`...): consume it here,
    under the timer."""
    return list(result) if isinstance(result, Iterator) else result


def within(seconds: float, who: str, action: Callable[[], T]) -> T:
    """``action()``, or PluginTimeout once ``seconds`` have passed (and again each second after, should
    the plugin catch it)."""
    global _active
    if _active:
        return action()

    def expired(signum: int, frame: Any) -> None:
        raise PluginTimeout(f"{who} ran for more than {seconds:g} s (plugin-timeout)")

    _active += 1
    previous = signal.getsignal(signal.SIGALRM)
    started = time.monotonic()
    outer = (0.0, 0.0)
    try:
        signal.signal(signal.SIGALRM, expired)
        outer = signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
        return action()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
        _active -= 1
        if outer[0] > 0:  # someone else's alarm (a test's hang guard, the embedding program's): give it back
            signal.setitimer(signal.ITIMER_REAL, max(outer[0] - (time.monotonic() - started), 1e-6), outer[1])
