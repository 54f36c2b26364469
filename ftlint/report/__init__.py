"""Reporters render a run; they never filter, re-judge severity or compute totals.

Each format is one module. The lifecycle mirrors flake8's formatters so that
every reporter can stream: ``start``, then per file ``file_started``,
``violation``..., ``file_finished``, and finally ``finish``. Whole-document
formats (SARIF, JUnit, GitLab) collect and write in ``finish``.
"""

from __future__ import annotations

import importlib
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from ftlint.stats import FileTotals
from ftlint.violation import Severity, Violation

if TYPE_CHECKING:
    from ftlint.filereport import FileReport
    from ftlint.rule import Rule


@dataclass
class Summary:
    """Totals across all files of a run (computed by the CLI, rendered by reporters)."""

    files: int = 0
    totals: FileTotals = field(default_factory=FileTotals)
    counts: Counter[Severity] = field(default_factory=Counter)
    by_rule: Counter[tuple[str, str]] = field(default_factory=Counter)  # (code, name) -> count
    suppressed: int = 0
    cost_usd: float | None = None
    tokens_counted: bool = True
    notices: list[str] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)
    plugin_errors: list[tuple[str, str]] = field(default_factory=list)  # (distribution, message)

    def add(self, report: FileReport, suppressed: int = 0) -> None:
        self.files += 1
        self.totals = self.totals + report.totals
        self.counts.update(report.counts)
        self.suppressed += suppressed
        self.tokens_counted = self.tokens_counted and report.tokens_counted
        if report.cost_usd is not None:
            self.cost_usd = (self.cost_usd or 0.0) + report.cost_usd
        self.internal_errors.extend(f"{report.path}: {e}" for e in report.internal_errors)
        self.plugin_errors.extend((dist, f"{report.path}: {message}") for dist, message in report.plugin_errors)

    def statistics(self) -> list[tuple[int, str, str]]:
        """(count, code, name), most frequent first, as ruff's --statistics."""
        return sorted(((n, code, name) for (code, name), n in self.by_rule.items()), key=lambda r: (-r[0], r[1]))


@dataclass(frozen=True)
class OtherSource:
    """A file the run reports findings against that is not training data (the baseline, for FT901)."""

    path: str
    kind: str
    counts: Counter[Severity]


class Reporter:
    """Base class: override what the format needs."""

    human = False  # human formats print totals; machine formats print only their document

    def __init__(self, out: IO[str], *, color: bool = False, rules: dict[str, type[Rule[Any]]] | None = None,
                 statistics: bool = False, err: IO[str] | None = None) -> None:
        self.out = out
        self.err = err
        self.color = color
        self.rules = rules or {}
        self.statistics = statistics

    def start(self) -> None:
        pass

    def file_started(self, path: str) -> None:
        pass

    def violation(self, violation: Violation) -> None:
        pass

    def file_finished(self, report: FileReport) -> None:
        pass

    def source_finished(self, source: OtherSource) -> None:
        """The end of the findings against a file that is not data (after its ``file_started``)."""

    def finish(self, summary: Summary) -> None:
        pass


# name -> "module:Class"; a format is one module, imported only when used.
FORMATS = {
    "full": "ftlint.report.human:FullReporter",
    "concise": "ftlint.report.human:ConciseReporter",
    "text": "ftlint.report.human:ConciseReporter",  # the name ftlint 0.1 used for concise
    "grouped": "ftlint.report.human:GroupedReporter",
    "json": "ftlint.report.json:JsonReporter",
    "json-lines": "ftlint.report.json:JsonLinesReporter",
    "sarif": "ftlint.report.sarif:SarifReporter",
    "github": "ftlint.report.github:GithubReporter",
    "junit": "ftlint.report.junit:JunitReporter",
    "gitlab": "ftlint.report.gitlab:GitlabReporter",
    "html": "ftlint.report.html:HtmlReporter",
}
CHOICES = sorted([*FORMATS, "auto"])


def resolve_format(name: str, *, stdout_is_tty: bool) -> str:
    """``auto``: github annotations inside GitHub Actions, else full on a terminal, else concise."""
    if name != "auto":
        return name
    if os.environ.get("GITHUB_ACTIONS") == "true":
        return "github"
    return "full" if stdout_is_tty else "concise"


def make_reporter(name: str, out: IO[str], **options: Any) -> Reporter:
    module, _, attribute = FORMATS[name].partition(":")
    reporter_class: type[Reporter] = getattr(importlib.import_module(module), attribute)
    return reporter_class(out, **options)


def relative_path(path: str) -> str:
    """A path relative to the working directory when it is inside it (for CI tools), POSIX style."""
    if path == "-":
        return "stdin"
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute)
    except ValueError:  # pragma: no cover - another drive on Windows
        return absolute.replace(os.sep, "/")
    return (absolute if relative.startswith("..") else relative).replace(os.sep, "/")
