"""Parallel runs: the tasks of ``ranges.py`` linted by forked workers, merged in file order.

The output is byte-identical to a single-process run. Totals and file facts
merge associatively, and file rules run in the parent, on the merged result.

Workers are forked after the rules, plans and vocabularies are ready, so they
share the tokenizer's memory with the parent instead of loading their own.
Each worker has two pipes of its own: tasks come in on one, and its findings go
back on the other in batches, as they are found, followed by the range's
totals. The parent reads the workers' pipes in task order, so memory stays flat
whatever the input: a worker that is ahead of the parent blocks on its full
pipe, holding one batch; a tail that the parent lints itself is streamed like a
single pass. Each worker counts the tasks it has finished in shared memory, and
the next task goes to the worker with the fewest unfinished ones (at most
``TASKS_AHEAD`` each, which bounds the chunks of lines the parent read from a
compressed file or standard input): a worker on a faster core (or one that
another process does not share) takes more of the file, instead of waiting for
the parent to read the slower one's results in order.
A file of ten million blank lines makes ten million findings, and none of
them waits in memory for the others.

Stopping: a worker that dies makes the run fail (WorkerDied, exit 2) rather
than wait. Workers ignore Ctrl-C (the terminal sends it to the whole process
group: the parent decides) and die with the parent, however it ends: the
parent kills them at once when it is interrupted (``stop_workers``), and the
kernel kills them if the parent itself is killed. Workers add the bytes they
finish to a shared counter, which the parent shows on the progress line.
"""

from __future__ import annotations

import functools
import gc
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ftlint.atomic import signals_held
from ftlint.engine import Emit, Engine, FileJob, PassResult, Sink
from ftlint.ranges import Tail, Target, Task, open_task, tasks
from ftlint.stamp import carried
from ftlint.violation import Violation
from ftlint.workers import WORKER_DIED, WorkerDied

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.context import ForkContext, ForkProcess

    from ftlint.filereport import FileReport

# A worker sends its findings in batches of at most this many, or of about BATCH_CHARS characters of
# text (messages quote data): enough to make the pipe cheap, few enough to be small.
BATCH_VIOLATIONS = 1000
BATCH_CHARS = 1024 * 1024
# Tasks handed to each worker, the one it works on included: with two, a worker that finishes a task
# starts the next at once, while the parent is still reading the previous one.
TASKS_AHEAD = 2
# How often the parent, waiting for one worker, looks whether another has finished a task: far shorter
# than a task takes, so that the second task a worker holds is never the last before it gets another.
POLL_SECONDS = 0.05

_RangePass = Callable[[Emit], PassResult]  # lints a range, handing its findings to ``emit`` in order


def lint_in_parallel(engine: Engine, targets: list[Target], jobs: int, sink: Sink) -> None:
    """Lint every target in worker processes; each file's findings reach ``sink`` in file order."""
    global _TARGETS, _DONE, _FINISHED

    for target in targets:  # loaded before forking, so workers share them
        # (not for an open model: its own tokenizer counts, and the OpenAI one only a format it cannot render)
        if target.job.count_tokens and target.job.run.chat is None:
            target.job.counter()
    context = multiprocessing.get_context("fork")
    _TARGETS, _DONE = targets, context.Value("q", 0)
    _FINISHED = context.Array("q", jobs, lock=False)  # one slot per worker, written by it alone
    # Objects that exist now are never collected in the workers: without this, their collections write
    # to every object's header and copy the parent's pages into each worker.
    gc.freeze()
    pool: _Pool | None = None
    runner: _Runner | None = None
    try:
        pool = _Pool(context, jobs)
        runner = _Runner(pool.workers, tasks(targets, jobs), _Progress(_DONE))
        for index, target in enumerate(targets):
            sink.file_started(target.job)
            sink.file_finished(_in_order(target.job, runner.ranges(index, target.job), sink))
        pool.stop(kill=False)
    finally:
        # Also when the run was interrupted or abandoned half way: no worker outlives it.
        if runner is not None:
            runner.close()
        if pool is not None:
            pool.stop(kill=True)
        gc.unfreeze()


def stop_workers() -> None:
    """Kill every worker this process started, at once (for an interrupted run)."""
    for pool in list(_POOLS):
        pool.stop(kill=True)


# --- in the parent --------------------------------------------------------------------------------


@dataclass
class _Worker:
    process: ForkProcess
    tasks: Connection  # the parent's end: tasks go out
    results: Connection  # the parent's end: batches of findings and results come in
    slot: int  # its counter of finished tasks in _FINISHED
    handed: int = 0  # tasks handed out to it, ever

    @property
    def unfinished(self) -> int:
        finished: int = _FINISHED[self.slot]
        return self.handed - finished


_POOLS: set[_Pool] = set()  # live pools, for stop_workers


