"""Map between JSON pointers and positions in a line of JSON, to report columns.

``Locator`` tokenizes a line once and then answers any number of questions
(the column of a pointer, the value or key at a column), so the cost of a
record's findings grows with the line plus the findings, not their product.
Strings are skipped by one regex match each, so the cost grows with the number
of JSON tokens, not characters. The index is built on the first question, in
typed arrays (~40 bytes per token); a line of more than ``MAX_INDEXED_TOKENS``
tokens is not indexed and each question re-reads it (``locate``,
``owner_at``: constant memory, the reference the index is tested against).
"""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

_TOKEN = re.compile(
    r'[ \t\r\n]*(?:("[^"\\]*(?:\\.[^"\\]*)*")|([{}\[\],:])|(-?[0-9][0-9.eE+-]*|true|false|null|-?Infinity|NaN))',
    re.S,
)
# Strings are matched as runs of plain characters between escapes ("unrolled"), not one character per
# iteration: 3-4x faster on long strings, the same matches.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
MAX_INDEXED_TOKENS = 1 << 20  # ~40 MB of index at most; longer lines are answered without one

_OBJECT, _ARRAY, _STRING_KIND, _SCALAR = 0, 1, 2, 3


class Owner(NamedTuple):
    """What holds a character of the line: a string value, a number or literal, or an object key.

    ``pointer`` is the value's pointer; for a key it is the pointer of the object that has the key
    (the key itself may be what must not be shown).
    """

    pointer: str
    kind: str  # "string", "scalar" or "key"


def escape(part: str) -> str:
    """One reference token of a JSON pointer (RFC 6901)."""
    return part.replace("~", "~0").replace("/", "~1")


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def split(pointer: str) -> tuple[str, ...]:
    """The reference tokens of a JSON pointer (RFC 6901), unescaped: ``/a~1b/0`` is ``("a/b", "0")``."""
    return tuple(_unescape(part) for part in pointer.split("/")[1:]) if pointer else ()


def _decode_key(token: str) -> str:
    if "\\" not in token:
        return token[1:-1]
    try:
        key = json.loads(token)
    except ValueError:
        return token[1:-1]
    return key if isinstance(key, str) else token[1:-1]


