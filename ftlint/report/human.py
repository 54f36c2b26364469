"""The human formats: concise (one line each), grouped (by file) and full (with the source line).

All three end with a table of per-file totals and costs, notices, and a verdict.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from ftlint.report import Reporter, Summary
from ftlint.sanitize import display_width, pad, visible
from ftlint.stats import describe, log2_bins
from ftlint.violation import Severity, Violation

if TYPE_CHECKING:
    from ftlint.filereport import FileReport

_COLORS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


class _Human(Reporter):
    human = True

    def start(self) -> None:
        self._reports: list[FileReport] = []

    def file_finished(self, report: FileReport) -> None:
        self._reports.append(report)

    def style(self, text: str, **options: Any) -> str:
        return click.style(text, **options) if self.color else text

    def code(self, violation: Violation) -> str:
        return self.style(f"{visible(violation.code)} [{violation.severity.value}]",
                          fg=_COLORS[violation.severity], bold=True)

    @staticmethod
    def said(violation: Violation) -> str:
        """The message and the rule's name, as one line whatever the data put in them."""
        return f"{visible(violation.message)} ({visible(violation.name)})"

    def finish(self, summary: Summary) -> None:
        write = self.out.write
        if self.statistics:
            for count, code, name in summary.statistics():
                write(f"{count:>6}\t{visible(code)}\t{visible(name)}\n")
        if self.quiet:  # -q: nothing but violations, and the internal errors that make exit 2
            for error in summary.internal_errors:
                write(self.style(f"internal error: {visible(error)}", fg="red") + "\n")
            return
        if self._reports:
            write("\n")
            for line in totals_table(self._reports, summary):
                write(line + "\n")
            shapes = [line for report in self._reports for line in distribution_lines(report)]
            if shapes:
                write("\n" + "\n".join(shapes) + "\n")
            for line in dict.fromkeys(model_line(report) for report in self._reports):
                write(visible(line) + "\n")
        for notice in summary.notices:
            write(self.style(f"note: {visible(notice)}", fg="cyan") + "\n")
        if summary.suppressed:
            write(f"{summary.suppressed} violation(s) accepted by the baseline were not shown.\n")
        for error in summary.internal_errors:
            write(self.style(f"internal error: {visible(error)}", fg="red") + "\n")
        write(verdict(summary, self.style) + "\n")


class ConciseReporter(_Human):
    """``path:line:col: FT123 [error] message (rule-name)``, one line each."""

    def violation(self, violation: Violation) -> None:
        if self.statistics:
            return
        where = self.style(f"{visible(violation.path)}:{violation.line}:{violation.column}:", bold=True)
        self.out.write(f"{where} {self.code(violation)} {self.said(violation)}\n")


class GroupedReporter(_Human):
    """The file's path once, then ``line:col CODE [severity] message`` rows."""

    def file_started(self, path: str) -> None:
        self._path, self._shown = path, False

    def violation(self, violation: Violation) -> None:
        if self.statistics:
            return
        if not self._shown:
            self.out.write(self.style(visible(self._path), bold=True, underline=True) + "\n")
            self._shown = True
        where = f"{violation.line}:{violation.column}"
        self.out.write(f"  {where:<9} {self.code(violation)} {self.said(violation)}\n")

    def file_finished(self, report: FileReport) -> None:
        if self._shown:
            self.out.write("\n")
        super().file_finished(report)


class FullReporter(GroupedReporter):
    """Each violation with the offending source line, a caret at the column and the rule's fix."""

    def violation(self, violation: Violation) -> None:
        if self.statistics:
            return
        write = self.out.write
        message = self.style(visible(violation.message), bold=True)
        write(f"{self.code(violation)} {message} ({visible(violation.name)})\n")
        write(f"  --> {visible(violation.path)}:{violation.line}:{violation.column}\n")
        if violation.snippet:
            number = str(violation.line)
            margin = " " * len(number)
            # The caret goes under the column as the terminal shows the escaped line.
            before = visible(violation.snippet[: max(violation.snippet_column - 1, 0)])
            caret = " " * display_width(before) + "^"
            write(f"  {margin} |\n  {number} | {visible(violation.snippet)}\n"
                  f"  {margin} | {self.style(caret, fg='red')}\n")
        if violation.fix:
            write(f"  = fix: {visible(violation.fix)}\n")
        write("\n")

    def file_finished(self, report: FileReport) -> None:
        _Human.file_finished(self, report)


