"""Parallel runs: files cut into newline-aligned byte ranges, linted by forked workers, merged in order.

The output is byte-identical to a single-process run. Line numbers are
absolute, because the parent counts the lines before each range. Every range
after a file's first one is told the file's format, which the parent detects
exactly as a single pass would. Totals and file facts merge associatively, and
file rules run in the parent, on the merged result.

Workers are forked after the rules, plans and vocabularies are ready, so they
share the tokenizer's memory with the parent instead of loading their own. A
worker that dies makes the run fail (WorkerDied, exit 2) rather than wait.
Workers add the bytes they finish to a shared counter, which the parent shows
on the progress line while it waits for the next range in order.

A compressed file cannot be entered in the middle, so the parent decompresses
it and hands out its lines in chunks of whole lines, reading them exactly as a
single pass would; after a line over the cap or a broken stream, the parent
lints the rest itself. At most two tasks per worker are in flight, so memory
stays bounded.
"""

from __future__ import annotations

import functools
import gc
import io
import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from ftlint.engine import Engine, FileLint, PassResult
from ftlint.inputs import is_compressed, open_input
from ftlint.records import READ_ERRORS, _foreign_encoding, _may_continue, parse_line
from ftlint.violation import Violation

if TYPE_CHECKING:
    from concurrent.futures import Future

# Below this many bytes in a run, starting workers costs more than it saves.
MIN_PARALLEL_BYTES = 8 * 1024 * 1024
# Ranges are at least this big; a file gets up to 4 ranges per worker for balance.
MIN_RANGE_BYTES = 4 * 1024 * 1024
# A compressed file's lines go to the workers in chunks of about this size: the data of every task in
# flight is held by the parent, the pipe and the worker, so chunks are kept small.
CHUNK_BYTES = 1024 * 1024
# How far the parent reads to find a file's first record with a format's signature.
FORMAT_SCAN_BYTES = 1024 * 1024


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


@dataclass(frozen=True)
class Target:
    lint: FileLint
    path: Path


@dataclass(frozen=True)
class _Task:
    index: int  # which target
    start: int  # byte offsets in the file (in its decompressed text, for a compressed file)
    end: int
    first_line: int
    file_format: str | None
    data: bytes | None = None  # a compressed file's lines, decompressed by the parent


@dataclass(frozen=True)
class _Tail:
    """The rest of a compressed file, linted in the parent: it starts with a line over the cap, or
    where the stream broke off, and must be read on from the open stream as a single pass would."""

    index: int
    stream: IO[bytes]  # what the Reader reads: replays what the parent read ahead, then goes on
    source: IO[bytes]  # the decompressing stream, closed when done
    start: int
    first_line: int
    file_format: str | None


def lint_in_parallel(engine: Engine, targets: list[Target],
                     jobs: int) -> Iterator[tuple[FileLint, Iterator[Violation]]]:
    """Yield each target with an iterator of its violations, in order; its report is set once consumed."""
    global _TARGETS, _DONE
    from concurrent.futures import ProcessPoolExecutor  # deferred: small runs never start workers

    plans = [(target, _plan(target, jobs)) for target in targets]
    for target in targets:  # loaded before forking, so workers share them
        if target.lint.count_tokens:
            engine.counter(target.lint.plan.model.encoding, target.lint.tokenizer)
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
            futures = _Peekable(_in_flight(pool, _tasks(plans), window=2 * jobs))
            for index, (target, _) in enumerate(plans):
                results = progress.results(futures, index, target.lint)
                yield target.lint, target.lint.final(_in_order(target.lint, results))
    finally:
        gc.unfreeze()


class _InParent:
    """A task done by the parent itself, when its turn comes; looks like a finished future."""

    def __init__(self, compute: Callable[[], PassResult]) -> None:
        self._compute = compute

    def result(self, timeout: float | None = None) -> PassResult:
        return self._compute()


_Pending = tuple[int, "Future[PassResult] | _InParent"]  # (target index, its result to come)


def _in_flight(pool: Any, tasks: Iterator[_Task | _Tail], window: int) -> Iterator[_Pending]:
    """Each task's result to come, in order, with at most ``window`` submitted ahead of the reader."""
    from concurrent.futures.process import BrokenProcessPool

    pending: deque[_Pending] = deque()
    for task in tasks:
        if isinstance(task, _Tail):
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