class _Pool:
    """The worker processes of one parallel run, each with its pair of pipes."""

    def __init__(self, context: ForkContext, jobs: int) -> None:
        self.workers: list[_Worker] = []
        _POOLS.add(self)
        for stream in (sys.stdout, sys.stderr):  # what is buffered now would be written again by each worker
            stream.flush()
        try:
            for slot in range(jobs):
                self.workers.append(self._start(context, slot))
        except BaseException:
            self.stop(kill=True)
            raise

    def _start(self, context: ForkContext, slot: int) -> _Worker:
        tasks_in, tasks_out = context.Pipe(duplex=False)
        results_in, results_out = context.Pipe(duplex=False)
        # The worker closes the parent's ends of every pipe, so that each pipe has one reader and one
        # writer: when either side dies, the other sees the end of the pipe instead of waiting forever.
        others = [end for worker in self.workers for end in (worker.tasks, worker.results)]
        process = context.Process(target=_serve, args=(tasks_in, results_out, [*others, tasks_out, results_in],
                                                       os.getpid(), slot), daemon=True)
        process.start()
        tasks_in.close()
        results_out.close()
        return _Worker(process, tasks_out, results_in, slot)

    def stop(self, kill: bool) -> None:
        """End the workers: when ``kill``, at once; else let them see their task pipe close (they are idle).
        Idempotent, and a second Ctrl-C cannot interrupt it half way."""
        with signals_held():
            workers, self.workers = self.workers, []
            _POOLS.discard(self)
            for worker in workers:
                worker.tasks.close()
                if kill and worker.process.exitcode is None:
                    worker.process.kill()
            for worker in workers:
                worker.process.join(timeout=None if kill else 5)
                if worker.process.exitcode is None:  # did not end when its pipe closed
                    worker.process.kill()
                    worker.process.join()
                worker.results.close()


class _Runner:
    """Hands the tasks out to the workers as they finish, and reads the results back in task order."""

    def __init__(self, workers: list[_Worker], tasks: Iterator[Task | Tail], progress: _Progress) -> None:
        self._workers = workers
        self._tasks = tasks
        self._next: Task | Tail | None = next(tasks, None)
        self._order: deque[tuple[int, _Worker | Tail]] = deque()  # handed out, to be read in this order
        self._progress = progress
        self._fill()

    def _fill(self) -> None:
        """Hand out tasks until every worker has TASKS_AHEAD. A Tail is the parent's; at most one waits
        its turn at a time (it holds what the parent read ahead of it)."""
        while self._next is not None:
            task = self._next
            if isinstance(task, Tail):
                if any(isinstance(doer, Tail) for _, doer in self._order):
                    return
                self._order.append((task.index, task))
            else:
                worker = min(self._workers, key=lambda worker: worker.unfinished)
                if worker.unfinished >= TASKS_AHEAD:
                    return
                try:
                    worker.tasks.send(task)
                except OSError:  # the pipe is closed: the worker is gone
                    raise WorkerDied(WORKER_DIED) from None
                worker.handed += 1
                self._order.append((task.index, worker))
            self._next = next(self._tasks, None)

    def ranges(self, index: int, job: FileJob) -> Iterator[_RangePass]:
        """Target ``index``'s ranges in order."""
        while self._order and self._order[0][0] == index:
            _, doer = self._order.popleft()
            if isinstance(doer, Tail):
                yield functools.partial(self._in_parent, doer)
            else:
                yield functools.partial(self._from_worker, doer, job)

    def _from_worker(self, worker: _Worker, job: FileJob, emit: Emit) -> PassResult:
        """The worker's findings for its range, in batches as they come, then the range's result."""
        while True:
            kind, payload = self._receive(worker, job)
            if kind == "batch":
                for violation in payload:
                    emit(violation)
                continue
            if kind == "error":
                raise payload
            self._fill()
            result: PassResult = payload
            return result

    def _receive(self, worker: _Worker, job: FileJob) -> tuple[str, Any]:
        """The worker's next message; until it comes, the progress line moves as the workers advance, and
        a worker that finished a task gets the next."""
        try:
            while not worker.results.poll(POLL_SECONDS):
                self._progress.report(job)
                self._fill()
            message: tuple[str, Any] = worker.results.recv()
        except (EOFError, OSError):  # the worker's end of the pipe closed: it died
            raise WorkerDied(WORKER_DIED) from None
        self._progress.report(job)
        return message

    def _in_parent(self, tail: Tail, emit: Emit) -> PassResult:
        """A tail, linted here as a single pass would go on: read on from the open stream."""
        try:
            result = _TARGETS[tail.index].job.lint_range(tail.stream, tail.start, tail.first_line,
                                                         tail.file_format, emit)
        finally:
            tail.source.close()
        self._fill()
        return result

    def close(self) -> None:
        """Close what the tasks still hold open (a run that stopped half way)."""
        for _, doer in self._order:
            if isinstance(doer, Tail):
                doer.source.close()
        if isinstance(self._next, Tail):
            self._next.source.close()
        close = getattr(self._tasks, "close", None)
        if close is not None:
            close()


