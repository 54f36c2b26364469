"""GitHub Actions workflow-command annotations.

GitHub shows at most 10 annotations of each type per step, so the rest are
printed as plain log lines and a closing notice says how many. Totals go to
stderr, leaving stdout to the annotations.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from ftlint.report import Reporter, Summary, relative_path
from ftlint.report.human import totals_table, verdict
from ftlint.violation import Severity, Violation

if TYPE_CHECKING:
    from ftlint.filereport import FileReport

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
SHOWN_PER_TYPE = 10


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GithubReporter(Reporter):
    def start(self) -> None:
        self._shown: Counter[Severity] = Counter()
        self._reports: list[FileReport] = []

    def violation(self, violation: Violation) -> None:
        command = COMMANDS[violation.severity]
        location = f"{relative_path(violation.path)}:{violation.line}:{violation.column}"
        if self._shown[violation.severity] < SHOWN_PER_TYPE:
            self._shown[violation.severity] += 1
            properties = ",".join([
                f"file={escape_property(relative_path(violation.path))}",
                f"line={violation.line}",
                f"col={violation.column}",
                f"title={escape_property(f'ftlint ({violation.code})')}",
            ])
            self.out.write(f"::{command} {properties}::{escape_data(f'{violation.message} ({violation.name})')}\n")
        else:
            # Plain log text: a line starting with "::" would be read as a command.
            line = f"{location}: {violation.code} [{violation.severity.value}] {violation.message} ({violation.name})"
            self.out.write(line.replace("\r", " ").replace("\n", " ") + "\n")

    def file_finished(self, report: FileReport) -> None:
        self._reports.append(report)

    def finish(self, summary: Summary) -> None:
        hidden = sum(summary.counts.values()) - sum(self._shown.values())
        if hidden > 0:
            self.out.write(f"::notice title=ftlint::{hidden} more violation(s) are listed in the log above; "
                           f"GitHub shows only {SHOWN_PER_TYPE} annotations of each type per step\n")
        if self.err is not None:
            for line in totals_table(self._reports, summary) if self._reports else []:
                self.err.write(line + "\n")
            for notice in summary.notices:
                self.err.write(f"note: {notice}\n")
            self.err.write(verdict(summary, lambda text, **_: text) + "\n")
