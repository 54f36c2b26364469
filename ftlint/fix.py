"""`ftlint fix`: write a cleaned copy of a file, and every line it could not keep to a rejects file.

Nothing is lost: every input line ends up in exactly one of the two outputs, or is a blank line that
was dropped and counted. Records are kept byte for byte unless an unsafe fix (opt-in) rewrote them.
Writes are atomic (a temporary file in the target folder, fsync, rename).

Safe fixes, always: drop a UTF-8 BOM, CRLF to LF, drop blank lines, end with a newline, and rewrite a
pretty-printed (multi-line) file as one object per line when every object parses.
Unsafe fixes, with `unsafe=True`: trim whitespace around message text, lower-case roles, convert legacy
`functions`/`function_call` to `tools`/`tool_calls`, drop exact duplicate examples, drop examples with
no trainable assistant message (dropped ones go to rejects).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

from ftlint.digests import digest
from ftlint.formats import view
from ftlint.formats.models import ROLES
from ftlint.inputs import Joined, is_compressed, open_input
from ftlint.records import (
    DEFAULT_MAX_LINE_BYTES,
    FiniteDecoder,
    Problem,
    Reader,
    Record,
    foreign_encoding,
)
from ftlint.rules import file as _file_rules  # noqa: F401  (defines the ParseProblemRule subclasses)
from ftlint.rules._base import ParseProblemRule

# The rule that reports each parse problem, so that a reject names the violation that caused it.
_PARSE_CODES: dict[Problem, str] = {rule.problem: rule.code for rule in ParseProblemRule.__subclasses__()}

@dataclass
class FixReport:
    lines: int = 0
    kept: int = 0
    rejected: int = 0
    blank: int = 0
    changed: int = 0  # kept records rewritten by an unsafe fix
    fixes: Counter[str] = field(default_factory=Counter)
    document: bool = False  # the file is multi-line JSON: the caller re-serializes it

    def summary(self) -> str:
        applied = ", ".join(f"{name} ({count:,})" for name, count in sorted(self.fixes.items())) or "none"
        return (f"{self.lines:,} input lines: {self.kept:,} kept, {self.rejected:,} rejected, "
                f"{self.blank:,} blank lines dropped; fixes: {applied}")


@dataclass(frozen=True)
class Output:
    """One line of output: to the fixed file (``rejected`` false) or to the rejects file."""

    line: int
    data: bytes  # what is written (without the newline)
    rejected: bool
    reason: str = ""
    original: bytes = b""
    code: str = ""  # the rule whose violation sent the line to rejects


def fix_stream(stream: IO[bytes], *, unsafe: bool = False, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
               report: FixReport | None = None) -> Iterator[Output]:
    """The fixed records and the rejects of ``stream``, in input order."""
    report = report if report is not None else FixReport()
    head = stream.read(4)
    encoding = foreign_encoding(head)
    if encoding:
        # Not UTF-8 at all: nothing can be kept, and every line goes to rejects with its bytes.
        # Streamed line by line; the line-too-long limit does not apply because nothing is parsed.
        replay = Joined(head, stream)
        reason = f"file is {encoding.upper()}, not UTF-8: convert it first"
        for number, raw in enumerate(iter(replay.readline, b""), start=1):
            raw = raw.removesuffix(b"\n").removesuffix(b"\r")
            report.lines, report.rejected = number, report.rejected + 1
            yield Output(number, raw, True, reason, raw, "FT005")
        return
    reader = Reader(cast(IO[bytes], Joined(head, stream)), max_line_bytes=max_line_bytes)
    seen: set[bytes] = set()
    for record in reader:
        report.lines = record.line
        if record.blank:
            report.blank += 1
            report.fixes["drop blank lines"] += 1
            continue
        yield from _one(record, unsafe, seen, report)
    facts = reader.facts
    report.lines = max(report.lines, facts.lines)
    report.document = facts.document is not None
    if facts.bom:
        report.fixes["drop the BOM"] += 1
    if facts.crlf_lines:
        report.fixes["CRLF to LF"] += facts.crlf_lines
    if not facts.final_newline and report.kept:
        report.fixes["end with a newline"] += 1
    if facts.read_error:
        report.rejected += 1
        yield Output(facts.lines + 1, b"", True, f"reading stopped: {facts.read_error}", code="FT016")


def _one(record: Record, unsafe: bool, seen: set[bytes], report: FixReport) -> Iterator[Output]:
    raw = record.raw.removesuffix(b"\r")
    if record.problem is not None:
        report.rejected += 1
        kind = record.problem.kind
        yield Output(record.line, raw, True, f"{kind.value}: {record.problem.message}", raw, _PARSE_CODES.get(kind, ""))
        return
    value = record.value
    assert value is not None
    if unsafe:
        changed = _rewrite(value, report)
        key = digest(value)
        if key in seen:
            report.rejected += 1
            report.fixes["drop duplicate examples"] += 1
            yield Output(record.line, raw, True, "duplicate of an earlier example", raw, "FT505")
            return
        seen.add(key)
        if _trains_nothing(value):
            report.rejected += 1
            report.fixes["drop examples with no trainable answer"] += 1
            yield Output(record.line, raw, True, "no trainable assistant message", raw, "FT508")
            return
        if changed:
            report.changed += 1
            report.kept += 1
            yield Output(record.line, _compact(value), False, original=raw)
            return
    report.kept += 1
    yield Output(record.line, raw, False, original=raw)


def _rewrite(value: dict[str, Any], report: FixReport) -> bool:
    """Unsafe fixes that rewrite a record in place; True when anything changed."""
    changed = _legacy_to_tools(value)
    if changed:
        report.fixes["functions to tools"] += 1
    for message in _messages(value):
        role = message.get("role")
        if isinstance(role, str) and role != role.strip().lower() and role.strip().lower() in ROLES:
            message["role"] = role.strip().lower()
            report.fixes["lower-case roles"] += 1
            changed = True
        content = message.get("content")
        if isinstance(content, str) and content.strip() and content != content.strip():
            message["content"] = content.strip()
            report.fixes["trim whitespace around content"] += 1
            changed = True
    return changed


def _legacy_to_tools(value: dict[str, Any]) -> bool:
    """``functions``/``function_call``/``role: function`` to ``tools``/``tool_calls``/``role: tool``.

    All or nothing: a record that already uses tools, or whose function results cannot each be matched
    to an earlier call by name, is left as it is (the lint still reports it).
    """
    messages = value.get("messages")
    functions = value.get("functions")
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        return False
    legacy = functions is not None or any("function_call" in m or m.get("role") == "function" for m in messages)
    modern = "tools" in value or any("tool_calls" in m or m.get("role") == "tool" for m in messages)
    if not legacy or modern or (functions is not None and not isinstance(functions, list)):
        return False
    converted: list[dict[str, Any]] = []
    open_calls: list[tuple[str, str]] = []  # (name, id) of calls not yet answered, oldest first
    for message in messages:
        message = dict(message)
        call = message.pop("function_call", None)
        if call is not None:
            if not isinstance(call, dict) or message.get("role") != "assistant":
                return False
            call_id = f"call_{len(converted) + 1}"
            message["tool_calls"] = [{"id": call_id, "type": "function", "function": call}]
            open_calls.append((str(call.get("name")), call_id))
        elif message.get("role") == "function":
            match = next((c for c in open_calls if c[0] == message.get("name")), None)
            if match is None:
                return False
            open_calls.remove(match)
            message.pop("name")
            message["role"], message["tool_call_id"] = "tool", match[1]
        converted.append(message)
    value["messages"] = converted
    if functions is not None:
        del value["functions"]
        value["tools"] = [{"type": "function", "function": f} for f in functions]
    return True


def _messages(value: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every message dict of the record, prompts and preference outputs alike (the lint's own views)."""
    example = view(value, "preference" if "input" in value else "chat")
    return (message.raw for message in example.all_messages if isinstance(message.raw, dict))


