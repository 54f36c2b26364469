"""Bytes to records: the only module that knows about bytes, encodings and line endings.

The reader never judges. It records what it saw (a parse problem, a BOM, CRLF
endings, a missing final newline) and rules turn those facts into violations.
"""

from __future__ import annotations

import bisect
import codecs
import collections
import enum
import functools
import hashlib
import itertools
import json
import lzma
import math
import re
import sys
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from ftlint.pointer import Locator, escape

DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024
JSON_WHITESPACE = b" \t\r\n"


class Problem(str, enum.Enum):
    """Why a line did not become a JSON object."""

    INVALID_JSON = "invalid-json"
    NOT_AN_OBJECT = "not-an-object"
    INVALID_UTF8 = "invalid-utf8"
    NUL_BYTE = "nul-byte"
    NON_FINITE_NUMBER = "non-finite-number"
    LINE_TOO_LONG = "line-too-long"


# What a stream raises when it breaks off: a truncated or corrupt archive, a failing disk.
READ_ERRORS = (EOFError, OSError, ValueError, zlib.error, lzma.LZMAError)


@dataclass(frozen=True)
class ParseProblem:
    kind: Problem
    message: str
    column: int = 1  # 1-based; characters for JSON errors, bytes for encoding errors


@dataclass
class Record:
    """One physical line of the file.

    ``value`` holds the parsed JSON object; ``problem`` says why there is none.
    A blank line has neither and ``blank`` set. ``duplicate_keys`` and
    ``lone_surrogates`` are JSON pointers of suspicious but parseable spots.
    """

    line: int
    offset: int
    raw: bytes
    value: dict[str, Any] | None = None
    problem: ParseProblem | None = None
    blank: bool = False
    duplicate_keys: list[str] = field(default_factory=list)
    lone_surrogates: list[str] = field(default_factory=list)

    @functools.cached_property
    def text(self) -> str:  # several rules scan the line as written: decoded once
        return self.raw.decode("utf-8", "replace")

    @functools.cached_property
    def fingerprint_hash(self) -> Any:
        """blake2b (8 bytes) fed with the line (without its \\r) and a NUL: each violation's fingerprint
        copies it and adds its pointer, so a line is hashed once however many findings it has."""
        return hashlib.blake2b(self.raw.removesuffix(b"\r") + b"\0", digest_size=8)

    @functools.cached_property
    def locator(self) -> Locator:
        """Columns of pointers and owners of columns in this line, tokenized once for all findings."""
        return Locator(self.text)


@dataclass
class FileFacts:
    """What the reader learnt about the file as a whole."""

    size: int = 0
    lines: int = 0
    blank_lines: int = 0
    bom: bool = False
    encoding: str = "utf-8"  # or the name of the UTF-16/32 flavour found
    crlf_lines: int = 0
    first_crlf_line: int = 0
    final_newline: bool = True
    document: DocumentInfo | None = None
    read_error: str = ""  # the stream broke off (a truncated or corrupt archive); lines after are unread

    def __add__(self, later: FileFacts) -> FileFacts:
        """Facts of this range followed by those of the ``later`` range (parallel runs)."""
        return FileFacts(
            size=self.size + later.size,
            lines=self.lines + later.lines,
            blank_lines=self.blank_lines + later.blank_lines,
            bom=self.bom,
            encoding=self.encoding,
            crlf_lines=self.crlf_lines + later.crlf_lines,
            first_crlf_line=self.first_crlf_line or later.first_crlf_line,
            final_newline=later.final_newline if later.lines else self.final_newline,
            document=self.document,
            read_error=self.read_error or later.read_error,
        )


@dataclass(frozen=True)
class DocumentInfo:
    """The file is multi-line JSON (pretty-printed objects or one array), not JSON Lines."""

    values: int  # top-level JSON values found
    objects: int  # how many of them (or of the array's items) are objects
    is_array: bool
    first_line: int
    last_line: int
    complete: bool  # False when the document was too big to inspect or part of it does not parse
    error: str = ""  # where parsing stopped and why (the first broken part), and whether reading stopped
    broken: int = 0  # stretches of lines that do not parse (parsing resumes at the next object after each)
    bytes_after_first_line: int = 0
    final_newline: bool = True
    crlf_lines: int = 0


