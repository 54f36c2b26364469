"""The record pass: reader -> formats -> schema -> rules, for one range of a file.

Line and example rules run on every record as it is read; dataset rules
collect from it into their mergeable states; totals grow. Findings are stamped
and handed to ``emit`` at once, so memory does not grow with them.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ftlint.digests import digest
from ftlint.formats import FORMATS, family_of, guess_format, view
from ftlint.hf.setup import analyse_example
from ftlint.masking import mask
from ftlint.records import Reader, Record
from ftlint.registry import RULE_ERRORS
from ftlint.rule import CHAT_TEMPLATE, LINE_FEATURES, SCHEMA_PROBLEMS, ExampleContext, LineContext, Rule
from ftlint.schema import validate
from ftlint.stamp import validated
from ftlint.tokens import TokenCounter, TokenizerFailure, count_record

if TYPE_CHECKING:
    from ftlint.catalog import Target
    from ftlint.engine import Emit, FileJob, PassResult, RuleFailure
    from ftlint.stats import FileTotals

PROGRESS_EVERY = 1000  # lines between two progress reports


class RecordPass:
    """One pass over a range of records of ``job``'s file, accumulating into ``result``."""

    def __init__(self, job: FileJob, result: PassResult) -> None:
        self.job = job
        self.result = result
        self.health = job.engine.health
        self.stamper = job.stamper
        self.limit = job.plan.model.training_context
        self.billable = job.kind == "training" or job.plan.target.bills_validation
        self._counter: TokenCounter | None = None
        # The example rules that apply to a (format, features) pair: most files have a handful of pairs.
        self._chosen: dict[tuple[str, frozenset[str]], list[Rule[Any]]] = {}
        self._seen: dict[tuple[str, str], int] = {}  # the range's findings by (code, message): ftlint.stamp
        self._line_rules: dict[tuple[bool, ...], list[Rule[Any]]] = {}  # by what the reader found (LINE_FEATURES)
        self._run_features = CHAT_TEMPLATE if job.run.chat is not None else frozenset()
        # FTLINT_REQUIRES=0 runs every rule whatever it requires: an internal switch, for the tests that
        # compare whole reports with it on and off (a rule's requirements are necessary conditions).
        self._gated = os.environ.get("FTLINT_REQUIRES", "1") != "0"

    def run(self, reader: Reader, emit: Emit) -> None:
        job, result = self.job, self.result
        dataset_rules = [rule for rule in job.rules.dataset if rule.code not in self.health.disabled]
        for rule in dataset_rules:
            result.states.setdefault(rule.code, rule.start())
        progress, reported = job.on_progress, reader.start
        skipped = job.plan.prefilter.skipped  # the rules a line cannot trigger (ftlint.prefilter)
        for record in reader:
            if progress is not None and record.line % PROGRESS_EVERY == 0:
                progress(record.offset - reported)
                reported = record.offset
            if not record.blank:
                result.totals.examples += 1
            skip = skipped(record.raw)
            self._check(self._for_line(record), LineContext(record, job.run), record, emit, skip)
            if record.value is not None:
                self._example(record, record.value, emit, dataset_rules, skip)

    def _example(self, record: Record, value: dict[str, Any], emit: Emit, dataset_rules: list[Any],
                 skip: frozenset[str]) -> None:
        result, totals = self.result, self.result.totals
        if result.file_format is None:  # the first record with a format's signature decides
            result.file_format = self.job.detect_format(value)
        context = self._context(record, value, result.file_format or self.job.default_format)
        if context.valid:
            totals.valid += 1
        if context.usable:
            totals.counted += 1
            _shape(context, totals)
            if not self._through_template(context, record, totals) and self.job.count_tokens:
                self._count(context, record, totals)
        images = context.example.image_count
        if images:
            totals.images += images
            totals.image_examples += 1
        self._check(self._rules_for(context), context, record, emit, skip)
        failures, states = result.failures, result.states
        fmt = context.example.format
        for rule in dataset_rules:
            if rule.formats is None or (fmt in rule.formats and self.job.run.target.reads(fmt)):
                self.health.run(rule, record.line, failures, rule.collect, states[rule.code], context)

    def _through_template(self, context: ExampleContext, record: Record, totals: FileTotals) -> bool:
        """An open model's template renders and counts the example (ftlint.hf); False when there is none."""
        chat = self.job.run.chat
        if chat is None:
            return False
        try:
            return analyse_example(chat, context, totals, self.job.count_tokens, self.billable)
        except Exception as exc:  # as in _count: a bug is an internal error, not the end of the run
            self.result.failures.append(_counting_failure(record, exc))
            totals.uncounted += 1
            return True

    def _count(self, context: ExampleContext, record: Record, totals: FileTotals) -> None:
        """Count the example's tokens; a tokenizer that fails is a finding (FT304), anything else that
        raises is contained like a failing rule."""
        if self._counter is None:
            self._counter = self.job.counter()
        try:
            context.tokens = count_record(record.value or {}, context.example.format, self._counter)
        except TokenizerFailure as exc:
            context.tokenizer_error = str(exc)
            totals.uncounted += 1
            return
        except Exception as exc:  # a counting bug must not end the run: reported as an internal error
            self.result.failures.append(_counting_failure(record, exc))
            totals.uncounted += 1
            return
        tokens = context.tokens
        billable = self.billable and not FORMATS[context.example.format].billed_per_hour
        totals.add_example(tokens.total, tokens.trainable, self.limit, billable)
        totals.images_uncounted += tokens.images_estimated

    def _for_line(self, record: Record) -> list[Rule[Any]]:
        """The line rules that can find something on this line. A line rule's requirements that name no
        line feature are not the reader's to judge: the rule runs on every line, as it always did."""
        key = (record.problem is not None, bool(record.duplicate_keys), bool(record.lone_surrogates), record.blank)
        chosen = self._line_rules.get(key)
        if chosen is None:
            found = {name for name, present in zip(LINE_FEATURES, key, strict=True) if present}
            chosen = self._line_rules[key] = [rule for rule in self.job.rules.line if not self._gated
                                              or rule.requires <= found or not rule.requires <= set(LINE_FEATURES)]
        return chosen

    def _rules_for(self, context: ExampleContext) -> list[Rule[Any]]:
        example = context.example
        features = example.features | self._run_features
        if context.schema_problems:
            features |= SCHEMA_PROBLEMS
        key = (example.format, features)
        chosen = self._chosen.get(key)
        if chosen is None:
            # A rule for some formats judges them where the target reads them: elsewhere FT114 says once
            # which layout the file is and how to convert it, and the layout's own verdicts do not apply.
            read = self.job.run.target.reads(example.format)
            chosen = self._chosen[key] = [
                rule for rule in self.job.rules.example
                if (rule.formats is None or (read and example.format in rule.formats))
                and (rule.requires <= features or not self._gated)]
        return chosen

    def _check(self, rules: tuple[Rule[Any], ...] | list[Rule[Any]], context: LineContext | ExampleContext,
               record: Record, emit: Emit, skip: frozenset[str]) -> None:
        """Each rule's findings on the record (this loop runs ~60 times per line: kept flat)."""
        disabled, stamp, failures, seen = self.health.disabled, self.stamper.stamp, self.result.failures, self._seen
        for rule in rules:
            if rule.code in disabled or rule.code in skip:
                continue
            try:
                findings = list(rule.check(context))
                if findings:  # most rules find nothing: no call to check what they found
                    validated(findings)
            except RULE_ERRORS as exc:
                self.health.fail(rule, record.line, exc, failures)
                continue
            for finding in findings:
                emit(stamp(rule, finding, record, seen))

    def _context(self, record: Record, value: dict[str, Any], file_format: str) -> ExampleContext:
        run = self.job.run
        family = family_of(value)
        if family is not None and family != FORMATS[file_format].family:
            found = guess_format(value) or file_format
            return ExampleContext(record, run, view(value, found), file_format)
        if not run.target.reads(file_format):  # FT114 says it once: this layout's schema is not the target's
            return ExampleContext(record, run, view(value, file_format), file_format)
        return ExampleContext(record, run, view(value, file_format), file_format,
                              schema_problems=validate(_without_target_keys(value, run.target, record.raw),
                                                       file_format))


