"""Where a parallel run cuts its files, decided in the parent before the workers start.

A plain file is cut into newline-aligned byte ranges, and the parent counts the
lines before each range, so that line numbers stay absolute. Every range after
the first is told the file's format, detected exactly as a single pass would.
Files that must be read in one pass (UTF-16/32, multi-line JSON, no format
signature near the start) stay whole.

A compressed file cannot be entered in the middle: the parent decompresses it
with the Reader's own ``readline`` calls and hands out chunks of whole lines.
After a line over the cap or a broken stream, the rest of the file is a
``Tail``, which the parent lints itself, reading on from the open stream.
Standard input and pipes (``<(zcat ...)``, FIFOs) cannot be reopened or
entered either: they are opened once, read ahead (``read_ahead``), and handed
out the same way.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from ftlint.engine import FileJob
from ftlint.inputs import Joined, is_compressed, open_input
from ftlint.records import READ_ERRORS, foreign_encoding, line_body, may_continue, parse_line

# Ranges are at least this big; a file gets up to 4 ranges per worker for balance.
MIN_RANGE_BYTES = 4 * 1024 * 1024
# A compressed file's lines go to the workers in chunks of about this size: the data of every task in
# flight is held by the parent, the pipe and the worker, so chunks are kept small.
CHUNK_BYTES = 1024 * 1024
# How far the parent reads to find a file's first record with a format's signature.
FORMAT_SCAN_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Target:
    """A file of a parallel run, with its FileJob ready. Standard input (no path) and pipes are read by
    the parent from ``stream``, opened once, and read ahead (``read_ahead``) when planned, if that was
    not done already to decide whether the run goes parallel."""

    job: FileJob
    path: Path | None
    stream: Joined | IO[bytes] | None = None


@dataclass(frozen=True)
class Task:
    """A worker's part of a file: a byte range, or a chunk of lines that the parent read (from a
    compressed file or standard input) in ``data``."""

    index: int  # which target
    start: int  # byte offsets in the file (in its decompressed text, for a compressed file)
    end: int
    first_line: int
    file_format: str | None
    data: bytes | None = None  # the lines, when the parent read them (decompressed, or from standard input)


@dataclass(frozen=True)
class Tail:
    """The rest of a stream the parent reads (a compressed file, standard input), linted by the parent:
    it starts with a line over the cap, where the stream broke off, or (standard input of a format not
    settled early) at the start, and must be read on from the open stream as a single pass would."""

    index: int
    stream: IO[bytes]  # what the Reader reads: replays what the parent read ahead, then goes on
    source: IO[bytes]  # the stream the parent reads (decompressing, or standard input), closed when done
    start: int
    first_line: int
    file_format: str | None


@dataclass(frozen=True)
class Range:
    """Where a plain file's task starts and ends."""

    start: int
    end: int
    file_format: str | None  # None for the first range: it detects the format itself


@dataclass(frozen=True)
class Streamed:
    """A compressed file, standard input or a pipe: the parent reads it and hands out chunks of lines.

    ``file_format`` None: standard input or a pipe whose format is not settled near its start
    (multi-line JSON, a UTF-16 text...); the parent lints it in one pass.
    """

    file_format: str | None
    stream: Joined | None = None  # standard input or a pipe, read ahead; None: a compressed file, opened


def plan(target: Target, jobs: int) -> list[Range] | Streamed:
    """How to cut one file. Called for each file when the run reaches it, so that at most one stream is
    read ahead at a time (beyond those read to decide whether the run goes parallel)."""
    if target.stream is not None:
        joined = target.stream if isinstance(target.stream, Joined) else read_ahead(target.stream, 0)
        return Streamed(_scan_start(target.job, io.BytesIO(joined.head))[0], joined)
    assert target.path is not None
    if not is_compressed(target.path):
        return byte_ranges(target, jobs)
    if target.path.stat().st_size >= MIN_RANGE_BYTES:
        with open_input(target.path) as stream:
            try:
                file_format, _ = _scan_start(target.job, stream)
            except READ_ERRORS:
                file_format = None  # broken early: one pass reports it
        if file_format is not None:
            return Streamed(file_format)
    return [Range(0, target.path.stat().st_size, None)]


