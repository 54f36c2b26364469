"""Regular expressions that come from outside the code: from the data (JSON Schema `pattern`) or from
the user's config (rule options). They run in re2, whose time is linear in the text whatever the
pattern: Python's `re` backtracks, and `^(a+)+$` on 30 characters takes half a minute.

re2 has no lookaround and no backreferences; a pattern that needs them is an error (a finding for
data, a config error for options), never a silent fallback to `re`. re2 is imported on first use
(about 3 ms), so runs without such patterns never load it.
"""

from __future__ import annotations

import functools
from typing import Any


class PatternError(ValueError):
    """A pattern re2 cannot compile. The message (without the pattern) reads after "a pattern that"."""


@functools.lru_cache(maxsize=1024)
def linear(pattern: str) -> Any:
    """``pattern`` compiled by re2 (``search``, ``fullmatch`` and ``finditer`` as in ``re``, same offsets).

    Raises PatternError when re2 cannot compile it.
    """
    import re2  # lazily: only runs with such patterns pay for it

    options = re2.Options()
    options.log_errors = False  # re2 would log each failure (with the pattern) to stderr
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else ""
        reason = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
        raise PatternError(f"re2 cannot compile (the linear-time engine ftlint runs patterns with: no "
                           f"lookaround, no backreferences): {reason}") from None
    except (TypeError, ValueError) as exc:  # a lone surrogate cannot be encoded for re2
        raise PatternError(f"re2 cannot compile: {exc}") from None


def search(pattern: str, text: str) -> Any:
    """``re.search`` in linear time (what jsonschema's keywords call, see ftlint.jsonschemas)."""
    return linear(pattern).search(text)