def _lint_tail(tail: _Tail) -> PassResult:
    try:
        return _TARGETS[tail.index].lint.lint_range(tail.stream, tail.start, tail.first_line, tail.file_format)
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

    def results(self, futures: _Peekable, index: int, lint: FileLint) -> Iterator[PassResult]:
        """The results of target ``index``'s tasks, in order."""
        while (item := futures.peek()) is not None and item[0] == index:
            futures.pop()
            yield self.wait(item[1], lint)

    def wait(self, future: Future[PassResult] | _InParent, lint: FileLint) -> PassResult:
        """The range's result; until it comes, the progress line moves as the workers advance."""
        from concurrent.futures import TimeoutError as Pending
        from concurrent.futures.process import BrokenProcessPool

        while True:
            try:
                result = future.result(timeout=0.25)
            except Pending:
                self._report(lint)
                continue
            except BrokenProcessPool:
                raise WorkerDied(WORKER_DIED) from None
            self._report(lint)
            return result

    def _report(self, lint: FileLint) -> None:
        done = self._done.value
        if lint.on_progress is not None and done > self._shown:
            lint.on_progress(done - self._shown)
        self._shown = done


def _in_order(lint: FileLint, results: Iterator[PassResult]) -> Iterator[Violation]:
    """A file's violations, each range's as soon as it is done, then the file and dataset rules' on the
    merged result. The parent holds one running state, not one per range."""
    merged: PassResult | None = None
    for result in results:
        violations, result.violations = result.violations, []
        # A rule that failed in an earlier range is off from then on, as in a single pass.
        failed = {code for code, _, _ in merged.errors} if merged is not None else set()
        yield from (violation for violation in violations if violation.code not in failed)
        merged = result if merged is None else lint.merge([merged, result])
    assert merged is not None
    yield from lint.finish(merged)


# --- in the parent: where to cut --------------------------------------------------------------


@dataclass(frozen=True)
class _Range:
    start: int
    end: int
    file_format: str | None  # None for the first range: it detects the format itself


@dataclass(frozen=True)
class _Streamed:
    """A compressed file: the parent decompresses it and hands out chunks of lines."""

    file_format: str


def _plan(target: Target, jobs: int) -> list[_Range] | _Streamed:
    if not is_compressed(target.path):
        return _ranges(target, jobs)
    if target.path.stat().st_size >= MIN_RANGE_BYTES:
        with open_input(target.path) as stream:
            try:
                file_format, _ = _scan_start(target.lint, stream)
            except READ_ERRORS:
                file_format = None  # broken early: one pass reports it
        if file_format is not None:
            return _Streamed(file_format)
    return [_Range(0, target.path.stat().st_size, None)]