def byte_ranges(target: Target, jobs: int) -> list[Range]:
    assert target.path is not None
    size = target.path.stat().st_size
    whole = [Range(0, size, None)]
    if is_compressed(target.path):
        return whole  # a compressed stream cannot be entered in the middle
    count = min(jobs * 4, size // MIN_RANGE_BYTES)
    if count < 2:
        return whole
    with target.path.open("rb") as stream:
        file_format, scanned = _scan_start(target.job, stream)
        if file_format is None:
            return whole  # encodings, multi-line JSON, or no format signature early on: one pass
        cuts = [0]
        for index in range(1, count):
            stream.seek(max(index * size // count, scanned, cuts[-1]))
            _skip_line(stream)
            if stream.tell() < size and stream.tell() > cuts[-1]:
                cuts.append(stream.tell())
    cuts.append(size)
    return [Range(start, end, None if start == 0 else file_format) for start, end in itertools.pairwise(cuts)]


def _scan_start(job: FileJob, stream: IO[bytes]) -> tuple[str | None, int]:
    """The file's format as a single pass would detect it, and where the scan stopped.

    None when the file must be read in one pass: a UTF-16/32 file, a file that may be
    multi-line JSON, or one whose first record with a signature is not near the start.
    """
    head = stream.read(4)
    stream.seek(0)
    if foreign_encoding(head):
        return None, 0
    content_seen = False
    while stream.tell() < FORMAT_SCAN_BYTES:
        raw = stream.readline(FORMAT_SCAN_BYTES)
        if not raw or not raw.endswith(b"\n"):
            return None, 0
        body = line_body(raw, first=stream.tell() == len(raw))  # as the reader parses it
        record = parse_line(body)
        if record.blank:
            continue
        if not content_seen and may_continue(record, body):
            return None, 0
        content_seen = True
        if record.value is not None:
            detected = job.detect_format(record.value)
            if detected is not None:
                return detected, stream.tell()
    return None, 0


def _skip_line(stream: IO[bytes]) -> None:
    while chunk := stream.readline(1 << 20):
        if chunk.endswith(b"\n"):
            return


def tasks(targets: list[Target], jobs: int) -> Iterator[Task | Tail]:
    """Tasks in order, each with its first line number (the parent counts the lines before it). Each
    file is planned when its first task is asked for."""
    for index, target in enumerate(targets):
        ranges = plan(target, jobs)
        if isinstance(ranges, Streamed):
            yield from _chunks(index, target, ranges)
            continue
        line = 1
        if len(ranges) == 1:
            yield Task(index, 0, ranges[0].end, 1, None)
            continue
        assert target.path is not None
        with target.path.open("rb") as stream:
            for part in ranges:
                yield Task(index, part.start, part.end, line, part.file_format)
                line += _count_lines(stream, part.start, part.end)


def _chunks(index: int, target: Target, streamed: Streamed) -> Iterator[Task | Tail]:
    """A compressed file's (or standard input's) lines in chunks of ~CHUNK_BYTES, read with the single
    pass's calls."""
    limit = target.job.plan.config.settings.max_line_bytes + 1  # as the Reader reads
    file_format = streamed.file_format
    source = (cast(IO[bytes], streamed.stream) if streamed.stream is not None
              else open_input(cast(Path, target.path)))
    if file_format is None:  # a stream that must be read in one pass: the parent does it
        yield Tail(index, source, source, 0, 1, None)
        return
    pieces: list[bytes] = []
    start = size = 0
    line = 1
    tail: IO[bytes] | None = None
    handed_over = False  # to a Tail, which closes the source when it is done

    def chunk() -> Task:
        return Task(index, start, start + size, line, file_format if start else None, b"".join(pieces))

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
                tail = cast(IO[bytes], Joined(piece, source))  # the Reader only calls readline
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
            yield Tail(index, tail, source, start, line, file_format if start else None)
    finally:
        if not handed_over:
            source.close()


def read_ahead(stream: IO[bytes], size: int) -> Joined:
    """A stream with at least ``size`` bytes read ahead (fewer at its end), to decide how to run.

    At least twice FORMAT_SCAN_BYTES, the most that _scan_start reads: ``plan`` then detects the format
    in the head exactly as it would in the stream. A read error is kept for the Reader to meet after
    the bytes that came before it, as in a single pass.
    """
    wanted = max(size, 2 * FORMAT_SCAN_BYTES)
    pieces: list[bytes] = []
    done = 0
    read = getattr(stream, "read1", stream.read)  # one raw read at a time: an error loses no bytes
    try:
        while done < wanted and (piece := read(min(wanted - done, 1 << 16))):
            pieces.append(piece)
            done += len(piece)
    except READ_ERRORS as exc:
        return Joined(b"".join(pieces), cast(IO[bytes], _Broken(exc)))
    return Joined(b"".join(pieces), stream)


class _Broken(io.RawIOBase):
    """A tail's stream where the parent's reading broke off (a broken archive, a read error): fails as
    the source failed."""

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


@contextmanager
def open_task(task: Task, path: Path | None) -> Iterator[IO[bytes]]:
    """The bytes of a task, as a stream positioned at its start, for the worker that lints it."""
    if task.data is not None:
        yield io.BytesIO(task.data)
        return
    assert path is not None  # only standard input has no path, and its tasks carry their data
    # (as do a pipe's: only regular files are opened again by the workers)
    if is_compressed(path):
        with open_input(path) as compressed:  # a small compressed file: one task, the whole stream
            yield compressed
    else:
        # Opened as a single pass opens it: compressed data that its name does not announce is refused
        # (such a file is never cut: no format is found at its start).
        with open_input(path) as stream:
            if task.start:
                stream.seek(task.start)
            yield io.BufferedReader(_Slice(stream, task.end - task.start), buffer_size=1 << 20)


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