def _trains_nothing(value: dict[str, Any]) -> bool:
    """What FT508 (no-trainable-answer) reports: assistant messages, all with weight 0."""
    assistants = [m for m in view(value, "chat").messages if m.role == "assistant"]
    return bool(assistants) and not any(m.trainable for m in assistants)


def fix_file(path: Path, *, unsafe: bool = False, report: FixReport | None = None) -> Iterator[Output]:
    """``fix_stream`` over a file (compressed or not), then the whole-file rewrite of a multi-line one."""
    report = report if report is not None else FixReport()
    with open_input(path) as stream:
        yield from fix_stream(stream, unsafe=unsafe, report=report)
    if report.document:
        with open_input(path) as stream:
            yield from fix_document(stream, report)


def fix_document(stream: IO[bytes], report: FixReport) -> Iterator[Output]:
    """A pretty-printed (multi-line JSON) file, as one object per line; it has to be parsed whole.

    When it does not parse as objects, every physical line goes to rejects, so nothing is lost.
    """
    data = stream.read()
    objects = reserialize_document(data)
    if objects is None:
        lines = data.split(b"\n")
        for number, raw in enumerate(lines[:-1] if lines[-1] == b"" else lines, start=1):
            report.rejected += 1
            raw = raw.removesuffix(b"\r")
            yield Output(number, raw, True, "part of multi-line JSON that does not parse as objects; "
                         "fix it by hand", raw, "FT003")
        return
    report.fixes["one object per line"] += len(objects)
    for number, line in enumerate(objects, start=1):
        report.kept += 1
        yield Output(number, line, False)


