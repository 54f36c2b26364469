"""FT5 (cross-record): examples compared with each other, in bounded memory.

States are logs of 64-bit digests and line numbers in typed arrays (8 bytes a
value: a 500 MB file's ~70,000 examples cost about 1 MB per rule), never
records. A false match between two different examples is a 1-in-10^19 event.
Logs merge by concatenation in file order, so parallel runs and partitions find
exactly what one pass finds; repeats are found at the end by sorting the keys,
a slice at a time. Examples whose structure is readable are compared (schema-valid
ones, and those whose only problems are harmless, such as an extra key); a broken
record is reported once, by the rule it breaks.
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ftlint.rule import DatasetRule, ExampleContext, FileContext, NoOptions, Options
from ftlint.violation import Finding, Severity


def _key(digest: bytes) -> int:
    return int.from_bytes(digest[:8], "little")


def _log() -> array[int]:
    return array("Q")


# Keys sorted at a time when looking for repeats: bigger logs are sorted in slices (by key modulo the
# number of slices), so the transient memory of ``finish`` stays ~3 MB however big the file is.
_SLICE = 1 << 16


def _slices(keys: array[int]) -> Iterator[list[int]]:
    """All the keys, sorted, in slices that never share a key."""
    count = max(1, -(-len(keys) // _SLICE))
    for index in range(count):
        yield sorted(key for key in keys if key % count == index) if count > 1 else sorted(keys)


def _repeated(keys: array[int]) -> set[int]:
    """The keys that occur more than once."""
    return {key for ordered in _slices(keys) for key, following in itertools.pairwise(ordered) if key == following}


@dataclass
class _Log:
    """(key, line) pairs in file order."""

    keys: array[int] = field(default_factory=_log)
    lines: array[int] = field(default_factory=_log)

    def add(self, key: int, line: int) -> None:
        self.keys.append(key)
        self.lines.append(line)

    def extend(self, later: _Log) -> _Log:
        # In place: states are only ever merged into the running total, and copying them would double
        # the peak memory of a parallel run.
        self.keys.extend(later.keys)
        self.lines.extend(later.lines)
        return self

    def firsts(self, wanted: set[int]) -> dict[int, int]:
        """The first line of each wanted key that occurs."""
        found: dict[int, int] = {}
        for key, line in zip(self.keys, self.lines, strict=True):
            if key in wanted and key not in found:
                found[key] = line
        return found


class DuplicateExample(DatasetRule[NoOptions, _Log]):
    """An example is an exact copy of an earlier one in the same file.

    Why: duplicates are trained on (and billed) twice and over-weight what they
    say; often two exports were concatenated. "Exact" means the same JSON value:
    whitespace, escapes and the order of keys do not count (`ExampleContext.fingerprint`).
    `ftlint fix --unsafe-fixes` drops exactly the examples this rule reports. Warning.
    """

    code = "FT505"
    name = "duplicate-example"
    severity = Severity.WARNING
    summary = "Example is a duplicate of an earlier one"
    fix = "Drop the duplicate"

    def start(self) -> _Log:
        return _Log()

    def collect(self, state: _Log, context: ExampleContext) -> None:
        if context.usable:
            state.add(_key(context.fingerprint), context.record.line)

    def merge(self, first: _Log, later: _Log) -> _Log:
        return first.extend(later)

    def finish(self, state: _Log, context: FileContext) -> Iterator[Finding]:
        repeated = _repeated(state.keys)
        first: dict[int, int] = {}
        for key, line in zip(state.keys, state.lines, strict=True):
            if key in repeated:
                if key in first:
                    yield Finding(f"example duplicates line {first[key]}", line=line)
                else:
                    first[key] = line


@dataclass
class _Prompts:
    prompts: _Log = field(default_factory=_Log)
    answers: array[int] = field(default_factory=_log)  # the final answer's digest, by example


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
        pair = context.prompt_and_answer if context.usable else None
        if pair is not None:
            state.prompts.add(_key(pair[0]), context.record.line)
            state.answers.append(_key(pair[1]))

    def merge(self, first: _Prompts, later: _Prompts) -> _Prompts:
        first.prompts.extend(later.prompts)
        first.answers.extend(later.answers)
        return first

    def finish(self, state: _Prompts, context: FileContext) -> Iterator[Finding]:
        repeated = _repeated(state.prompts.keys)
        first: dict[int, tuple[int, int]] = {}  # prompt -> (answer, line)
        for prompt, line, answer in zip(state.prompts.keys, state.prompts.lines, state.answers, strict=True):
            if prompt not in repeated:
                continue
            if prompt not in first:
                first[prompt] = answer, line
            elif answer != first[prompt][0]:
                yield Finding(f"same prompt as line {first[prompt][1]}, but a different final answer", line=line)


_NO_PROMPT = array("B", [0])
_HAS_PROMPT = array("B", [1])


@dataclass
class _Index:
    examples: _Log = field(default_factory=_Log)  # every example of a training file
    prompts: _Log = field(default_factory=_Log)  # and its prompt, where it has a final answer
    checked: _Log = field(default_factory=_Log)  # every example of a validation file
    checked_prompts: array[int] = field(default_factory=_log)  # its prompt (0 where has_prompt says none)
    has_prompt: array[int] = field(default_factory=lambda: array("B"))


@dataclass(frozen=True)
class _Training:
    path: str
    examples: _Log
    prompts: _Log


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
        if not context.usable or not context.run.has_validation_file:
            return  # nothing to compare against: keep nothing
        pair = context.prompt_and_answer
        example, line = _key(context.fingerprint), context.record.line
        if context.run.kind == "training":
            state.examples.add(example, line)
            if pair is not None:
                state.prompts.add(_key(pair[0]), line)
        else:
            state.checked.add(example, line)
            state.checked_prompts.append(_key(pair[0]) if pair is not None else 0)
            state.has_prompt.extend(_HAS_PROMPT if pair is not None else _NO_PROMPT)

    def merge(self, first: _Index, later: _Index) -> _Index:
        first.examples.extend(later.examples)
        first.prompts.extend(later.prompts)
        first.checked.extend(later.checked)
        first.checked_prompts.extend(later.checked_prompts)
        first.has_prompt.extend(later.has_prompt)
        return first

    def publish(self, state: _Index, context: FileContext, shared: dict[str, Any]) -> None:
        if context.run.kind == "training":
            shared.setdefault(SHARED_KEY, []).append(_Training(context.path, state.examples, state.prompts))

    def finish(self, state: _Index, context: FileContext) -> Iterator[Finding]:
        trainings: list[_Training] = context.shared.get(SHARED_KEY, [])
        if not state.checked.keys or not trainings:
            return
        # Only the validation file's keys are looked up, so memory follows the (small) validation file.
        wanted_examples = set(state.checked.keys)
        wanted_prompts = {p for p, has in zip(state.checked_prompts, state.has_prompt, strict=True) if has}
        examples: dict[int, tuple[str, int]] = {}
        prompts: dict[int, tuple[str, int]] = {}
        for training in trainings:  # in run order: the first training file that has it is named
            for key, line in training.examples.firsts(wanted_examples).items():
                examples.setdefault(key, (training.path, line))
            for key, line in training.prompts.firsts(wanted_prompts).items():
                prompts.setdefault(key, (training.path, line))
        checked = zip(state.checked.keys, state.checked.lines, state.checked_prompts, state.has_prompt, strict=True)
        for example, line, prompt, has in checked:
            if example in examples:
                path, where = examples[example]
                yield Finding(f"validation example also appears in training ({path}:{where})", line=line)
            elif has and prompt in prompts:
                path, where = prompts[prompt]
                yield Finding(f"validation prompt also appears in training ({path}:{where})", line=line)


class RepeatedAnswerOptions(Options):
    share: float = 0.05  # of examples with a final answer
    minimum: int = 5  # never fewer examples than this
    min_chars: int = 20  # shorter answers ("Yes", a class label) are labels, not canned replies


@dataclass
class _Answers:
    examples: int = 0
    answers: _Log = field(default_factory=_Log)  # answers long enough to judge
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
        pair = context.prompt_and_answer if context.usable else None
        if pair is None:
            return
        state.examples += 1
        if _answer_size(context) < self.options.min_chars:
            state.labels += 1
        else:
            state.answers.add(_key(pair[1]), context.record.line)

    def merge(self, first: _Answers, later: _Answers) -> _Answers:
        first.answers.extend(later.answers)
        first.examples += later.examples
        first.labels += later.labels
        return first

    def finish(self, state: _Answers, context: FileContext) -> Iterator[Finding]:
        threshold = max(self.options.minimum, self.options.share * state.examples)
        distinct, frequent = 0, {}
        for ordered in _slices(state.answers.keys):
            for key, group in itertools.groupby(ordered):
                distinct += 1
                count = sum(1 for _ in group)
                if count >= threshold:
                    frequent[key] = count
        if distinct < (state.examples - state.labels) / 3:
            return  # a few labels over and over: classification data
        for key, line in sorted(state.answers.firsts(set(frequent)).items(), key=lambda item: item[1]):
            count = frequent[key]
            yield Finding(f"the final answer of this example is repeated in {count} of {state.examples} examples "
                          f"({count / state.examples:.0%})", line=line)


RULES = [DuplicateExample, ConflictingAnswers, ValidationLeakage, RepeatedAnswer]
