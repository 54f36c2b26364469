"""GitHub Actions workflow-command annotations.

GitHub shows at most 10 annotations of each type per step, so the rest are
printed as plain log lines and a closing notice says how many. Totals go to
stderr, leaving stdout to the annotations.

Only our own ``::error``/``::warning``/``::notice`` lines are workflow commands: every other line
this format writes (overflow lines, totals, notes) is neutralized, whether or not
``GITHUB_ACTIONS`` is set (a container step may not pass it on, yet the runner reads its output).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from ftlint.report import Reporter, Summary, display_location
from ftlint.report.human import totals_table, verdict
from ftlint.sanitize import neutralize_line, visible, write_command
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
    statistics_note = None  # the counts per rule follow the totals on stderr

    def start(self) -> None:
        self._shown: Counter[Severity] = Counter()
        self._reports: list[FileReport] = []

    def violation(self, violation: Violation) -> None:
        command = COMMANDS[violation.severity]
        path = display_location(violation.path)  # annotations resolve paths from the repository's root
        said = visible(f"{violation.message} ({violation.name})")
        if self._shown[violation.severity] < SHOWN_PER_TYPE:
            self._shown[violation.severity] += 1
            properties = ",".join([
                f"file={escape_property(visible(path))}",
                f"line={violation.line}",
                f"col={violation.column}",
                f"title={escape_property(visible(f'ftlint ({violation.code})'))}",
            ])
            write_command(self.out, f"::{command} {properties}::{escape_data(said)}\n")
        else:
            line = f"{visible(path)}:{violation.line}:{violation.column}: {visible(violation.code)} " \
                   f"[{violation.severity.value}] {said}"
            self.out.write(neutralize_line(line) + "\n")

    def file_finished(self, report: FileReport) -> None:
        self._reports.append(report)

    def finish(self, summary: Summary) -> None:
        hidden = sum(summary.counts.values()) - sum(self._shown.values())
        if hidden > 0:
            write_command(self.out, f"::notice title=ftlint::{hidden} more violation(s) are listed in the log "
                          f"above; GitHub shows only {SHOWN_PER_TYPE} annotations of each type per step\n")
        if self.err is None:
            return
        lines = totals_table(self._reports, summary) if self._reports else []
        if self.statistics:
            lines += [f"{count:>6}\t{visible(code)}\t{visible(name)}" for count, code, name in summary.statistics()]
        lines += [f"note: {visible(notice)}" for notice in summary.notices]
        lines.append(verdict(summary, lambda text, **_: text))
        for line in lines:
            self.err.write(neutralize_line(line) + "\n")
