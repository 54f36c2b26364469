"""Guards on the paths a command writes: never over an input, never through a link, never a device.

Every command that writes files (`check -o` and `--write-baseline`, `fix`) asks here first, before it
reads or writes anything, so that a mistake is a one-line refusal (exit 2) and not a lost dataset.
Files are compared by identity (device and inode), not by name: `./data.jsonl`, `data.jsonl`, a
symbolic link to it and a hard link to it are all the same file.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

STDOUT = "-"  # the name that means standard output wherever a command takes an output path


class UnsafePath(ValueError):
    """An output path that would destroy data or write somewhere unintended; the message says why."""


def is_stdout(path: Path | None) -> bool:
    return path is not None and str(path) == STDOUT


def same_file(first: Path, second: Path) -> bool:
    """True when both names reach the same file: by inode when both exist, else by resolved name.

    A name that does not exist yet is compared by spelling once links in its folders are resolved, so
    `out.jsonl` and `./out.jsonl` are one (future) file too.
    """
    try:
        a, b = os.stat(first), os.stat(second)
    except OSError:
        return os.path.realpath(first) == os.path.realpath(second)
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def refuse_overwriting_inputs(outputs: Iterable[tuple[str, Path | None]], inputs: Iterable[Path | None]) -> None:
    """Raise UnsafePath when an output is one of the inputs, or two outputs are the same file.

    ``outputs`` are (what the user called it, path) pairs, e.g. ``("-o", Path("report.json"))``;
    None and standard output are skipped, as are inputs that are standard input (None).
    """
    named = [(label, path) for label, path in outputs if path is not None and not is_stdout(path)]
    sources = [path for path in inputs if path is not None and str(path) != STDOUT]
    for label, path in named:
        for source in sources:
            if same_file(path, source):
                raise UnsafePath(f"{label} {path} is the input {source}: writing it would destroy the data "
                                 "before it is read; choose another path")
    for index, (label, path) in enumerate(named):
        for other_label, other in named[index + 1:]:
            if same_file(path, other):
                raise UnsafePath(f"{label} {path} and {other_label} {other} are the same file; "
                                 "give each output its own path")


def check_output(path: Path, label: str) -> os.stat_result | None:
    """Refuse an output path that cannot be written safely; return its status when it exists.

    Allowed: a new file in an existing, writable folder; an existing writable regular file (replaced
    atomically); a character device or a FIFO (written to as a stream: `-o /dev/null`, a pipe).
    Refused: a symbolic link (whatever it points to), a directory, a block device or a socket, a
    read-only file, a missing or read-only folder.
    """
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        status = None
    except OSError as exc:
        raise UnsafePath(f"{label} {path}: {exc.strerror}") from None
    if status is not None:
        _check_existing(path, label, status)
        if stat.S_ISCHR(status.st_mode) or stat.S_ISFIFO(status.st_mode):
            return status
    _check_folder(path, label)
    return status


def _check_existing(path: Path, label: str, status: os.stat_result) -> None:
    mode = status.st_mode
    if stat.S_ISLNK(mode):
        raise UnsafePath(f"{label} {path} is a symbolic link (to {os.readlink(path)}); ftlint does not write "
                         "through links: name the file itself, or remove the link")
    if stat.S_ISDIR(mode):
        raise UnsafePath(f"{label} {path} is a directory; name a file")
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return
    if not stat.S_ISREG(mode):
        raise UnsafePath(f"{label} {path} is not a regular file (a block device or a socket); name a file")
    if not mode & 0o222 or not os.access(path, os.W_OK):
        raise UnsafePath(f"{label} {path} is read-only; make it writable (chmod u+w) or choose another path")


def _check_folder(path: Path, label: str) -> None:
    folder = path.parent
    if not folder.exists():
        raise UnsafePath(f"{label} {path}: folder {folder} does not exist; create it first")
    if not folder.is_dir():
        raise UnsafePath(f"{label} {path}: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UnsafePath(f"{label} {path}: folder {folder} is not writable")