class Locator:
    """Positions in one line of JSON, from one pass over its tokens (made on the first question).

    Nodes are the line's values in document order (a container before its items). A line that
    breaks off keeps the values before the break; a pointer into what is missing answers with its
    deepest existing parent. With duplicate keys, the last one wins, as when the line is parsed.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._indexed: bool | None = None  # None: not built yet; False: too long, answered by re-reading
        self._starts = array("q")
        self._ends = array("q")  # a string's or scalar's end; a container's closing bracket's end
        self._after = array("q")  # the index of the node after this one's subtree
        self._parents = array("q")
        self._members = array("q")  # where the key starts (in an object), or -(index + 1) (in an array)
        self._kinds = bytearray()
        self._children: dict[int, dict[str, int]] = {}  # built per container on demand

    def column(self, pointer: str) -> int | None:
        """1-based column of the value at ``pointer`` (or of its deepest existing parent)."""
        if not self._build():
            return locate(self.text, pointer)
        if not self._kinds:
            return None
        node = 0
        for part in split(pointer):
            child = self._child(node, part)
            if child is None:
                break
            node = child
        return self._starts[node] + 1

    def owner(self, offset: int) -> Owner | None:
        """What holds character ``offset`` (0-based) inside its quotes or digits; None between tokens."""
        if not self._build():
            return owner_at(self.text, offset)
        starts, kinds = self._starts, self._kinds
        low, high = 0, len(kinds)
        while low < high:  # the last node that starts at or before offset
            middle = (low + high) // 2
            if starts[middle] <= offset:
                low = middle + 1
            else:
                high = middle
        node = low - 1
        if node >= 0 and kinds[node] == _STRING_KIND and starts[node] < offset < self._ends[node] - 1:
            return Owner(self.pointer_of(node), "string")
        if node >= 0 and kinds[node] == _SCALAR and starts[node] <= offset < self._ends[node]:
            return Owner(self.pointer_of(node), "scalar")
        following = node + 1  # a key sits between the token before it and its value
        if following < len(kinds) and self._members[following] >= 0:
            key = _STRING.match(self.text, self._members[following])
            if key is not None and key.start() < offset < key.end() - 1:
                return Owner(self.pointer_of(self._parents[following]), "key")
        return None

    def pointer_of(self, node: int) -> str:
        parts = []
        while node > 0:
            member = self._members[node]
            parts.append(escape(self._key_at(member)) if member >= 0 else str(-member - 1))
            node = self._parents[node]
        return "".join("/" + part for part in reversed(parts))

    def _key_at(self, offset: int) -> str:
        match = _STRING.match(self.text, offset)
        return _decode_key(match.group()) if match else ""

    def _child(self, node: int, part: str) -> int | None:
        kind = self._kinds[node]
        if kind not in (_OBJECT, _ARRAY):
            return None
        children = self._children.get(node)
        if children is None:
            children = self._children[node] = {}
            child, after = node + 1, self._after[node]
            while child < after:
                member = self._members[child]
                children[self._key_at(member) if member >= 0 else str(-member - 1)] = child
                child = self._after[child]
        return children.get(part)

    def _build(self) -> bool:
        if self._indexed is None:
            self._indexed = _Builder(self).run()
        return self._indexed


class _Open:
    """A container being read."""

    __slots__ = ("count", "expect_key", "is_object", "key", "node")

    def __init__(self, node: int, is_object: bool) -> None:
        self.node = node
        self.is_object = is_object
        self.expect_key = True
        self.count = 0  # items so far (arrays)
        self.key = -1  # where the current member's key starts (objects)


_KINDS = {"{": _OBJECT, "[": _ARRAY}


class _Builder:
    """Fills a Locator's arrays in one pass over the tokens (the loop runs once per token: locals)."""

    def __init__(self, locator: Locator) -> None:
        self.locator = locator

    def run(self) -> bool:
        to = self.locator
        text, kinds = to.text, to._kinds
        starts, ends, after, parents, members = to._starts, to._ends, to._after, to._parents, to._members
        stack: list[_Open] = []
        position = 0
        match_token = _TOKEN.match
        while match := match_token(text, position):
            group = match.lastindex or 0
            token, start, position = match.group(group), match.start(group), match.end()
            top = stack[-1] if stack else None
            if top is None:
                if kinds or token in ",:}]":
                    break  # the line holds one value; what follows it is not part of it
                parent, member = -1, -1
            elif top.is_object and top.expect_key:
                if token == "}":
                    closed = stack.pop().node
                    ends[closed], after[closed] = position, len(kinds)
                elif token[0] == '"':
                    top.key, top.expect_key = start, False
                elif token != ",":
                    break
                continue
            elif token == ":":
                continue
            elif token == ",":
                if top.is_object:
                    top.expect_key = True
                else:
                    top.count += 1
                continue
            elif token == "}" or token == "]":
                closed = stack.pop().node
                ends[closed], after[closed] = position, len(kinds)
                continue
            else:
                parent, member = top.node, top.key if top.is_object else -(top.count + 1)
            node = len(kinds)
            if node >= MAX_INDEXED_TOKENS:
                self._discard()
                return False
            kind = _KINDS.get(token, _STRING_KIND if token[0] == '"' else _SCALAR)
            kinds.append(kind)
            starts.append(start)
            ends.append(position)
            after.append(node + 1)
            parents.append(parent)
            members.append(member)
            if kind <= _ARRAY:
                stack.append(_Open(node, kind == _OBJECT))
        for still_open in stack:  # the line broke off inside these
            ends[still_open.node], after[still_open.node] = len(text), len(kinds)
        return True

    def _discard(self) -> None:
        to = self.locator
        for name in ("_starts", "_ends", "_after", "_parents", "_members"):
            setattr(to, name, array("q"))
        to._kinds = bytearray()


@dataclass
class _Frame:
    is_object: bool
    path: tuple[str, ...]
    key: str = ""
    index: int = 0
    expect_key: bool = True


def locate(text: str, pointer: str) -> int | None:
    """1-based column of the value at ``pointer`` (or its deepest existing parent), by re-reading the
    line: constant memory, one pass per call. Prefer ``Locator`` for more than one question."""
    target = split(pointer)
    best: int | None = None
    best_depth = -1
    for path, start, _, _ in _values(text):
        if path == target:
            return start + 1
        if len(path) > best_depth and target[: len(path)] == path:
            best, best_depth = start + 1, len(path)
    return best


def owner_at(text: str, offset: int) -> Owner | None:
    """``Locator.owner`` by re-reading the line (constant memory, one pass per call)."""
    for path, start, end, kind in _values(text):
        if start > offset:
            return None
        if (kind == "string" and start < offset < end - 1) or (kind == "scalar" and start <= offset < end):
            return Owner("".join("/" + escape(part) for part in path), kind)
        if kind == "key" and start < offset < end - 1:
            return Owner("".join("/" + escape(part) for part in path), "key")
    return None


def _values(text: str) -> Iterator[tuple[tuple[str, ...], int, int, str]]:
    """Every value and key of the line in order: (path, start, end, kind); a key comes with the path of
    its object. Stops at a syntax error."""
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
                yield top.path, start, position, "key"
                top.key = _decode_key(token)
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
                if not stack:
                    return  # the line holds one value; what follows it is not part of it
            continue
        path = () if top is None else top.path + ((top.key,) if top.is_object else (str(top.index),))
        kind = "container" if token in ("{", "[") else "string" if token.startswith('"') else "scalar"
        yield path, start, position, kind
        if token == "{":
            stack.append(_Frame(is_object=True, path=path))
        elif token == "[":
            stack.append(_Frame(is_object=False, path=path))
        elif top is None:
            return
