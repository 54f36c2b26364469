"""FT8: what each training method needs beyond the schema: preference pairs, grader fields, completions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from ftlint.formats import CHAT_KEYS
from ftlint.rule import DatasetRule, ExampleContext, FileContext, NoOptions, Rule, Scope
from ftlint.violation import Finding, Severity

PREFERENCE = frozenset({"preference"})
REINFORCEMENT = frozenset({"reinforcement"})
COMPLETION = frozenset({"completion"})


class IdenticalPreferenceOutputs(Rule[NoOptions]):
    """The preferred and non-preferred outputs are the same.

    Why: a pair with no difference teaches no preference; it only costs
    tokens. Usually a generation or join bug. Warning.
    """

    code = "FT801"
    name = "identical-preference-outputs"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    formats = PREFERENCE
    summary = "Preferred and non-preferred outputs are identical"
    fix = "Pair the preferred answer with a different, worse one"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        raw = context.example.raw
        preferred, other = raw.get("preferred_output"), raw.get("non_preferred_output")
        if preferred is not None and json.dumps(preferred, sort_keys=True) == json.dumps(other, sort_keys=True):
            yield Finding("preferred_output and non_preferred_output are identical", pointer="/non_preferred_output")


class PreferenceInputEndsOnAssistant(Rule[NoOptions]):
    """A preference example's input ends on an assistant message.

    Why: "the preferred and non-preferred messages need to be the last
    assistant message"; an input that already ends on the assistant leaves the
    outputs answering nothing.
    """

    code = "FT802"
    name = "preference-input-ends-on-assistant"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    formats = PREFERENCE
    summary = "Preference input ends on an assistant turn"
    fix = "End the input on the user's turn; the outputs are the assistant's reply"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        messages = context.example.messages
        if messages and messages[-1].role == "assistant":
            yield Finding(f"input ends on {messages[-1].label}; the outputs must be the reply to the last user turn",
                          pointer=messages[-1].pointer)


@dataclass
class _Fields:
    records: int = 0
    first_lines: list[int] = field(default_factory=list)  # lines of the first records (bounded)
    present: dict[str, int] = field(default_factory=dict)
    missing: dict[str, int] = field(default_factory=dict)  # among records after the key was first seen
    missing_lines: dict[str, list[int]] = field(default_factory=dict)  # first few


_SHOWN = 10


class MissingGraderField(DatasetRule[NoOptions, _Fields]):
    """A reinforcement record lacks a grader field that most records have.

    Why: every key besides `messages` and `tools` is grader data, referenced
    as `{{ item.key }}`; a record without it breaks the grader (or grades
    against an empty string). Reported once per field, with the first lines.
    """

    code = "FT803"
    name = "missing-grader-field"
    severity = Severity.WARNING
    formats = REINFORCEMENT
    summary = "Record lacks a grader field most records have"
    fix = "Add the field to every record (or drop it from the grader)"

    def start(self) -> _Fields:
        return _Fields()

    def collect(self, state: _Fields, context: ExampleContext) -> None:
        keys = set(context.example.raw) - CHAT_KEYS
        line = context.record.line
        for key in keys:
            if key not in state.present:  # every record so far lacked it
                state.missing[key] = state.records
                state.missing_lines[key] = state.first_lines[:_SHOWN]
            state.present[key] = state.present.get(key, 0) + 1
        for key in state.present.keys() - keys:
            state.missing[key] += 1
            if len(state.missing_lines[key]) < _SHOWN:
                state.missing_lines[key].append(line)
        state.records += 1
        if len(state.first_lines) < _SHOWN:
            state.first_lines.append(line)

    def merge(self, first: _Fields, later: _Fields) -> _Fields:
        merged = _Fields(first.records + later.records, (first.first_lines + later.first_lines)[:_SHOWN])
        for key in first.present.keys() | later.present.keys():
            merged.present[key] = first.present.get(key, 0) + later.present.get(key, 0)
            if key in first.present:
                missing_first, lines_first = first.missing[key], first.missing_lines[key]
            else:
                missing_first, lines_first = first.records, first.first_lines
            if key in later.present:
                missing_later, lines_later = later.missing[key], later.missing_lines[key]
            else:
                missing_later, lines_later = later.records, later.first_lines
            merged.missing[key] = missing_first + missing_later
            merged.missing_lines[key] = (lines_first + lines_later)[:_SHOWN]
        return merged

    def finish(self, state: _Fields, context: FileContext) -> Iterator[Finding]:
        for key in sorted(state.present):
            missing = state.missing[key]
            if missing and state.present[key] * 2 > state.records:
                lines = ", ".join(map(str, state.missing_lines[key]))
                more = ", ..." if missing > len(state.missing_lines[key]) else ""
                yield Finding(f"grader field `{key}` is missing in {missing} of {state.records} records "
                              f"(lines {lines}{more})", line=state.missing_lines[key][0])


class GraderFields(DatasetRule[NoOptions, _Fields]):
    """Lists a reinforcement file's grader fields and how many records carry each.

    Why: graders reference fields as `{{ item.key }}`; seeing the list catches
    typos and fields that are not there at all (a file with none cannot be
    graded against a reference). Info.
    """

    code = "FT804"
    name = "grader-fields"
    severity = Severity.INFO
    formats = REINFORCEMENT
    summary = "The grader fields of a reinforcement file"
    fix = "Check the grader references exactly these fields"

    start = MissingGraderField.start
    collect = MissingGraderField.collect
    merge = MissingGraderField.merge

    def finish(self, state: _Fields, context: FileContext) -> Iterator[Finding]:
        if not state.records:
            return
        if not state.present:
            yield Finding("records have no grader fields besides `messages`: a grader can only use the model's "
                          "output", line=1)
            return
        listed = ", ".join(f"`{k}` ({state.present[k]}/{state.records})" for k in sorted(state.present))
        yield Finding(f"grader fields: {listed}", line=1)


class EmptyCompletion(Rule[NoOptions]):
    """A legacy record's completion is empty.

    Why: the legacy validator removed such rows ("completion column/key should
    not contain empty strings"); there is nothing to learn.
    """

    code = "FT805"
    name = "empty-completion"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    formats = COMPLETION
    summary = "Completion is empty"
    fix = "Write the completion, or drop the record"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        completion = context.example.raw.get("completion")
        if isinstance(completion, str) and not completion.strip():
            yield Finding("completion is empty", pointer="/completion")


class CompletionWithoutLeadingSpace(Rule[NoOptions]):
    """A legacy completion does not start with a space.

    Why: the legacy tokenizers start words with a space, and OpenAI's
    prepare-data tool added one; without it the model learns an odd token
    boundary. Info (legacy advice).
    """

    code = "FT806"
    name = "completion-without-leading-space"
    severity = Severity.INFO
    scope = Scope.EXAMPLE
    formats = COMPLETION
    summary = "Completion does not start with a space"
    fix = "Start every completion with a space"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        completion = context.example.raw.get("completion")
        if isinstance(completion, str) and completion and not completion[0].isspace():
            yield Finding("completion does not start with a space (legacy models expect ' completion')",
                          pointer="/completion")


_CLASSES = 64  # more distinct completions than this: not a classification dataset


@dataclass
class _Affixes:
    records: int = 0
    prompt_suffix: str | None = None  # longest suffix shared by every prompt so far
    completion_suffix: str | None = None
    completions: set[str] | None = field(default_factory=set)  # distinct short completions; None: too many


def _add_class(classes: set[str] | None, more: set[str] | None) -> set[str] | None:
    if classes is None or more is None:
        return None
    merged = classes | {c for c in more if len(c) <= 100}
    return None if len(merged) > _CLASSES or any(len(c) > 100 for c in more) else merged


def _common_suffix(a: str | None, b: str) -> str:
    if a is None:
        return b[-64:]
    length = 0
    while length < min(len(a), len(b)) and a[-1 - length] == b[-1 - length]:
        length += 1
    return a[len(a) - length:] if length else ""


class NoCommonSeparator(DatasetRule[NoOptions, _Affixes]):
    """Legacy prompts share no separator at their end, or completions no stop sequence.

    Why: OpenAI's legacy advice: end every prompt with the same separator
    (e.g. `\\n\\n###\\n\\n`) and every completion with the same stop sequence
    (e.g. ` END`), so the model knows where the answer starts and stops. Info.
    """

    code = "FT807"
    name = "no-common-separator"
    severity = Severity.INFO
    formats = COMPLETION
    summary = "No common prompt separator or completion stop sequence"
    fix = "End prompts with one separator and completions with one stop sequence"

    def start(self) -> _Affixes:
        return _Affixes()

    def collect(self, state: _Affixes, context: ExampleContext) -> None:
        prompt, completion = context.example.raw.get("prompt"), context.example.raw.get("completion")
        if isinstance(prompt, str) and isinstance(completion, str):
            state.records += 1
            state.prompt_suffix = _common_suffix(state.prompt_suffix, prompt)
            state.completion_suffix = _common_suffix(state.completion_suffix, completion)
            state.completions = _add_class(state.completions, {completion})

    def merge(self, first: _Affixes, later: _Affixes) -> _Affixes:
        if not later.records:
            return first
        if not first.records:
            return later
        return _Affixes(first.records + later.records,
                        _common_suffix(first.prompt_suffix, later.prompt_suffix or ""),
                        _common_suffix(first.completion_suffix, later.completion_suffix or ""),
                        _add_class(first.completions, later.completions))

    def finish(self, state: _Affixes, context: FileContext) -> Iterator[Finding]:
        if state.records < 2:
            return
        if not state.prompt_suffix:
            yield Finding("prompts end with no common separator; end each with the same one, e.g. '\\n\\n###\\n\\n'",
                          line=1)
        classification = state.completions is not None and len(state.completions) < state.records / 3
        if not state.completion_suffix and not classification:  # class labels need no stop sequence
            yield Finding("completions end with no common stop sequence; end each with the same one, e.g. ' END'",
                          line=1)


RULES = [IdenticalPreferenceOutputs, PreferenceInputEndsOnAssistant, MissingGraderField, GraderFields,
         EmptyCompletion, CompletionWithoutLeadingSpace, NoCommonSeparator]
