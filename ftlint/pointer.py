"""Map between JSON pointers and positions in a line of JSON, to report columns.

Only run for records that have violations. Strings are skipped by one regex
match each, so the cost grows with the number of JSON tokens, not characters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

_TOKEN = re.compile(
    r'[ \t\r\n]*(?:("(?:[^"\\]|\\.)*")|([{}\[\],:])|(-?[0-9][0-9.eE+-]*|true|false|null|-?Infinity|NaN))',
    re.S,
)


@dataclass
class _Frame:
    is_object: bool
    path: tuple[str, ...]
    key: str = ""
    index: int = 0
    expect_key: bool = True


def locate(text: str, pointer: str) -> int | None:
    """1-based column of the value at ``pointer`` (or its deepest existing parent)."""
    target = split(pointer)
    best: int | None = None
    best_depth = -1
    for path, start, _, _ in _values(text):
        if path == target:
            return start + 1
        if len(path) > best_depth and target[: len(path)] == path:
            best, best_depth = start + 1, len(path)
    return best


def string_at(text: str, offset: int) -> str | None:
    """The pointer of the string value whose quoted text contains character ``offset`` of the line.

    None when the offset is not inside a string value (a key, a number, or between values).
    """
    for path, start, end, is_string in _values(text):
        if start > offset:
            return None
        if is_string and start < offset < end - 1:
            return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in path)
    return None


def _values(text: str) -> Iterator[tuple[tuple[str, ...], int, int, bool]]:
    """Every value of the line in order: (path, start, end, is it a string). Stops at a syntax error."""
    stack: list[_Frame] = []
    position = 0
    while match := _TOKEN.match(text, position):
        group = match.lastindex or 0
        token = match.group(group)
        start = match.start(group)
        position = match.end()
        top = stack[-1] if stack else None
        if top is not None and top.is_object and top.expect_key:
            if token == "}":
                stack.pop()
            elif token.startswith('"'):
                try:
                    top.key = json.loads(token)
                except ValueError:
                    return
                top.expect_key = False
            elif token != ",":
                return
            continue
        if token == ":":
            continue
        if token == ",":
            if top is None:
                return
            if top.is_object:
                top.expect_key = True
            else:
                top.index += 1
            continue
        if token in ("}", "]"):
            if stack:
                stack.pop()
            continue
        path = () if top is None else top.path + ((top.key,) if top.is_object else (str(top.index),))
        yield path, start, position, token.startswith('"')
        if token == "{":
            stack.append(_Frame(is_object=True, path=path))
        elif token == "[":
            stack.append(_Frame(is_object=False, path=path))
        elif top is None:
            return


def split(pointer: str) -> tuple[str, ...]:
    """The reference tokens of a JSON pointer (RFC 6901), unescaped: ``/a~1b/0`` is ``("a/b", "0")``."""
    return tuple(_unescape(part) for part in pointer.split("/")[1:]) if pointer else ()


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")
