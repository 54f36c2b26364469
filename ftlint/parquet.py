"""Parquet input: a file's rows as the same Records the JSONL reader yields, streamed row group by row group.

Together and the Hugging Face Hub ship datasets as Parquet. Each row becomes the JSON object of its
columns (`value`), numbered from 1 across the file (`line`), with its JSON text as `raw`, which the
rules that scan text (secrets, columns of findings) read; so every rule that does not depend on the
bytes of a JSONL file runs unchanged, and findings name the row and the column path (the JSON pointer,
`/messages/2/content`). Parquet has no "absent": a struct field or column that is null is left out
of the row's object, as a JSONL record that lacks the key (a union of message shapes in one struct
column is otherwise null everywhere another role has a field).

Memory is bounded by one row group (and a batch of rows), whatever the file's size. A parallel run
splits the file by row groups; the parent detects the format from the first rows, as a single pass
does, so the output is identical for any `--jobs`.

pyarrow is an optional dependency: `pip install 'ftlint[parquet]'`.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import functools
import json
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ftlint.records import FileFacts, Record

if TYPE_CHECKING:
    from concurrent.futures import Future

    from ftlint.engine import FileJob, PassResult, Sink
    from ftlint.filereport import FileReport
    from ftlint.violation import Violation

SUFFIX = ".parquet"
BATCH_ROWS = 1024  # rows converted to Python objects at a time
MIN_PARALLEL_ROWS = 20_000  # below this, starting workers costs more than it saves
DETECT_ROWS = 1_000  # how far the parent looks for the first row with a format's signature
MISSING = ("reading Parquet needs pyarrow, an optional dependency: pip install 'ftlint[parquet]' "
           "(or convert the file to JSONL)")


class ParquetUnavailable(RuntimeError):
    """pyarrow is not installed: a usage error (exit 2) with the command that fixes it."""


def is_parquet(path: Path | None) -> bool:
    return path is not None and path.suffix.lower() == SUFFIX


def _open(path: Path) -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ParquetUnavailable(MISSING) from None
    # pre_buffer (pyarrow's default) reads every requested row group ahead and keeps it until the file
    # is done: memory grew with the file (58 MB held for a 56 MB file); without it, one group at a time.
    return pq.ParquetFile(path, pre_buffer=False)


def _jsonable(value: Any) -> Any:
    """Values Parquet has and JSON does not, as JSON shows them."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, dt.timedelta)):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def plain(value: Any) -> Any:
    """A row's Python value as JSON would hold it: nulls in objects dropped, bytes and dates as text."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, (bytes, dt.date, dt.datetime, dt.time, decimal.Decimal, dt.timedelta)):
        return _jsonable(value)
    return value


@dataclass(frozen=True)
class Span:
    """Consecutive row groups of a file: which, and the number of the first row (1-based)."""

    groups: range
    first_row: int
    rows: int


def spans(path: Path, parts: int) -> tuple[list[Span], int, int]:
    """The file's row groups in up to ``parts`` contiguous spans of similar row counts, the total rows
    and the file's size."""
    metadata = _open(path).metadata
    counts = [metadata.row_group(index).num_rows for index in range(metadata.num_row_groups)]
    total = sum(counts)
    found: list[Span] = []
    start, first, rows = 0, 1, 0
    for index, count in enumerate(counts):
        rows += count
        if rows >= total / max(parts, 1) or index == len(counts) - 1:
            found.append(Span(range(start, index + 1), first, rows))
            start, first, rows = index + 1, first + rows, 0
    return found, total, path.stat().st_size


