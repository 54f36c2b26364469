"""Reporters render a run; they never filter, re-judge severity or compute totals.

Each format is one module with one Reporter class. The lifecycle mirrors
flake8's formatters so that every reporter can stream: ``start``, then per file
``file_started``, ``violation``..., ``file_finished``, and finally ``finish``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING

from ftlint.stats import FileTotals
from ftlint.violation import Severity, Violation

if TYPE_CHECKING:
    from ftlint.engine import FileReport


@dataclass
class Summary:
    """Totals across all files of a run (computed by the CLI, rendered by reporters)."""

    files: int = 0
    totals: FileTotals = field(default_factory=FileTotals)
    counts: Counter[Severity] = field(default_factory=Counter)
    cost_usd: float | None = None
    tokens_counted: bool = True
    notices: list[str] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)

    def add(self, report: FileReport) -> None:
        self.files += 1
        self.totals = self.totals + report.totals
        self.counts.update(report.counts)
        self.tokens_counted = self.tokens_counted and report.tokens_counted
        if report.cost_usd is not None:
            self.cost_usd = (self.cost_usd or 0.0) + report.cost_usd
        self.internal_errors.extend(f"{report.path}: {e}" for e in report.internal_errors)


class Reporter:
    """Base class: override what the format needs."""

    def __init__(self, out: IO[str], *, color: bool = False) -> None:
        self.out = out
        self.color = color

    def start(self) -> None:
        pass

    def file_started(self, path: str) -> None:
        pass

    def violation(self, violation: Violation) -> None:
        pass

    def file_finished(self, report: FileReport) -> None:
        pass

    def finish(self, summary: Summary) -> None:
        pass


def reporter_names() -> list[str]:
    return sorted(_registry())


def make_reporter(name: str, out: IO[str], *, color: bool) -> Reporter:
    return _registry()[name](out, color=color)


def _registry() -> dict[str, type[Reporter]]:
    from ftlint.report.json import JsonReporter
    from ftlint.report.text import TextReporter

    return {"text": TextReporter, "json": JsonReporter}