class _Progress:
    """Follows the workers' shared byte counter while the parent waits, for the progress line."""

    def __init__(self, done: Any) -> None:
        self._done = done
        self._shown = 0

    def report(self, job: FileJob) -> None:
        done = self._done.value
        if job.on_progress is not None and done > self._shown:
            job.on_progress(done - self._shown)
        self._shown = done


def _in_order(job: FileJob, ranges: Iterator[_RangePass], sink: Sink) -> FileReport:
    """A file's violations, each range's as they come, then the file and dataset rules' on the merged
    result. The parent holds one running state, not one per range."""
    merged: PassResult | None = None
    for lint_range in ranges:
        # A rule that failed in an earlier range is off from then on, as in a single pass.
        failed = {failure.code for failure in merged.failures} if merged is not None else set()
        result = lint_range(_without(failed, sink.violation))
        merged = result if merged is None else job.merge(merged, result)
    assert merged is not None
    return job.finish(merged, sink.violation)


def _without(failed: set[str], emit: Emit) -> Emit:
    """``emit``, but for the findings of the ``failed`` rules."""
    if not failed:
        return emit

    def kept(violation: Violation) -> None:
        if violation.code not in failed:
            emit(violation)

    return kept


# --- in the workers -------------------------------------------------------------------------------

_TARGETS: list[Target] = []
_DONE: Any = None  # bytes done by all workers: a counter in shared memory, created before they fork
_FINISHED: Any = None  # tasks finished by each worker (its slot), in shared memory


def _serve(tasks: Connection, results: Connection, inherited: list[Connection], parent: int, slot: int) -> None:
    """A worker's life: lint the tasks that come in, in order, until the parent closes the pipe or dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent decides
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handler raises, to clean up: not here
    code = 1
    try:
        _die_with(parent)
        for connection in inherited:
            connection.close()
        inbox: queue.SimpleQueue[Task | None] = queue.SimpleQueue()
        # Tasks are read as they come, even while this worker is busy: the parent never blocks sending one.
        threading.Thread(target=_receive_tasks, args=(tasks, inbox), daemon=True).start()
        while (task := inbox.get()) is not None:
            outcome = _outcome(task, results)
            _FINISHED[slot] += 1  # before the result is sent: its pipe may be full until the parent reads it
            results.send(outcome)
        code = 0
    finally:
        # No cleanup of the parent's state (atexit handlers, buffered output, which would be written twice)
        # and no traceback: a broken pipe only means that the parent is gone.
        os._exit(code)


def _receive_tasks(tasks: Connection, inbox: queue.SimpleQueue[Task | None]) -> None:
    try:
        while True:
            inbox.put(tasks.recv())
    except (EOFError, OSError):  # the parent closed the pipe, or died
        inbox.put(None)


def _die_with(parent: int) -> None:
    """Ask the kernel (Linux) to kill this worker when the parent dies, even by SIGKILL."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux: the closed pipes end the worker
        pass
    if os.getppid() != parent:  # it died before the request was made
        os._exit(1)


def _outcome(task: Task, results: Connection) -> tuple[str, Any]:
    batches = _Batches(results)
    try:
        result = _work(task, batches.add)
        batches.flush()
    except Exception as exc:  # a bug, not data: the parent raises it
        return "error", _portable(exc)
    return "done", result


def _portable(exc: Exception) -> Exception:
    try:
        pickle.dumps(exc)
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


class _Batches:
    """A range's findings, sent to the parent in batches; sending blocks while the pipe is full."""

    def __init__(self, results: Connection) -> None:
        self._results = results
        self._batch: list[Violation] = []
        self._chars = 0

    def add(self, violation: Violation) -> None:
        self._batch.append(violation)
        self._chars += len(violation.message) + len(violation.snippet) + len(violation.pointer) + carried(violation)
        if len(self._batch) >= BATCH_VIOLATIONS or self._chars >= BATCH_CHARS:
            self.flush()

    def flush(self) -> None:
        if self._batch:
            self._results.send(("batch", self._batch))
            self._batch, self._chars = [], 0


def _work(task: Task, emit: Callable[[Violation], None]) -> PassResult:
    """Lint one task, handing each violation to ``emit`` as it is found."""
    target = _TARGETS[task.index]
    reported = 0

    def advance(amount: int) -> None:  # called every 1,000 lines by the engine
        nonlocal reported
        reported += amount
        with _DONE.get_lock():
            _DONE.value += amount

    target.job.on_progress = advance
    with open_task(task, target.path) as stream:
        result = target.job.lint_range(stream, task.start, task.first_line, task.file_format, emit)
    if task.end - task.start > reported:
        advance(task.end - task.start - reported)  # the lines after the last report
    return result
