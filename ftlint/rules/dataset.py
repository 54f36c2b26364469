"""FT5: the dataset as a whole: counts and sizes across all records of a file."""

from __future__ import annotations

from collections.abc import Iterator

from ftlint.formats import FORMATS
from ftlint.rule import DatasetRule, ExampleContext, FileContext, NoOptions, Options, Rule, Scope
from ftlint.violation import Finding, Severity


class TooFewExamples(Rule[NoOptions]):
    """A training file has fewer examples than the provider's minimum (10 for OpenAI and Azure).

    Why: the job fails after upload: `Training file has 5 example(s), but must
    have at least 10 examples` (`invalid_n_examples`). Validation files have no
    documented minimum and are not checked.
    """

    code = "FT501"
    name = "too-few-examples"
    severity = Severity.ERROR
    scope = Scope.FILE
    summary = "Training file has fewer examples than the minimum"
    fix = "Add examples (OpenAI recommends 50 to 100 to see an effect)"

    def check(self, context: FileContext) -> Iterator[Finding]:
        examples = context.totals.examples
        minimum = context.run.target.min_examples
        if context.run.kind == "training" and 0 < examples < minimum and minimum:
            yield Finding(
                f"training file has {examples} example(s); {context.run.target.name} requires at least "
                f"{minimum} (\"Training file has {examples} example(s), but must have at least {minimum} examples\")",
                line=1,
            )


class TooManyExamples(Rule[NoOptions]):
    """A file has more examples than the provider takes for its method.

    Why: reinforcement fine-tuning takes at most 50,000 training and 1,000
    validation examples (OpenAI and Azure); vision fine-tuning at most 50,000
    examples with images. The limits are data in the provider profile.
    """

    code = "FT502"
    name = "too-many-examples"
    severity = Severity.ERROR
    scope = Scope.FILE
    summary = "File has more examples than the provider allows"
    fix = "Split the data or sample it down to the limit"

    def check(self, context: FileContext) -> Iterator[Finding]:
        if context.format is None:
            return
        profile, kind = context.run.target, context.run.kind
        limit = profile.max_examples.get(FORMATS[context.format].method, {}).get(kind)
        examples = context.totals.examples
        if limit is not None and examples > limit:
            yield Finding(f"{kind} file has {examples:,} {FORMATS[context.format].method} examples; "
                          f"{profile.name} takes at most {limit:,}", line=1)
        images = context.totals.image_examples
        if profile.max_image_examples is not None and images > profile.max_image_examples:
            yield Finding(f"file has {images:,} examples with images; {profile.name} takes at most "
                          f"{profile.max_image_examples:,}", line=1)


class FileTooLarge(Rule[NoOptions]):
    """The file is larger than the provider's upload limit (512 MB for OpenAI's Files API and Azure).

    Why: the upload is rejected. OpenAI's Uploads API takes up to 8 GB in
    64 MB parts; otherwise split the file.
    """

    code = "FT503"
    name = "file-too-large"
    severity = Severity.ERROR
    scope = Scope.FILE
    summary = "File is larger than the upload limit"
    fix = "Split the file, or upload it in parts (OpenAI's Uploads API)"

    def check(self, context: FileContext) -> Iterator[Finding]:
        limit = context.run.target.max_file_bytes
        if limit is not None and context.facts.size > limit:
            yield Finding(f"file is {context.facts.size / 1e6:,.1f} MB; {context.run.target.name} takes files of "
                          f"at most {limit / 1e6:,.0f} MB", line=1)


class MissingValidationFile(Rule[NoOptions]):
    """A training file for a method whose jobs need a validation file, with none in the run.

    Why: Azure's reinforcement fine-tuning: "Both a training and a validation
    dataset must be provided." Check them together:
    `ftlint check train.jsonl --validation-file valid.jsonl`.
    """

    code = "FT504"
    name = "missing-validation-file"
    severity = Severity.ERROR
    scope = Scope.FILE
    summary = "Method needs a validation file and none was checked"
    fix = "Add a validation file to the run (--validation-file)"

    def check(self, context: FileContext) -> Iterator[Finding]:
        if context.format is None or context.run.kind != "training" or context.run.has_validation_file:
            return
        method = FORMATS[context.format].method
        if method in context.run.target.requires_validation:
            yield Finding(f"{context.run.target.name} needs a validation file for {method} jobs; none was checked "
                          "with this training file (add one with --validation-file)", line=1)


class FewExamplesOptions(Options):
    recommended: int = 50


class FewExamples(Rule[FewExamplesOptions]):
    """A training file has fewer examples than OpenAI recommends (50 to 100 to see an effect).

    Why: the job runs with 10, but "we typically see clear improvements from
    fine-tuning on 50 to 100 training examples". Info, and off by default:
    it is advice, not a defect (`--extend-select FT510` turns it on).
    """

    code = "FT510"
    name = "few-examples"
    severity = Severity.INFO
    scope = Scope.FILE
    summary = "Fewer examples than recommended"
    fix = "Collect more examples"
    options_model = FewExamplesOptions
    enabled_by_default = False

    def check(self, context: FileContext) -> Iterator[Finding]:
        examples = context.totals.examples
        minimum = context.run.target.min_examples
        if context.run.kind == "training" and minimum and minimum <= examples < self.options.recommended:
            yield Finding(f"training file has {examples} examples; {self.options.recommended} or more are "
                          "recommended to see an effect", line=1)


class NoTrainableAnswer(Rule[NoOptions]):
    """Every assistant message of the example has `weight: 0`.

    Why: the example trains nothing, but its tokens are still billed. Warning.
    """

    code = "FT508"
    requires = frozenset({"weights"})  # without any, every assistant message trains
    name = "no-trainable-answer"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    formats = frozenset({"chat"})
    summary = "Example has no trainable assistant message"
    fix = "Set weight 1 on the answer to learn, or drop the example"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        assistants = [m for m in context.example.messages if m.role == "assistant"]
        if assistants and not any(m.trainable for m in assistants):
            yield Finding("every assistant message has weight 0: the example trains nothing but is billed",
                          pointer="/messages")


class NothingTrainable(DatasetRule[NoOptions, list[int]]):
    """No example in a training file has a trainable assistant message.

    Why: a job on this file trains nothing (every assistant message has
    `weight: 0`) and is billed in full.
    """

    code = "FT509"
    name = "nothing-trainable"
    severity = Severity.ERROR
    formats = frozenset({"chat"})
    summary = "No example trains anything"
    fix = "Give the answers to learn weight 1"

    def start(self) -> list[int]:
        return [0, 0]

    def collect(self, state: list[int], context: ExampleContext) -> None:
        assistants = [m for m in context.example.messages if m.role == "assistant"]
        if assistants:
            state[0] += 1
            state[1] += any(m.trainable for m in assistants)

    def merge(self, first: list[int], later: list[int]) -> list[int]:
        return [first[0] + later[0], first[1] + later[1]]

    def finish(self, state: list[int], context: FileContext) -> Iterator[Finding]:
        if context.run.kind == "training" and state[0] and not state[1]:
            yield Finding(f"none of the {state[0]} examples has a trainable assistant message (all weight 0)",
                          line=1)


RULES = [TooFewExamples, TooManyExamples, FileTooLarge, MissingValidationFile, FewExamples, NoTrainableAnswer,
         NothingTrainable]
