"""`ftlint fix`: write a cleaned copy of a file, and every line it could not keep to a rejects file.

Nothing is lost: every input line ends up in exactly one of the two outputs, or is a blank line that
was dropped and counted. The rejects file keeps each original exactly (a line over the reader's cap
too, streamed whole), by design: it is what a person fixes by hand. Records are kept byte for byte
unless an unsafe fix (opt-in) rewrote them. Writes are atomic (`ftlint.atomic`) and guarded
(`ftlint.paths`): never over the input, never through a link, never a half-written file.

Safe fixes, always: drop a UTF-8 BOM, CRLF to LF, drop blank lines, end with a newline, and rewrite a
pretty-printed (multi-line) file as one object per line; a part of it that does not parse goes to
rejects with its lines, and every object that parses is kept.

Unsafe fixes, with ``unsafe_fixes``: trim whitespace around message text, lower-case roles, convert
legacy `functions`/`function_call` to `tools`/`tool_calls`, drop unknown keys, and drop (to rejects)
duplicate examples and examples with no assistant message or no trainable one. What is unknown, a
duplicate or untrainable is what `check` says (FT102, FT505, FT201, FT508): fix lints the records
through the public API (`lint_partition`/`merge_partitions`) with the user's config and acts on the
findings, so the two commands cannot disagree.

``drop_invalid`` moves every example that still has an error-severity record-level finding to rejects
with those findings, so the output lints clean of them. Without it, the summary lists what remains.
"""

from __future__ import annotations

import base64
import codecs
import contextlib
import functools
import itertools
import json
import os
import shutil
import stat
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, NamedTuple, cast

from ftlint.atomic import AtomicFile, Writer, describe, open_output, signals_abort, signals_held
from ftlint.formats import view
from ftlint.formats.models import ROLES
from ftlint.inputs import OPENERS, Joined, is_compressed, open_input
from ftlint.masking import mask, mask_name, run_scanners
from ftlint.paths import UnsafePath, check_output, is_stdout, refuse_overwriting_inputs, same_file
from ftlint.pointer import split as split_pointer
from ftlint.records import (
    DEFAULT_MAX_LINE_BYTES,
    READ_ERRORS,
    Problem,
    Reader,
    Record,
    document_parts,
    escape_pointer,
    foreign_encoding,
)
from ftlint.rules.secrets import Scanner
from ftlint.sanitize import visible
from ftlint.violation import Severity, Violation

# Findings of `check` that unsafe fixes act on (rule codes are data here; no rule module is imported).
UNKNOWN_KEY = "FT102"
UNSAFE_DROPS = {
    "FT201": "drop examples with no assistant message",
    "FT505": "drop duplicate examples",
    "FT508": "drop examples with no trainable answer",
}
LINT_CHUNK = 10_000  # lines per lint partition: findings are held for one partition at a time


@dataclass
class FixReport:
    lines: int = 0
    kept: int = 0
    rejected: int = 0
    blank: int = 0
    changed: int = 0  # kept records rewritten by an unsafe fix
    fixes: Counter[str] = field(default_factory=Counter)
    document: bool = False  # the file is multi-line JSON: the caller re-serializes it
    dropped_keys: Counter[str] = field(default_factory=Counter)  # unknown keys dropped, by pointer pattern
    remaining: Counter[tuple[str, str]] = field(default_factory=Counter)  # errors kept examples still have
    remaining_examples: int = 0
    file_errors: Counter[tuple[str, str]] = field(default_factory=Counter)  # file-level errors of the output
    failures: list[tuple[str, str]] = field(default_factory=list)  # (code, what): rules that crashed

    def summary(self) -> str:
        applied = ", ".join(f"{name} ({count:,})" for name, count in sorted(self.fixes.items())) or "none"
        shape = "input lines of multi-line JSON" if self.document else "input lines"
        text = (f"{self.lines:,} {shape}: {self.kept:,} kept, {self.rejected:,} rejected, "
                f"{self.blank:,} blank lines dropped; fixes: {applied}")
        if self.dropped_keys:
            keys = ", ".join(f"{visible(mask(key))} ({count:,})" for key, count in self.dropped_keys.most_common())
            text += f"; unknown keys dropped: {keys}"
        return text

    def leftovers(self) -> list[str]:
        """What still fails `check` in the output: errors by rule, then file-level errors."""
        notes = []
        if self.remaining:
            rules = ", ".join(f"{code} {name} ({count:,})" for (code, name), count in sorted(self.remaining.items()))
            notes.append(f"{self.remaining_examples:,} kept example(s) still have errors: {rules}; "
                         "--drop-invalid moves them to the rejects file")
        if self.file_errors:
            rules = ", ".join(f"{code} {name}" for code, name in sorted(self.file_errors))
            notes.append(f"the fixed file as a whole still has errors: {rules}; see `ftlint check`")
        notes += [f"warning: rule {visible(failure)}; its findings are missing" for _, failure in self.failures]
        return notes


