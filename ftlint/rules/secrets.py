"""FT7: secrets and personal data. The file is about to be uploaded to a third party.

A finding names the kind and the position (its column in the line, and the
JSON pointer of the string, number or object key that holds it), never the
value: messages carry no part of the match, and the engine shows no source
excerpt for these rules. Lines that do not parse are scanned too (pointer "").
Every scanner yields spans (start, end), which ftlint.masking uses to hide the
same matches wherever else a line or a message is shown.
Every pattern either starts with a literal (found by a fast substring scan) or
has bounded repetition, so scanning is linear in the text; e-mail addresses
are found from each "@" within a bounded window. tests/test_secrets.py feeds
each pattern adversarial megabyte inputs to hold that. User patterns (`allow`,
`patterns`) run in re2 (ftlint.regex), linear too.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar, NamedTuple

from pydantic import Field, field_validator

from ftlint import regex
from ftlint.records import Problem
from ftlint.rule import LineContext, Options, Rule, Scope
from ftlint.violation import Finding, Severity


class SecretOptions(Options):
    allow: tuple[str, ...] = ()  # regexes: matches that fully match one of these are not reported
    patterns: dict[str, str] = Field(default_factory=dict)  # extra kinds: name -> regex (FT701 only)

    @field_validator("allow")
    @classmethod
    def _allow_compiles(cls, allow: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in allow:
            _compiled(pattern)
        return allow

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, patterns: dict[str, str]) -> dict[str, str]:
        for pattern in patterns.values():
            _compiled(pattern)
        return patterns


def _compiled(pattern: str) -> Any:
    """A user's regex, in re2 (linear time); a config error when re2 cannot compile it."""
    try:
        return regex.linear(pattern)
    except regex.PatternError as exc:
        raise ValueError(f"pattern {pattern!r}: {exc}") from None


class Match(NamedTuple):
    """One match: its kind and where it is (character offsets, end exclusive)."""

    kind: str
    start: int
    end: int


class Scanner(Rule[SecretOptions]):
    """Base: scan every line, as written, for ``patterns`` (kind, literal prefilter, regex)."""

    scope = Scope.LINE  # lines that do not parse hold secrets too
    severity = Severity.WARNING
    options_model = SecretOptions
    sensitive = True
    patterns: ClassVar[tuple[tuple[str, str, Any], ...]] = ()
    # Characters that may not come right before a match. Checked in code rather than with a
    # lookbehind: a pattern that starts with a lookbehind cannot skip ahead to where a match could
    # start, which makes the scan 2-5x slower.
    not_before: ClassVar[str] = ""

    def __init__(self, options: SecretOptions | None = None) -> None:
        super().__init__(options)
        self._allow = [_compiled(pattern) for pattern in self.options.allow]
        self.active: tuple[tuple[str, str, Any], ...] = self.patterns

    def check(self, context: LineContext) -> Iterator[Finding]:
        # Scan the line as written (one C-speed regex pass per pattern), then map the rare match to
        # what holds it: a string, a number or an object key. Matches between values are dropped.
        record = context.record
        found = list(self.matches(record.text, record.raw))
        if not found:  # nearly every line: no sorting, no merging
            return
        for kind, start, _ in merged(found) if len(found) > 1 else found:
            if record.problem is not None and record.problem.kind is not Problem.NOT_AN_OBJECT:  # no JSON
                yield Finding(f"possible {kind} (value not shown)", pointer="", column=start + 1)
                continue
            owner = record.locator.owner(start)
            if owner is not None:
                where = " in an object key" if owner.kind == "key" else ""
                yield Finding(f"possible {kind}{where} (value not shown)", pointer=owner.pointer, column=start + 1)

    def matches(self, text: str, raw: bytes) -> Iterator[Match]:
        """Each match in ``text`` (possibly overlapping); ``raw`` is the same text in UTF-8."""
        for kind, literal, pattern in self.active:
            if literal and literal not in text:
                continue
            for match in pattern.finditer(text):
                start = match.start()
                if start and text[start - 1] in self.not_before:
                    continue
                if self.accept(match.group(), kind):
                    yield Match(kind, start, match.end())

    def accept(self, value: str, kind: str) -> bool:
        return not any(allowed.fullmatch(value) for allowed in self._allow)


