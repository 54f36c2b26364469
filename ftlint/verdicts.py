"""Will it train? Every target's verdict on each file, from a silent lint per target.

A file is *rejected* by a target when any error-severity finding remains under
that target's rules and limits (its own layer of severities, then the user's
config), *accepted with warnings* when only warnings remain, and *accepted*
otherwise. The deciding rule codes are the errors' (or, without errors, the
warnings'). Each target is judged with the model it would train the file with:
the model the run names, else its default model, else (when the default cannot
train the file's method: DPO, or reinforcement, which a file of prompts only is)
the first of its models that can (:meth:`ftlint.catalog.Catalog.model_for`),
named in the verdict.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ftlint.formats import FORMATS
from ftlint.violation import Severity, Violation

if TYPE_CHECKING:
    from ftlint.engine import FileJob
    from ftlint.filereport import FileReport

Verdict = Literal["accept", "warnings", "reject", "unavailable"]


@dataclass(frozen=True)
class TargetVerdict:
    target: str  # the target's id (--provider)
    name: str  # the platform, as messages name it
    model: str  # the model it was judged with ("" when the target could not be set up)
    verdict: Verdict
    errors: int = 0
    warnings: int = 0
    codes: tuple[tuple[str, int], ...] = ()  # the deciding rules and how often each fired, most first
    reason: str = ""  # why the target could not judge the file (unavailable)

    @property
    def label(self) -> str:
        if self.verdict == "reject":
            return f"reject ({self.errors:,} error{'s' * (self.errors != 1)})"
        if self.verdict == "warnings":
            return f"accept, {self.warnings:,} warning{'s' * (self.warnings != 1)}"
        return "unavailable" if self.verdict == "unavailable" else "accept"


class VerdictSink:
    """Counts one target's findings per file, and what it judged each file with; reports nothing."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.found: dict[str, Counter[tuple[Severity, str]]] = {}
        self.judged_by: dict[str, tuple[str, str]] = {}  # display -> (platform name, model id)
        # display -> (model, method) that trains the file on this target, when not what it was judged with
        self.rejudge: dict[str, tuple[str, str | None]] = {}
        self._current: Counter[tuple[Severity, str]] = Counter()
        self._job: FileJob | None = None

    def file_started(self, job: FileJob) -> None:
        self._current = self.found.setdefault(job.display, Counter())
        self.judged_by[job.display] = (job.plan.target.name, job.plan.model.id)
        self._job = job

    def violation(self, violation: Violation) -> None:
        self._current[(violation.severity, violation.code)] += 1

    def file_finished(self, report: FileReport) -> None:
        job = self._job
        if job is None or report.format is None:
            return
        detected = FORMATS[report.format].method
        method = detected
        unanswered = sum(n for (_, code), n in self._current.items() if code == "FT201")
        if report.format == "chat" and 0 < report.totals.examples == unanswered:
            method = "reinforcement"  # prompts only: a reinforcement file, for a model that trains on them
        plan = job.plan
        model = plan.model if method in plan.model.methods else plan.catalog.model_for(method, job.run.today)
        if model is not None and (model.id != plan.model.id or method != detected):
            self.rejudge[report.path] = (model.id, method if method != detected else None)

    def verdict(self, display: str) -> TargetVerdict:
        found = self.found.get(display, Counter())
        name, model = self.judged_by.get(display, (self.target, ""))
        errors = Counter({code: n for (severity, code), n in found.items() if severity is Severity.ERROR})
        warnings = Counter({code: n for (severity, code), n in found.items() if severity is Severity.WARNING})
        deciding = errors or warnings
        verdict: Verdict = "reject" if errors else "warnings" if warnings else "accept"
        return TargetVerdict(self.target, name, model, verdict, sum(errors.values()), sum(warnings.values()),
                             tuple(sorted(deciding.items(), key=lambda item: (-item[1], item[0]))))


def verdict_json(verdict: TargetVerdict) -> dict[str, object]:
    return {"target": verdict.target, "name": verdict.name, "model": verdict.model or None,
            "verdict": verdict.verdict, "errors": verdict.errors, "warnings": verdict.warnings,
            "codes": [{"code": code, "count": count} for code, count in verdict.codes],
            "reason": verdict.reason or None}
