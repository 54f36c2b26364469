"""Parallel runs: the tasks of ``ranges.py`` linted by forked workers, merged in file order.

The output is byte-identical to a single-process run. Totals and file facts
merge associatively, and file rules run in the parent, on the merged result.

Workers are forked after the rules, plans and vocabularies are ready, so they
share the tokenizer's memory with the parent instead of loading their own. A
worker that dies makes the run fail (WorkerDied, exit 2) rather than wait.
Workers add the bytes they finish to a shared counter, which the parent shows
on the progress line while it waits for the next range in order.

At most two tasks per worker are in flight, so the chunks of lines the parent
read (compressed files, standard input) held in memory stay bounded; a tail
that the parent lints itself is linted when its turn comes.
"""

from __future__ import annotations

import functools
import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ftlint.engine import Engine, FileJob, PassResult, Sink
from ftlint.ranges import Tail, Target, Task, open_task, plan, tasks

if TYPE_CHECKING:
    from concurrent.futures import Future

    from ftlint.filereport import FileReport

# Below this many bytes in a run, starting workers costs more than it saves.
MIN_PARALLEL_BYTES = 8 * 1024 * 1024


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def lint_in_parallel(engine: Engine, targets: list[Target], jobs: int, sink: Sink) -> None:
    """Lint every target in worker processes; each file's findings reach ``sink`` in file order."""
    global _TARGETS, _DONE
    from concurrent.futures import ProcessPoolExecutor  # deferred: small runs never start workers

    plans = [(target, plan(target, jobs)) for target in targets]
    for target in targets:  # loaded before forking, so workers share them
        if target.job.count_tokens:
            target.job.counter()
    context = multiprocessing.get_context("fork")
    _TARGETS, _DONE = targets, context.Value("q", 0)
    progress = _Progress(_DONE)
    # Objects that exist now are never collected in the workers: without this, their collections write
    # to every object's header and copy the parent's pages into each worker.
    gc.freeze()
    try:
        # Not multiprocessing.Pool: when a worker dies (the OOM killer, a signal), a Pool waits forever
        # for its task; this executor fails every pending task with BrokenProcessPool instead.
        with ProcessPoolExecutor(jobs, mp_context=context) as pool:
            futures = _Peekable(_in_flight(pool, tasks(plans), window=2 * jobs))
            for index, (target, _) in enumerate(plans):
                sink.file_started(target.job)
                report = _in_order(target.job, progress.results(futures, index, target.job), sink)
                sink.file_finished(report)
    finally:
        gc.unfreeze()


class _InParent:
    """A task done by the parent itself, when its turn comes; looks like a finished future."""

    def __init__(self, compute: Callable[[], PassResult]) -> None:
        self._compute = compute

    def result(self, timeout: float | None = None) -> PassResult:
        return self._compute()


_Pending = tuple[int, "Future[PassResult] | _InParent"]  # (target index, its result to come)


def _in_flight(pool: Any, tasks: Iterator[Task | Tail], window: int) -> Iterator[_Pending]:
    """Each task's result to come, in order, with at most ``window`` submitted ahead of the reader."""
    from concurrent.futures.process import BrokenProcessPool

    pending: deque[_Pending] = deque()
    for task in tasks:
        if isinstance(task, Tail):
            pending.append((task.index, _InParent(functools.partial(_lint_tail, task))))
            continue
        try:
            pending.append((task.index, pool.submit(_work, task)))
        except BrokenProcessPool:
            raise WorkerDied(WORKER_DIED) from None
        while len(pending) >= window:
            yield pending.popleft()
    yield from pending


class _Peekable:
    """An iterator whose next item can be looked at first (to see where a file's tasks end)."""

    def __init__(self, items: Iterator[_Pending]) -> None:
        self._items = items
        self._next: _Pending | None = next(items, None)

    def peek(self) -> _Pending | None:
        return self._next

    def pop(self) -> _Pending:
        assert self._next is not None
        item, self._next = self._next, next(self._items, None)
        return item


def _lint_tail(tail: Tail) -> PassResult:
    try:
        return _TARGETS[tail.index].job.lint_range(tail.stream, tail.start, tail.first_line, tail.file_format)
    finally:
        tail.source.close()


class WorkerDied(RuntimeError):
    """A worker process ended without finishing its range."""


WORKER_DIED = ("a worker process died before finishing its part of the run (killed by the system, perhaps "
               "for lack of memory); try fewer --jobs")


class _Progress:
    """Follows the workers' shared byte counter while the parent waits, for the progress line."""

    def __init__(self, done: Any) -> None:
        self._done = done
        self._shown = 0

    def results(self, futures: _Peekable, index: int, job: FileJob) -> Iterator[PassResult]:
        """The results of target ``index``'s tasks, in order."""
        while (item := futures.peek()) is not None and item[0] == index:
            futures.pop()
            yield self.wait(item[1], job)

    def wait(self, future: Future[PassResult] | _InParent, job: FileJob) -> PassResult:
        """The range's result; until it comes, the progress line moves as the workers advance."""
        from concurrent.futures import TimeoutError as Pending
        from concurrent.futures.process import BrokenProcessPool

        while True:
            try:
                result = future.result(timeout=0.25)
            except Pending:
                self._report(job)
                continue
            except BrokenProcessPool:
                raise WorkerDied(WORKER_DIED) from None
            self._report(job)
            return result

    def _report(self, job: FileJob) -> None:
        done = self._done.value
        if job.on_progress is not None and done > self._shown:
            job.on_progress(done - self._shown)
        self._shown = done


def _in_order(job: FileJob, results: Iterator[PassResult], sink: Sink) -> FileReport:
    """A file's violations, each range's as soon as it is done, then the file and dataset rules' on the
    merged result. The parent holds one running state, not one per range."""
    merged: PassResult | None = None
    for result in results:
        violations, result.violations = result.violations, []
        # A rule that failed in an earlier range is off from then on, as in a single pass.
        failed = {failure.code for failure in merged.failures} if merged is not None else set()
        for violation in violations:
            if violation.code not in failed:
                sink.violation(violation)
        merged = result if merged is None else job.merge(merged, result)
    assert merged is not None
    return job.finish(merged, sink.violation)


# --- in the parent: where to cut --------------------------------------------------------------


# --- in the workers ---------------------------------------------------------------------------

_TARGETS: list[Target] = []
_DONE: Any = None  # bytes done by all workers: a counter in shared memory, created before they fork


def _work(task: Task) -> PassResult:
    target = _TARGETS[task.index]
    reported = 0

    def advance(amount: int) -> None:  # called every 1,000 lines by the engine
        nonlocal reported
        reported += amount
        with _DONE.get_lock():
            _DONE.value += amount

    target.job.on_progress = advance
    with open_task(task, target.path) as stream:
        result = target.job.lint_range(stream, task.start, task.first_line, task.file_format)
    if task.end - task.start > reported:
        advance(task.end - task.start - reported)  # the lines after the last report
    return result
