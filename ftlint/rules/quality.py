"""FT42: content quality: text that was mangled, templated or padded before it reached the file."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ftlint.prefilter import WHITESPACE, caseless
from ftlint.rule import ExampleContext, NoOptions, Rule, Scope
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
    prefilter = r"[\x{fffd}\x{c2}\x{c3}]|\x{e2}\x{20ac}"  # U+FFFD, and where every _MOJIBAKE match starts

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
    prefilter = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x{9f}]|\\[bf]"  # _CONTROL, raw or as JSON's \b and \f

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
    prefilter = r"[\x{200b}\x{2060}\x{feff}\x{202a}-\x{202e}\x{2066}-\x{2069}]"  # _INVISIBLE

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
    # _ROLE_PREFIX without its anchor (its case folding and Unicode whitespace spelt out), or _TEMPLATE.
    prefilter = (caseless("user", "assistant", "human", "system", "ai", "bot") + f"{WHITESPACE}*:{WHITESPACE}"
                 + r"|\[/?INST\]|<</?SYS>>|</?s>|###" + f"{WHITESPACE}*(?:Human|Assistant|Instruction|Response|System)"
                 + f"{WHITESPACE}*:")

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
                if text and (text[0].isspace() or text[-1].isspace()) and text.strip():
                    where = "starts" if text[0].isspace() else "ends"
                    yield Finding(f"{message.label} {where} with whitespace", pointer=pointer)


RULES = [Mojibake, ControlCharacters, InvisibleCharacters, TemplateMarkup, UntrimmedAnswer]