def verdict(summary: Summary, style: Any) -> str:
    counts = summary.counts
    files = f"{summary.files} file{'s' if summary.files != 1 else ''}"
    if not sum(counts.values()):
        return str(style(f"All checks passed ({files}).", fg="green"))
    parts = [f"{counts[s]} {s.value}{'s' if counts[s] != 1 and s is not Severity.INFO else ''}"
             for s in Severity if counts[s]]
    color = "red" if counts[Severity.ERROR] else "yellow"
    return str(style(f"Found {', '.join(parts)} in {files}.", fg=color))


_BLOCKS = " ▁▂▃▄▅▆▇█"


def model_line(report: FileReport) -> str:
    """What the file was checked against, and how exact its counts are."""
    model = report.model
    counts = {"": "tokens not counted", "estimate": "tokens estimated (no tokenizer for this model: UTF-8 "
              "bytes / 4)", "tokenizer.json": "exact tokens (the model's tokenizer.json)"}.get(
        report.tokenizer, f"exact tokens ({model.encoding}, {report.tokenizer})")
    context = f"{model.training_context:,}-token training context" if model.training_context else \
        "training context unknown"
    price = model.training_price
    priced = f"${price:,.2f} per 1M training tokens" if price is not None else "not priced per token"
    return f"model {model.id} on {model.provider}: {counts}, {context}, {priced}"


def distribution_lines(report: FileReport) -> list[str]:
    """Two lines per file: tokens per example (with a log2 histogram against the limit) and shape."""
    totals = report.totals
    if not totals.counted:
        return []
    lines = [f"{visible(report.path)}:"]
    tokens = describe(totals.tokens_histogram)
    if tokens is not None:
        limit = report.model.training_context
        bins = log2_bins(totals.tokens_histogram)
        limit_bin = limit.bit_length() - 1 if limit is not None else len(bins) - 1
        width = max(len(bins), limit_bin + 1)
        peak = max(bins) or 1
        bars = "".join(_BLOCKS[min(8, -(-8 * bins[k] // peak))] if k < len(bins) and bins[k] else "·"
                       for k in range(width))
        if limit is not None:
            bars = bars[: limit_bin + 1] + "┃" + bars[limit_bin + 1:]
        shown = f"{limit:,} limit" if limit is not None else "limit unknown"
        lines.append(f"  tokens/example   min {tokens['min']:,.0f}  p50 {tokens['p50']:,.0f}  "
                     f"mean {tokens['mean']:,.0f}  p95 {tokens['p95']:,.0f}  max {tokens['max']:,.0f}   "
                     f"1 {bars} {shown} (log2 bins)")
    messages = describe(totals.messages_histogram)
    if messages is not None:
        share = totals.with_system / totals.counted
        lines.append(f"  messages/example min {messages['min']:.0f}  p50 {messages['p50']:.0f}  "
                     f"mean {messages['mean']:.1f}  p95 {messages['p95']:.0f}  max {messages['max']:.0f}; "
                     f"system prompt in {share:.0%} "
                     f"({len(totals.system_prompts):,} distinct); tool calls in "
                     f"{totals.with_tool_calls / totals.counted:.0%}")
    return lines if len(lines) > 1 else []


_HEADERS = ("file", "kind", "format", "examples", "valid", "tokens", "trainable", "billed", "epochs",
            "est. cost")


def totals_table(reports: list[FileReport], summary: Summary) -> list[str]:
    """Per-file totals, and a total row when there are several files."""
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
    rows = [tuple(visible(cell) for cell in row) for row in rows]  # file names and model ids are data
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [pad(cell, widths[i], right=i >= left) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return lines


def _row(report: FileReport) -> tuple[str, ...]:
    totals = report.totals
    counted = report.tokens_counted
    per_hour = report.billed_per_hour
    return (
        report.path, report.kind, report.format or "-", f"{totals.examples:,}", f"{totals.valid:,}",
        _count(totals.tokens, counted), "n/a" if per_hour else _count(totals.trainable, counted),
        "n/a" if per_hour else _count(totals.billed, counted) if report.kind == "training" else "-",
        str(report.epochs) if report.epochs else "-",
        "per hour" if per_hour and report.kind == "training" else
        _usd(report.cost_usd) if report.kind == "training" else "not billed",
    )


def _count(value: int, counted: bool) -> str:
    return f"{value:,}" if counted else "not counted"


def _usd(value: float | None) -> str:
    if value is None:
        return "-"
    return f"${value:,.2f}" if value >= 0.01 or value == 0 else "<$0.01"
