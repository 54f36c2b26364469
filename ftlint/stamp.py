"""The stamper: a rule's finding becomes a violation, with its place, fingerprint, excerpt and
effective severity. The one place where severity overrides are applied to findings."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ftlint.masking import mask, mask_at, mask_pointer
from ftlint.pointer import Locator
from ftlint.records import Record
from ftlint.repeats import SHOW_ALL, Listing
from ftlint.rule import Rule
from ftlint.rules.secrets import Scanner
from ftlint.sanitize import finding_problem
from ftlint.violation import Finding, Severity, Violation

SNIPPET_WIDTH = 100  # characters of the line shown around the column
# (code, message) pairs a range counts to leave findings unplaced; later pairs are placed every time, so
# that memory stays bounded (as the file's listing follows at most repeats.MAX_TRACKED).
MAX_COUNTED = 10_000


class Stamper:
    """Stamps the findings of one file (``display`` is how the file is named in reports). Every
    secret the FT7 scanners find is hidden in the excerpt and the message: another rule may show
    the line, and a message may quote a key or a value.

    Placing a finding (its column, and the masked excerpt around it) is most of the cost, and a
    report shows few of the findings that repeat: ``listing`` says which it can show, and the others
    are stamped :class:`Unplaced` (``FTLINT_PLACE_ALL=1`` places every one: an internal switch for
    the tests that compare whole reports with it on and off)."""

    def __init__(self, severities: dict[str, Severity], display: str,
                 scanners: tuple[Scanner, ...] | None = None, listing: Listing = SHOW_ALL) -> None:
        self.severities = severities
        self.display = display
        self.scanners = scanners
        self.listing = listing if os.environ.get("FTLINT_PLACE_ALL", "0") == "0" else SHOW_ALL

    def stamp(self, rule: Rule[Any], finding: Finding, record: Record | None,
              seen: dict[tuple[str, str], int] | None = None) -> Violation:
        """The violation; ``seen`` counts the (code, message) pairs of the range so far (None: not
        counted, every violation is placed)."""
        severity = self.severities.get(rule.code, rule.severity)
        message = mask(finding.message, self.scanners)
        line = finding.line if finding.line is not None else (record.line if record else 1)
        # The line is hashed once, not once per finding. A file name or a key may hold lone
        # surrogates (undecodable bytes, "\udfff" in the data).
        hasher = (record.fingerprint_hash.copy() if record is not None
                  else hashlib.blake2b(self.display.encode("utf-8", "surrogatepass") + b"\0", digest_size=8))
        hasher.update(finding.pointer.encode("utf-8", "surrogatepass"))
        fingerprint = hasher.hexdigest()
        if seen is not None and record is not None and self._unshown(rule.code, severity, message, seen):
            return Unplaced(code=rule.code, name=rule.name, severity=severity, path=self.display, line=line,
                            column=0, pointer="", message=message, fix=rule.fix, fingerprint=fingerprint,
                            finding=finding, text="" if self.listing.counts_only else record.text,
                            parsed=record.value is not None,
                            sensitive=rule.sensitive)
        text = record.text if record is not None else ""
        column, pointer, snippet, snippet_column = self._place(
            finding, text, record.locator if record is not None and record.value is not None else None,
            rule.sensitive)
        return Violation(
            code=rule.code, name=rule.name, severity=severity, path=self.display, line=line, column=column,
            pointer=pointer, message=message, fix=rule.fix, fingerprint=fingerprint, snippet=snippet,
            snippet_column=snippet_column,
        )

    def placed(self, violation: Violation) -> Violation:
        """``violation`` with its column and excerpt, for a report that shows it after all (a file with
        more distinct findings than the listing follows lists the later ones)."""
        if not isinstance(violation, Unplaced):
            return violation
        column, pointer, snippet, snippet_column = self._place(
            violation.finding, violation.text, Locator(violation.text) if violation.parsed else None,
            violation.sensitive)
        return Violation(
            code=violation.code, name=violation.name, severity=violation.severity, path=violation.path,
            line=violation.line, column=column, pointer=pointer, message=violation.message, fix=violation.fix,
            fingerprint=violation.fingerprint, snippet=snippet, snippet_column=snippet_column,
        )

    def _place(self, finding: Finding, text: str, locator: Locator | None,
               sensitive: bool) -> tuple[int, str, str, int]:
        """(column, masked pointer, excerpt, the column in the excerpt) of a finding in its line."""
        column = finding.column
        if column is None and locator is not None and finding.pointer:
            column = locator.column(finding.pointer)  # the line is tokenized once for all its findings
        column = column or 1
        snippet, snippet_column = ("", 0) if sensitive else excerpt(
            *mask_at(text.removesuffix("\r"), column, self.scanners))
        return column, mask_pointer(finding.pointer, self.scanners), snippet, snippet_column

    def _unshown(self, code: str, severity: Severity, message: str, seen: dict[tuple[str, str], int]) -> bool:
        """True when no report can show this violation: the range's first ``shown`` of each (code,
        message) hold every one a report shows (ftlint.repeats.Listing)."""
        shown = self.listing.shown(severity)
        if shown is None:
            return False
        if not shown:
            return True
        key = (code, message)
        count = seen.get(key)
        if count is None:
            if len(seen) >= MAX_COUNTED:
                return False
            count = 0
        seen[key] = count + 1
        return count >= shown


_NO_FINDING = Finding("")


@dataclass(frozen=True)
class Unplaced(Violation):
    """A violation no report will show (see :class:`Stamper`): column 0 and no excerpt, with what
    placing it needs (``Stamper.placed``). Every other field is exact: counts, summaries and verdicts
    read them."""

    # The finding and the line as read (undecodable bytes replaced), unmasked: never in a repr, which a
    # traceback or a log could print. No line when the report shows no violation at all (a target's
    # verdict), so that workers do not send the lines of a file back to count its findings.
    finding: Finding = field(default=_NO_FINDING, repr=False)
    text: str = field(default="", repr=False)
    parsed: bool = False  # the line parsed: a pointer locates its column
    sensitive: bool = False  # the rule's excerpt would show a secret: none is cut


def carried(violation: Violation) -> int:
    """Characters a violation carries beyond its message, pointer and excerpt: an unplaced one's line."""
    return len(violation.text) if isinstance(violation, Unplaced) else 0


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