class ParquetReader:
    """Rows of ``path`` (all of them, or one span of row groups) as Records; ``facts`` is complete once
    iteration ends. Reads like ``ftlint.records.Reader``, so the engine lints it the same way."""

    def __init__(self, path: Path, span: Span | None = None, *, total_rows: int | None = None) -> None:
        self._path = path
        self._span = span
        self._total = total_rows
        self.start = 0  # for progress: offsets are the share of the file's bytes the rows before stand for
        self.facts = FileFacts()

    def __iter__(self) -> Iterator[Record]:
        facts = self.facts
        try:
            file = _open(self._path)
        except ParquetUnavailable:
            raise
        except Exception as exc:  # not Parquet at all, or its footer is broken: FT016 says so
            facts.read_error = f"not a readable Parquet file: {type(exc).__name__}: {exc}"
            return
        total = self._total if self._total is not None else file.metadata.num_rows
        span = self._span or Span(range(file.metadata.num_row_groups), 1, total)
        size = self._path.stat().st_size
        share = (lambda row: size * (row - 1) // total) if total else (lambda row: 0)
        self.start = share(span.first_row)
        row = span.first_row
        try:
            for batch in file.iter_batches(batch_size=BATCH_ROWS, row_groups=list(span.groups), use_threads=False):
                for item in batch.to_pylist(maps_as_pydicts="lossy"):
                    value = plain(item)
                    raw = json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")
                    yield Record(line=row, offset=share(row), raw=raw, value=value)
                    row += 1
        except Exception as exc:  # a corrupt page: the rows after it are unread, and FT016 says so
            facts.read_error = f"{type(exc).__name__}: {exc}"
        facts.lines = row - span.first_row
        # The rows' share of the file's bytes: the shares of consecutive spans add up to the file's size.
        facts.size = share(row) - share(span.first_row)


def rows(path: Path) -> Iterator[dict[str, Any]]:
    """The rows of a Parquet file as JSON objects (for the map/merge API: `ftlint.lint_partition`)."""
    for record in ParquetReader(path):
        assert record.value is not None
        yield record.value


# --- a check of one Parquet file ------------------------------------------------------------------


def lint(job: FileJob, path: Path, sink: Sink, jobs: int) -> FileReport:
    """Lint the Parquet file at ``path``; its findings go to ``sink`` in row order.

    Split across ``jobs`` forked workers by row groups when the file is large enough."""
    from ftlint import parallel
    from ftlint.workers import can_fork

    parts: list[Span] = []
    total = 0
    if jobs > 1 and can_fork():
        try:
            parts, total, _ = spans(path, 4 * jobs)
        except ParquetUnavailable:
            raise
        except Exception:  # unreadable: the single pass reports it (FT016)
            parts = []
    file_format = _first_format(job, path) if len(parts) > 1 and total >= MIN_PARALLEL_ROWS else None
    sink.file_started(job)
    if file_format is None:
        report = job.finish(job.lint_source(ParquetReader(path), None, sink.violation), sink.violation)
    else:
        ranges = (functools.partial(_replay, result) for result in _in_workers(job, path, parts, total, file_format,
                                                                                 jobs))
        report = parallel._in_order(job, ranges, sink)
    sink.file_finished(report)
    return report


def _first_format(job: FileJob, path: Path) -> str | None:
    """The format a single pass settles on, from the first rows with a signature (None: none found)."""
    for record in ParquetReader(path):
        if record.line > DETECT_ROWS:
            return None
        assert record.value is not None
        found = job.detect_format(record.value)
        if found is not None:
            return found
    return None


_WORK: tuple[FileJob, Path, int] | None = None  # set before the workers fork


def _in_workers(job: FileJob, path: Path, parts: list[Span], total: int, file_format: str,
                jobs: int) -> Iterator[PassResult]:
    """Each span's result, in order, linted by forked workers (the first span detects the format itself,
    as a single pass does); a bounded number of results wait in the parent."""
    global _WORK
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _WORK = (job, path, total)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        pending: deque[Future[PassResult]] = deque()
        for index, span in enumerate(parts):
            pending.append(pool.submit(_work, span, None if index == 0 else file_format))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _replay(result: PassResult, emit: Callable[[Violation], None]) -> PassResult:
    """A span's result as the parallel merge takes it: its violations handed to ``emit`` in order.
    (A span's violations travel back from its worker in its result, so they are bounded by the span.)"""
    violations, result.violations = result.violations, []
    for violation in violations:
        emit(violation)
    return result


def _work(span: Span, file_format: str | None) -> PassResult:
    assert _WORK is not None
    job, path, total = _WORK
    return job.lint_source(ParquetReader(path, span, total_rows=total), file_format)
