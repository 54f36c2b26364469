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
import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from ftlint.pointer import escape, split
from ftlint.rule import Rule
from ftlint.rules.secrets import RULES, Match, Scanner, merged

PLACEHOLDER = "«secret hidden»"
# What a file name is scanned for: credentials (keys and tokens, private keys, JSON web tokens). Personal
# data is not hidden in names: `runs/jane@example.com/train.jsonl` must stay a name the user can find.
NAME_SCANNERS = ("FT701", "FT702", "FT703")


@functools.cache
def default_scanners() -> tuple[Scanner, ...]:
    """One instance of each FT7 rule with its default options."""
    return tuple(rule() for rule in RULES)


def run_scanners(build: Callable[[type[Scanner]], Rule[Any]]) -> tuple[Scanner, ...] | None:
    """The scanners that hide secrets in a run: every FT7 rule built with the run's options (its
    `allow` list and own `patterns`) whether or not it is selected, since turning a rule off does not
    make its secrets printable. ``build`` makes a rule from its class with the config's options.
    None means the defaults (cached)."""
    configured = [cast(Scanner, build(kind)) for kind in RULES]
    if all(_is_default(rule) for rule in configured):
        return None
    return tuple(configured)


def _is_default(rule: Scanner) -> bool:
    return rule.options == type(rule)().options


def spans(text: str, scanners: Iterable[Scanner] | None = None) -> list[Match]:
    """The matches of every scanner in ``text``, in order, overlapping ones joined."""
    return list(_masked(text, _key(scanners))[1])


def mask(text: str, scanners: Iterable[Scanner] | None = None) -> str:
    """``text`` with every secret replaced by PLACEHOLDER."""
    return mask_at(text, 1, scanners)[0]


def mask_at(text: str, column: int, scanners: Iterable[Scanner] | None = None) -> tuple[str, int]:
    """``text`` masked, and where 1-based ``column`` of ``text`` is in it (an excerpt's caret).

    A column inside a secret moves to the start of its placeholder.
    """
    masked, found = _masked(text, _key(scanners))
    return masked, _moved(column, found) if found else column


def _key(scanners: Iterable[Scanner] | None) -> tuple[Scanner, ...]:
    return default_scanners() if scanners is None else tuple(scanners)


@functools.lru_cache(maxsize=16)  # a line with many findings is masked for each of them: scanned once
def _masked(text: str, scanners: tuple[Scanner, ...]) -> tuple[str, tuple[Match, ...]]:
    # A lone surrogate (from `\udfff` in the data) becomes one byte, as it is one character: the
    # scanners map byte offsets back to characters, and three bytes would move the mask off the secret.
    raw = text.encode("utf-8", "replace")
    found = tuple(merged(match for scanner in scanners for match in scanner.matches(text, raw)))
    return (_replace(text, found) if found else text), found


def mask_name(name: str) -> str:
    """A file name as ftlint shows it, in reports, baselines and messages: each credential in it (the
    built-in FT701-FT703 patterns) replaced by a placeholder that carries a short digest of it, so
    that two files whose names differ only in their secrets are still two files, named the same way
    in every run (a baseline matches them). Six hex digits of a digest give nothing of a key away."""
    scanners = tuple(scanner for scanner in default_scanners() if scanner.code in NAME_SCANNERS)
    found = _masked(name, scanners)[1]
    if not found:
        return name
    pieces, last = [], 0
    for match in found:
        secret = name[match.start:match.end].encode("utf-8", "surrogatepass")
        pieces += [name[last:match.start], f"«secret hidden {hashlib.blake2b(secret, digest_size=3).hexdigest()}»"]
        last = match.end
    pieces.append(name[last:])
    return "".join(pieces)


def mask_pointer(pointer: str, scanners: Iterable[Scanner] | None = None) -> str:
    """A JSON pointer with the secrets of each of its tokens hidden: a token is scanned unescaped
    (`~1` is a `/` of the key), then escaped again."""
    if not pointer:
        return pointer
    return "".join("/" + escape(mask(token, scanners)) for token in split(pointer))


def quote(value: str, limit: int, scanners: Iterable[Scanner] | None = None) -> str:
    """``value`` for a message: secrets hidden first, then cut to ``limit`` characters (a cut secret
    would no longer match its pattern)."""
    masked = mask(value, scanners)
    return masked if len(masked) <= limit else masked[:limit] + "…"


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
