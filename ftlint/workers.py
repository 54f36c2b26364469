"""Whether a run forks worker processes, and how many: what a run must know before it decides.

Kept apart from ftlint.parallel, which imports multiprocessing and the range planner: a run below
MIN_PARALLEL_BYTES (a pre-commit hook's, most of the time) never needs them.
"""

from __future__ import annotations

import os

# Below this many bytes in a run, starting workers costs more than it saves.
MIN_PARALLEL_BYTES = 8 * 1024 * 1024

WORKER_DIED = ("a worker process died before finishing its part of the run (killed by the system, perhaps "
               "for lack of memory); try fewer --jobs")


class WorkerDied(RuntimeError):
    """A worker process ended without finishing its range."""


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Workers are forked (they share the parent's rules and vocabularies): POSIX only. This is
    multiprocessing's own test for its "fork" start method."""
    return hasattr(os, "fork")