@dataclass(frozen=True)
class Output:
    """One line of output: to the fixed file (``rejected`` false) or to the rejects file."""

    line: int
    data: bytes  # what is written (without the newline)
    rejected: bool
    reason: str = ""
    original: bytes = b""
    code: str = ""  # the rule whose violation sent the line to rejects
    last_line: int = 0  # a reject that spans lines (part of a pretty-printed file): its last line
    long_line_at: int = -1  # the original is over the reader's cap: it starts at this offset of the input
    findings: tuple[tuple[str, str], ...] = ()  # (code, message) of every error that sent it to rejects


def fix_stream(stream: IO[bytes], *, unsafe: bool = False, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
               report: FixReport | None = None) -> Iterator[Output]:
    """The fixed records and the rejects of ``stream``, in input order (a multi-line JSON file yields
    nothing here and sets ``report.document``: see `fix_document`)."""
    report = report if report is not None else FixReport()
    try:
        head = stream.read(4)
    except READ_ERRORS as exc:  # e.g. a `.gz` that is not gzip: nothing can be read
        report.rejected += 1
        yield Output(1, b"", True, f"reading stopped: {type(exc).__name__}: {exc}", code="FT016")
        return
    encoding = foreign_encoding(head)
    if encoding:
        yield from _foreign(Joined(head, stream), encoding, report)
        return
    reader = Reader(cast(IO[bytes], Joined(head, stream)), max_line_bytes=max_line_bytes)
    for record in reader:
        report.lines = record.line
        if record.blank:
            report.blank += 1
            report.fixes["drop blank lines"] += 1
            continue
        yield _one(record, unsafe, report)
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


def _foreign(stream: Joined, encoding: str, report: FixReport) -> Iterator[Output]:
    """Not UTF-8 at all: nothing can be kept, and every line goes to rejects with its bytes. Streamed
    line by line; the line-too-long limit does not apply because nothing is parsed."""
    reason = f"file is {encoding.upper()}, not UTF-8: convert it first"
    for number, raw in enumerate(iter(stream.readline, b""), start=1):
        raw = raw.removesuffix(b"\n").removesuffix(b"\r")
        report.lines, report.rejected = number, report.rejected + 1
        yield Output(number, raw, True, reason, raw, "FT005")


def _one(record: Record, unsafe: bool, report: FixReport) -> Output:
    raw = record.raw.removesuffix(b"\r")
    if record.problem is not None:
        report.rejected += 1
        kind = record.problem.kind
        long_line = record.offset if kind is Problem.LINE_TOO_LONG else -1
        return Output(record.line, raw, True, f"{kind.value}: {record.problem.message}", raw,
                      _parse_codes().get(kind, ""), long_line_at=long_line)
    report.kept += 1
    value = record.value
    assert value is not None
    if unsafe and _rewrite(value, report):
        report.changed += 1
        return Output(record.line, _compact(value), False, original=raw)
    return Output(record.line, raw, False, original=raw)


@functools.cache
def _parse_codes() -> dict[Problem, str]:
    """The rule that reports each parse problem, so that a reject names the violation that caused it."""
    from ftlint.registry import discover
    from ftlint.rules._base import ParseProblemRule

    return {rule.problem: rule.code for rule in discover().rules.values() if issubclass(rule, ParseProblemRule)}


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


