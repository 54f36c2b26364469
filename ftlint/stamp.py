"""The stamper: a rule's finding becomes a violation, with its place, fingerprint, excerpt and
effective severity. The one place where severity overrides are applied to findings."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from ftlint.pointer import locate
from ftlint.records import Record
from ftlint.rule import Rule
from ftlint.sanitize import finding_problem
from ftlint.violation import Finding, Severity, Violation

SNIPPET_WIDTH = 100  # characters of the line shown around the column


class Stamper:
    """Stamps the findings of one file (``display`` is how the file is named in reports)."""

    def __init__(self, severities: dict[str, Severity], display: str) -> None:
        self.severities = severities
        self.display = display

    def stamp(self, rule: Rule[Any], finding: Finding, record: Record | None) -> Violation:
        line = finding.line if finding.line is not None else (record.line if record else 1)
        column = finding.column
        text = record.text.removesuffix("\r") if record is not None else ""
        if column is None and record is not None and finding.pointer and record.value is not None:
            column = locate(text, finding.pointer)
        column = column or 1
        # A file name or a key may hold lone surrogates (undecodable bytes, "\udfff" in the data).
        content = (record.raw.removesuffix(b"\r") if record is not None
                   else self.display.encode("utf-8", "surrogatepass"))
        pointer = finding.pointer.encode("utf-8", "surrogatepass")
        fingerprint = hashlib.blake2b(content + b"\0" + pointer, digest_size=8).hexdigest()
        snippet, snippet_column = ("", 0) if rule.sensitive else excerpt(text, column)
        return Violation(
            code=rule.code, name=rule.name, severity=self.severities.get(rule.code, rule.severity),
            path=self.display, line=line, column=column, pointer=finding.pointer, message=finding.message,
            fix=rule.fix, fingerprint=fingerprint, snippet=snippet, snippet_column=snippet_column,
        )


def validated(findings: Iterable[Finding]) -> list[Finding]:
    """The findings, or ValueError when one cannot be reported (a plugin's line -5, an empty message):
    the rule is then contained like one that raised, and every report stays valid."""
    found = list(findings)
    for finding in found:
        problem = finding_problem(finding.line, finding.column, finding.message)
        if problem is not None:
            raise ValueError(problem)
    return found


def excerpt(text: str, column: int) -> tuple[str, int]:
    """At most ~100 characters of ``text`` around ``column``, and the column within them."""
    if len(text) <= SNIPPET_WIDTH:
        return text, column
    start = max(0, min(column - 1 - SNIPPET_WIDTH // 2, len(text) - SNIPPET_WIDTH))
    piece = text[start:start + SNIPPET_WIDTH]
    prefix = "…" if start else ""
    suffix = "…" if start + SNIPPET_WIDTH < len(text) else ""
    return prefix + piece + suffix, column - start + len(prefix)
