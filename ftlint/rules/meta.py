"""FT9: findings about ftlint's own inputs (baselines), not about the training data."""

from __future__ import annotations

from collections.abc import Iterator

from ftlint.rule import FileContext, NoOptions, Rule, Scope
from ftlint.violation import Finding, Severity


class UnusedBaselineEntry(Rule[NoOptions]):
    """A baseline entry matches no current violation.

    Why: the problem it accepted was fixed (or the record changed). A stale
    entry would silently accept the same problem if it came back; like ruff's
    unused-noqa rule, ftlint asks you to drop it, so baselines shrink over time.

    Reported against the baseline file's line, after all data files are checked;
    the check itself lives in the baseline stage (ftlint/baseline.py), since only
    the whole run knows which entries were used.
    """

    code = "FT901"
    name = "unused-baseline-entry"
    severity = Severity.WARNING
    scope = Scope.FILE
    summary = "Baseline entry matches no violation"
    fix = "Remove the entry, or rewrite the baseline with --write-baseline"

    def check(self, context: FileContext) -> Iterator[Finding]:
        return iter(())  # produced by the baseline stage of a run, not per data file


RULES = [UnusedBaselineEntry]