def fix_file(path: Path, *, unsafe: bool = False, report: FixReport | None = None) -> Iterator[Output]:
    """``fix_stream`` over a file (compressed or not), then the whole-file rewrite of a multi-line one."""
    source = Source(path)
    try:
        yield from _fix_source(source, unsafe, report if report is not None else FixReport(), DEFAULT_MAX_LINE_BYTES)
    finally:
        source.close()


def _fix_source(source: Source, unsafe: bool, report: FixReport, max_line_bytes: int) -> Iterator[Output]:
    with source.open() as stream:
        yield from fix_stream(stream, unsafe=unsafe, report=report, max_line_bytes=max_line_bytes)
    if report.document:
        with source.open() as stream:
            yield from fix_document(stream, report, unsafe=unsafe)


def fix_document(stream: IO[bytes], report: FixReport, *, unsafe: bool = False) -> Iterator[Output]:
    """A pretty-printed (multi-line JSON) file, as one object per line; it has to be parsed whole.

    Every object that parses is kept (its line is the first line it spans); a part that does not parse,
    and a value that is not an object, goes to rejects once with its lines (``line``..``last_line``).
    """
    data = _read_all(stream)
    text = data.decode("utf-8", "surrogateescape").removeprefix("\ufeff")
    physical = data.split(b"\n")
    for part in document_parts(text):
        original = b"\n".join(line.removesuffix(b"\r") for line in physical[part.first_line - 1:part.last_line])
        if isinstance(part.value, dict) and not part.error:
            report.kept += 1
            report.fixes["one object per line"] += 1
            changed = unsafe and _rewrite(part.value, report)
            report.changed += changed
            yield Output(part.first_line, _compact(part.value), False, original=original,
                         last_line=part.last_line)
            continue
        report.rejected += 1
        reason = (f"part of multi-line JSON that does not parse ({part.error}); fix it by hand" if part.error
                  else "a value of multi-line JSON that is not an object")
        yield Output(part.first_line, original, True, reason, original, "FT003", last_line=part.last_line)


def _read_all(stream: IO[bytes]) -> bytes:
    """The whole stream, or what could be read of it (the read error itself was already rejected)."""
    chunks = []
    try:
        while chunk := stream.read(1 << 20):
            chunks.append(chunk)
    except READ_ERRORS:
        pass
    return b"".join(chunks)


def _compact(value: Any) -> bytes:
    """One line of JSON. A lone surrogate cannot be written as UTF-8, so such a value keeps its
    ``\\uXXXX`` escapes (as the input had them) instead of becoming invalid bytes."""
    try:
        return json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value).encode("ascii")


class Source:
    """The input, readable as many times as fix needs: a FIFO or device is first read into a
    temporary file (a nameless one: it goes when the process does)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._spool: IO[bytes] | None = None
        if not path.is_file():
            spool = tempfile.TemporaryFile()  # noqa: SIM115  (held until close(): fix reads it several times)
            with path.open("rb") as raw:
                shutil.copyfileobj(raw, spool)
            self._spool = spool

    @contextlib.contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        if self._spool is None:
            with open_input(self.path) as stream:
                yield stream
            return
        self._spool.seek(0)
        opener = OPENERS.get(self.path.suffix.lower())
        if opener is None:
            yield self._spool
            return
        with opener(self._spool, "rb") as stream:  # closing the decompressor leaves the spool open
            yield stream

    def long_line(self, offset: int) -> Iterator[bytes]:
        """The line that starts at ``offset`` (of the decompressed input), without its line ending, in
        chunks: it is over the reader's cap, maybe gigabytes, and is never held whole."""
        with self.open() as stream:
            _skip(stream, offset)
            held = b""  # a final "\r" is held back until it is known whether "\n" follows
            while chunk := stream.readline(1 << 20):
                data = held + chunk
                if data.endswith(b"\n"):
                    yield data[:-1].removesuffix(b"\r")
                    return
                held = b"\r" if data.endswith(b"\r") else b""
                if len(data) > len(held):
                    yield data[:len(data) - len(held)]
            if held:
                yield held

    def close(self) -> None:
        if self._spool is not None:
            self._spool.close()


def _skip(stream: IO[bytes], offset: int) -> None:
    if stream.seekable():
        stream.seek(offset)
        return
    while offset > 0:
        chunk = stream.read(min(offset, 1 << 20))
        if not chunk:
            return
        offset -= len(chunk)


