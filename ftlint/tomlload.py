"""Reading TOML: the one place that knows where parsing comes from (tomllib on 3.11+, tomli before),
and how a broken file is reported: ``path:line:col: what is wrong``, as ruff does.

A config file is trusted like code, but it can still be broken in every way a file can: not UTF-8,
not TOML, an integer of 5,000 digits, arrays nested until the parser's recursion gives out. Each of
these is a :class:`TomlError` with a location, never a traceback.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

TOMLDecodeError = tomllib.TOMLDecodeError
MAX_DEPTH = 32  # nesting of tables and arrays; a real config needs fewer than 10 levels
MAX_BYTES = 16 * 1024 * 1024  # no config file is this large; a bigger one is a mistake (or /dev/zero)
_AT = re.compile(r"^(?P<message>.*?) \(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)$",
                 re.DOTALL)


class TomlError(ValueError):
    """A TOML file that cannot be read or parsed; the message starts with ``path[:line:col]:``."""


def loads(text: str) -> dict[str, Any]:
    return tomllib.loads(text)


@functools.cache
def bundled(name: str) -> dict[str, Any]:
    """A TOML data file of the package (models.toml, templates.toml), parsed once per process: several
    parts read models.toml, and parsing it costs more than most of a 10-line run. Not to be modified."""
    from importlib import resources

    return loads(resources.files("ftlint").joinpath(name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Document:
    """A parsed TOML file and its text (to locate keys in error messages)."""

    path: Path
    text: str
    data: dict[str, Any]

    def where(self, key: tuple[str | int, ...]) -> str:
        """``path:line:col`` of the line that defines ``key`` (or the closest enclosing key), else ``path``."""
        found = locate(self.text, key) if key else None
        return f"{self.path}:{found[0]}:{found[1]}" if found else str(self.path)


def read(path: Path) -> Document:
    """Read and parse one TOML file. Raises TomlError naming the file, line and column."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise TomlError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise TomlError(f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MiB; not a config file")
    text = _decode(path, raw)
    try:
        data = tomllib.loads(text)
    except TOMLDecodeError as exc:
        raise TomlError(_decode_error(path, text, str(exc))) from None
    except RecursionError:
        line, column = _too_deep(text)
        raise TomlError(f"{path}:{line}:{column}: invalid TOML: nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as exc:  # Python's int-string limit: an integer of over 4,300 digits
        match = re.search(r"\d{4301,}", text)
        where = _position(text, match.start()) if match else ""
        raise TomlError(f"{path}{where}: invalid TOML: {exc}".split("; use sys.", 1)[0]) from None
    depth_key = _deeper_than(data, MAX_DEPTH)
    if depth_key is not None:
        document = Document(path, text, data)
        raise TomlError(f"{document.where(depth_key)}: nested more than {MAX_DEPTH} levels deep")
    return Document(path, text, data)


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")  # an editor's BOM is harmless; TOML itself forbids it
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if raw.startswith(b"\xef\xbb\xbf") else 0)
        line = raw.count(b"\n", 0, start) + 1
        column = start - (raw.rfind(b"\n", 0, start) + 1) + 1
        raise TomlError(f"{path}:{line}:{column}: not UTF-8 (byte 0x{raw[start]:02x}); "
                        "TOML files must be UTF-8") from None


def _position(text: str, index: int) -> str:
    """``:line:col`` of a character index (1-based; columns count characters)."""
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f":{line}:{column}"


def _decode_error(path: Path, text: str, message: str) -> str:
    match = _AT.match(message)
    if match is None:
        return f"{path}: invalid TOML: {message}"
    if match["line"] is None:  # "at end of document"
        line = text.count("\n") + (0 if text.endswith("\n") else 1)
        column = len(text) - (text.rfind("\n") + 1) + 1
    else:
        line, column = int(match["line"]), int(match["column"])
    return f"{path}:{max(line, 1)}:{column}: invalid TOML: {match['message']}"


