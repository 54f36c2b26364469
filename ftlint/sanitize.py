"""Text that came from data, made safe to write: to a terminal, a CI log, XML or JSON.

Data is hostile. A key, a role, a file name or an excerpt can carry terminal control sequences
(ESC clears the screen, OSC 8 hides a link, a title sequence renames the window), C1 controls,
bidi overrides that reorder what a reviewer sees (CVE-2021-42574, "Trojan Source"), a newline
that splits one `path:line:col:` violation over two lines, or a lone surrogate that no UTF-8
stream can encode (UnicodeEncodeError). Every reporter passes what it prints through
:func:`visible` (or :func:`dumps` for JSON), so the one definition of "unsafe" is here.

GitHub Actions reads workflow commands from a step's output: ``::command::`` at the start of a
line (after leading whitespace, ``ActionCommand.TryParseV2``) and the legacy ``##[command]``
anywhere in a line (``ActionCommand.TryParse``), in actions/runner src/Runner.Common/ActionCommand.cs.
:class:`CommandGuard` rewrites both in every line ftlint writes there; the ``github`` reporter's
own annotations are the only lines written through it unchanged (:func:`write_command`).
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import unicodedata
from collections.abc import Iterator
from typing import IO, Any, cast

# C0 controls (newline and tab included: one violation is one line), DEL, C1 controls, the
# Arabic letter mark, LRM/RLM, line and paragraph separators, bidi embeddings, overrides and
# isolates, lone surrogates, and the two noncharacters XML 1.0 forbids.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    point = ord(char)
    return f"\\x{point:02x}" if point <= 0xFF else f"\\u{point:04x}"


def visible(text: str, keep: str = "") -> str:
    """``text`` with every unsafe character written as a visible escape (``\\x1b``, ``\\u202e``, ``\\n``).

    ``keep`` names whitespace to leave as it is (``"\\n"`` for a multi-line block of our own text).
    The result encodes to UTF-8, is well-formed in XML 1.0, and moves no terminal cursor.
    """
    if _UNSAFE.search(text) is None:  # the common case: nothing to do
        return text
    return _UNSAFE.sub(lambda m: m.group() if m.group() in keep else _escape(m.group()), text)


# What JSON text may not carry raw although JSON allows it: everything above but C0 (json.dumps
# escapes those itself). Lone surrogates become visible text, since strict parsers (Rust's
# serde_json, for one) reject even their escaped form; the rest become lossless \\u escapes.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


def _json_escape(match: re.Match[str]) -> str:
    point = ord(match.group())
    return f"\\\\u{point:04x}" if 0xD800 <= point <= 0xDFFF else f"\\u{point:04x}"


def dumps(value: Any, **options: Any) -> str:
    """``json.dumps`` for reports: readable non-ASCII, but no raw control, bidi or surrogate character.

    Raw non-ASCII characters only occur inside JSON strings, so replacing one with an escape
    keeps the document valid (and, but for lone surrogates, decodes to the same value).
    """
    text = json.dumps(value, ensure_ascii=False, **options)
    if _JSON_UNSAFE.search(text) is None:
        return text
    return _JSON_UNSAFE.sub(_json_escape, text)


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: wide East Asian characters count 2, combining marks 0."""
    if text.isascii():
        return len(text)
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def pad(text: str, width: int, *, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` terminal columns (``str.ljust`` counts characters)."""
    fill = " " * max(width - display_width(text), 0)
    return fill + text if right else text + fill


# --- GitHub Actions workflow commands ------------------------------------------------------

def _blank(char: str) -> bool:
    """Whitespace as generously as any runner's TrimStart could define it."""
    return char.isspace() or char == "\u180e" or unicodedata.category(char) in ("Zs", "Zl", "Zp", "Cc", "Cf")


# "#\u0023[" reads as "##[" in JSON (so JSON stays valid and means the same) and as visible text elsewhere.
_LEGACY, _LEGACY_SAFE = "##[", "#\\u0023["


def neutralize_data(text: str) -> str:
    """``text`` without the legacy ``##[`` command prefix, which the runner finds anywhere in a line."""
    return text.replace(_LEGACY, _LEGACY_SAFE) if _LEGACY in text else text


def neutralize_line(line: str) -> str:
    """One line (no line break) that the Actions runner cannot read as a workflow command."""
    start = line.find("::")
    if start >= 0 and all(_blank(char) for char in line[:start]):
        line = f"{line[:start]}\\{line[start:]}"
    return neutralize_data(line)


_BREAK = re.compile(r"\r\n|\r|\n")  # the runner reads lines as .NET's ReadLine does


def _undecided(start: str) -> bool:
    """Whether the start of a line is only blanks and at most one colon: "::" may still follow."""
    rest = start[next((i for i, char in enumerate(start) if not _blank(char)), len(start)):]
    return rest in ("", ":")


class CommandGuard:
    """A text stream whose every line is passed through :func:`neutralize_line`.

    It streams: a line is written as it comes, except its start while it might still become
    ``::`` and up to two trailing ``#`` that the next write might complete into ``##[``. Those
    wait for the next write or :meth:`finish`; :meth:`flush` never writes them.
    """

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self._pending = ""  # written to us, not yet passed on
        self._started = False  # whether part of the current line has been passed on

    def write(self, text: str) -> int:
        data, self._pending = self._pending + text, ""
        out: list[str] = []
        start = 0
        for match in _BREAK.finditer(data):
            line = data[start:match.start()]
            out.append((neutralize_data(line) if self._started else neutralize_line(line)) + match.group())
            self._started = False
            start = match.end()
        if start < len(data):
            out.append(self._partial(data[start:]))
        self.stream.write("".join(out))
        return len(text)

    def _partial(self, piece: str) -> str:
        if not self._started:
            if _undecided(piece):  # it may still become "::" at the line's start
                self._pending = piece
                return ""
            piece = neutralize_line(piece)
            self._started = True
        hashes = min(len(piece) - len(piece.rstrip("#")), 2)
        if hashes:
            piece, self._pending = piece[:-hashes], piece[-hashes:]
        return neutralize_data(piece)

    def write_trusted(self, line: str) -> None:
        """A workflow command of our own: only ``##[`` is neutralized (its data was escaped)."""
        self.finish()
        self.stream.write(neutralize_data(line))
        self._started = not line.endswith(("\n", "\r"))

    def finish(self) -> None:
        """Pass on what is held back, at the end of the output (a lone ":" is defused, for safety)."""
        if self._pending:
            held, self._pending = self._pending, ""
            if not self._started:
                colon = held.find(":")
                held = held if colon < 0 else f"{held[:colon]}\\{held[colon:]}"
            self.stream.write(held)
            self._started = True

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:
        return getattr(self.stream, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:
        return getattr(self.stream, "errors", None)

    @property
    def closed(self) -> bool:
        return bool(getattr(self.stream, "closed", False))


def write_command(stream: IO[str], line: str) -> None:
    """Write a workflow command we built: unchanged by a :class:`CommandGuard`, ``##[`` neutralized anyway."""
    if isinstance(stream, CommandGuard):
        stream.write_trusted(line)
    else:
        stream.write(neutralize_data(line))


@contextlib.contextmanager
def guarded_streams(enabled: bool) -> Iterator[None]:
    """While active (and ``enabled``), standard output and error are :class:`CommandGuard` streams."""
    if not enabled:
        yield
        return
    saved = sys.stdout, sys.stderr
    guards = CommandGuard(sys.stdout), CommandGuard(sys.stderr)
    sys.stdout, sys.stderr = cast(IO[str], guards[0]), cast(IO[str], guards[1])
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
        for guard in guards:
            with contextlib.suppress(OSError, ValueError):  # a closed pipe or stream: nothing to add
                guard.finish()
                guard.flush()


def finding_problem(line: object, column: object, message: object) -> str | None:
    """Why a finding (a plugin's, typically) cannot be reported as it is, or None when it can.

    Every report promises 1-based lines and columns and a message (the JSON contract and SARIF's
    schema say ``minimum: 1``); a finding that breaks that is the plugin's fault, not the data's.
    """
    for label, value in (("line", line), ("column", column)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            return f"its finding has {label} {value!r}, not a number from 1"
    if not isinstance(message, str) or not message:
        return f"its finding has message {message!r}, not a non-empty string"
    return None
