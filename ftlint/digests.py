"""Digests of parsed JSON values: how records, prompts, tool lists and long strings are compared and
memoized without being kept."""

from __future__ import annotations

import hashlib
import marshal
from typing import Any


def digest(value: Any) -> bytes:
    """A 128-bit digest of a parsed JSON value: equal values, equal digests, whatever the whitespace
    or escapes of the text they came from (key order counts).

    It hashes marshal's version-0 form, written in C (2-5x faster than walking the value in Python or
    serializing it to JSON): version 0 has no back-references and no interning flags, so the bytes
    depend on the value alone, never on object identity. The form may change between Python
    versions; digests are only ever compared within one run.
    """
    return hashlib.blake2b(marshal.dumps(value, 0), digest_size=16).digest()


def combine(digests: list[bytes]) -> bytes:
    return hashlib.blake2b(b"".join(digests), digest_size=16).digest()


def canonical_digest(value: Any) -> bytes:
    """Like :func:`digest`, but objects compare as JSON defines them: the order of their keys does not
    count (``{"role": "user", "content": "hi"}`` and ``{"content": "hi", "role": "user"}`` are one
    message). What `check` (FT505-FT507, FT511) and `fix` call the same example rests on this."""
    try:
        ordered = _key_ordered(value)
    except RecursionError:  # nested deeper than Python recurses from here (a 900-level value): as written
        ordered = value
    return hashlib.blake2b(marshal.dumps(ordered, 0), digest_size=16).digest()


# Canonical digests of values that repeat as written, by the digest of how they are written: equal
# written forms have equal canonical forms, and marshal alone (C) costs a fraction of ordering the keys
# in Python. Bounded: it starts over when full.
_REPEATED: dict[bytes, bytes] = {}
_REPEATED_MAX = 4096


def canonical_digest_repeated(value: Any) -> bytes:
    """:func:`canonical_digest` of a value that often comes back byte for byte, such as a record's
    `tools` (the same list on every line of many files: ordering its keys was ~70% of the time FT505
    spent on such data)."""
    try:
        key = digest(value)
    except ValueError:  # deeper than marshal goes
        return canonical_digest(value)
    found = _REPEATED.get(key)
    if found is None:
        if len(_REPEATED) >= _REPEATED_MAX:
            _REPEATED.clear()
        found = _REPEATED[key] = canonical_digest(value)
    return found


def _key_ordered(value: Any) -> Any:
    # An object becomes a tuple of (key, value) pairs: marshal keeps tuples apart from lists, so no JSON
    # array can take the form of an object.
    # Strings, most values, are taken as they are without a call (10-15% of this function's time).
    kind = type(value)
    if kind is dict:
        for item in value.values():
            if type(item) is not str:
                return tuple(sorted((key, item if type(item) is str else _key_ordered(item))
                                    for key, item in value.items()))
        return tuple(sorted(value.items()))  # a message of strings only, the most common object: no generator
    if kind is list:
        return [item if type(item) is str else _key_ordered(item) for item in value]
    return value
