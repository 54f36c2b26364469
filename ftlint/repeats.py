"""Identical findings are shown a few times per file, then summarised with their count.

A file of 20 million blank lines, or an info finding on every example, would
otherwise bury everything else (and write gigabytes of report). The run counts
every violation (totals, statistics and the exit code stay exact); only the
listing is shortened. ``max-repeats = 0`` (or ``--max-repeats 0``) lists all.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from ftlint.violation import Severity, Violation

DEFAULT_MAX_REPEATS = 10  # errors and warnings: this many identical ones per file are listed
INFO_REPEATS = 1  # advice: one listing per file, then the summary with the lines
LINES_SHOWN = 5  # lines named in a summary
MAX_TRACKED = 10_000  # distinct (rule, message) pairs followed per file; later ones are never shortened


def listed_limit(severity: Severity, max_repeats: int) -> int:
    """How many identical violations of ``severity`` a file lists before its summary."""
    return INFO_REPEATS if severity is Severity.INFO else max_repeats


@dataclass(frozen=True)
class Listing:
    """What the run's report can show of a file's violations, for the engine, which then places
    (column, excerpt) only those (ftlint.stamp). The others still count: line, code, severity,
    message and fingerprint are always exact.

    ``max_repeats`` None: any violation may be shown (the API's callers get every one; a baseline
    suppresses before the limiter counts; --write-baseline and --max-repeats 0 keep them all).
    ``counts_only``: none is shown (a target's verdict counts them).
    """

    max_repeats: int | None = None
    counts_only: bool = False

    def shown(self, severity: Severity) -> int | None:
        """How many of one (code, message) can be shown, from the start of any range of a file: the
        ones listed and the summary's first (None: all). A range's first that many hold every one the
        file shows: what is shown of a file is its first ``limit + 1``."""
        if self.counts_only:
            return 0
        if not self.max_repeats:
            return None
        return listed_limit(severity, self.max_repeats) + 1


SHOW_ALL = Listing()
COUNTS_ONLY = Listing(counts_only=True)


@dataclass
class _Repeats:
    first: Violation
    omitted: int = 0
    lines: list[int] = field(default_factory=list)


class RepeatLimiter:
    """Decides, file by file, which violations are listed; ``summaries`` gives the rest, counted."""

    def __init__(self, max_repeats: int = DEFAULT_MAX_REPEATS) -> None:
        self.max_repeats = max_repeats
        self._seen: dict[tuple[str, str], int] = {}
        self._omitted: dict[tuple[str, str], _Repeats] = {}

    def start_file(self) -> None:
        self._seen, self._omitted = {}, {}

    def admit(self, violation: Violation) -> bool:
        """True when the violation is listed; False when it is held for the file's summary."""
        if not self.max_repeats:
            return True
        key = (violation.code, violation.message)
        seen = self._seen.get(key)
        if seen is None:
            if len(self._seen) >= MAX_TRACKED:
                return True
            seen = 0
        self._seen[key] = seen + 1
        limit = listed_limit(violation.severity, self.max_repeats)
        if seen < limit:
            return True
        repeats = self._omitted.setdefault(key, _Repeats(violation))
        repeats.omitted += 1
        if len(repeats.lines) < LINES_SHOWN:
            repeats.lines.append(violation.line)
        return False

    def summaries(self) -> list[Violation]:
        """One violation per shortened finding, at its first line not listed, saying how many were not."""
        found = []
        for repeats in self._omitted.values():
            lines = ", ".join(map(str, repeats.lines)) + (", ..." if repeats.omitted > len(repeats.lines) else "")
            found.append(dataclasses.replace(
                repeats.first,
                message=f"{repeats.first.message} [{repeats.omitted:,} like this in this file are not listed one by "
                        f"one: lines {lines}; --max-repeats 0 lists them all]"))
        return found