# ---- What `check` says about the fixed records, and what fix does about it ------------------------


@dataclass(frozen=True)
class LintSettings:
    """How the fixed records are linted: as `check` would lint the source (its config, its model)."""

    name: str
    config: Path | None = None
    model: str | None = None
    validation: bool = False
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES  # the config's cap: fix reads lines as check does
    provider: str | None = None
    scanners: tuple[Scanner, ...] | None = None  # what hides secrets in --diff: the config's FT7 options

    def keywords(self, **extra: Any) -> dict[str, Any]:
        settings: dict[str, Any] = {"name": self.name, "config": self.config, "validation": self.validation}
        if self.model is not None:
            settings["model"] = self.model
        if self.provider is not None:
            settings["provider"] = self.provider
        return {**settings, **extra}


class Note(NamedTuple):
    """What fix keeps of a violation: enough to name it in the rejects file and in the summary."""

    code: str
    name: str
    message: str


@dataclass
class Verdicts:
    """The findings of one lint of the kept records that fix acts on, by line (lines are the input's).

    Only lines with findings are kept, and equal texts are stored once (a file whose every record has
    the same unknown key costs a dict entry per record, not a copy of the message).
    """

    unknown_keys: dict[int, tuple[str, ...]] = field(default_factory=dict)  # FT102 pointers
    drops: dict[int, Note] = field(default_factory=dict)  # unsafe drops
    errors: dict[int, tuple[Note, ...]] = field(default_factory=dict)  # record-level errors
    file_errors: Counter[tuple[str, str]] = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (code, what): rules that crashed
    keys_only: bool = False  # the first lint of --unsafe-fixes: only unknown keys matter
    _texts: dict[Any, Any] = field(default_factory=dict, repr=False)

    def _once(self, value: Any) -> Any:
        return self._texts.setdefault(value, value)

    def add_record(self, violation: Violation) -> None:
        if violation.code == UNKNOWN_KEY:
            self.unknown_keys[violation.line] = (*self.unknown_keys.get(violation.line, ()),
                                                 self._once(violation.pointer))
        if self.keys_only:
            return
        note = self._once(Note(violation.code, violation.name, violation.message))
        if violation.code in UNSAFE_DROPS:
            self.drops.setdefault(violation.line, note)
        if violation.severity is Severity.ERROR:
            self.errors[violation.line] = (*self.errors.get(violation.line, ()), note)

    def add_dataset(self, violation: Violation) -> None:
        if violation.code in UNSAFE_DROPS:
            self.drops.setdefault(violation.line, self._once(Note(violation.code, violation.name,
                                                                     violation.message)))
        elif violation.severity is Severity.ERROR:
            self.file_errors[(violation.code, violation.name)] += 1


def lint_kept(outputs: Iterable[Output], settings: LintSettings, *, keys_only: bool = False) -> Verdicts:
    """Lint the records fix keeps, as one file, in partitions of `LINT_CHUNK` lines (bounded memory).

    Lines that are not kept are fed as blank lines, so that every finding (and every line a message
    mentions, such as FT505's "duplicates line N") is numbered as in the input. ``keys_only``: only
    the unknown keys are wanted, so tokens are not counted.
    """
    from ftlint import lint_partition, merge_partitions

    keywords = settings.keywords(tokens=False) if keys_only else settings.keywords()
    lines = _Counted(_lint_lines(outputs))
    verdicts, parts, file_format = Verdicts(keys_only=keys_only), [], None
    while not lines.done:
        first = lines.count + 1
        part = lint_partition(itertools.islice(lines, LINT_CHUNK), first_line=first, file_format=file_format,
                              **keywords)
        file_format = file_format or part.file_format
        for violation in part.violations:
            verdicts.add_record(violation)
        verdicts.failures += [(f.code, f"{f.code} failed at line {f.line}: {f.message}") for f in part.failures]
        part.violations = []  # only the dataset rules' states are needed from here on
        parts.append(part)
    if keys_only:
        return verdicts
    for violation in merge_partitions(parts, **keywords).violations:
        verdicts.add_dataset(violation)
    return verdicts


