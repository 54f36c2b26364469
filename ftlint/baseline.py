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
        try:
            text = path.read_text(encoding="utf-8")
            data = json.loads(text)
            if data.get("version") != VERSION:
                raise ValueError(f"unsupported version {data.get('version')!r}")
            lines = {item: number for number, item in enumerate(text.splitlines(), start=1)}
            entries = []
            for item in data["entries"]:
                entry_line = lines.get(json.dumps(item, sort_keys=True) + ",") or lines.get(
                    json.dumps(item, sort_keys=True), 0)
                entries.append(Entry(str(item["code"]), str(item["fingerprint"]), int(item.get("count", 1)),
                                     str(item.get("path", "")), int(item.get("line", 0)), entry_line))
        except OSError as exc:
            raise BaselineError(f"cannot read baseline {path}: {exc.strerror}") from None
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BaselineError(f"{path} is not an ftlint baseline: {exc}") from None
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