def _deeper_than(data: Any, limit: int) -> tuple[str | int, ...] | None:
    """The key path of the first value nested deeper than ``limit`` (iteratively: no recursion)."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    while stack:
        key, value = stack.pop()
        if len(key) > limit:
            return key[:limit]
        if isinstance(value, dict):
            stack.extend(((*key, name), item) for name, item in value.items())
        elif isinstance(value, list):
            stack.extend(((*key, index), item) for index, item in enumerate(value))
    return None


def _too_deep(text: str) -> tuple[int, int]:
    """Where bracket nesting first passes MAX_DEPTH (for a file the parser recursed on)."""
    for state in _Scanner(text).states():
        if state.depth > MAX_DEPTH:
            return state.line, state.column
    return 1, 1


# --- finding the line of a key -------------------------------------------------------------------

_BARE = re.compile(r"[A-Za-z0-9_-]+")


@dataclass
class _State:
    line: int
    column: int
    depth: int


class _Scanner:
    """A small TOML lexer that only tracks strings, comments and bracket depth, line by line.

    Enough to find where a key is defined and where nesting gets too deep; the parse itself is
    tomllib's.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.depth = 0
        self.string: str | None = None  # the closing delimiter of a multi-line string we are in

    def states(self) -> Iterator[_State]:
        for number, line in enumerate(self.lines, start=1):
            yield from self._value(line, 0, number)

    def _value(self, line: str, start: int, number: int) -> Iterator[_State]:
        """Walk ``line`` from ``start``; yields the depth after each bracket."""
        i = start
        while i < len(line):
            if self.string is not None:
                end = line.find(self.string, i)
                if end < 0:
                    return
                i, self.string = end + len(self.string), None
                continue
            char = line[i]
            if char == "#":
                return
            if line.startswith('"""', i) or line.startswith("'''", i):
                self.string = line[i:i + 3]
                i += 3
                continue
            if char in "\"'":
                i = _skip_string(line, i)
                continue
            if char in "[{":
                self.depth += 1
                yield _State(number, i + 1, self.depth)
            elif char in "]}":
                self.depth = max(0, self.depth - 1)
            i += 1

    def definitions(self) -> Iterator[tuple[int, int, tuple[str | int, ...]]]:
        """(line, column, key path) of every table header and key = value at the top level."""
        prefix: tuple[str | int, ...] = ()
        arrays: dict[tuple[str | int, ...], int] = {}
        for number, line in enumerate(self.lines, start=1):
            if self.string is None and self.depth == 0:
                stripped = line.lstrip()
                column = len(line) - len(stripped) + 1
                if stripped.startswith("["):
                    array = stripped.startswith("[[")
                    keys, _ = _keys(stripped, 2 if array else 1)
                    if keys is not None:
                        prefix = _table_path(tuple(keys), arrays, array)
                        yield number, column, prefix
                    continue
                keys, end = _keys(stripped, 0)
                if keys is not None and stripped[end:end + 1] == "=":
                    yield number, column, prefix + tuple(keys)
                    for _ in self._value(line, len(line) - len(stripped) + end + 1, number):
                        pass
                    continue
            for _ in self._value(line, 0, number):
                pass


def _table_path(keys: tuple[str | int, ...], arrays: dict[tuple[str | int, ...], int],
                array: bool) -> tuple[str | int, ...]:
    """A header's key path, with the index of each array of tables it passes through."""
    path: tuple[str | int, ...] = ()
    for position, key in enumerate(keys):
        path += (key,)
        if array and position == len(keys) - 1:
            arrays[path] = arrays.get(path, -1) + 1
        if path in arrays:
            path += (arrays[path],)
    return path


def _skip_string(line: str, i: int) -> int:
    quote = line[i]
    j = i + 1
    while j < len(line):
        if quote == '"' and line[j] == "\\":
            j += 2
            continue
        if line[j] == quote:
            return j + 1
        j += 1
    return j


def _keys(text: str, i: int) -> tuple[list[str] | None, int]:
    """A dotted key starting at ``text[i]``; returns its parts and the index after it (and spaces)."""
    parts: list[str] = []
    while True:
        while i < len(text) and text[i] in " \t":
            i += 1
        if i < len(text) and text[i] in "\"'":
            end = _skip_string(text, i)
            raw = text[i + 1:end - 1]
            parts.append(raw if text[i] == "'" else _unescape(raw))
            i = end
        else:
            match = _BARE.match(text, i)
            if match is None:
                return None, i
            parts.append(match.group())
            i = match.end()
        while i < len(text) and text[i] in " \t":
            i += 1
        if i < len(text) and text[i] == ".":
            i += 1
            continue
        if i < len(text) and text[i] == "]":
            i += 1
        return parts, i


def _unescape(raw: str) -> str:
    try:
        value: str = tomllib.loads(f'k = "{raw}"')["k"]
        return value
    except TOMLDecodeError:
        return raw


def locate(text: str, key: tuple[str | int, ...]) -> tuple[int, int] | None:
    """(line, column) where ``key`` is defined: the exact key, else the closest enclosing or enclosed one."""
    best: tuple[int, int, int] | None = None  # (score, line, column)
    for line, column, defined in _Scanner(text).definitions():
        if defined == key:
            return line, column
        shared = min(len(defined), len(key))
        if defined[:shared] == key[:shared] and (best is None or shared > best[0]):
            best = (shared, line, column)
    return (best[1], best[2]) if best else None
