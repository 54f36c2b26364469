"""Opening inputs: plain files, and .gz, .bz2 and .xz files decompressed as they stream.

Line numbers are those of the decompressed text, and the per-line cap applies as for plain files, so
a decompression bomb is bounded like any long line. Compressed files are read in one pass (they
cannot be split into byte ranges).
"""

from __future__ import annotations

import bz2
import gzip
import lzma
from pathlib import Path
from typing import IO, Any

OPENERS: dict[str, Any] = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.bz2", ".jsonl.xz")


def is_compressed(path: Path) -> bool:
    return path.suffix.lower() in OPENERS


def open_input(path: Path) -> IO[bytes]:
    opener = OPENERS.get(path.suffix.lower())
    if opener is None:
        return path.open("rb")
    stream: IO[bytes] = opener(path, "rb")
    return stream
