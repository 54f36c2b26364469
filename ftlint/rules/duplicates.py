"""FT5 (cross-record): examples compared with each other, in bounded memory.

States keep 64-bit digests (ints: compact; a false match is a 1-in-10^19 event per pair) and line
numbers, never records. They merge in
file order, so parallel runs and partitions find exactly what one pass finds.
Only schema-valid examples are compared: a broken record is reported once, by
the rule it breaks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ftlint.rule import DatasetRule, ExampleContext, FileContext, NoOptions, Options
from ftlint.violation import Finding, Severity


def _key(digest: bytes) -> int:
    return int.from_bytes(digest[:8], "little")


@dataclass
class _Seen:
    first: dict[int, int] = field(default_factory=dict)  # digest -> first line
    repeats: list[tuple[int, int]] = field(default_factory=list)  # (line, digest) of later occurrences


def _merge_seen(first: _Seen, later: _Seen) -> _Seen:
    # In place: states are only ever merged into the running total, and copying them would double
    # the peak memory of a parallel run.
    for key, line in later.first.items():
        if key in first.first:
            first.repeats.append((line, key))
        else:
            first.first[key] = line
    first.repeats.extend(later.repeats)
    return first


class DuplicateExample(DatasetRule[NoOptions, _Seen]):
    """An example is an exact copy of an earlier one in the same file.

    Why: duplicates are trained on (and billed) twice and over-weight what they
    say; often two exports were concatenated. "Exact" means the same JSON once
    whitespace and escapes are normalized (key order counts). Warning.
    """

    code = "FT505"
    name = "duplicate-example"
    severity = Severity.WARNING
    summary = "Example is a duplicate of an earlier one"
    fix = "Drop the duplicate"

    def start(self) -> _Seen:
        return _Seen()

    def collect(self, state: _Seen, context: ExampleContext) -> None:
        if not context.valid:
            return
        key = _key(context.fingerprint)
        if key in state.first:
            state.repeats.append((context.record.line, key))
        else:
            state.first[key] = context.record.line

    def merge(self, first: _Seen, later: _Seen) -> _Seen:
        return _merge_seen(first, later)

    def finish(self, state: _Seen, context: FileContext) -> Iterator[Finding]:
        for line, key in sorted(state.repeats):
            yield Finding(f"example duplicates line {state.first[key]}", line=line)


_LINE = 1 << 40  # prompt state packs (answer digest, first line) into one int: answer * _LINE + line


@dataclass
class _Prompts:
    first: dict[int, int] = field(default_factory=dict)  # prompt -> answer * _LINE + first line
    later: list[tuple[int, int, int]] = field(default_factory=list)  # (line, prompt, answer) of repeats


class ConflictingAnswers(DatasetRule[NoOptions, _Prompts]):
    """The same prompt gets different final answers in different examples.

    Why: the model is taught two answers to one question and learns neither
    well; usually a label error or a stale copy. "Prompt" is everything before
    the final assistant turn (tools included). Warning, with the lines.
    """

    code = "FT506"
    name = "conflicting-answers"
    severity = Severity.WARNING
    summary = "Same prompt, different answers"
    fix = "Keep one answer per prompt, or make the prompts differ"

    def start(self) -> _Prompts:
        return _Prompts()

    def collect(self, state: _Prompts, context: ExampleContext) -> None:
        pair = context.prompt_and_answer if context.valid else None
        if pair is None:
            return
        prompt, answer = _key(pair[0]), _key(pair[1])
        if prompt in state.first:
            state.later.append((context.record.line, prompt, answer))
        else:
            state.first[prompt] = answer * _LINE + context.record.line

    def merge(self, first: _Prompts, later: _Prompts) -> _Prompts:
        for prompt, packed in later.first.items():  # in place, as _merge_seen
            if prompt in first.first:
                first.later.append((packed % _LINE, prompt, packed // _LINE))
            else:
                first.first[prompt] = packed
        first.later.extend(later.later)
        return first

    def finish(self, state: _Prompts, context: FileContext) -> Iterator[Finding]:
        for line, prompt, answer in sorted(state.later):
            first_answer, first_line = divmod(state.first[prompt], _LINE)
            if answer != first_answer:
                yield Finding(f"same prompt as line {first_line}, but a different final answer", line=line)


@dataclass
class _Index:
    examples: dict[int, int] = field(default_factory=dict)  # digest -> first line (training files)
    prompts: dict[int, int] = field(default_factory=dict)
    checked: list[tuple[int, int, int | None]] = field(default_factory=list)  # validation files


SHARED_KEY = "FT507.training"


class ValidationLeakage(DatasetRule[NoOptions, _Index]):
    """A validation example (or its prompt) also appears in a training file of the same run.

    Why: "The same data should not be present in both train and validation
    files": leaked examples make validation loss look better than the model is.
    Check both together: `ftlint check train.jsonl --validation-file valid.jsonl`
    (training files are read first). Warning.
    """

    code = "FT507"
    name = "validation-leakage"
    severity = Severity.WARNING
    summary = "Validation example also appears in training"
    fix = "Remove the example from one of the two files"

    def start(self) -> _Index:
        return _Index()

    def collect(self, state: _Index, context: ExampleContext) -> None:
        if not context.valid or not context.run.has_validation_file:
            return  # nothing to compare against: keep nothing
        pair = context.prompt_and_answer
        prompt = _key(pair[0]) if pair is not None else None
        example = _key(context.fingerprint)
        if context.run.kind == "training":
            state.examples.setdefault(example, context.record.line)
            if prompt is not None:
                state.prompts.setdefault(prompt, context.record.line)
        else:
            state.checked.append((context.record.line, example, prompt))

    def merge(self, first: _Index, later: _Index) -> _Index:
        for key, line in later.examples.items():
            first.examples.setdefault(key, line)
        for key, line in later.prompts.items():
            first.prompts.setdefault(key, line)
        first.checked.extend(later.checked)
        return first

    def publish(self, state: _Index, context: FileContext, shared: dict[str, Any]) -> None:
        if context.run.kind != "training":
            return
        index = shared.setdefault(SHARED_KEY, ({}, {}))
        for key, line in state.examples.items():
            index[0].setdefault(key, (context.path, line))
        for key, line in state.prompts.items():
            index[1].setdefault(key, (context.path, line))

    def finish(self, state: _Index, context: FileContext) -> Iterator[Finding]:
        examples, prompts = context.shared.get(SHARED_KEY, ({}, {}))
        for line, example, prompt in state.checked:
            if example in examples:
                path, where = examples[example]
                yield Finding(f"validation example also appears in training ({path}:{where})", line=line)
            elif prompt is not None and prompt in prompts:
                path, where = prompts[prompt]
                yield Finding(f"validation prompt also appears in training ({path}:{where})", line=line)


class RepeatedAnswerOptions(Options):
    share: float = 0.05  # of examples with a final answer
    minimum: int = 5  # never fewer examples than this
    min_chars: int = 20  # shorter answers ("Yes", a class label) are labels, not canned replies


@dataclass
class _Answers:
    examples: int = 0
    counts: dict[int, int] = field(default_factory=dict)  # answer -> count * _LINE + first line
    labels: int = 0  # answers too short to judge


def _answer_size(context: ExampleContext) -> int:
    """Characters of the final assistant turn: its text, and its calls' names and arguments."""
    messages = [m for m in context.example.messages if m.role == "assistant"]
    if context.example.format == "preference":
        messages = context.example.outputs[:1]
    if not messages:
        return 0
    last = messages[-1]
    size = sum(len(text) for _, text in last.texts())
    for call in last.tool_calls:
        function = call.get("function")
        function = function if isinstance(function, dict) else {}
        size += len(str(function.get("name", ""))) + len(str(function.get("arguments", "")))
    return size