class _Counted(Iterator[bytes]):
    """An iterator that says how many items it gave and whether it is exhausted."""

    def __init__(self, source: Iterator[bytes]) -> None:
        self._source = source
        self._next: bytes | None = next(source, None)
        self.count = 0

    @property
    def done(self) -> bool:
        return self._next is None

    def __next__(self) -> bytes:
        if self._next is None:
            raise StopIteration
        item, self._next = self._next, next(self._source, None)
        self.count += 1
        return item


def _slots(outputs: Iterable[Output]) -> Iterator[tuple[int, Output]]:
    """Each output with the line it has in the lint (0 for a reject): its input line, or the next free
    one when two objects of a pretty-printed file start on the same line."""
    last = 0
    for output in outputs:
        if output.rejected:
            yield 0, output
            continue
        last = max(output.line, last + 1)
        yield last, output


def _lint_lines(outputs: Iterable[Output]) -> Iterator[bytes]:
    line = 0
    for slot, output in _slots(outputs):
        if not slot:
            continue
        yield from itertools.repeat(b"", slot - line - 1)
        yield output.data
        line = slot


def drop_unknown_keys(outputs: Iterable[Output], verdicts: Verdicts, report: FixReport) -> Iterator[Output]:
    """Unsafe: remove every key FT102 reported from the kept records (listed in the report)."""
    for slot, output in _slots(outputs):
        pointers = verdicts.unknown_keys.get(slot) if slot else None
        if not pointers:
            yield output
            continue
        value = json.loads(output.data)
        for pointer in pointers:
            if _delete(value, pointer):
                report.dropped_keys[_pattern(pointer)] += 1
                report.fixes["drop unknown keys"] += 1
        report.changed += output.data == output.original
        yield replace(output, data=_compact(value))


def _pattern(pointer: str) -> str:
    """A pointer with its list indices as ``*``: ``/messages/3/id`` is ``/messages/*/id``."""
    return "".join("/" + ("*" if token.isdigit() else escape_pointer(token)) for token in split_pointer(pointer))


def _delete(value: Any, pointer: str) -> bool:
    *path, key = split_pointer(pointer) or ("",)
    for token in path:
        if isinstance(value, dict):
            value = value.get(token)
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            return False
    if isinstance(value, dict) and key in value:
        del value[key]
        return True
    return False


def apply_verdicts(outputs: Iterable[Output], verdicts: Verdicts, report: FixReport, *, unsafe: bool,
                   drop_invalid: bool) -> Iterator[Output]:
    """Send to rejects what the lint condemned (unsafe drops; with ``drop_invalid``, every example with
    a record-level error); count what is kept despite its errors."""
    report.file_errors, report.failures = verdicts.file_errors, verdicts.failures
    for slot, output in _slots(outputs):
        drop = verdicts.drops.get(slot) if unsafe and slot else None
        errors = verdicts.errors.get(slot, ()) if slot else ()
        if drop is not None:
            report.fixes[UNSAFE_DROPS[drop.code]] += 1
            yield _condemned(output, (drop,), report)
        elif errors and drop_invalid:
            report.fixes["drop invalid examples"] += 1
            yield _condemned(output, errors, report)
        else:
            if errors:
                report.remaining_examples += 1
                report.remaining.update({(error.code, error.name) for error in errors})
            yield output


def _condemned(output: Output, findings: tuple[Note, ...], report: FixReport) -> Output:
    report.kept -= 1
    report.rejected += 1
    first = findings[0]
    return Output(output.line, output.original, True, first.message, output.original, first.code,
                  last_line=output.last_line,
                  findings=tuple((f.code, f.message) for f in findings) if len(findings) > 1 else ())


# ---- Writing -----------------------------------------------------------------------------------------


def reject_json(output: Output) -> bytes:
    """One line of the rejects file: the line number(s), the rule, why, and the original exactly."""
    entry = _reject_entry(output)
    try:
        entry["original"] = output.original.decode("utf-8")
    except UnicodeDecodeError:
        entry["original_base64"] = base64.b64encode(output.original).decode()
    return _compact(entry)  # a lone surrogate in a message stays escaped: the rejects file is UTF-8