def merged(matches: Iterable[Match]) -> list[Match]:
    """Matches in order, overlapping ones joined (two patterns may find one phone number)."""
    joined: list[Match] = []
    for match in sorted(matches, key=lambda m: (m.start, -m.end)):
        if joined and match.start < joined[-1].end:
            last = joined[-1]
            joined[-1] = Match(last.kind, last.start, max(last.end, match.end))
        else:
            joined.append(match)
    return joined


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


_TOKENS = (
    ("OpenAI API key", "sk-", re.compile(r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,200}")),
    ("AWS access key", "AKIA", re.compile(r"AKIA[0-9A-Z]{16}(?![0-9A-Z])")),
    ("AWS access key", "ASIA", re.compile(r"ASIA[0-9A-Z]{16}(?![0-9A-Z])")),
    ("GitHub token", "gh", re.compile(r"gh[pousr]_[A-Za-z0-9]{36,255}")),
    ("GitHub token", "github_pat_", re.compile(r"github_pat_[A-Za-z0-9_]{22,255}")),
    ("Slack token", "xox", re.compile(r"xox[abprs]-[A-Za-z0-9-]{10,200}")),
    ("Google API key", "AIza", re.compile(r"AIza[0-9A-Za-z_-]{35}")),
)
# Matched only where a key-like word was found (bytes.find, not a regex scan), in the line's UTF-8:
# the words and values are ASCII, and lower-casing and searching bytes is several times faster than
# str. Quotes may appear escaped (\") because lines are scanned as written.
_KEY_WORDS = (b"key", b"secret", b"token", b"passw")
_ASSIGNMENT = re.compile(rb"[a-z]{0,8}\\?[\"']?\s{0,8}[:=]\s{0,8}\\?[\"']?([A-Za-z0-9_\-/+=.]{16,200})", re.IGNORECASE)
_BUILT_IN_KINDS = frozenset(kind for kind, _, _ in _TOKENS)
_VALUE_RUN = re.compile(rb"[A-Za-z0-9_\-/+=.]*")  # an assigned value's characters, as _ASSIGNMENT reads them


def _value_end(raw: bytes, at: int) -> int:
    found = _VALUE_RUN.match(raw, at)  # `*`: it always matches, perhaps empty
    assert found is not None
    return found.end()


def _shape_table() -> bytes:
    table = bytearray(b" " * 256)  # everything else separates pieces
    for char in b"0123456789":
        table[char] = ord("0")
    for char in b"ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        table[char] = ord("A")
    for char in b" -.()+":
        table[char] = ord("-")
    return bytes(table)


_SHAPE = _shape_table()
# What _has_long_number needs (a run of digits, capitals and separators holding ten digits), as re2.
LONG_NUMBER = r"[0-9](?:[A-Z .()+-]*[0-9]){9}"


@functools.lru_cache(maxsize=4)  # the phone, card and IBAN rules ask about the same line in turn
def _has_long_number(raw: bytes) -> bool:
    """Does the UTF-8 text hold ten digits in one run of digits, capitals and separators (space - . ( ) +)?

    Every phone, card and IBAN form does. Runs in C: translate, search.
    """
    shape = raw.translate(_SHAPE)
    if b"0000" not in shape:  # every form has a group of four digits; most lines stop here, in C
        return False
    # Without capitals and separators, each piece is a run of its digits, still cut apart by spaces.
    return b"0000000000" in shape.translate(None, b"A-")


# Values that only stand for a secret: words (`your_desired_token_limit`, `YOUR_API_KEY`, `MyApiKey`),
# `your...`, `xxx`, `***`, an ellipsis, `<...>`. Real keys mix cases and digits at random.
_WORDS = re.compile(r"[a-z]+(?:[_.-][a-z]+)*|[A-Z]+(?:[_.-][A-Z]+)+|[A-Z]?[a-z]+(?:[_.-]?[A-Z][a-z]+)+")
_STAND_IN = re.compile(r"^your|xxx|\*\*\*|\.\.\.|…|<.*>", re.IGNORECASE)
_KEY_PREFIX = re.compile(r"(?:sk-(?:proj-|svcacct-|admin-)?|gh[pousr]_|github_pat_|xox[abprs]-|AIza)")


def placeholder(value: str) -> bool:
    """Does this value only stand for a secret (a template's blank), after any key prefix (`sk-`)?"""
    prefix = _KEY_PREFIX.match(value)
    body = value[prefix.end():] if prefix else value
    return bool(_WORDS.fullmatch(body) or _STAND_IN.search(body))


class SecretToken(Scanner):
    """Text contains what looks like an API key or access token.

    Why: training data leaves your hands on upload, and a fine-tuned model can
    repeat what it saw. Detects OpenAI, AWS, GitHub, Slack and Google keys,
    `key = "..."`-style assignments of high-entropy values, and your own
    `patterns`; `allow` lists regexes of values to accept (test keys).
    Placeholders are not reported: words (`max_tokens=your_desired_token_limit`,
    `sk-your-api-key-here`), `xxx`, `<...>` and `...`. Warning.
    """

    code = "FT701"
    name = "secret-token"
    summary = "API key or token in the data"
    fix = "Remove or replace the secret, and rotate it"
    patterns = _TOKENS

    # Each token's literal and the characters every match has after it, or a key-like word followed by
    # an assignment as _ASSIGNMENT reads it (bytes: ASCII case, ASCII whitespace).
    prefilter: str | None = (
        r"sk-[A-Za-z0-9_-]{20}|A[KS]IA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22}"
        r"|xox[abprs]-[A-Za-z0-9-]{10}|AIza[0-9A-Za-z_-]{35}"
        r"|(?i:(?:key|secret|token|passw)[a-z]{0,8}\\?[\"']?[ \t\n\r\f\x0b]{0,8}[:=][ \t\n\r\f\x0b]{0,8}"
        r"\\?[\"']?[A-Za-z0-9_\-/+=.]{16})")

    def __init__(self, options: SecretOptions | None = None) -> None:
        super().__init__(options)
        # The user's own kinds run in re2: linear whatever the pattern.
        extra = tuple((name, "", _compiled(pattern)) for name, pattern in self.options.patterns.items())
        self.active = _TOKENS + extra
        self._own = frozenset(self.options.patterns)
        if extra:  # a user's pattern may match anything: every line is scanned
            self.prefilter = None

    def accept(self, value: str, kind: str) -> bool:
        return super().accept(value, kind) and (kind in self._own or not placeholder(value))

    def matches(self, text: str, raw: bytes) -> Iterator[Match]:
        # The patterns' bounds keep Python's regex linear; a key that runs on past one is matched to the
        # end of its run of key characters, so that all of it is hidden, and a match that starts inside
        # a run already matched adds nothing (the scan stays linear).
        covered = 0
        for found in super().matches(text, raw):
            if found.kind in _BUILT_IN_KINDS:
                if found.start < covered:
                    continue
                found = found._replace(end=_run_end(text, found.end))  # their characters are base64url's
                covered = found.end
            yield found
        lowered = raw.lower()
        for word in _KEY_WORDS:
            at, covered = lowered.find(word), 0
            while at != -1:
                match = _ASSIGNMENT.match(raw, at + len(word))
                if match and match.start(1) >= covered:
                    covered = _value_end(raw, match.end(1))
                    value = raw[match.start(1):covered].decode("ascii")
                    if _entropy(value) >= 3.5 and self.accept(value, "secret"):
                        start = len(raw[:match.start(1)].decode("utf-8", "replace"))
                        yield Match("secret assigned to a key-like name", start, start + len(value))
                at = lowered.find(word, at + len(word))


class PrivateKey(Scanner):
    """Text contains a private key block (`-----BEGIN ... PRIVATE KEY-----`).

    Why: a private key in training data is a leaked key. Warning.
    """

    code = "FT702"
    name = "private-key"
    summary = "Private key block in the data"
    fix = "Remove the key and rotate it"
    patterns = (("private key", "-----BEGIN", re.compile(r"-----BEGIN (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY-----")),)
    prefilter = "-----BEGIN "

    def matches(self, text: str, raw: bytes) -> Iterator[Match]:
        # The span is the whole block, so that masking hides the key and not only its header.
        covered = -1
        for match in super().matches(text, raw):
            if match.start >= covered:  # a header inside the last block is part of it
                covered = _block_end(text, match.end)
                yield match._replace(end=covered)


_BLOCK_LIMIT = 64 * 1024  # an RSA 16384-bit key in PEM is ~12 KB


def _block_end(text: str, after: int) -> int:
    """Where a private key block whose header ends at ``after`` ends: at its END line, else at the end
    of the JSON string it is in (the next unescaped quote), else at the end of the text."""
    stop = _string_end(text, after, min(len(text), after + _BLOCK_LIMIT))
    end = text.find("-----END", after, stop)
    if end == -1:
        return stop
    close = text.find("-----", end + 8, min(stop, end + 80))
    return close + 5 if close != -1 else end + 8


def _string_end(text: str, after: int, limit: int) -> int:
    quote = text.find('"', after, limit)
    while quote != -1:
        escapes = 0
        while quote - escapes > after and text[quote - escapes - 1] == "\\":
            escapes += 1
        if escapes % 2 == 0:  # not itself escaped
            return quote
        quote = text.find('"', quote + 1, limit)
    return len(text)


class JsonWebToken(Scanner):
    """Text contains a JSON Web Token (`eyJ...`).

    Why: JWTs are often live session credentials. Warning.
    """

    code = "FT703"
    name = "json-web-token"
    summary = "JSON Web Token in the data"
    fix = "Remove the token"
    prefilter = r"eyJ[A-Za-z0-9_-]{10,}\.eyJ"

    def matches(self, text: str, raw: bytes) -> Iterator[Match]:
        # `eyJ[...]{10,}\.eyJ[...]{10,}\.[...]{10,}` without a regex: Python's would try every `eyJ` inside
        # a long run of token characters to its end (quadratic), and a bound on the segments (as
        # before) missed tokens with a long segment. A segment always ends where its run of token
        # characters ends, so a failed start fails for every start inside the same run: skip the run.
        at = text.find("eyJ")
        while at != -1:
            end = _jwt_end(text, at)
            if end is None:
                at = text.find("eyJ", _run_end(text, at))
                continue
            if self.accept(text[at:end], _JWT):
                yield Match(_JWT, at, end)
            at = text.find("eyJ", end)


_JWT = "JSON Web Token"
_TOKEN_RUN = re.compile(r"[A-Za-z0-9_-]*")  # base64url: a run of them is one segment


def _jwt_end(text: str, start: int) -> int | None:
    """Where the JSON Web Token starting at ``start`` ends: three runs of at least 10 base64url
    characters after `eyJ`, `.eyJ` and `.`; None if there is none."""
    first = _run_end(text, start)
    if first - start < 13 or not text.startswith(".eyJ", first):
        return None
    second = _run_end(text, first + 1)
    if second - first - 1 < 13 or not text.startswith(".", second):
        return None
    third = _run_end(text, second + 1)
    return third if third - second - 1 >= 10 else None


def _run_end(text: str, at: int) -> int:
    found = _TOKEN_RUN.match(text, at)  # `*`: it always matches, perhaps empty
    assert found is not None
    return found.end()


_LOCAL = re.compile(r"[A-Za-z0-9._%+-]{1,64}$")
_DOMAIN = re.compile(r"[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}")


class EmailAddress(Scanner):
    """Text contains an e-mail address.

    Why: personal data leaves the building on upload, and models memorize
    contact details. Allow placeholders with `allow = [".*@example\\\\.com"]`.
    Warning.
    """

    code = "FT704"
    name = "email-address"
    summary = "E-mail address in the data"
    fix = "Replace it with a placeholder (user@example.com)"
    prefilter = r"[A-Za-z0-9._%+-]@[A-Za-z0-9-]{1,63}\."  # _LOCAL's last character, _DOMAIN's first label

    def matches(self, text: str, raw: bytes) -> Iterator[Match]:
        at = text.find("@")
        while at != -1:
            local = _LOCAL.search(text, max(0, at - 64), at)
            domain = _DOMAIN.match(text, at + 1, at + 1 + 253)
            if local and domain and self.accept(text[local.start():domain.end()], "email"):
                yield Match("e-mail address", local.start(), domain.end())
            at = text.find("@", at + 1)


class PhoneNumber(Scanner):
    """Text contains a phone number in international (`+44 20 7946 0958`) or North American form.

    Why: personal data leaves the building on upload. Only explicit formats are
    matched, so quantities and dates are not mistaken for numbers. Warning.
    """

    code = "FT705"
    name = "phone-number"
    summary = "Phone number in the data"
    fix = "Replace it with a placeholder"
    # Where _has_long_number, the start of either pattern (re2's \p{Nd} holds every digit Python's \d does).
    prefilter = (LONG_NUMBER, r"\+[1-9]|\p{Nd}{3}\)?[ .-]\p{Nd}{3}[ .-]\p{Nd}{4}")
    patterns = (
        ("phone number", "+", re.compile(r"\+[1-9]\d{0,2}[ .-]?\(?\d{1,4}\)?(?:[ .-]?\d{2,4}){2,4}(?!\d)")),
        ("phone number", "", re.compile(r"\d{3}\)?[ .-]\d{3}[ .-]\d{4}(?![\d-])")),  # (555) 010-4477, 555-010-4477
    )
    not_before = "0123456789-+_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

    def matches(self, text: str, raw: bytes) -> Iterator[Match]:
        if _has_long_number(raw):
            yield from super().matches(text, raw)


_IBAN_HEAD = re.compile(r"[A-Z]{2}\d{2} ?$")


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


class CreditCardNumber(Scanner):
    """Text contains a payment card number (13 to 19 digits that pass the Luhn check).

    Why: card data must never be in training files (PCI DSS). Warning.
    """

    code = "FT706"
    name = "credit-card-number"
    summary = "Payment card number in the data"
    fix = "Remove the card number"
    prefilter = (LONG_NUMBER, r"[3-6](?:[ -]?\p{Nd}){12}")  # where _has_long_number, _pattern's shortest match
    _pattern = re.compile(r"[3-6](?:[ -]?\d){12,18}(?![\d-])")

    def matches(self, text: str, raw: bytes) -> Iterator[Match]:
        if not _has_long_number(raw):
            return
        for match in self._pattern.finditer(text):
            if match.start() and text[match.start() - 1] in "0123456789-":
                continue
            if _IBAN_HEAD.search(text, max(0, match.start() - 6), match.start()):
                continue  # the digits of an account number (FT707), not a card
            digits = re.sub(r"[ -]", "", match.group())
            if 13 <= len(digits) <= 19 and _luhn(digits) and self.accept(match.group(), "card"):
                yield Match("payment card number", match.start(), match.end())


def _iban_valid(value: str) -> bool:
    compact = value.replace(" ", "")
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(char, 36)) for char in rearranged)
    return int(number) % 97 == 1


class Iban(Scanner):
    """Text contains an IBAN (bank account number) that passes the mod-97 check.

    Why: bank details are personal data. Warning.
    """

    code = "FT707"
    name = "iban"
    summary = "IBAN in the data"
    fix = "Remove the account number"
    prefilter = (LONG_NUMBER, r"[A-Z]{2}\p{Nd}{2}(?: ?[A-Z0-9]{4}){2}")  # where _has_long_number, _pattern's start
    _pattern = re.compile(r"[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![A-Za-z0-9])")

    def matches(self, text: str, raw: bytes) -> Iterator[Match]:
        if not _has_long_number(raw):
            return
        for match in self._pattern.finditer(text):
            if match.start() and text[match.start() - 1].isalnum():
                continue
            if _iban_valid(match.group()) and self.accept(match.group(), "iban"):
                yield Match("IBAN", match.start(), match.end())


RULES = [SecretToken, PrivateKey, JsonWebToken, EmailAddress, PhoneNumber, CreditCardNumber, Iban]