class RepeatedAnswer(DatasetRule[RepeatedAnswerOptions, _Answers]):
    """The same final answer appears in many examples (more than 5% of them, and at least 5).

    Why: a canned reply (a refusal, "I'm sorry, I can't help with that", a
    `reject_request` call) in a large share of the data teaches the model to
    give it everywhere. Warning, once per answer, with the count and its first
    line. Answers under 20 characters, and files whose answers are a few labels
    (classification: fewer distinct answers than a third of the examples), are
    not judged.
    """

    code = "FT511"
    name = "repeated-answer"
    severity = Severity.WARNING
    summary = "The same answer in a large share of examples"
    fix = "Diversify or drop the repeated answer"
    options_model = RepeatedAnswerOptions

    def start(self) -> _Answers:
        return _Answers()

    def collect(self, state: _Answers, context: ExampleContext) -> None:
        pair = context.prompt_and_answer if context.valid else None
        if pair is None:
            return
        state.examples += 1
        if _answer_size(context) < self.options.min_chars:
            state.labels += 1
            return
        answer = _key(pair[1])
        packed = state.counts.get(answer)
        state.counts[answer] = context.record.line + _LINE if packed is None else packed + _LINE

    def merge(self, first: _Answers, later: _Answers) -> _Answers:
        counts = first.counts  # in place, as _merge_seen
        for key, packed in later.counts.items():
            # Counts add up; the first line stays the earlier range's.
            counts[key] = counts[key] + packed // _LINE * _LINE if key in counts else packed
        first.examples += later.examples
        first.labels += later.labels
        return first

    def finish(self, state: _Answers, context: FileContext) -> Iterator[Finding]:
        if len(state.counts) < (state.examples - state.labels) / 3:
            return  # a few labels over and over: classification data
        threshold = max(self.options.minimum, self.options.share * state.examples)
        repeated = sorted((packed % _LINE, packed // _LINE) for packed in state.counts.values()
                          if packed // _LINE >= threshold)
        for line, count in repeated:
            yield Finding(f"the final answer of this example is repeated in {count} of {state.examples} examples "
                          f"({count / state.examples:.0%})", line=line)


RULES = [DuplicateExample, ConflictingAnswers, ValidationLeakage, RepeatedAnswer]
