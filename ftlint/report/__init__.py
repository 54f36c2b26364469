"""Reporters render a run; they never filter, re-judge severity or compute totals.

Each format is one module. The lifecycle mirrors flake8's formatters so that
every reporter can stream: ``start``, then per file ``file_started``,
``violation``..., ``file_finished``, and finally ``finish``. Whole-document
formats (SARIF, JUnit, GitLab) collect and write in ``finish``.
"""

from __future__ import annotations

import functools
import importlib
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import quote

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
    # Where a format keeps per-rule counts when --statistics cannot replace its list (None: it can).
    statistics_note: str | None = "it lists every violation; for counts per rule use --format concise or json"

    def __init__(self, out: IO[str], *, color: bool = False, rules: dict[str, type[Rule[Any]]] | None = None,
                 statistics: bool = False, err: IO[str] | None = None, quiet: bool = False) -> None:
        self.out = out
        self.quiet = quiet  # -q: violations (and --statistics) only; no totals, notes or verdict
        self.err = err
        self.color = color
        self.rules = rules or {}
        self.statistics = statistics
        if statistics and self.statistics_note and err is not None:
            err.write(f"ftlint: note: --statistics does not change the {self.format_name()} format: "
                      f"{self.statistics_note}\n")

    @classmethod
    def format_name(cls) -> str:
        return next((name for name, target in FORMATS.items() if target.endswith(f":{cls.__name__}")), cls.__name__)

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


# -o FILE without --format: the format its name asks for (anything else keeps the default).
SUFFIX_FORMATS = {".json": "json", ".sarif": "sarif", ".sarif.json": "sarif", ".xml": "junit", ".html": "html",
                  ".htm": "html"}


def format_for_path(path: Path | None) -> str | None:
    """The format an output file's name implies: ``report.sarif.json`` is SARIF, ``ftlint.xml`` JUnit."""
    if path is None:
        return None
    name = path.name.lower()
    return next((SUFFIX_FORMATS[suffix] for suffix in sorted(SUFFIX_FORMATS, key=len, reverse=True)
                 if name.endswith(suffix)), None)


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


# --- Where a file is, for tools that link to a repository (SARIF, GitLab, GitHub annotations) -----

SRCROOT = "%SRCROOT%"


@functools.lru_cache(maxsize=16)
def _source_root(cwd: str) -> str:
    for folder in (cwd, *map(str, Path(cwd).parents)):
        if os.path.exists(os.path.join(folder, ".git")):  # a folder, or a file in a worktree or submodule
            return folder
    return cwd


def source_root() -> str:
    """The repository's top folder (the nearest folder up from here with a ``.git``), else this folder.

    Found without running git: data paths are linked relative to it, as code scanning expects.
    """
    return _source_root(os.getcwd())


def repo_path(path: str) -> str | None:
    """``path`` relative to :func:`source_root`, POSIX style; None when it is outside (or stdin)."""
    if path == "-":
        return None
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, source_root())
    except ValueError:  # pragma: no cover - another drive on Windows
        return None
    if relative == ".." or relative.startswith(".." + os.sep):
        return None
    return relative.replace(os.sep, "/")


def display_location(path: str) -> str:
    """A path for tools that show one: relative to the repository, else absolute; ``stdin`` for ``-``."""
    if path == "-":
        return "stdin"
    return repo_path(path) or os.path.abspath(path).replace(os.sep, "/")


def _quote(text: str) -> str:
    """Percent-encoding of a POSIX path: a file name's own bytes (surrogate escapes) where it has them."""
    try:
        return quote(text, safe="/", errors="surrogateescape")
    except UnicodeEncodeError:  # a surrogate no file name decodes to: keep it visible, encoded
        return quote(text, safe="/", errors="backslashreplace")


def artifact_location(path: str) -> dict[str, str]:
    """A SARIF artifactLocation: a URI reference relative to ``%SRCROOT%``, else an absolute ``file:`` URI.

    Every segment is percent-encoded, so ``a b #1?.jsonl`` stays one path (``#`` would start a
    fragment, ``?`` a query, and a ``:`` in the first segment would read as a scheme).
    """
    if path == "-":
        return {"uri": "stdin"}
    relative = repo_path(path)
    if relative is not None:
        return {"uri": _quote(relative), "uriBaseId": SRCROOT}
    return {"uri": "file://" + _quote(PurePosixPath(os.path.abspath(path)).as_posix())}


def base_uri() -> str:
    """``%SRCROOT%`` as an absolute ``file:`` URI ending in ``/`` (SARIF's originalUriBaseIds)."""
    root = _quote(PurePosixPath(source_root()).as_posix())
    return "file://" + (root if root.endswith("/") else root + "/")