def _ranges(target: Target, jobs: int) -> list[_Range]:
    size = target.path.stat().st_size
    whole = [_Range(0, size, None)]
    if is_compressed(target.path):
        return whole  # a compressed stream cannot be entered in the middle
    count = min(jobs * 4, size // MIN_RANGE_BYTES)
    if count < 2:
        return whole
    with target.path.open("rb") as stream:
        file_format, scanned = _scan_start(target.lint, stream)
        if file_format is None:
            return whole  # encodings, multi-line JSON, or no format signature early on: one pass
        cuts = [0]
        for index in range(1, count):
            stream.seek(max(index * size // count, scanned, cuts[-1]))
            _skip_line(stream)
            if stream.tell() < size and stream.tell() > cuts[-1]:
                cuts.append(stream.tell())
    cuts.append(size)
    return [_Range(start, end, None if start == 0 else file_format) for start, end in itertools.pairwise(cuts)]


def _scan_start(lint: FileLint, stream: IO[bytes]) -> tuple[str | None, int]:
    """The file's format as a single pass would detect it, and where the scan stopped.

    None when the file must be read in one pass: a UTF-16/32 file, a file that may be
    multi-line JSON, or one whose first record with a signature is not near the start.
    """
    head = stream.read(4)
    stream.seek(0)
    if _foreign_encoding(head):
        return None, 0
    content_seen = False
    while stream.tell() < FORMAT_SCAN_BYTES:
        raw = stream.readline(FORMAT_SCAN_BYTES)
        if not raw or not raw.endswith(b"\n"):
            return None, 0
        body = raw.removeprefix(b"\xef\xbb\xbf").rstrip(b"\n").removesuffix(b"\r")
        record = parse_line(body)
        if record.blank:
            continue
        if not content_seen and _may_continue(record, body):
            return None, 0
        content_seen = True
        if record.value is not None:
            detected = lint.detect_format(record.value)
            if detected is not None:
                return detected, stream.tell()
    return None, 0


def _skip_line(stream: IO[bytes]) -> None:
    while chunk := stream.readline(1 << 20):
        if chunk.endswith(b"\n"):
            return


def _tasks(plans: list[tuple[Target, list[_Range] | _Streamed]]) -> Iterator[_Task | _Tail]:
    """Tasks in order, each with its first line number (the parent counts the lines before it)."""
    for index, (target, ranges) in enumerate(plans):
        if isinstance(ranges, _Streamed):
            yield from _chunks(index, target, ranges.file_format)
            continue
        line = 1
        if len(ranges) == 1:
            yield _Task(index, 0, ranges[0].end, 1, None)
            continue
        with target.path.open("rb") as stream:
            for part in ranges:
                yield _Task(index, part.start, part.end, line, part.file_format)
                line += _count_lines(stream, part.start, part.end)


def _chunks(index: int, target: Target, file_format: str) -> Iterator[_Task | _Tail]:
    """A compressed file's lines in chunks of ~CHUNK_BYTES, read with the single pass's calls."""
    limit = target.lint.plan.config.settings.max_line_bytes + 1  # as the Reader reads
    source = open_input(target.path)
    pieces: list[bytes] = []
    start = size = 0
    line = 1
    tail: IO[bytes] | None = None
    handed_over = False  # to a _Tail, which closes the source when it is done

    def chunk() -> _Task:
        return _Task(index, start, start + size, line, file_format if start else None, b"".join(pieces))

    try:
        while True:
            try:
                piece = source.readline(limit)
            except READ_ERRORS as exc:
                tail = cast(IO[bytes], _Broken(exc))  # the Reader meets the error where one pass does
                break
            if not piece:
                break
            if len(piece) == limit and not piece.endswith(b"\n"):  # over the cap: read on as one pass does
                tail = cast(IO[bytes], _Replay(piece, source))  # the Reader only calls readline
                break
            pieces.append(piece)
            size += len(piece)
            if size >= CHUNK_BYTES and piece.endswith(b"\n"):
                yield chunk()
                start, line = start + size, line + len(pieces)
                pieces, size = [], 0
        if pieces:
            yield chunk()
            start, line = start + size, line + len(pieces)
        if tail is not None:
            handed_over = True
            yield _Tail(index, tail, source, start, line, file_format if start else None)
    finally:
        if not handed_over:
            source.close()


class _Replay(io.RawIOBase):
    """A tail's stream: the line the parent read ahead, then the source. The Reader only calls
    ``readline``, and each call goes to the source unchanged: a buffered read here could swallow
    lines when the archive breaks off, where a single pass's ``readline`` would have returned them."""

    def __init__(self, head: bytes, source: IO[bytes]) -> None:
        self._head = head
        self._source = source

    def readable(self) -> bool:
        return True

    def readline(self, limit: int | None = -1) -> bytes:
        if self._head:  # what the source returned to the same call (``readline(max_line_bytes + 1)``)
            head, self._head = self._head, b""
            return head
        return self._source.readline(-1 if limit is None else limit)


class _Broken(io.RawIOBase):
    """A tail's stream where the parent's decompression broke off: fails as the source failed."""

    def __init__(self, error: BaseException) -> None:
        self._error = error

    def readable(self) -> bool:
        return True

    def readline(self, limit: int | None = -1) -> bytes:
        raise self._error


def _count_lines(stream: IO[bytes], start: int, end: int) -> int:
    stream.seek(start)
    remaining, lines = end - start, 0
    while remaining > 0:
        block = stream.read(min(remaining, 1 << 20))
        if not block:
            break
        lines += block.count(b"\n")
        remaining -= len(block)
    return lines


# --- in the workers ---------------------------------------------------------------------------

_TARGETS: list[Target] = []
_DONE: Any = None  # bytes done by all workers: a counter in shared memory, created before they fork


def _work(task: _Task) -> PassResult:
    target = _TARGETS[task.index]
    reported = 0

    def advance(amount: int) -> None:  # called every 1,000 lines by the engine
        nonlocal reported
        reported += amount
        with _DONE.get_lock():
            _DONE.value += amount

    target.lint.on_progress = advance
    if task.data is not None:
        result = target.lint.lint_range(io.BytesIO(task.data), task.start, task.first_line, task.file_format)
    elif is_compressed(target.path):
        with open_input(target.path) as compressed:
            result = target.lint.lint_range(compressed, 0, 1, None)
    else:
        with target.path.open("rb") as stream:
            stream.seek(task.start)
            limited = io.BufferedReader(_Slice(stream, task.end - task.start), buffer_size=1 << 20)
            result = target.lint.lint_range(limited, task.start, task.first_line, task.file_format)
    if task.end - task.start > reported:
        advance(task.end - task.start - reported)  # the lines after the last report
    return result


class _Slice(io.RawIOBase):
    """At most ``size`` bytes of ``stream`` from its current position."""

    def __init__(self, stream: IO[bytes], size: int) -> None:
        self._stream = stream
        self._left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._left <= 0:
            return 0
        data = self._stream.read(min(len(buffer), self._left))
        buffer[: len(data)] = data
        self._left -= len(data)
        return len(data)
