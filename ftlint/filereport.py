"""The report builder: what is known about one file once its last line is read (totals, epochs, cost)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ftlint import catalog
from ftlint.catalog import ModelInfo
from ftlint.formats import FORMATS
from ftlint.records import FileFacts
from ftlint.stats import FileTotals
from ftlint.violation import Severity

if TYPE_CHECKING:
    from ftlint.engine import FileJob, PassResult


@dataclass
class FileReport:
    """Everything known about one file once its last line is read."""

    path: str
    kind: str  # training | validation
    format: str | None
    model: ModelInfo
    facts: FileFacts
    totals: FileTotals
    tokens_counted: bool
    tokenizer: str  # which exact counter did the counting ("" when tokens were off)
    epochs: int | None
    cost_usd: float | None
    internal_errors: list[str]  # a built-in rule (or the counter) failed: exit 2
    plugin_errors: list[tuple[str, str]]  # (distribution, message)
    # The format is billed per training hour (reinforcement): trainable and billed tokens do not apply.
    billed_per_hour: bool = False
    # Violations reported per severity: the run sets them (it alone knows what the baseline accepted).
    counts: Counter[Severity] = field(default_factory=Counter)
    validation_reason: str = ""  # why a validation file is one ("" for training files)


def build_report(job: FileJob, result: PassResult) -> FileReport:
    plan, totals, file_format = job.plan, result.totals, result.file_format
    model = plan.model
    epochs: int | None = None
    cost: float | None = None
    per_hour = file_format is not None and FORMATS[file_format].billed_per_hour
    trainable_here = file_format is not None and FORMATS[file_format].method in model.methods
    if job.kind == "training" and totals.counted:
        epochs = plan.config.settings.epochs or catalog.default_epochs(totals.counted, plan.target)
        # No estimate for a format the model cannot train on, or one billed per hour (RFT).
        if job.count_tokens and trainable_here and not per_hour:
            cost = catalog.training_cost(totals.billed, epochs, model)
    registry = plan.registry
    return FileReport(
        path=job.display, kind=job.kind, format=file_format, model=model, facts=result.facts, totals=totals,
        tokens_counted=job.count_tokens, tokenizer=job.tokenizer, epochs=epochs, cost_usd=cost,
        billed_per_hour=per_hour,
        internal_errors=[f.message for f in result.failures if registry.is_builtin(f.code)],
        plugin_errors=[(registry.origin[f.code].distribution, f.message) for f in result.failures
                       if not registry.is_builtin(f.code)],
        validation_reason=job.validation_reason,
    )
