"""Opening inputs: plain files, and .gz, .bz2 and .xz files decompressed as they stream.

Line numbers are those of the decompressed text, and the per-line cap applies as for plain files, so
a decompression bomb is bounded like any long line. Compressed files are read in one pass (they
cannot be split into byte ranges).
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
from pathlib import Path
from typing import IO, Any

OPENERS: dict[str, Any] = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.bz2", ".jsonl.xz", ".parquet")  # Parquet: ftlint.parquet reads it


def is_compressed(path: Path) -> bool:
    return path.suffix.lower() in OPENERS


def open_input(path: Path) -> IO[bytes]:
    opener = OPENERS.get(path.suffix.lower())
    if opener is None:
        return path.open("rb")
    stream: IO[bytes] = opener(path, "rb")
    return stream


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
