"""JUnit XML (GitLab, Jenkins, Azure DevOps): a testsuite per file, a failing testcase per violation.

Testcase names are unique (``FT123 line 12``), because GitLab drops repeated
name/classname pairs; a clean file gets one passing testcase. Every string from the data goes
through ``sanitize.visible``: XML 1.0 has no way to write ESC, BEL or a lone surrogate, not even
as a character reference, and GitLab rejects a report that contains one.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from ftlint.report import OtherSource, Reporter, Summary, relative_path
from ftlint.sanitize import visible
from ftlint.violation import Violation

if TYPE_CHECKING:
    from ftlint.filereport import FileReport


class JunitReporter(Reporter):
    def start(self) -> None:
        self._root = ElementTree.Element("testsuites", name="ftlint")
        self._violations: list[Violation] = []

    def file_started(self, path: str) -> None:
        self._violations = []

    def violation(self, violation: Violation) -> None:
        self._violations.append(violation)

    def file_finished(self, report: FileReport) -> None:
        self._suite(report.path)

    def source_finished(self, source: OtherSource) -> None:
        self._suite(source.path)

    def _suite(self, display: str) -> None:
        path = visible(relative_path(display))
        suite = ElementTree.SubElement(self._root, "testsuite", name=path,
                                       tests=str(max(len(self._violations), 1)),
                                       failures=str(len(self._violations)), errors="0", skipped="0", time="0")
        seen: Counter[str] = Counter()
        for violation in self._violations:
            name = visible(f"{violation.code} line {violation.line}")
            seen[name] += 1
            if seen[name] > 1:
                name += f" ({seen[name]})"
            case = ElementTree.SubElement(suite, "testcase", name=name, classname=path, time="0")
            message = visible(violation.message)
            failure = ElementTree.SubElement(case, "failure", type=visible(violation.code),
                                             message=f"{message} ({visible(violation.name)})")
            failure.text = (f"{path}:{violation.line}:{violation.column}: {visible(violation.code)} "
                            f"[{violation.severity.value}] {message}")
        if not self._violations:
            ElementTree.SubElement(suite, "testcase", name="no violations", classname=path, time="0")

    def finish(self, summary: Summary) -> None:
        suites = list(self._root)
        self._root.set("tests", str(sum(int(s.get("tests", "0")) for s in suites)))
        self._root.set("failures", str(sum(int(s.get("failures", "0")) for s in suites)))
        self._root.set("errors", "0")
        self._root.set("time", "0")
        ElementTree.indent(self._root)
        self.out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        self.out.write(ElementTree.tostring(self._root, encoding="unicode") + "\n")
