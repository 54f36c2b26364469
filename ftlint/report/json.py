"""The JSON contract (schema: ftlint/data/report.schema.json), written as it streams.

Violations are written as they come, so memory does not grow with their
number. Keys are stable; additions are backwards-compatible, anything else
bumps ``version``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ftlint import __version__
from ftlint.report import OtherSource, Reporter, Summary
from ftlint.sanitize import dumps
from ftlint.stats import FileTotals, stats_json
from ftlint.violation import Severity, Violation

if TYPE_CHECKING:
    from ftlint.filereport import FileReport

CONTRACT_VERSION = 1


class JsonReporter(Reporter):
    statistics_note = "the counts per rule are always in summary.statistics, next to the list"

    def start(self) -> None:
        self.out.write(f'{{"version": {CONTRACT_VERSION}, "ftlint": {dumps(__version__)}, "files": [')
        self._files = 0

    def file_started(self, path: str) -> None:
        separator = ", " if self._files else ""
        self.out.write(f'{separator}{{"path": {dumps(path)}, "violations": [')
        self._files += 1
        self._violations = 0

    def violation(self, violation: Violation) -> None:
        separator = ", " if self._violations else ""
        self._violations += 1
        self.out.write(separator + dumps(violation_json(violation)))

    def file_finished(self, report: FileReport) -> None:
        self.out.write("], " + dumps(file_json(report))[1:])

    def source_finished(self, source: OtherSource) -> None:
        self.out.write("], " + dumps(source_json(source))[1:])

    def finish(self, summary: Summary) -> None:
        self.out.write(f'], "summary": {dumps(summary_json(summary))}}}\n')


class JsonLinesReporter(Reporter):
    """One violation object per line (with its path), then one ``{"summary": ...}`` line."""

    statistics_note = "the counts per rule are always in the last line's summary.statistics"

    def violation(self, violation: Violation) -> None:
        self.out.write(dumps({"path": violation.path, **violation_json(violation)}) + "\n")

    def finish(self, summary: Summary) -> None:
        self.out.write(dumps({"summary": summary_json(summary)}) + "\n")


def file_json(report: FileReport) -> dict[str, Any]:
    return {
        "kind": report.kind,
        **({"validation_reason": report.validation_reason} if report.validation_reason else {}),
        "format": report.format,
        "examples": report.totals.examples,
        "valid_examples": report.totals.valid,
        "counted_examples": report.totals.counted,
        "counts": _counts(report.counts),
        "tokens": _tokens(report.totals, report.tokens_counted, per_hour=report.billed_per_hour),
        "stats": stats_json(report.totals),
        "cost": {
            "model": report.model.id,
            "encoding": report.model.encoding,
            "tokenizer": report.tokenizer or None,
            "training_context": report.model.training_context,
            "epochs": report.epochs,
            "usd": _round(report.cost_usd),
        },
    }


def source_json(source: OtherSource) -> dict[str, Any]:
    """A file that is not data (the baseline): the contract's file fields, with nothing counted."""
    return {"kind": source.kind, "format": None, "examples": 0, "valid_examples": 0, "counted_examples": 0,
            "counts": _counts(source.counts), "tokens": None, "stats": stats_json(FileTotals()),
            "cost": {"model": None, "encoding": None, "tokenizer": None, "training_context": None,
                     "epochs": None, "usd": None}}


def summary_json(summary: Summary) -> dict[str, Any]:
    return {
        "files": summary.files,
        "examples": summary.totals.examples,
        "valid_examples": summary.totals.valid,
        "counted_examples": summary.totals.counted,
        "counts": _counts(summary.counts),
        "tokens": _tokens(summary.totals, summary.tokens_counted),
        "stats": stats_json(summary.totals),
        "cost": {"usd": _round(summary.cost_usd)},
        "notices": summary.notices,
        "internal_errors": summary.internal_errors,
        "suppressed": summary.suppressed,
        "statistics": [{"code": code, "name": name, "count": count}
                       for count, code, name in summary.statistics()],
    }


def violation_json(violation: Violation) -> dict[str, Any]:
    return {
        "code": violation.code,
        "name": violation.name,
        "severity": violation.severity.value,
        "line": violation.line,
        "column": violation.column,
        "pointer": violation.pointer,
        "message": violation.message,
        "fix": violation.fix,
        "fingerprint": violation.fingerprint,
    }


def _counts(counts: Any) -> dict[str, int]:
    return {severity.value: counts.get(severity, 0) for severity in Severity}


def _tokens(totals: FileTotals, counted: bool, *, per_hour: bool = False) -> dict[str, int | None] | None:
    """Token totals; ``trainable`` and ``billed`` are null for a method billed per hour (reinforcement)."""
    if not counted:
        return None
    return {
        "total": totals.tokens,
        "trainable": None if per_hour else totals.trainable,
        "billed": None if per_hour else totals.billed,
        "max_example": totals.max_example,
        "over_limit": totals.over_limit,
        "uncounted_examples": totals.uncounted,
        "images": totals.images,
        "images_estimated": totals.images_uncounted,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)
