"""The stamper: a rule's finding becomes a violation, with its place, fingerprint, excerpt and
effective severity. The one place where severity overrides are applied to findings."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from ftlint.masking import mask, mask_at, mask_pointer
from ftlint.records import Record
from ftlint.rule import Rule
from ftlint.rules.secrets import Scanner
from ftlint.sanitize import finding_problem
from ftlint.violation import Finding, Severity, Violation

SNIPPET_WIDTH = 100  # characters of the line shown around the column


class Stamper:
    """Stamps the findings of one file (``display`` is how the file is named in reports). Every
    secret the FT7 scanners find is hidden in the excerpt and the message: another rule may show
    the line, and a message may quote a key or a value."""

    def __init__(self, severities: dict[str, Severity], display: str,
                 scanners: tuple[Scanner, ...] | None = None) -> None:
        self.severities = severities
        self.display = display
        self.scanners = scanners

    def stamp(self, rule: Rule[Any], finding: Finding, record: Record | None) -> Violation:
        line = finding.line if finding.line is not None else (record.line if record else 1)
        column = finding.column
        text = record.text.removesuffix("\r") if record is not None else ""
        if column is None and record is not None and finding.pointer and record.value is not None:
            column = record.locator.column(finding.pointer)  # the line is tokenized once for all its findings
        column = column or 1
        # The line is hashed once, not once per finding. A file name or a key may hold lone
        # surrogates (undecodable bytes, "\udfff" in the data).
        hasher = (record.fingerprint_hash.copy() if record is not None
                  else hashlib.blake2b(self.display.encode("utf-8", "surrogatepass") + b"\0", digest_size=8))
        hasher.update(finding.pointer.encode("utf-8", "surrogatepass"))
        fingerprint = hasher.hexdigest()
        snippet, snippet_column = ("", 0) if rule.sensitive else excerpt(*mask_at(text, column, self.scanners))
        return Violation(
            code=rule.code, name=rule.name, severity=self.severities.get(rule.code, rule.severity),
            path=self.display, line=line, column=column, pointer=mask_pointer(finding.pointer, self.scanners),
            message=mask(finding.message, self.scanners),
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