def _without_target_keys(value: dict[str, Any], target: Target, raw: bytes) -> dict[str, Any]:
    """The record as the format's schema should judge it on this target: without the keys the target
    reads beyond the schema, and with the target's own part types as text parts (so that every other
    part keeps its index in the messages). A copy only when needed."""
    if any(key in value for key in target.record_keys):
        value = {k: v for k, v in value.items() if k not in target.record_keys}
    messages = value.get("messages")
    # A line that does not spell a key or part type (nor hides one in a \u escape) has none of them:
    # the messages are not walked (the default target reads HF image parts, on every line).
    keys, parts = _spelled(raw, target.message_keys), _spelled(raw, target.part_types)
    if not isinstance(messages, list) or not (keys or parts):
        return value
    if any(isinstance(m, dict) and _target_message(m, keys, parts) for m in messages):
        value = {**value, "messages": [_as_schema_sees(m, keys, parts) if isinstance(m, dict) else m
                                       for m in messages]}
    return value


def _spelled(raw: bytes, words: tuple[str, ...]) -> tuple[str, ...]:
    return words if words and (b"\\u" in raw or any(b'"%s"' % word.encode() in raw for word in words)) else ()


def _target_message(message: dict[str, Any], keys: tuple[str, ...], parts: tuple[str, ...]) -> bool:
    if message.get("role") != "assistant" and any(key in message for key in keys):
        return True
    content = message.get("content")
    return bool(parts) and isinstance(content, list) and any(
        isinstance(part, dict) and part.get("type") in parts for part in content)


def _as_schema_sees(message: dict[str, Any], keys: tuple[str, ...], parts: tuple[str, ...]) -> dict[str, Any]:
    if message.get("role") != "assistant":
        message = {k: v for k, v in message.items() if k not in keys}
    content = message.get("content")
    if parts and isinstance(content, list):
        message = {**message, "content": [
            {"type": "text", "text": ""} if isinstance(part, dict) and part.get("type") in parts
            else part for part in content]}
    return message


def _shape(context: ExampleContext, totals: FileTotals) -> None:
    example = context.example
    if not example.messages and example.format != "completion":
        return
    system = next((m for m in example.messages if m.role in ("system", "developer")), None)
    prompt = digest(system.content) if system is not None else None
    calls = any(m.tool_calls or "function_call" in m.data for m in example.all_messages)
    totals.add_shape(len(example.all_messages), prompt, calls)


def _counting_failure(record: Record, exc: Exception) -> RuleFailure:
    """Not a rule's failure (no rule is turned off): an internal error all the same (exit 2)."""
    from ftlint.engine import RuleFailure

    return RuleFailure("", record.line, mask(f"token counting failed at line {record.line}: {exc!r}"))
