"""Which files a run checks: the paths given, directories searched for JSONL files, standard input."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from ftlint.inputs import SUFFIXES

SKIP_DIRS = {".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache"}


def expand(paths: tuple[Path, ...], validation: set[Path]) -> Iterator[tuple[Path | None, bool]]:
    """Files to check, in a stable order: (path or None for stdin, explicitly a validation file).

    Raises FileNotFoundError (with the path and what is wrong) for a missing path or a directory
    with nothing to check: an empty run would print a pass nothing earned.
    """
    seen: set[Path] = set()
    stdin_seen = False
    for path in [*paths, *sorted(validation)]:
        if str(path) == "-":
            if not stdin_seen:  # standard input can be read once
                stdin_seen = True
                yield None, False
            continue
        if not path.exists():
            kind = "a broken or looping symbolic link" if path.is_symlink() else "no such file or directory"
            raise FileNotFoundError(f"{path}: {kind}")
        files = [path] if not path.is_dir() else sorted(_scan(path))
        if not files:
            raise FileNotFoundError(f"{path}: a directory with no {', '.join(f'*{s}' for s in SUFFIXES)} "
                                    "files in it; name the files to check")
        for file in files:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                yield file, file in validation


def _scan(directory: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in files:
            if name.lower().endswith(SUFFIXES):
                yield Path(root) / name
