"""FT9: findings about ftlint's own inputs (baselines), not about the training data."""

from __future__ import annotations

from collections.abc import Iterator

from ftlint.rule import NoOptions, Rule, RunContext, Scope
from ftlint.violation import Finding, Severity


class UnusedBaselineEntry(Rule[NoOptions]):
    """A baseline entry matches no current violation.

    Why: the problem it accepted was fixed (or the record changed). A stale
    entry would silently accept the same problem if it came back; like ruff's
    unused-noqa rule, ftlint asks you to drop it, so baselines shrink over time.

    A run-stage rule: it runs once every data file is checked (only the whole
    run knows which entries were used) and is reported against the entry's
    line in the baseline file, with its JSON pointer (``/entries/N``).

    Example: an entry `{"code": "FT202", "fingerprint": "1f2e...", ...}` whose
    record was fixed: `baseline.json:3:1: FT901 baseline entry for FT202 at
    data/train.jsonl:12 matches no violation`.
    """

    code = "FT901"
    name = "unused-baseline-entry"
    severity = Severity.WARNING
    scope = Scope.RUN
    summary = "Baseline entry matches no violation"
    fix = "Remove the entry, or rewrite the baseline with --write-baseline"

    def check(self, context: RunContext) -> Iterator[Finding]:
        if context.baseline is None:
            return
        for index, entry, unused in context.baseline.unused():
            times = f" ({unused} of {entry.count})" if entry.count > 1 else ""
            yield Finding(f"baseline entry for {entry.code} at {entry.path}:{entry.line} matches no violation"
                          f"{times}; remove it (or rewrite the baseline with --write-baseline)",
                          pointer=f"/entries/{index}", line=entry.file_line or 1, column=1)


RULES = [UnusedBaselineEntry]
