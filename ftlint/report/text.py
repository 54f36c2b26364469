"""The human report: one line per violation, then a table of per-file totals and costs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ftlint.report import Reporter, Summary
from ftlint.violation import Severity, Violation

if TYPE_CHECKING:
    from ftlint.engine import FileReport

_COLORS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


class TextReporter(Reporter):
    """``path:line:col: FT123 [error] message (rule-name)``, then totals."""

    def start(self) -> None:
        self._reports: list[FileReport] = []

    def violation(self, violation: Violation) -> None:
        where = f"{violation.path}:{violation.line}:{violation.column}:"
        code = f"{violation.code} [{violation.severity.value}]"
        if self.color:
            where = click.style(where, bold=True)
            code = click.style(code, fg=_COLORS[violation.severity], bold=True)
        self.out.write(f"{where} {code} {violation.message} ({violation.name})\n")

    def file_finished(self, report: FileReport) -> None:
        self._reports.append(report)

    def finish(self, summary: Summary) -> None:
        write = self.out.write
        if self._reports:
            write("\n")
            for line in _table(self._reports, summary):
                write(line + "\n")
            models = sorted({(r.model.id, r.model.encoding, r.model.training_context, r.model.training_price)
                             for r in self._reports})
            for model_id, encoding, context, price in models:
                priced = f"${price:,.2f} per 1M training tokens" if price is not None else "not priced per token"
                write(f"model {model_id}: {encoding}, {context:,}-token training context, {priced}\n")
        for notice in summary.notices:
            write(self._style(f"note: {notice}", "cyan") + "\n")
        for error in summary.internal_errors:
            write(self._style(f"internal error: {error}", "red") + "\n")
        write(self._verdict(summary) + "\n")

    def _verdict(self, summary: Summary) -> str:
        counts = summary.counts
        files = f"{summary.files} file{'s' if summary.files != 1 else ''}"
        if not sum(counts.values()):
            return self._style(f"All checks passed ({files}).", "green")
        parts = [f"{counts[s]} {s.value}{'s' if counts[s] != 1 and s is not Severity.INFO else ''}"
                 for s in Severity if counts[s]]
        color = "red" if counts[Severity.ERROR] else "yellow"
        return self._style(f"Found {', '.join(parts)} in {files}.", color)

    def _style(self, text: str, color: str) -> str:
        return click.style(text, fg=color) if self.color else text


_HEADERS = ("file", "kind", "format", "examples", "valid", "tokens", "trainable", "billed", "epochs",
            "est. cost")


def _table(reports: list[FileReport], summary: Summary) -> list[str]:
    rows = [_HEADERS] + [_row(r) for r in reports]
    if len(reports) > 1:
        totals = summary.totals
        rows.append(("total", "", "", f"{totals.examples:,}", f"{totals.valid:,}",
                     _count(totals.tokens, summary.tokens_counted),
                     _count(totals.trainable, summary.tokens_counted),
                     _count(totals.billed, summary.tokens_counted), "", _usd(summary.cost_usd)))
    left = 3  # text columns; the rest are numbers
    if len({r.model.id for r in reports}) > 1:  # say which file is priced with which model
        rows = [(*row[:3], model, *row[3:]) for row, model in
                zip(rows, ["model", *(r.model.id for r in reports), ""][: len(rows)], strict=True)]
        left = 4
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell.ljust(widths[i]) if i < left else cell.rjust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return lines


def _row(report: FileReport) -> tuple[str, ...]:
    totals = report.totals
    counted = report.tokens_counted
    return (
        report.path, report.kind, report.format or "-", f"{totals.examples:,}", f"{totals.valid:,}",
        _count(totals.tokens, counted), _count(totals.trainable, counted),
        _count(totals.billed, counted) if report.kind == "training" else "-",
        str(report.epochs) if report.epochs else "-",
        _usd(report.cost_usd) if report.kind == "training" else "not billed",
    )


def _count(value: int, counted: bool) -> str:
    return f"{value:,}" if counted else "not counted"


def _usd(value: float | None) -> str:
    if value is None:
        return "-"
    return f"${value:,.2f}" if value >= 0.01 or value == 0 else "<$0.01"
