"""FT82x: the target itself, and whether it still takes jobs for this model.

Dates come from the target and model tables (models.toml, overridable in
config) and are compared with the local clock, offline; ``FTLINT_TODAY``
pins the clock for reproducible runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from pydantic import Field

from ftlint.catalog import jobs_end
from ftlint.rule import FileContext, NoOptions, Options, Rule, Scope
from ftlint.violation import Finding, Severity


def _deadline(context: FileContext) -> tuple[dt.date, str] | None:
    end, note = jobs_end(context.run.model, context.run.target)
    return (end, note) if end is not None else None


def _elsewhere(context: FileContext) -> str:
    successors = context.run.target.successors
    return f"; the same data trains on: {', '.join(successors)} (--provider NAME)" if successors else ""


class JobCreationClosed(Rule[NoOptions]):
    """No new fine-tuning job can be created for this model on this target any more.

    Why: the upload may pass, but creating the job fails (OpenAI answers
    `403 training_not_available`: "OpenAI is winding down the fine-tuning
    platform..."). OpenAI's self-serve fine-tuning takes no new jobs from
    2027-01-06 and its base models shut down on 2027-01-14; several snapshots
    (gpt-4.1-nano, o4-mini, gpt-3.5-turbo-0125) shut down on 2026-10-23.
    Source: OpenAI's deprecations page (spec/providers.md section 1.1).

    Reported once per training file (per validation file in a run of validation
    files only), at line 1, with the date and where the same data still trains
    (the target's `successors`).

    Example: `ftlint check train.jsonl --model gpt-4.1-nano` on 2026-12-01:
    `FT820 new fine-tuning jobs for gpt-4.1-nano-2025-04-14 on OpenAI cannot be
    created since 2026-10-23`.
    """

    code = "FT820"
    name = "job-creation-closed"
    severity = Severity.ERROR
    scope = Scope.FILE
    summary = "The target no longer creates fine-tuning jobs for this model"
    fix = "Choose a target that still trains this data (--provider) or a model it still takes (--model)"

    def check(self, context: FileContext) -> Iterator[Finding]:
        deadline = _deadline(context)
        if not _judged_here(context) or deadline is None or deadline[0] > context.run.today:
            return
        end, note = deadline
        reason = f" ({note})" if note else ""
        yield Finding(f"new fine-tuning jobs for {context.run.model.id} on {context.run.target.name} cannot be "
                      f"created since {end.isoformat()}{reason}{_elsewhere(context)}", line=1)


def _judged_here(context: FileContext) -> bool:
    """A job is judged at its training file; a run of validation files only is judged at each of them."""
    return context.run.kind == "training" or not context.run.has_training_file


class ClosingOptions(Options):
    days: int = Field(default=30, ge=0)  # how far ahead to warn


class JobCreationClosing(Rule[ClosingOptions]):
    """The target stops creating fine-tuning jobs for this model soon.

    Why: a job started after the date fails; data prepared now may never
    train there. The warning starts 30 days ahead (option `days`) and names
    the last day a job can be created and where the data trains afterwards.
    Source: the target and model dates in models.toml (spec/providers.md
    sections 1.1 and 2.4).

    Example: on 2026-12-20, `--provider openai`: `FT821 OpenAI stops all
    self-serve fine-tuning jobs on 2027-01-06, in 17 day(s): the last day to
    create a job for gpt-4o-mini-2024-07-18 is 2027-01-05`.
    """

    code = "FT821"
    name = "job-creation-closing"
    severity = Severity.WARNING
    scope = Scope.FILE
    summary = "The target stops creating fine-tuning jobs for this model soon"
    fix = "Start the job before the date, or move to a target that keeps training this data"
    options_model = ClosingOptions

    def check(self, context: FileContext) -> Iterator[Finding]:
        deadline = _deadline(context)
        if not _judged_here(context) or deadline is None:
            return
        end, note = deadline
        days = (end - context.run.today).days
        if not 0 < days <= self.options.days:
            return
        reason = note or f"jobs for {context.run.model.id} on {context.run.target.name} close"
        last = (end - dt.timedelta(days=1)).isoformat()
        yield Finding(f"{reason} on {end.isoformat()}, in {days} day(s): the last day to create a job for "
                      f"{context.run.model.id} is {last}{_elsewhere(context)}", line=1)


RULES = [JobCreationClosed, JobCreationClosing]
