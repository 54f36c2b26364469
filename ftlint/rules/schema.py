"""FT1: the record's schema. Problems come from ftlint.schema; these rules name and grade them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from ftlint.formats import FORMATS
from ftlint.rule import DatasetRule, ExampleContext, FileContext, NoOptions, Rule, Scope
from ftlint.rules._base import SchemaIssueRule
from ftlint.schema import Issue
from ftlint.violation import Finding, Severity


class MissingKey(SchemaIssueRule):
    """A required key is missing: `messages`, a message's `role` or `content`, a tool message's `tool_call_id`...

    Why: the provider rejects the file ("Example X is missing key 'messages'",
    "Discriminator 'role' is missing in value").

    Example: `{"messages": [{"content": "hi"}]}`
    Use instead: `{"messages": [{"role": "user", "content": "hi"}, ...]}`
    """

    code = "FT101"
    name = "missing-key"
    severity = Severity.ERROR
    summary = "Required key is missing"
    fix = "Add the missing key"
    issue = Issue.MISSING_KEY


class UnknownKey(SchemaIssueRule):
    """A key the format does not allow, at the top level or in a message.

    Why: the provider's models forbid unknown keys: `Invalid file format.
    Example 1 contains an extra "weight".` Metadata (ids, timestamps, sources)
    must be removed before upload.

    Example: `{"messages": [...], "id": 17}` or `{"role": "user", "content": "hi", "timestamp": 1}`
    Use instead: keep metadata in a separate file keyed by line number.
    """

    code = "FT102"
    name = "unknown-key"
    severity = Severity.ERROR
    summary = "Key not allowed by the format"
    fix = "Remove the key (keep metadata outside the training file)"
    issue = Issue.UNKNOWN_KEY


class WrongType(SchemaIssueRule):
    """A value has the wrong JSON type (a number where a string is needed, ...).

    Why: rejected: `Line 1, message 3, key "content": Input should be a valid string`.

    Example: `{"role": "user", "content": 42}`
    Use instead: `{"role": "user", "content": "42"}`
    """

    code = "FT103"
    name = "wrong-type"
    severity = Severity.ERROR
    summary = "Value has the wrong type"
    fix = "Use the type the format expects"
    issue = Issue.WRONG_TYPE


class EmptyList(SchemaIssueRule):
    """A list that must not be empty is: `messages`, a content-part list, `tool_calls`.

    Why: the schema requires at least one item (`minItems: 1`).

    Example: `{"messages": []}`
    """

    code = "FT104"
    name = "empty-list"
    severity = Severity.ERROR
    summary = "List must not be empty"
    fix = "Add items, or remove the key where it is optional"
    issue = Issue.EMPTY_LIST


class InvalidRole(SchemaIssueRule):
    """A message's role is not one of the format's roles. Roles are case-sensitive.

    Why: rejected: `No match for discriminator 'role' and value ...`.

    Example: `{"role": "User", "content": "hi"}` or `{"role": "bot", ...}`
    Use instead: `system`, `user`, `assistant`, `tool` (lower-case).
    """

    code = "FT105"
    name = "invalid-role"
    severity = Severity.ERROR
    summary = "Unknown message role"
    fix = "Use one of system, user, assistant, tool (lower-case)"
    issue = Issue.INVALID_ROLE


class InvalidWeight(SchemaIssueRule):
    """An assistant message's `weight` is not 0 or 1.

    Why: the schema says `enum: [0, 1]`; other values (0.5, 2, "1") fail the job.

    Example: `{"role": "assistant", "content": "ok", "weight": 0.5}`
    Use instead: `"weight": 0` (do not train on this message) or `1` (train).
    """

    code = "FT106"
    name = "invalid-weight"
    severity = Severity.ERROR
    summary = "weight is not 0 or 1"
    fix = "Set weight to 0 (skip) or 1 (train)"
    issue = Issue.INVALID_WEIGHT


class FractionalWeight(SchemaIssueRule):
    """`weight` is written as a float (`1.0`, `0.0`).

    Why: uncertain. The schema wants an integer; the provider's validator
    probably coerces 1.0 to 1, but that is not documented. Warning.

    Use instead: `"weight": 1`.
    """

    code = "FT107"
    name = "fractional-weight"
    severity = Severity.WARNING
    summary = "weight written as a float"
    fix = "Write weight as the integer 0 or 1"
    issue = Issue.FRACTIONAL_WEIGHT


class InvalidValue(SchemaIssueRule):
    """A value is outside its allowed set.

    Covers a tool call `type` other than "function", an image `detail` other
    than auto/low/high, and unknown content-part types.

    Why: the schema enumerates these values; anything else fails validation.

    Example: `{"id": "c1", "type": "func", "function": {...}}`
    Use instead: `"type": "function"`.
    """

    code = "FT108"
    name = "invalid-value"
    severity = Severity.ERROR
    summary = "Value is not one of the allowed values"
    fix = "Use one of the values the message lists"
    issue = Issue.INVALID_VALUE


class AssistantWithoutContent(SchemaIssueRule):
    """An assistant message has no `content`, `tool_calls` or `function_call`.

    Why: rejected: `At least one of content or function_call must be set.`
    There is nothing to train on.

    Example: `{"role": "assistant"}` or `{"role": "assistant", "content": null}`
    """

    code = "FT109"
    name = "assistant-without-content"
    severity = Severity.ERROR
    summary = "Assistant message has no content or tool calls"
    fix = "Give the assistant message the answer to train on"
    issue = Issue.MISSING_CONTENT


class TooManyItems(SchemaIssueRule):
    """A list is longer than allowed.

    Why: DPO's `preferred_output` and `non_preferred_output` hold exactly one
    assistant message (`maxItems: 1`); `functions` holds at most 128.

    Example: `"preferred_output": [{...}, {...}]`
    """

    code = "FT110"
    name = "too-many-items"
    severity = Severity.ERROR
    summary = "List has too many items"
    fix = "Keep only the allowed number of items"
    issue = Issue.TOO_MANY_ITEMS


class UnexpectedFormat(Rule[NoOptions]):
    """A record is in another format than the file (e.g. a prompt/completion line in a chat file).

    Why: a file must hold one format: "Unexpected file format, expected either
    prompt/completion pairs or chat messages." The file's format is the one of
    its first record (or the one `--method` names).
    """

    code = "FT111"
    name = "unexpected-format"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    summary = "Record format differs from the file's format"
    fix = "Keep one format per file"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        found = context.example.format
        expected = context.expected_format
        if found != expected:
            yield Finding(
                f"record is {FORMATS[found].description} but the file is "
                f"{FORMATS[expected].description}; keep one format per file"
            )


class RoleNotInSchema(Rule[NoOptions]):
    """A role the format's schema does not list.

    That is `developer` in supervised chat, `system` or `function` in reinforcement.

    Why: uncertain. OpenAI's supervised schema has no `developer` message
    (only the reinforcement schema does), and the reinforcement schema has no
    `system`. Whether the validator rejects them is not documented. Warning.

    Use instead: `system` in supervised files, `developer` in reinforcement files.
    """

    code = "FT112"
    name = "role-not-in-schema"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    summary = "Role not listed by the format's schema"
    fix = "Use `system` for supervised files and `developer` for reinforcement files"

    _unlisted: ClassVar[dict[str, dict[str, str]]] = {
        "chat": {"developer": "system"},
        "preference": {"developer": "system"},
        "reinforcement": {"system": "developer", "function": "tool"},
    }

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        unlisted = self._unlisted.get(context.example.format, {})
        for message in context.example.all_messages:
            replacement = unlisted.get(message.role or "")
            if replacement:
                yield Finding(
                    f"{message.label}: role `{message.role}` is not in the "
                    f"{FORMATS[context.example.format].method} schema; use `{replacement}`",
                    pointer=f"{message.pointer}/role",
                )


class FormatNotForMethod(Rule[NoOptions]):
    """The file's format does not match `--method`, or the model cannot be trained on it.

    Why: the job fails: "Input file file-XXXX is in the fine-tune-chat format,
    but the specified fine-tuning job is not using 'supervised' as the training
    method (provided method=dpo)".
    """

    code = "FT113"
    name = "format-not-for-method"
    severity = Severity.ERROR
    scope = Scope.FILE
    summary = "File format does not fit the method or the model"
    fix = "Pick the method and model that train on this format"

    def check(self, context: FileContext) -> Iterator[Finding]:
        if context.format is None or not context.run.target.reads(context.format):
            return  # a layout the target does not read: FT114 says so, and how to convert it
        fmt = FORMATS[context.format]
        method, model = context.run.method, context.run.model
        if method != "auto" and method != fmt.method:
            yield Finding(
                f"file is {fmt.description} (method `{fmt.method}`) but the method is `{method}`",
                line=1,
            )
        elif fmt.method not in model.methods:
            yield Finding(
                f"{model.id} cannot be trained on {fmt.description}; it supports "
                f"{', '.join(model.methods)}. Choose another model with --model",
                line=1,
            )


class WeightIgnored(Rule[NoOptions]):
    """An assistant message has `weight: 0`, and the trainer ignores weights.

    Why: TRL, Unsloth and axolotl's chat_template type have no `weight`: every
    assistant turn is trained on, including the ones the data meant to skip
    (axolotl reads a per-message `train` key instead; TRL masks only with
    `assistant_only_loss`). Source: huggingface/trl docs/source/dataset_formats.md,
    axolotl docs/dataset-formats/conversation.qmd (spec/providers.md 9.1).
    Off by default; the hf target turns it on, as a warning.

    Example: `{"role": "assistant", "content": "a draft", "weight": 0}`
    Use instead: drop the turns you do not want trained, or map the weight to
    your trainer's own field (axolotl `train: false`).
    """

    code = "FT131"
    name = "weight-ignored"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    enabled_by_default = False
    summary = "weight: 0 on an assistant message, which the trainer ignores"
    fix = "Remove turns that should not be trained, or use the trainer's own field"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        for message in context.example.all_messages:
            if message.role == "assistant" and message.data.get("weight") == 0:
                yield Finding(f"{message.label} has `weight: 0`, which {context.run.target.name} ignores: "
                              "it will be trained on", pointer=f"{message.pointer}/weight")
                return


class _Weights:
    """Lines with and without a record-level weight (first of each), and the first non-number."""

    def __init__(self) -> None:
        self.with_weight: int = 0
        self.without: int = 0
        self.bad: int = 0


class ExampleWeightNotOnEveryExample(DatasetRule[NoOptions, _Weights]):
    """A record-level `weight` is on some examples and not on others, or is not a number.

    Why: Fireworks reads a float `weight` at the top of each example (any number,
    negatives included) to weigh whole samples, and requires it "on all samples
    or none" (docs.fireworks.ai/fine-tuning/weighted-training). Elsewhere such a
    key is unknown (FT102). Off by default; the fireworks target turns it on and
    accepts the key (`record_keys`).

    Example: line 1 `{"messages": [...], "weight": 2.0}`, line 2 `{"messages": [...]}`.
    Use instead: give every example a weight (1.0 for the default), or none.
    """

    code = "FT132"
    name = "example-weight-not-on-every-example"
    severity = Severity.ERROR
    enabled_by_default = False
    summary = "A record-level weight is on some examples but not all, or is not a number"
    fix = "Give every example a numeric weight, or none"

    def start(self) -> _Weights:
        return _Weights()

    def collect(self, state: _Weights, context: ExampleContext) -> None:
        line = context.record.line
        if "weight" not in context.example.raw:
            state.without = state.without or line
            return
        state.with_weight = state.with_weight or line
        weight = context.example.raw["weight"]
        if not isinstance(weight, (int, float)) or isinstance(weight, bool):
            state.bad = state.bad or line

    def merge(self, first: _Weights, later: _Weights) -> _Weights:
        first.with_weight = first.with_weight or later.with_weight
        first.without = first.without or later.without
        first.bad = first.bad or later.bad
        return first

    def finish(self, state: _Weights, context: FileContext) -> Iterator[Finding]:
        found = []
        if state.bad:
            found.append(Finding("the example's `weight` is not a number", pointer="/weight", line=state.bad))
        if state.with_weight and state.without:
            found.append(Finding(f"line {state.with_weight} has a record-level `weight` and this line has none; "
                                 f"{context.run.target.name} wants it on every example or on none",
                                 line=state.without))
        yield from sorted(found, key=lambda finding: finding.line or 0)


RULES = [
    MissingKey, UnknownKey, WrongType, EmptyList, InvalidRole, InvalidWeight, FractionalWeight,
    InvalidValue, AssistantWithoutContent, TooManyItems, UnexpectedFormat, RoleNotInSchema,
    FormatNotForMethod, WeightIgnored, ExampleWeightNotOnEveryExample,
]
