"""One multi-pattern scan per line that tells the text-scanning rules where they need not look.

A rule may declare ``prefilter``: an re2 pattern over the line's raw bytes (UTF-8 mode) that matches
wherever the rule could find anything, or a tuple of patterns that must all match. It is a *necessary
condition*, never a replacement: a rule whose condition holds runs its exact check as before, and one
whose condition does not hold would have found nothing. Every pattern of a plan is compiled into one
``re2.Set``, which scans a line once (20 MB in about 35 ms), instead of each rule running its own
Python and regex passes.

What the conditions are written over, by scope:
- a line rule (FT7) scans the line as written, escapes and all: its condition is over the same text;
- an example rule reads decoded strings, where a JSON escape can hide a trigger (`\\u200b` is a
  zero-width space, `\\/` a slash): a line holding `\\u` or `\\/` runs every example rule. The short
  escapes (`\\n`, `\\t`...) are common, so conditions spell them out where they matter (``WHITESPACE``).

Case: Python's ``re.IGNORECASE`` folds more than re2's ``(?i)`` (dotless i U+0131 and dotted I U+0130
match `i`); ``caseless`` writes words so that the condition holds for both.

``FTLINT_PREFILTER=0`` turns the prefilter off: an internal switch, for tests/test_prefilter.py, which
compares whole reports with it on and off.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ftlint.rule import Scope

if TYPE_CHECKING:
    from ftlint.rule import Rule

# What Python's `\s` and str.isspace() match (tests/test_prefilter.py checks every code point), raw
# in the line, or as the short JSON escapes of the same characters.
WHITESPACE = (r"(?:[\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}"
              r"\x{205f}\x{3000}]|\\[tnrf])")
# Escapes after which a decoded string holds characters the raw line does not show.
HIDING_ESCAPES = r"\\u|\\/"
# Matches every line: a Set whose DFA runs out of memory returns no match at all, and then nothing
# may be skipped.
_ALWAYS, _ALWAYS_INDEX, _HIDDEN_INDEX = r"\z", 0, 1  # (not "": that one doubles the scan time)
# Python's IGNORECASE matches these with `i` and `I`; re2's (?i) does not (the long s U+017F and the Kelvin
# sign fold alike in both).
_DOTTED_I = r"[i\x{130}\x{131}]"


def caseless(*words: str) -> str:
    """An re2 pattern for any of ``words`` (ASCII letters) wherever ``re.IGNORECASE`` finds them."""
    return "(?i:" + "|".join(word.lower().replace("i", _DOTTED_I) for word in words) + ")"


def literal(*texts: str) -> str | None:
    """An re2 pattern for any of ``texts`` as they appear in a line; None (no condition) when one of them
    holds a character JSON may write only as an escape (a quote, a backslash, a control character)."""
    if not texts or any(char in '"\\' or char < " " for text in texts for char in text):
        return None
    return "|".join("".join(char if char.isascii() and char.isalnum() else f"\\x{{{ord(char):x}}}" for char in text)
                    for text in texts)


def enabled() -> bool:
    return os.environ.get("FTLINT_PREFILTER", "1") != "0"


class Prefilter:
    """The conditions of a set of rules, compiled once; ``skipped`` names the rules a line can skip."""

    def __init__(self, rules: Iterable[Rule[Any]]) -> None:
        conditions: dict[str, int] = {}  # pattern -> its index in the Set (rules may share one)
        self._gated: list[tuple[str, tuple[int, ...], bool]] = []  # (code, conditions, decoded text?)
        for rule in rules:
            condition = getattr(rule, "prefilter", None)
            if condition is not None and enabled():
                patterns = (condition,) if isinstance(condition, str) else condition
                # After _ALWAYS and HIDING_ESCAPES; rules may share a pattern (FT705-FT707).
                indices = tuple(conditions.setdefault(pattern, len(conditions) + 2) for pattern in patterns)
                self._gated.append((rule.code, indices, rule.scope is not Scope.LINE))
        self._patterns = [_ALWAYS, HIDING_ESCAPES, *conditions]
        self._set: Any = None
        self._skips: dict[tuple[int, ...], frozenset[str]] = {}

    def __getstate__(self) -> dict[str, Any]:  # a compiled Set does not pickle: workers compile their own
        return {**{key: getattr(self, key) for key in ("_gated", "_patterns")}, "_set": None, "_skips": {}}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for key, value in state.items():
            setattr(self, key, value)

    def skipped(self, raw: bytes) -> frozenset[str]:
        """The codes of the rules whose condition does not hold anywhere in ``raw`` (one line)."""
        if not self._gated:
            return frozenset()
        if self._set is None:
            self._set = _compiled(self._patterns)
        matched = tuple(self._set.Match(raw) or ())
        skips = self._skips.get(matched)
        if skips is None:  # a handful of distinct outcomes per file
            if _ALWAYS_INDEX not in matched:  # the scan failed (re2 out of memory): every rule runs
                return frozenset()
            hidden = _HIDDEN_INDEX in matched
            skips = self._skips[matched] = frozenset(
                code for code, indices, decoded in self._gated
                if not (decoded and hidden) and not all(index in matched for index in indices))
        return skips


def _compiled(patterns: list[str]) -> Any:
    import re2  # ftlint.regex loads it lazily too; a plan with no conditions never does

    options = re2.Options()
    options.log_errors = False
    # A Set runs the DFA alone and reports no match if it runs out of memory: room enough that a
    # condition's states always fit (tests/test_prefilter.py scans adversarial megabyte lines).
    options.max_mem = 256 << 20
    found = re2.Set.SearchSet(options)
    for pattern in patterns:
        found.Add(pattern)
    found.Compile()
    return found
