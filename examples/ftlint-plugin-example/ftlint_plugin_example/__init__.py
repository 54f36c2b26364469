"""Two rules a team might add: a record rule and a dataset rule.

Codes use the plugin's own prefix (XPL) so they never clash with ftlint's FT codes.
"""

from __future__ import annotations

from collections.abc import Iterator

from ftlint import DatasetRule, ExampleContext, FileContext, Finding, Options, Rule, Scope, Severity


class AnswerLengthOptions(Options):
    min_words: int = 3


class ShortAnswer(Rule[AnswerLengthOptions]):
    """An assistant answer has fewer words than the team's minimum (3 by default).

    Why: our support bot should never answer in one word; short answers in the
    data teach it to.

    Example: `{"role": "assistant", "content": "Yes."}`
    Use instead: `{"role": "assistant", "content": "Yes, it ships to Canada."}`
    """

    code = "XPL001"
    name = "short-answer"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    formats = frozenset({"chat"})
    summary = "Assistant answer is shorter than the team minimum"
    fix = "Write a full-sentence answer"
    options_model = AnswerLengthOptions

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        for message in context.example.messages:
            if message.role != "assistant":
                continue
            for pointer, text in message.texts():
                if len(text.split()) < self.options.min_words:
                    yield Finding(f"{message.label} has {len(text.split())} word(s); the minimum is "
                                  f"{self.options.min_words}", pointer=pointer)


class MissingTopic(DatasetRule[Options, list[int]]):
    """Fewer than 10% of the examples mention a refund.

    Why: refunds are a quarter of our tickets; a dataset without them leaves
    the model unprepared. A dataset rule: it keeps two counters, never records.
    """

    code = "XPL002"
    name = "missing-refund-topic"
    severity = Severity.INFO
    formats = frozenset({"chat"})
    summary = "Too few examples about refunds"
    fix = "Add refund conversations"

    def start(self) -> list[int]:
        return [0, 0]  # examples, examples that mention a refund

    def collect(self, state: list[int], context: ExampleContext) -> None:
        state[0] += 1
        state[1] += any("refund" in text.lower() for _, text in context.example.texts())

    def merge(self, first: list[int], later: list[int]) -> list[int]:
        return [first[0] + later[0], first[1] + later[1]]

    def finish(self, state: list[int], context: FileContext) -> Iterator[Finding]:
        examples, about_refunds = state
        if examples and about_refunds < 0.1 * examples:
            yield Finding(f"only {about_refunds} of {examples} examples mention a refund", line=1)


RULES = [ShortAnswer, MissingTopic]
