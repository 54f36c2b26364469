"""FT5: the dataset as a whole: counts and sizes across all records of a file."""

from __future__ import annotations

from collections.abc import Iterator

from ftlint.formats import FORMATS
from ftlint.rule import FileContext, NoOptions, Rule, Scope
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


RULES = [TooFewExamples, TooManyExamples, FileTooLarge, MissingValidationFile]