def _reject_entry(output: Output) -> dict[str, Any]:
    entry: dict[str, Any] = {"line": output.line}
    if output.last_line > output.line:
        entry["last_line"] = output.last_line
    entry.update(code=output.code, reason=output.reason)
    if output.findings:
        entry["findings"] = [{"code": code, "message": message} for code, message in output.findings]
    return entry


def write_long_reject(writer: Writer, output: Output, source: Source) -> None:
    """The reject of a line over the reader's cap, with its whole original streamed from the input:
    two passes over it in chunks (is it UTF-8? then the text, or base64), never held in memory."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in source.long_line(output.long_line_at):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        key, encode = "original", _json_text_chunks
    except UnicodeDecodeError:
        key, encode = "original_base64", _base64_chunks
    head = _compact(_reject_entry(output))
    writer.write(head[:-1] + f', "{key}": "'.encode())
    for piece in encode(source.long_line(output.long_line_at)):
        writer.write(piece)
    writer.write(b'"}\n')


def _json_text_chunks(chunks: Iterator[bytes]) -> Iterator[bytes]:
    decoder = codecs.getincrementaldecoder("utf-8")()
    for chunk in chunks:
        yield json.dumps(decoder.decode(chunk), ensure_ascii=False)[1:-1].encode("utf-8")
    yield json.dumps(decoder.decode(b"", final=True), ensure_ascii=False)[1:-1].encode("utf-8")


def _base64_chunks(chunks: Iterator[bytes]) -> Iterator[bytes]:
    held = b""
    for chunk in chunks:
        data = held + chunk
        cut = len(data) - len(data) % 3  # base64 of whole 3-byte groups joins up exactly
        yield base64.b64encode(data[:cut])
        held = data[cut:]
    yield base64.b64encode(held)


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
    drop_invalid: bool = False
    model: str | None = None
    config: Path | None = None
    provider: str | None = None


@dataclass(frozen=True)
class Targets:
    """Where a fix writes: vetted before anything is read."""

    output: Path | None  # None with --diff; `-` is standard output
    rejects: Path
    backup: Path | None  # with --in-place, unless --no-backup


def plan_targets(options: FixOptions) -> Targets:
    """Refuse contradictory options and every output that cannot be written safely."""
    source, output, in_place = options.source, options.output, options.in_place
    _refuse_contradictions(options)
    if in_place and is_compressed(source):
        raise FixError(f"{source} is compressed; write an uncompressed copy with -o OUTPUT.jsonl "
                       "instead of --in-place")
    if output is not None and not is_stdout(output) and is_compressed(output):
        raise FixError(f"{output}: ftlint fix writes plain JSONL; name the output .jsonl and compress it "
                       "afterwards")
    if output is not None and not is_stdout(output) and same_file(output, source):
        raise FixError(f"-o {output} is the input file; use --in-place to replace it (a backup is kept)")
    target = source if in_place else output
    if target is None:  # --diff: nothing is written
        return Targets(None, _beside(source, ".rejects.jsonl"), None)
    rejects = options.rejects or _default_rejects(target, source)
    backup = _beside(source, ".bak") if in_place and not options.no_backup else None
    try:
        outputs = [("--rejects", rejects), ("the backup", backup)]
        refuse_overwriting_inputs(outputs if in_place else [("-o", output), *outputs], [source])
        _vet(target, rejects, backup, in_place)
    except UnsafePath as exc:
        raise FixError(str(exc)) from None
    return Targets(target, rejects, backup)


def _refuse_contradictions(options: FixOptions) -> None:
    if options.in_place and options.output is not None:
        raise FixError("--in-place replaces SOURCE and -o writes elsewhere: give one of them")
    if options.show_diff and (options.in_place or options.output is not None or options.rejects is not None):
        raise FixError("--diff only shows what would change; it writes nothing, so drop -o, --rejects and "
                       "--in-place (or --diff)")
    if options.no_backup and not options.in_place:
        raise FixError("--no-backup only applies to --in-place")
    if not options.show_diff and not options.in_place and options.output is None:
        raise FixError("give -o OUTPUT (or --in-place to replace the input, or --diff to preview)")
    if is_stdout(options.output) and is_stdout(options.rejects):
        raise FixError("-o - and --rejects - would mix the fixed file and the rejects on standard output")


def _vet(target: Path, rejects: Path, backup: Path | None, in_place: bool) -> None:
    if not is_stdout(target):
        status = check_output(target, "--in-place" if in_place else "-o")
        if in_place and (status is None or not stat.S_ISREG(status.st_mode)):
            raise UnsafePath(f"--in-place {target}: only a regular file can be replaced; use -o OUTPUT")
    if not is_stdout(rejects):
        check_output(rejects, "--rejects")
    if backup is not None:
        status = check_output(backup, "the backup")
        if status is not None and not stat.S_ISREG(status.st_mode):
            raise UnsafePath(f"the backup {backup} exists and is not a regular file; remove it or use --no-backup")


def _default_rejects(target: Path, source: Path) -> Path:
    """OUTPUT.rejects.jsonl; beside the source when the output is not a file (standard output, a
    device); in the current folder when neither is (`fix <(zcat data.jsonl.gz) -o -`)."""
    for path in (target, source):
        if _is_file_path(path):
            return _beside(path, ".rejects.jsonl")
    return Path(source.name + ".rejects.jsonl")


def _beside(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _is_file_path(path: Path) -> bool:
    """Can a sibling file be named after it? Not standard output, a device or a FIFO."""
    if is_stdout(path):
        return False
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return True  # a new file


def run_fix(options: FixOptions) -> int:
    """Lint, then write the fixed file and the rejects; the exit code: 0 when every line was kept and
    nothing in the output fails `check`, 1 otherwise. Refusals and I/O errors raise FixError (exit 2)."""
    from ftlint.registry import RegistryError

    targets = plan_targets(options)
    report = FixReport()
    with signals_abort():  # SIGTERM unwinds like Ctrl-C: every pending output is aborted
        source = _open_source(options.source)
        try:
            settings = _lint_settings(options)
            keys, verdicts = _plan(source, options, settings)
            fixed = _pipeline(source, options, settings, report, keys, verdicts)
            if options.show_diff:
                _show_diff(fixed, settings.scanners)
            else:
                _write(fixed, targets, source)
        except BrokenPipeError:
            raise  # `-o - | head`: the reader left; the CLI leaves quietly, as `check` does
        except OSError as exc:
            raise FixError(describe(exc)) from None
        except (UnsafePath, RegistryError) as exc:
            raise FixError(str(exc)) from None
        finally:
            source.close()
    _summarize(options, targets, report)
    if any(_is_builtin(code) for code, _ in report.failures):
        return 2  # as for `check`: a built-in rule that fails is an internal error (a plugin's is not)
    return 1 if report.rejected or report.remaining or report.file_errors else 0


def _is_builtin(code: str) -> bool:
    from ftlint.registry import discover

    registry = discover()  # local rule files from config are not in it: they are plugins
    return code in registry.rules and registry.is_builtin(code)


def _open_source(path: Path) -> Source:
    try:
        return Source(path)
    except OSError as exc:
        raise FixError(f"cannot read {path}: {exc.strerror or exc}") from None


def _lint_settings(options: FixOptions) -> LintSettings:
    """Lint as `check SOURCE` would: the config found for the source (or --config), its model."""
    from ftlint.config import Config, ConfigError, Settings, find_config, load_config_file

    try:
        found = options.config or find_config(options.source)
        config = load_config_file(found) if found else Config(Settings(), None)
    except ConfigError as exc:
        raise FixError(str(exc)) from None
    return LintSettings(str(options.source), found, options.model, config.is_validation_file(options.source),
                        config.settings.max_line_bytes, options.provider,
                        run_scanners(lambda kind: config.build_rule(kind.code, kind)))


def _plan(source: Source, options: FixOptions, settings: LintSettings) -> tuple[Verdicts | None, Verdicts]:
    """The lints before writing: unknown keys first (unsafe), then everything on the records as they
    will be written."""
    from ftlint.config import ConfigError

    try:
        keys = None
        if options.unsafe_fixes:
            keys = lint_kept(_pipeline(source, options, settings, FixReport()), settings, keys_only=True)
        return keys, lint_kept(_pipeline(source, options, settings, FixReport(), keys), settings)
    except ConfigError as exc:
        raise FixError(str(exc)) from None


def _pipeline(source: Source, options: FixOptions, settings: LintSettings, report: FixReport,
              keys: Verdicts | None = None, verdicts: Verdicts | None = None) -> Iterator[Output]:
    """The outputs of one pass: the fixes, then what the lints said (unknown keys, then the verdicts)."""
    outputs = _fix_source(source, options.unsafe_fixes, report, settings.max_line_bytes)
    if keys is not None:
        outputs = drop_unknown_keys(outputs, keys, report)
    if verdicts is not None:
        outputs = apply_verdicts(outputs, verdicts, report, unsafe=options.unsafe_fixes,
                                 drop_invalid=options.drop_invalid)
    return outputs


def _write(fixed: Iterator[Output], targets: Targets, source: Source) -> None:
    """Stream the outputs to their files; commit all of them at once, or none."""
    assert targets.output is not None
    mode = _mode(source.path)
    pending: list[Writer] = []
    try:
        output = open_output(targets.output, mode_like=mode)
        pending.append(output)
        rejects: Writer | None = None  # opened at the first rejected line: no empty rejects files
        for item in fixed:
            if not item.rejected:
                output.write(item.data + b"\n")
                continue
            if rejects is None:
                rejects = open_output(targets.rejects, mode_like=mode)
                pending.append(rejects)
            if item.long_line_at >= 0:
                write_long_reject(rejects, item, source)
            else:
                rejects.write(reject_json(item) + b"\n")
        if targets.backup is not None:
            pending.append(_back_up(source.path, targets.backup, mode))
        with signals_held():  # a signal now would leave some outputs written and others not
            for writer in reversed(pending):  # the backup first, the fixed file (maybe the input) last
                writer.commit()
    except BaseException:
        for writer in pending:
            writer.abort()
        raise


def _back_up(path: Path, backup: Path, mode: int) -> AtomicFile:
    """SOURCE.bak, a copy of the input with its mode, ready to commit."""
    copy = AtomicFile(backup, mode_like=mode)
    try:
        with path.open("rb") as original:
            while chunk := original.read(1 << 20):
                copy.write(chunk)
    except BaseException:
        copy.abort()
        raise
    return copy


def _mode(path: Path) -> int:
    """New outputs get the input's permissions (minus the umask, as `cp` does): a private dataset's
    fixed copy and rejects stay private."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode) | 0o200 if os.path.isfile(path) else 0o666
    except OSError:
        return 0o666


