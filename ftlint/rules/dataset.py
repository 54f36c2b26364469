"""FT5: the dataset as a whole: counts and sizes across all records of a file."""

from __future__ import annotations

from collections.abc import Iterator

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
        minimum = context.run.min_examples
        if context.run.kind == "training" and 0 < examples < minimum:
            yield Finding(
                f"training file has {examples} example(s); {context.run.provider} requires at least "
                f"{minimum} (\"Training file has {examples} example(s), but must have at least {minimum} examples\")",
                line=1,
            )


RULES = [TooFewExamples]