_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_NON_FINITE = re.compile(r"(?<![\w.\"])(-?Infinity|NaN)(?![\w\"])")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class _DuplicateKeys:
    """An ``object_pairs_hook`` that remembers duplicated keys (JSON allows them; last wins)."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    self.found.append(key)
                seen.add(key)
        return obj


class NonFinite(ValueError):
    """NaN, Infinity or a number that overflows a double: not JSON, and not writable back as JSON."""


def reject_constant(name: str) -> Any:
    """``parse_constant`` for json: NaN and Infinity are rejected."""
    raise NonFinite(name)


def parse_finite_float(text: str) -> float:
    """``parse_float`` for json: 1e999999 (which would become Infinity) is rejected."""
    value = float(text)
    if math.isinf(value):
        raise NonFinite(text)
    return value


# Python refuses to convert integers longer than this to int (quadratic time otherwise); the json
# module then raises a bare ValueError with no position. 0 (no limit) on Pythons before 3.10.7.
INT_DIGITS_LIMIT: int = getattr(sys, "get_int_max_str_digits", lambda: 0)()


class HugeInteger(NonFinite):
    """An integer over Python's int-string limit: no double holds it, and Python's json refuses it."""

    def message(self) -> str:
        digits = len(str(self).lstrip("-"))
        return (f"integer of {digits:,} digits is longer than JSON readers accept (Python's limit is "
                f"{INT_DIGITS_LIMIT:,} digits) and overflows a double; write it as a string")


def _checked_int(text: str) -> int:
    if INT_DIGITS_LIMIT and len(text.lstrip("-")) > INT_DIGITS_LIMIT:
        raise HugeInteger(text)
    return int(text)


class FiniteDecoder(json.JSONDecoder):
    """The one JSON decoder for data: it rejects what cannot be written back as JSON.

    NaN and Infinity raise NonFinite, 1e999999 too, and an integer over the int-string limit
    raises HugeInteger (instead of json's bare ValueError). Every other failure is a
    JSONDecodeError or a RecursionError. Integers are converted by json's C code; only a line
    that failed is parsed again, with a Python check on each integer, to name the culprit.
    """

    def __init__(self, *, object_pairs_hook: Any = None) -> None:
        super().__init__(object_pairs_hook=object_pairs_hook, parse_constant=reject_constant,
                         parse_float=parse_finite_float)

    def raw_decode(self, s: str, idx: int = 0) -> tuple[Any, int]:
        try:
            return super().raw_decode(s, idx)
        except (json.JSONDecodeError, NonFinite):
            raise
        except ValueError:  # "Exceeds the limit (4300 digits) for integer string conversion"
            retry = json.JSONDecoder(object_pairs_hook=self.object_pairs_hook, parse_constant=reject_constant,
                                     parse_float=parse_finite_float, parse_int=_checked_int)
            return retry.raw_decode(s, idx)  # raises HugeInteger at the first long integer


def parse_line(raw: bytes, line: int = 1, offset: int = 0) -> Record:
    """Turn one line (without its ``\\n``) into a Record. Never raises on data."""
    record = Record(line=line, offset=offset, raw=raw)
    body = raw[:-1] if raw.endswith(b"\r") else raw
    if not body.strip(JSON_WHITESPACE):  # "\x0b" or "\x0c" alone is invalid JSON, not a blank line
        record.blank = True
        return record
    if b"\x00" in body:
        column = body.index(b"\x00") + 1
        record.problem = ParseProblem(
            Problem.NUL_BYTE, f"line contains a NUL byte at byte {column}", column
        )
        return record
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        record.problem = ParseProblem(
            Problem.INVALID_UTF8,
            f"invalid UTF-8 at byte {exc.start + 1} of the line "
            f"(file offset {offset + exc.start}): {exc.reason}",
            exc.start + 1,
        )
        return record
    duplicates = _DuplicateKeys()
    try:
        value = FiniteDecoder(object_pairs_hook=duplicates).decode(text)
    except NonFinite as exc:
        record.problem = _non_finite(exc, text)
        return record
    except json.JSONDecodeError as exc:
        record.problem = ParseProblem(
            Problem.INVALID_JSON, f"invalid JSON: {exc.msg}", exc.colno
        )
        return record
    except RecursionError:
        record.problem = ParseProblem(Problem.INVALID_JSON, "invalid JSON: nested too deeply", 1)
        return record
    record.duplicate_keys = duplicates.found
    if not isinstance(value, dict):
        record.problem = ParseProblem(Problem.NOT_AN_OBJECT, _not_an_object(value), 1)
        return record
    record.value = value
    if _SURROGATE_ESCAPE.search(text):
        record.lone_surrogates = list(_surrogate_pointers(value, ""))
    return record


def _non_finite(exc: NonFinite, text: str) -> ParseProblem:
    literal = str(exc)
    if isinstance(exc, HugeInteger):
        return ParseProblem(Problem.NON_FINITE_NUMBER, exc.message(), text.find(literal) + 1 or 1)
    if literal in ("NaN", "Infinity", "-Infinity"):
        match = _NON_FINITE.search(text)
        return ParseProblem(Problem.NON_FINITE_NUMBER, f"`{literal}` is not valid JSON; use a number, a string or null",
                            match.start() + 1 if match else 1)
    return ParseProblem(Problem.NON_FINITE_NUMBER,
                        f"number `{literal[:40]}` overflows to infinity; JSON numbers must be finite",
                        text.find(literal) + 1 or 1)


class JsonTextError(ValueError):
    """A JSON text inside a record (a tool call's arguments) does not parse; the message quotes nothing
    of the text but a number."""


class NestedTooDeeply(JsonTextError):
    """Valid JSON, perhaps, but deeper than Python's parser goes from where it was called."""


def parse_json(text: str) -> Any:
    """One JSON text read with the reader's rules (FiniteDecoder). Raises JsonTextError, never more."""
    try:
        return FiniteDecoder().decode(text)
    except NonFinite as exc:
        raise JsonTextError(_culprit(exc)) from None
    except json.JSONDecodeError as exc:
        raise JsonTextError(str(exc)) from None
    except RecursionError:
        raise NestedTooDeeply("nested too deeply") from None


def _culprit(exc: NonFinite) -> str:
    """What stopped the parse, in a few words (the value is a number: nothing secret)."""
    literal = str(exc)
    if isinstance(exc, HugeInteger):
        return f"an integer of {len(literal.lstrip('-')):,} digits (JSON readers stop at {INT_DIGITS_LIMIT:,})"
    if literal in ("NaN", "Infinity", "-Infinity"):
        return f"`{literal}`, which is not JSON"
    return f"`{literal[:40]}`, which overflows to infinity"


def line_body(raw: bytes, *, first: bool = False) -> bytes:
    """A physical line as it is parsed: without its newline (a CR stays: JSON takes it as trailing
    whitespace, and the reader counts it), and without the UTF-8 BOM when it is the file's first line."""
    body = raw[:-1] if raw.endswith(b"\n") else raw
    return body.removeprefix(codecs.BOM_UTF8) if first else body


def json_type(value: Any) -> str:
    """The JSON type of a parsed value, with its article: "an array", "a string", "null"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _not_an_object(value: Any) -> str:
    kind = json_type(value)
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        return (
            f"line is a JSON array of {len(value)} objects, not one object; "
            "JSON Lines needs each object on its own line"
        )
    return f"line holds {kind}, not a JSON object; each line must be one JSON object"


def _surrogate_pointers(value: Any, pointer: str) -> Iterator[str]:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            yield pointer
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _surrogate_pointers(key, pointer)
            yield from _surrogate_pointers(item, f"{pointer}/{escape_pointer(key)}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _surrogate_pointers(item, f"{pointer}/{index}")


escape_pointer = escape  # one reference token of a JSON pointer (defined in ftlint.pointer)


@dataclass(frozen=True)
class _Oversized:
    """A line longer than the cap: its size and first bytes, never its content."""

    size: int
    ended: bool
    head: bytes


class Reader:
    """Streams a binary file as Records in bounded memory.

    Memory is bounded by ``max_line_bytes``: a longer line is reported as
    ``line-too-long`` and skipped in chunks, never loaded. ``facts`` is
    complete once iteration ends.
    """

    def __init__(self, stream: IO[bytes], *, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
                 first_line: int = 1, offset: int = 0, at_file_start: bool | None = None) -> None:
        """``first_line`` and ``offset`` place a byte range of a larger file (parallel runs);
        only a reader that starts at the file's beginning looks for encodings, BOMs and
        multi-line documents. ``facts`` then describe just that range."""
        self._stream = stream
        self._max = max_line_bytes
        self._first_line = first_line
        self._offset = offset
        self.start = offset  # where in the file this reader began
        self._at_file_start = offset == 0 if at_file_start is None else at_file_start
        self.facts = FileFacts()

    def __iter__(self) -> Iterator[Record]:
        facts = self.facts
        at_file_start = self._at_file_start
        source: Iterator[bytes | _Oversized] = self._physical_lines()
        first = next(source, None)
        offset = self._offset
        if isinstance(first, bytes) and at_file_start:
            encoding = foreign_encoding(first)
            if encoding:
                facts.encoding = encoding
                facts.size = len(first) + _drain(self._safe_readline)
                return
            if first.startswith(codecs.BOM_UTF8):
                facts.bom = True
                offset = 3
                first = first[3:]
        if first is None:
            return
        source = _Pushback(itertools.chain([first], source))
        line_no = self._first_line - 1
        ended = True
        for raw in source:
            line_no += 1
            start = offset
            if isinstance(raw, _Oversized):
                offset += raw.size
                ended = raw.ended
                yield self._oversized(raw, line_no, start)
                continue
            offset += len(raw)
            ended = raw.endswith(b"\n")
            body = line_body(raw)
            if body.endswith(b"\r"):
                facts.crlf_lines += 1
                facts.first_crlf_line = facts.first_crlf_line or line_no
            record = parse_line(body, line_no, start)
            if record.blank:
                facts.blank_lines += 1
            elif at_file_start and line_no == facts.blank_lines + 1 and may_continue(record, body):
                # The first content line is an unfinished JSON value: perhaps the whole
                # file is pretty-printed JSON. Say so once instead of once per line.
                lookahead, document = self._inspect_document(body, line_no, source)
                if document is not None:
                    facts.document = document
                    line_no = document.last_line
                    offset += document.bytes_after_first_line
                    facts.crlf_lines += document.crlf_lines
                    ended = document.final_newline
                    break
                source.push(lookahead)
            yield record
        facts.lines = line_no - (self._first_line - 1)
        facts.size = offset - self._offset
        facts.final_newline = ended

    def _oversized(self, raw: _Oversized, line_no: int, offset: int) -> Record:
        problem = ParseProblem(Problem.LINE_TOO_LONG,
                               f"line is {raw.size:,} bytes, over the {self._max:,}-byte cap; it was not "
                               "parsed (raise `max-line-bytes` if such lines are intended)")
        return Record(line=line_no, offset=offset, raw=raw.head, problem=problem)

    def _physical_lines(self) -> Iterator[bytes | _Oversized]:
        readline = self._safe_readline
        while raw := readline(self._max + 1):
            if len(raw) > self._max and not raw.endswith(b"\n"):
                size, ended = len(raw), False
                while chunk := readline(1 << 20):
                    size += len(chunk)
                    if chunk.endswith(b"\n"):
                        ended = True
                        break
                yield _Oversized(size, ended, raw[:200])
            else:
                yield raw

    def _safe_readline(self, limit: int) -> bytes:
        """readline that turns a broken stream (truncated or corrupt archive) into a recorded fact."""
        if self.facts.read_error:
            return b""
        try:
            return self._stream.readline(limit)
        except READ_ERRORS as exc:
            self.facts.read_error = f"{type(exc).__name__}: {exc}"
            return b""

    def _inspect_document(
        self, first: bytes, line_no: int, source: _Pushback
    ) -> tuple[list[bytes], DocumentInfo | None]:
        """Read ahead (bounded) and decide whether the file is multi-line JSON.

        Returns the lines read ahead, so that the caller can replay them when the
        answer is no, and the document's description when it is yes.
        """
        lookahead: list[bytes] = []
        size = len(first)
        truncated = False
        for raw in source:
            if isinstance(raw, _Oversized):
                source.push([raw])  # not part of a document; read again by whoever comes next
                truncated = True
                break
            lookahead.append(raw)
            size += len(raw)
            if size > self._max:
                truncated = True
                break
        # Bytes that are not UTF-8 make their part broken (document_parts), not the whole document.
        text = b"\n".join([first, b"".join(lookahead)]).decode("utf-8", "surrogateescape")
        tally = _DocumentTally()
        for part in _complete_parts(document_parts(text, line_no), truncated):
            if not tally.add(part):
                return lookahead, None  # a one-line value after all: ordinary per-line checks apply
        if tally.values == 0:
            return lookahead, None
        error = tally.error
        if truncated:
            error = f"{error}; " if error else ""
            error += f"stopped reading after {self._max:,} bytes"
        # The rest of the file is covered by the one document finding; count it, skip it.
        rest_lines = rest_bytes = rest_crlf = 0
        ended = lookahead[-1].endswith(b"\n") if lookahead else False
        for raw in source:
            rest_lines += 1
            rest_bytes += raw.size if isinstance(raw, _Oversized) else len(raw)
            rest_crlf += isinstance(raw, bytes) and raw.endswith(b"\r\n")
            ended = raw.ended if isinstance(raw, _Oversized) else raw.endswith(b"\n")
        return lookahead, DocumentInfo(
            values=tally.values,
            objects=tally.objects,
            is_array=tally.arrays > 0,
            first_line=line_no,
            last_line=line_no + len(lookahead) + rest_lines,
            complete=not error,
            error=error,
            broken=tally.broken,
            bytes_after_first_line=sum(len(raw) for raw in lookahead) + rest_bytes,
            final_newline=ended,
            crlf_lines=sum(raw.endswith(b"\r\n") for raw in lookahead) + rest_crlf,
        )


@dataclass(frozen=True)
class DocumentPart:
    """A piece of a multi-line JSON document: one top-level value (a top-level array's items one by
    one), or a stretch of lines that does not parse (``error`` says why and where)."""

    first_line: int
    last_line: int
    value: Any = None
    error: str = ""
    array: int = 0  # for an array's item: which top-level array (1-based); 0 for a top-level value


_LINE_STARTING_A_VALUE = re.compile(r"^([ \t]*)[{\[]", re.M)
_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, kept by the surrogateescape decoding


def document_parts(text: str, first_line: int = 1) -> Iterator[DocumentPart]:
    """The parts of a multi-line JSON document, in order: what `check` counts (FT003) and `fix` keeps.

    Objects may be separated by commas (``{...},\n{...}``). When a value does not parse, parsing
    resumes at the next line that starts an object (or array) no deeper than the broken one and
    parses from there, so one broken object costs only its own lines. NaN, Infinity, numbers that
    overflow and text that was not UTF-8 make a part broken too: nothing unwritable is kept.
    """
    return _DocumentScanner(text, first_line).parts()


class _DocumentScanner:
    def __init__(self, text: str, first_line: int) -> None:
        self.text = text
        self.first_line = first_line
        self.newlines = [match.start() for match in re.finditer("\n", text)]
        self.decoder = FiniteDecoder()  # as lines are read: what cannot be written back as a line is broken
        self.arrays = 0

    def line(self, position: int) -> int:
        return self.first_line + bisect.bisect_left(self.newlines, position)

    def skip(self, position: int) -> int:
        while position < len(self.text) and self.text[position] in " \t\r\n":
            position += 1
        return position

    def parts(self) -> Iterator[DocumentPart]:
        text, position = self.text, self.skip(0)
        while position < len(text):
            if text[position] == "[":
                position = yield from self.array(position)
            else:
                position = yield from self.value(position, 0)
            position = self.skip(position)
            if text.startswith(",", position):  # objects separated by commas, as if in an array
                position = self.skip(position + 1)

    def array(self, start: int) -> Generator[DocumentPart, None, int]:
        """The items of the array at ``start``; returns where parsing goes on after it."""
        self.arrays += 1
        text, number, position = self.text, self.arrays, self.skip(start + 1)
        while position < len(text) and text[position] != "]":
            position = self.skip((yield from self.value(position, number)))
            if text.startswith(",", position):  # a missing comma is forgiven: the next item is read
                position = self.skip(position + 1)
        return position + 1

    def value(self, start: int, array: int) -> Generator[DocumentPart, None, int]:
        """One value at ``start`` (or the broken stretch from there); returns where it ends."""
        try:
            value, end = self.decoder.raw_decode(self.text, start)
        except (ValueError, RecursionError) as exc:
            end = self.resume(start)
            yield self.broken(start, end, _decode_error(exc, self), array)
            return end
        if _NOT_UTF8.search(self.text, start, end):
            yield self.broken(start, end, "bytes that are not UTF-8", array)
        else:
            yield DocumentPart(self.line(start), self.line(end - 1), value, array=array)
        return end

    def resume(self, start: int) -> int:
        """Where parsing goes on after a value at ``start`` that does not parse: the start of the first
        later line that opens an object or array, indented no deeper than it, and parses."""
        text = self.text
        line_start = text.rfind("\n", 0, start) + 1
        depth = len(text[line_start:start]) - len(text[line_start:start].lstrip(" \t"))
        following = text.find("\n", start)
        for match in _LINE_STARTING_A_VALUE.finditer(text, len(text) if following < 0 else following + 1):
            if len(match.group(1)) > depth:
                continue
            try:
                self.decoder.raw_decode(text, match.end(1))
            except (ValueError, RecursionError):
                continue
            return match.end(1)
        return len(text)

    def broken(self, start: int, end: int, reason: str, array: int) -> DocumentPart:
        last = start + len(self.text[start:end].rstrip(" \t\r\n,")) - 1
        return DocumentPart(self.line(start), self.line(max(start, last)), error=reason, array=array)


def _decode_error(exc: BaseException, scanner: _DocumentScanner) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {scanner.line(exc.pos)}"
    if isinstance(exc, NonFinite):
        return _culprit(exc)
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc).split(";")[0]


def _complete_parts(parts: Iterator[DocumentPart], truncated: bool) -> Iterator[DocumentPart]:
    """``parts`` without a broken last one when the text was cut short: that break is only the cut."""
    previous: DocumentPart | None = None
    for part in parts:
        if previous is not None:
            yield previous
        previous = part
    if previous is not None and not (truncated and previous.error):
        yield previous


@dataclass
class _DocumentTally:
    """What FT003 says about a document: its values, objects, arrays and broken parts."""

    values: int = 0
    objects: int = 0
    arrays: int = 0
    broken: int = 0
    error: str = ""

    def add(self, part: DocumentPart) -> bool:
        """Count ``part``; False when the first value is on one line (the file is JSON Lines)."""
        if part.error:
            self.broken += 1
            self.error = self.error or f"parsing stopped at line {part.first_line}: {part.error}"
            return True
        if self.values == 0 and not part.array and part.first_line == part.last_line:
            return False
        if part.array > self.arrays:
            self.arrays, self.values = part.array, self.values + 1
        elif not part.array:
            self.values += 1
        self.objects += isinstance(part.value, dict)
        return True


class _Pushback(Iterator[Any]):
    """An iterator that lines read ahead can be pushed back into."""

    def __init__(self, source: Iterator[Any]) -> None:
        self._source = source
        self._pending: collections.deque[Any] = collections.deque()

    def push(self, items: list[Any]) -> None:
        self._pending.extendleft(reversed(items))

    def __next__(self) -> Any:
        if self._pending:
            return self._pending.popleft()
        return next(self._source)


def may_continue(record: Record, body: bytes) -> bool:
    """Is this a JSON value cut off at the end of the line (as in pretty-printed JSON)?"""
    problem = record.problem
    if problem is None or problem.kind is not Problem.INVALID_JSON:
        return False
    stripped = body.strip()
    return stripped[:1] in (b"{", b"[") and problem.column >= len(body.rstrip().decode("utf-8", "replace"))


def foreign_encoding(head: bytes) -> str:
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    # No BOM, but UTF-16/32 text of ASCII JSON has NULs in a tell-tale pattern.
    if len(head) >= 4 and head[0] != 0 and head[1] == 0 and head[2] != 0 and head[3] == 0:
        return "utf-16-le"
    if len(head) >= 4 and head[0] == 0 and head[1] != 0 and head[2] == 0 and head[3] != 0:
        return "utf-16-be"
    return ""


def _drain(readline: Any) -> int:
    total = 0
    while chunk := readline(1 << 20):
        total += len(chunk)
    return total