def _show_diff(fixed: Iterator[Output], scanners: tuple[Scanner, ...] | None) -> None:
    """Each change as a small hunk: the original lines (``-``), then the fixed line (``+``) or why the
    lines go to rejects."""
    out = sys.stdout
    for item in fixed:
        if item.rejected:
            out.write(f"@@ line {item.line} @@ rejected ({item.code}): {visible(mask(item.reason, scanners))}\n"
                      f"{_lines('-', item.original, scanners)}")
        elif item.data != item.original:
            out.write(f"@@ line {item.line} @@\n{_lines('-', item.original, scanners)}"
                      f"{_lines('+', item.data, scanners)}")


def _lines(sign: str, data: bytes, scanners: tuple[Scanner, ...] | None) -> str:
    """Each physical line of ``data`` as a diff line; what the data holds is shown, never obeyed
    (terminal controls, bidi overrides and lone surrogates appear as escapes)."""
    return "".join(f"{sign}{visible(mask(line, scanners))}\n" for line in data.decode("utf-8", "replace").split("\n"))


def shown_name(path: Path | None) -> str:
    """A file name in fix's and convert's messages: a default output's name is made from the input's,
    and a stranger's file name may hold a key (masking.mask_name) or terminal controls."""
    return visible(mask_name(str(path)))


def _summarize(options: FixOptions, targets: Targets, report: FixReport) -> None:
    err = sys.stderr
    if report.rejected:
        where = "would be rejected" if options.show_diff else f"rejected: written to {shown_name(targets.rejects)}"
        print(f"ftlint: {report.rejected:,} {where}", file=err)
    name = "standard output" if is_stdout(targets.output) else shown_name(targets.output)
    print(("would fix: " if options.show_diff else f"wrote {name}: ") + report.summary(), file=err)
    for note in report.leftovers():
        print(f"ftlint: {note}", file=err)
