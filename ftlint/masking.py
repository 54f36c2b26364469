"""Hide secrets in anything ftlint shows: an excerpt of a line, an invalid line, a key, a message.

The FT7 rules report where a secret is and never its value; but the same line can be shown by
another rule's excerpt, and a message can quote a value (a key name, a role, a jsonschema error).
``mask`` replaces every match of the FT7 scanners with a visible placeholder, so that no output
format carries the value. It scans with the rules' own code (ftlint.rules.secrets), so what the
rules find and what is hidden cannot drift apart: by default the built-in patterns, or the run's
configured scanner instances (their `allow` lists and own `patterns`).

Text is scanned as given: a line as written (JSON escapes included), as the rules scan it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

from ftlint.rules.secrets import RULES, Match, Scanner, merged

PLACEHOLDER = "«secret hidden»"


@functools.cache
def default_scanners() -> tuple[Scanner, ...]:
    """One instance of each FT7 rule with its default options."""
    return tuple(rule() for rule in RULES)


def spans(text: str, scanners: Iterable[Scanner] | None = None) -> list[Match]:
    """The matches of every scanner in ``text``, in order, overlapping ones joined."""
    if scanners is None:
        return list(_masked(text)[1])
    raw = text.encode("utf-8", "surrogatepass")
    return merged(match for scanner in scanners for match in scanner.matches(text, raw))


def mask(text: str, scanners: Iterable[Scanner] | None = None) -> str:
    """``text`` with every secret replaced by PLACEHOLDER."""
    return mask_at(text, 1, scanners)[0]


def mask_at(text: str, column: int, scanners: Iterable[Scanner] | None = None) -> tuple[str, int]:
    """``text`` masked, and where 1-based ``column`` of ``text`` is in it (an excerpt's caret).

    A column inside a secret moves to the start of its placeholder.
    """
    if scanners is None:
        masked, found = _masked(text)
    else:
        found = tuple(spans(text, scanners))
        masked = _replace(text, found) if found else text
    return masked, _moved(column, found) if found else column


@functools.lru_cache(maxsize=16)  # a line with many findings is masked for each of them: scanned once
def _masked(text: str) -> tuple[str, tuple[Match, ...]]:
    found = tuple(spans(text, default_scanners()))
    return (_replace(text, found) if found else text), found


def _replace(text: str, found: Sequence[Match]) -> str:
    pieces, last = [], 0
    for match in found:
        pieces += [text[last:match.start], PLACEHOLDER]
        last = match.end
    pieces.append(text[last:])
    return "".join(pieces)


def _moved(column: int, found: Sequence[Match]) -> int:
    offset, shift = column - 1, 0
    for match in found:
        if match.start >= offset:
            break
        if offset < match.end:
            return match.start + shift + 1
        shift += len(PLACEHOLDER) - (match.end - match.start)
    return offset + shift + 1