def reserialize_document(data: bytes) -> list[bytes] | None:
    """A pretty-printed file's objects, one compact line each; None unless every value is an object."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    # NaN and Infinity would be written back out as invalid JSON: such a file is left to rejects.
    decoder, position = FiniteDecoder(), 0
    lines: list[bytes] = []
    while True:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        if position >= len(text):
            return lines or None
        try:
            value, position = decoder.raw_decode(text, position)
        except ValueError:
            return None
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(item, dict) for item in items):
            return None
        lines += [_compact(item) for item in items]


def _compact(value: Any) -> bytes:
    """One line of JSON. A lone surrogate cannot be written as UTF-8, so such a value keeps its
    ``\\uXXXX`` escapes (as the input had them) instead of becoming invalid bytes."""
    try:
        return json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value).encode("ascii")


def reject_json(output: Output) -> bytes:
    """One line of the rejects file: the line number, the original line exactly, and why."""
    entry: dict[str, Any] = {"line": output.line, "code": output.code, "reason": output.reason}
    try:
        entry["original"] = output.original.decode("utf-8")
    except UnicodeDecodeError:
        entry["original_base64"] = base64.b64encode(output.original).decode()
    return json.dumps(entry, ensure_ascii=False).encode("utf-8", "surrogatepass")


class AtomicFile:
    """Write to a temporary file beside ``path``; on success fsync and rename it over ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # The handle outlives this constructor by design: commit() or abort() closes it.
        self._handle = tempfile.NamedTemporaryFile("wb", dir=path.resolve().parent, delete=False,  # noqa: SIM115
                                                   prefix=f".{path.name}.", suffix=".tmp")

    def write(self, data: bytes) -> None:
        self._handle.write(data)

    def commit(self) -> None:
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        os.replace(self._handle.name, self.path)

    def abort(self) -> None:
        self._handle.close()
        Path(self._handle.name).unlink(missing_ok=True)


class FixError(Exception):
    """A usage problem with `ftlint fix` (exit 2); the message says what to do."""


@dataclass(frozen=True)
class FixOptions:
    source: Path
    output: Path | None
    rejects: Path | None
    in_place: bool
    no_backup: bool
    unsafe_fixes: bool
    show_diff: bool


def run_fix(options: FixOptions) -> int:
    """Write the fixed file and the rejects; the exit code: 0 all kept, 1 some rejected."""
    source, output, rejects, in_place = options.source, options.output, options.rejects, options.in_place
    no_backup, unsafe_fixes, show_diff = options.no_backup, options.unsafe_fixes, options.show_diff
    if not show_diff and not in_place and output is None:
        raise FixError("give -o OUTPUT (or --in-place to replace the input, or --diff to preview)")
    if in_place and is_compressed(source):
        raise FixError(f"{source} is compressed; write an uncompressed copy with -o OUTPUT.jsonl "
                       "instead of --in-place")
    if output is not None and is_compressed(output):
        raise FixError(f"{output}: ftlint fix writes plain JSONL; name the output .jsonl and compress it "
                       "afterwards")
    target = source if in_place else output
    if target is not None and not in_place and target.resolve() == source.resolve():
        raise FixError(f"{output} is the input file; use --in-place to replace it (a backup is kept)")
    rejects_path = rejects or (target or source).with_name((target or source).name + ".rejects.jsonl")
    if rejects_path.resolve() == source.resolve():
        raise FixError(f"--rejects {rejects_path} is the input file; choose another path")
    report = FixReport()
    writer = AtomicFile(target) if target is not None and not show_diff else None
    rejects_writer: AtomicFile | None = None  # opened at the first rejected line: no empty rejects files
    try:
        for item in fix_file(source, unsafe=unsafe_fixes, report=report):
            if show_diff:
                if not item.rejected and item.data != item.original:
                    print(f"@@ line {item.line} @@\n-{item.original.decode('utf-8', 'replace')}\n"
                          f"+{item.data.decode('utf-8', 'replace')}")
            elif item.rejected:
                rejects_writer = rejects_writer or AtomicFile(rejects_path)
                rejects_writer.write(reject_json(item) + b"\n")
            elif writer is not None:
                writer.write(item.data + b"\n")
        if in_place and not no_backup and writer is not None:
            shutil.copy2(source, source.with_name(source.name + ".bak"))
        for done in (writer, rejects_writer):
            if done is not None:
                done.commit()
    except BaseException:
        for pending in (writer, rejects_writer):
            if pending is not None:
                pending.abort()
        raise
    if report.rejected:
        where = "would be rejected" if show_diff else f"rejected: written to {rejects_path}"
        print(f"ftlint: {report.rejected:,} line(s) {where}", file=sys.stderr)
    print(("would fix: " if show_diff else f"wrote {target}: ") + report.summary(), file=sys.stderr)
    return 1 if report.rejected else 0
