"""FT42: content quality: text that was mangled, templated or padded before it reached the file."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ftlint.rule import DatasetRule, ExampleContext, FileContext, NoOptions, Options, Rule, Scope
from ftlint.violation import Finding, Severity

# UTF-8 read as Windows-1252/Latin-1: "Ã©" for é, "â€™" for ’, "Â " for a no-break space.
_MOJIBAKE = re.compile(r"Ã[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
                       r"\u2013-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
                       r"|â€[\u0080-\u00bf\u0153\u0161\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2122]"
                       r"|Â[\u00a0-\u00bf]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Zero-width space, word joiner, BOM, and bidi embeddings/overrides/isolates. ZWJ and ZWNJ are left
# alone: emoji sequences and several scripts need them.
_INVISIBLE = re.compile(r"[\u200b\u2060\ufeff\u202a-\u202e\u2066-\u2069]")
_TEMPLATE = re.compile(r"\[/?INST\]|<</?SYS>>|</?s>|###\s*(?:Human|Assistant|Instruction|Response|System)\s*:")
_ROLE_PREFIX = re.compile(r"^\s*(?:User|Assistant|Human|System|AI|Bot)\s*:\s", re.IGNORECASE)


def _position(text: str, index: int) -> str:
    return f"character {index + 1}"


class Mojibake(Rule[NoOptions]):
    """Text shows mojibake: UTF-8 decoded as Windows-1252 (`Ã©` for é, `â€™` for ’) or U+FFFD.

    Why: the model learns the garbage as if it were language; one bad export
    step (an Excel round trip, a wrong `encoding=`) damages every accented
    character. Warning.

    Example: `"content": "donâ€™t"`
    Use instead: `"content": "don’t"` (re-read the source with the right encoding).
    """

    code = "FT420"
    name = "mojibake"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    summary = "Mojibake or replacement characters in text"
    fix = "Re-export the text with the right encoding (ftfy can repair it)"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        for pointer, text in context.example.texts():
            if "\ufffd" in text:
                where = _position(text, text.index("\ufffd"))
                yield Finding(f"text contains U+FFFD replacement characters (at {where}): bytes were lost in decoding",
                              pointer=pointer)
            elif ("Ã" in text or "â€" in text or "Â" in text) and (match := _MOJIBAKE.search(text)):
                yield Finding(f"text looks like UTF-8 decoded as Windows-1252 ({match.group()!r} at "
                              f"{_position(text, match.start())})", pointer=pointer)


class ControlCharacters(Rule[NoOptions]):
    """Text contains control characters other than tab, newline and carriage return.

    Why: they are invisible in most editors, tokenize oddly and usually come
    from binary garbage or terminal escape codes. Warning.
    """

    code = "FT421"
    name = "control-characters"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    summary = "Control characters in text"
    fix = "Remove the control characters"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        for pointer, text in context.example.texts():
            match = _CONTROL.search(text)
            if match:
                yield Finding(f"text contains control character U+{ord(match.group()):04X} at "
                              f"{_position(text, match.start())}", pointer=pointer)


class InvisibleCharacters(Rule[NoOptions]):
    """Text contains zero-width characters or bidirectional overrides.

    Why: invisible characters change tokenization without changing what a
    reviewer sees; bidi overrides can even reorder what is displayed
    ("Trojan Source"). Zero-width joiners (emoji) and non-joiners are allowed.
    Warning.
    """

    code = "FT422"
    name = "invisible-characters"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    summary = "Zero-width or bidi-override characters in text"
    fix = "Remove the invisible characters"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        for pointer, text in context.example.texts():
            match = _INVISIBLE.search(text)
            if match:
                yield Finding(f"text contains invisible character U+{ord(match.group()):04X} at "
                              f"{_position(text, match.start())}", pointer=pointer)


class TemplateMarkup(Rule[NoOptions]):
    """Text contains chat-template markup.

    That is `[INST]`, `<s>`, `<<SYS>>`, `### Human:`, or a role prefix such as
    `User:` at the start of the text.

    Why: the data was already rendered through a chat template once; training
    on it teaches the model to print template syntax. (ChatML tokens such as
    `<|im_start|>` are FT302.) Warning.
    """

    code = "FT423"
    name = "template-markup"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    summary = "Chat-template markup in text"
    fix = "Put each turn in its own message and drop the markup"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        for pointer, text in context.example.texts():
            match = _ROLE_PREFIX.match(text) or (_TEMPLATE.search(text) if ("[" in text or "<" in text or "#" in text)
                                                 else None)
            if match:
                yield Finding(f"text contains template markup {match.group().strip()!r} at "
                              f"{_position(text, match.start())}", pointer=pointer)


class UntrimmedAnswer(Rule[NoOptions]):
    """An assistant answer starts or ends with whitespace.

    Why: the legacy completion format wanted a leading space; chat models do
    not, and the model learns to emit the stray whitespace. Info.
    """

    code = "FT424"
    name = "untrimmed-answer"
    severity = Severity.INFO
    scope = Scope.EXAMPLE
    formats = frozenset({"chat", "preference"})
    summary = "Assistant answer has leading or trailing whitespace"
    fix = "Strip whitespace around assistant answers"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        for message in context.example.all_messages:
            if message.role != "assistant":
                continue
            for pointer, text in message.texts():
                if text and text.strip() and text != text.strip():
                    where = "starts" if text[0].isspace() else "ends"
                    yield Finding(f"{message.label} {where} with whitespace", pointer=pointer)


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


RULES = [Mojibake, ControlCharacters, InvisibleCharacters, TemplateMarkup, UntrimmedAnswer, FewExamples,
         NoTrainableAnswer, NothingTrainable]
