"""Baselines: accept today's violations, fail only on new ones.

JSONL cannot carry ``# noqa`` comments, and markers inside training records
would change the data. A baseline file instead lists violations by rule and by
a hash of the record's content, so entries survive inserted or reordered lines.
An entry that no longer matches anything is reported as FT901, like ruff's
unused-noqa rule, so baselines shrink as data gets fixed.

The file is JSON with one entry per line (so each stale entry has a line)::

    {"version": 1, "entries": [
    {"code": "FT202", "fingerprint": "1f2e...", "count": 1, "path": "data/train.jsonl", "line": 12},
    ...
    ]}
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ftlint.atomic import AtomicFile
from ftlint.violation import Violation

VERSION = 1
UNUSED_CODE = "FT901"


class BaselineError(ValueError):
    """The baseline file cannot be read."""


@dataclass(frozen=True)
class Entry:
    code: str
    fingerprint: str
    count: int
    path: str  # where it was first seen; informative, not part of the key
    line: int
    file_line: int = 0  # the entry's own line in the baseline file


class Baseline:
    def __init__(self, path: Path, entries: list[Entry]) -> None:
        self.path = path
        self.entries = entries
        self._left: Counter[tuple[str, str]] = Counter()
        for entry in entries:
            self._left[(entry.code, entry.fingerprint)] += entry.count

    @classmethod
    def load(cls, path: Path) -> Baseline:
        """Read a baseline. Anything that is not one (bad JSON, a count of 1e999, a list nested 100,000
        deep) is a BaselineError naming the file, the entry and the key: never a traceback."""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise BaselineError(f"cannot read baseline {path}: {exc.strerror}") from None
        except UnicodeDecodeError as exc:
            raise BaselineError(f"{path} is not an ftlint baseline: not UTF-8 (byte {exc.start + 1})") from None
        try:
            data = json.loads(text)
        except RecursionError:
            raise BaselineError(f"{path} is not an ftlint baseline: nested too deeply") from None
        except ValueError as exc:  # bad JSON, or an integer past Python's 4,300-digit limit
            raise BaselineError(f"{path} is not an ftlint baseline: {str(exc).split('; use sys.', 1)[0]}") from None
        if not isinstance(data, dict):
            raise BaselineError(f"{path} is not an ftlint baseline: a JSON {type(data).__name__}, not an object")
        if data.get("version") != VERSION:
            raise BaselineError(f"{path} is not an ftlint baseline: unsupported version "
                                f"{_short(data.get('version'))} (this ftlint reads version {VERSION})")
        items = data.get("entries")
        if not isinstance(items, list):
            raise BaselineError(f"{path} is not an ftlint baseline: `entries` must be a list")
        lines = {item: number for number, item in enumerate(text.splitlines(), start=1)}
        entries = [_entry(path, index, item, lines) for index, item in enumerate(items)]
        return cls(path, entries)

    def suppress(self, violation: Violation) -> bool:
        """True (and one use of the entry spent) when the baseline covers ``violation``."""
        key = (violation.code, violation.fingerprint)
        if self._left[key] > 0:
            self._left[key] -= 1
            return True
        return False

    def unused(self) -> list[tuple[int, Entry, int]]:
        """(index, entry, how many of its uses) for entries that matched nothing (FT901 judges them)."""
        found = []
        left = Counter(self._left)
        for index, entry in enumerate(self.entries):
            key = (entry.code, entry.fingerprint)
            unused = min(left[key], entry.count)
            if unused <= 0:
                continue
            left[key] -= unused
            found.append((index, entry, unused))
        return found


def _entry(path: Path, index: int, item: object, lines: dict[str, int]) -> Entry:
    """One entry, checked field by field (the file may have been edited by hand, or by anyone)."""
    where = f"{path}: entry {index + 1}"
    if not isinstance(item, dict):
        raise BaselineError(f"{where}: must be an object, not {type(item).__name__}")
    for key in ("code", "fingerprint"):
        if not isinstance(item.get(key), str):
            raise BaselineError(f"{where}: `{key}` must be a string")
    numbers = {}
    for key, default, least in (("count", 1, 1), ("line", 0, 0)):
        value = item.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise BaselineError(f"{where}: `{key}` must be an integer of at least {least}, not {_short(value)}")
        numbers[key] = value
    if not isinstance(item.get("path", ""), str):
        raise BaselineError(f"{where}: `path` must be a string")
    entry_line = lines.get(json.dumps(item, sort_keys=True) + ",") or lines.get(json.dumps(item, sort_keys=True), 0)
    return Entry(item["code"], item["fingerprint"], numbers["count"], item.get("path", ""), numbers["line"],
                 entry_line)


def _short(value: object) -> str:
    text = json.dumps(value) if isinstance(value, (int, float, str)) or value is None else type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


def write_baseline(path: Path, violations: Iterable[Violation]) -> int:
    """Write a baseline accepting ``violations``; return the number of entries. Atomic (`AtomicFile`)."""
    counts: Counter[tuple[str, str]] = Counter()
    first: dict[tuple[str, str], Violation] = {}
    for violation in violations:
        if violation.code == UNUSED_CODE:
            continue
        key = (violation.code, violation.fingerprint)
        counts[key] += 1
        first.setdefault(key, violation)
    items = [
        {"code": code, "count": counts[(code, fingerprint)], "fingerprint": fingerprint,
         "line": first[(code, fingerprint)].line, "path": first[(code, fingerprint)].path}
        for code, fingerprint in sorted(first, key=lambda k: (first[k].path, first[k].line, k))
    ]
    body = ",\n".join(json.dumps(item, sort_keys=True) for item in items)
    entries = f"[\n{body}\n]" if items else "[]"
    text = f'{{"version": {VERSION}, "entries": {entries}}}\n'
    with AtomicFile(path) as handle:
        handle.write(text.encode("utf-8"))
    return len(items)
