"""Opening inputs: plain files, and .gz, .bz2 and .xz files decompressed as they stream.

Line numbers are those of the decompressed text, and the per-line cap applies as for plain files, so
a decompression bomb is bounded like any long line. Compressed files are read in one pass (they
cannot be split into byte ranges).

Compressed data is also recognised by its first bytes (its magic number), wherever it comes from; it
was read as text, one finding per binary "line":

- standard input and pipes (`curl ... | ftlint check -`, `ftlint check - < train.jsonl.gz`,
  `<(cat train.jsonl.gz)`) are decompressed: they have no file name to say so, and no upload name to
  judge.
- a regular file whose name does not say it is compressed (`train.jsonl` holding gzip data) is one
  clear finding instead (FT016, reading stopped at the start): that file, uploaded as it is, would be
  rejected. Naming it `train.jsonl.gz` gets its content checked; decompressing it makes it uploadable.
- zstd data and zip archives, which the standard library cannot read, are that one finding too,
  whatever their name.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import lzma
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

OPENERS: dict[str, Any] = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.bz2", ".jsonl.xz", ".parquet")  # Parquet: ftlint.parquet reads it

# The first bytes of compressed data (RFC 1952; bzip2's header and first block or end-of-stream
# signature; the xz format's header magic; RFC 8878; PKWARE's APPNOTE), by the suffix that would say so.
MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"\x1f\x8b", ".gz", "gzip"),
    (b"\xfd7zXZ\x00", ".xz", "xz"),
    (b"\x28\xb5\x2f\xfd", ".zst", "zstd"),
    (b"PK\x03\x04", ".zip", "zip"),
)
_BZIP2_LEVELS = b"123456789"
_BZIP2_AFTER_LEVEL = (b"1AY&SY", b"\x17rE8P\x90")  # a first block, or an empty stream's end
SNIFF_BYTES = 10  # the longest signature: bzip2's, 4 + 6 bytes
UNDO = {".zst": "zstd -d", ".zip": "unzip"}  # what ftlint cannot decompress, and how to


class CompressedData(OSError):
    """Compressed data that ftlint will not read as it is; the Reader records it (FT016)."""


def is_stream(path: Path | None) -> bool:
    """Standard input, a pipe or a FIFO: read once, from the start, by the parent (not a regular file,
    which can be reopened, measured and cut into byte ranges)."""
    return path is None or not path.is_file()


def is_compressed(path: Path) -> bool:
    """The name says the file is compressed (one that ftlint reads as it streams)."""
    return path.suffix.lower() in OPENERS


def sniff(head: bytes) -> tuple[str, str] | None:
    """(suffix, name) of the compression of data that starts with ``head`` (at least SNIFF_BYTES of it,
    or all of it), or None for data that is not compressed."""
    for magic, suffix, name in MAGIC:
        if head.startswith(magic):
            return suffix, name
    if head[:3] == b"BZh" and head[3:4] != b"" and head[3:4] in _BZIP2_LEVELS and head[4:10] in _BZIP2_AFTER_LEVEL:
        return ".bz2", "bzip2"
    return None


def open_input(path: Path, copy: Path | None = None) -> IO[bytes]:
    """A file to read as text: decompressed as it streams when its name says so; a pipe or FIFO as
    standard input is (``open_stream``). ``copy``: the bytes of the pipe ``path``, saved by
    ``replayable``, to read instead of it."""
    opener = OPENERS.get(path.suffix.lower())
    if opener is not None:
        stream: IO[bytes] = opener(copy or path, "rb")
        return stream
    if path.suffix.lower() in UNDO:
        return _refused(_cannot_read(path.suffix.lower(), path.suffix.lower().lstrip(".")))
    plain = (copy or path).open("rb")
    if copy is not None or not path.is_file():
        return open_stream(plain, owned=True)
    found = sniff(plain.read(SNIFF_BYTES))
    if found is None:
        plain.seek(0)
        return plain
    plain.close()
    suffix, name = found
    if suffix in UNDO:
        return _refused(_cannot_read(suffix, name))
    return _refused(f"the file is {name}-compressed, but its name does not end in {suffix}: uploaded as it is, "
                    f"it would be rejected. Name it {path.name}{suffix} to have its content checked, or "
                    f"decompress it to upload it")


def open_source(path: Path | None, copies: Mapping[Path | None, Path]) -> IO[bytes]:
    """Any input: a file, standard input (``None``) or a pipe, a stream from its copy in ``copies``
    (``replayable``) when it has one."""
    copy = copies.get(path)
    if path is None:
        return open_stream(sys.stdin.buffer) if copy is None else open_stream(copy.open("rb"), owned=True)
    return open_input(path, copy)


@contextlib.contextmanager
def replayable(paths: Iterable[Path | None]) -> Iterator[dict[Path | None, Path]]:
    """Copies of the streams among ``paths`` (standard input, pipes), byte for byte, for a run that
    reads each input more than once (every target's verdict): ``open_source`` reads a copy as it
    would read the stream. The copies live in a private temporary folder, deleted at the end; they
    take disk space, never memory."""
    streams = [path for path in dict.fromkeys(paths) if is_stream(path)]
    if not streams:
        yield {}
        return
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="ftlint-input-") as folder:  # mode 0700
        copies: dict[Path | None, Path] = {}
        for index, path in enumerate(streams):
            copies[path] = copy = Path(folder, f"input-{index}")
            with copy.open("wb") as out:
                if path is None:
                    shutil.copyfileobj(sys.stdin.buffer, out, _COPY_CHUNK)
                else:
                    with path.open("rb") as source:
                        shutil.copyfileobj(source, out, _COPY_CHUNK)
        yield copies


_COPY_CHUNK = 1 << 20


def open_stream(stream: IO[bytes], *, owned: bool = False) -> IO[bytes]:
    """Standard input or a pipe, decompressed as it streams when its first bytes say it is compressed.
    ``owned``: closing what is returned closes ``stream`` too."""
    head, replay = _head(stream, owned)
    found = sniff(head)
    if found is None:
        return replay
    suffix, name = found
    if suffix in UNDO:
        if owned:
            replay.close()
        return _refused(_cannot_read(suffix, name))
    decompressed: IO[bytes] = OPENERS[suffix](replay, "rb")
    if not owned:
        return decompressed
    return io.BufferedReader(_Prefixed(b"", decompressed, owned=(decompressed, replay)), buffer_size=1 << 16)


def _head(stream: IO[bytes], owned: bool) -> tuple[bytes, IO[bytes]]:
    """The first SNIFF_BYTES of ``stream`` (fewer at its end), and a stream that still starts with them."""
    peek = getattr(stream, "peek", None)
    if peek is not None:
        head = peek(SNIFF_BYTES)[:SNIFF_BYTES]  # what is buffered, or one read: it never waits for more
        if not _undecided(head):
            return head, stream
    head = stream.read(SNIFF_BYTES) or b""
    replay = _Prefixed(head, stream, owned=(stream,) if owned else ())
    return head, io.BufferedReader(replay, buffer_size=1 << 16)


def _undecided(head: bytes) -> bool:
    """``head`` is too short to tell: it could still be the start of a signature."""
    if not head or len(head) >= SNIFF_BYTES or sniff(head) is not None:
        return False
    return any(magic.startswith(head) for magic, _, _ in MAGIC) or b"BZh".startswith(head[:3])


def _cannot_read(suffix: str, name: str) -> str:
    return (f"the data is {name}-compressed, which ftlint cannot read (it reads gzip, bzip2 and xz): "
            f"decompress it first ({UNDO[suffix]})")


def _refused(reason: str) -> IO[bytes]:
    """A stream whose first read fails with ``reason``: the Reader turns it into one finding (FT016)."""
    return io.BufferedReader(_Refused(CompressedData(reason)))


class _Refused(io.RawIOBase):
    def __init__(self, error: CompressedData) -> None:
        self._error = error

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        raise self._error


class _Prefixed(io.RawIOBase):
    """``head``, which was read from ``rest``, then the rest of it; closing it closes ``owned``."""

    def __init__(self, head: bytes, rest: IO[bytes], owned: tuple[IO[bytes], ...] = ()) -> None:
        self._head = head
        self._rest = rest
        self._owned = owned

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size], self._head = self._head[:size], self._head[size:]
            return size
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        for stream in self._owned:
            stream.close()
        super().close()


class Joined(io.RawIOBase):
    """Bytes already read from a stream (``head``), then the rest of the stream, line by line.

    For a reader that had to look ahead: ``readline`` returns what the same call would have returned
    on the stream itself, joining a line that straddles the end of ``head``. It never reads the stream
    beyond the line asked for, so a broken stream fails where a plain ``readline`` would. Once read
    through, ``head`` is released (it becomes ``b""``): a read-ahead of standard input is 8 MB.
    """

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self.head = head
        self._buffered: io.BytesIO | None = io.BytesIO(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readline(self, limit: int | None = -1) -> bytes:
        limit = -1 if limit is None else limit
        line = b""
        if self._buffered is not None:
            line = self._buffered.readline(limit)
            if line.endswith(b"\n") or 0 <= limit <= len(line):
                return line
            self._buffered, self.head = None, b""  # read through: only the stream is left
        return line + self._rest.readline(limit - len(line) if limit >= 0 else -1)
