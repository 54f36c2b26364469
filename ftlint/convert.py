"""`ftlint convert`: rewrite a file from one layout into the layout a target reads, losing nothing silently.

Every record is read in its own layout (detected per record, so a file that mixes layouts comes out in
one), validated against it, turned into the OpenAI record of the same content and written in the
target's layout. The guarantees are `ftlint fix`'s: every input line ends up in the output or in the
rejects file with the reason (a blank line is dropped and counted), writes are atomic, the input is
never touched, `check=True` previews without writing. What a conversion cannot carry over (weights,
names, tool call ids, joined turns) is listed as a loss, with the line and the JSON pointer; a record
that cannot be converted at all (a data: URL image for Vertex, a tool call for Nova) is rejected.

The layouts' own modules (ftlint/formats/*.py) hold each mapping, both ways; this module only drives
them.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ftlint.atomic import Writer, describe, open_output, signals_abort
from ftlint.fix import FixReport, Output, Source, reject_json, shown_name, write_long_reject
from ftlint.fix import _fix_source as fix_source  # the input as `fix` reads it (a pretty-printed file whole)
from ftlint.formats import FORMATS, guess_format
from ftlint.formats import gemini as gemini_layout
from ftlint.formats import nova as nova_layout
from ftlint.formats import sharegpt as sharegpt_layout
from ftlint.formats import trl as trl_layout
from ftlint.formats.common import Converted, Loss, Unconvertible
from ftlint.inputs import is_compressed
from ftlint.masking import mask
from ftlint.parquet import ParquetReader, is_parquet
from ftlint.paths import UnsafePath, check_output, refuse_overwriting_inputs
from ftlint.records import DEFAULT_MAX_LINE_BYTES
from ftlint.sanitize import visible
from ftlint.schema import validate

LayoutWriter = Callable[[dict[str, Any]], Converted]  # an OpenAI record in a target's layout


def _same(format_name: str) -> LayoutWriter:
    return lambda record: Converted(format_name, record)


def _hf_chat(record: dict[str, Any]) -> Converted:
    losses: list[Loss] = []
    out = {**record, "messages": trl_layout.hf_messages(record["messages"], "/messages", losses)}
    for key in ("parallel_tool_calls", "functions"):
        if key in out:
            losses.append(Loss(f"/{key}", "dropped-key", f"TRL has no `{key}`"))
            del out[key]
    return Converted("chat", out, losses)


@dataclass(frozen=True)
class Target:
    """Where `--to NAME` writes: the layouts it keeps as they are, and a writer per OpenAI format."""

    name: str
    keeps: frozenset[str]
    writers: dict[str, LayoutWriter]
    lints_as: str  # the provider whose check the output passes (`ftlint check --provider ...`)


TARGETS: dict[str, Target] = {t.name: t for t in (
    Target("openai", frozenset({"preference", "completion", "reinforcement"}),
           {"chat": _same("chat"), "preference": _same("preference"), "completion": _same("completion")}, "openai"),
    Target("hf", frozenset({"trl-preference", "trl-completion", "trl-unpaired", "text", "completion"}),
           {"chat": _hf_chat, "preference": trl_layout.preference_from_openai, "completion": _same("completion")},
           "hf"),
    Target("gemini", frozenset({"gemini", "gemini-preference"}),
           {"chat": gemini_layout.from_openai, "preference": gemini_layout.preference_from_openai}, "vertex"),
    Target("nova", frozenset({"nova"}), {"chat": nova_layout.from_openai}, "nova"),
    Target("sharegpt", frozenset({"sharegpt"}), {"chat": sharegpt_layout.from_openai}, "llamafactory"),
)}


class Rejected(Exception):
    """The record cannot be converted: why, and the rule whose violation it is (or "unconvertible")."""

    def __init__(self, reason: str, code: str = "unconvertible") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


def _openai_side(value: dict[str, Any], layout: str) -> Converted:
    """The record as an OpenAI record, after checking it against its own layout's schema."""
    if layout in ("chat", "reinforcement") and _trl_flavoured(value.get("messages")):
        # A TRL `messages` record (object arguments, results named by function): OpenAI's shape first.
        value = {**value, "messages": trl_layout.openai_messages(value["messages"], "/messages", [])}
    problems = validate(value, layout)
    if problems:
        from ftlint.rules import schema as schema_rules  # the code of the rule that reports the problem

        codes = {rule.issue: rule.code for rule in schema_rules.RULES if hasattr(rule, "issue")}
        first = problems[0]
        raise Rejected(f"not a valid {FORMATS[layout].description} record: {first.message}", codes[first.kind])
    convert = FORMATS[layout].as_openai
    if convert is None:
        return Converted(layout, value)
    if not FORMATS[layout].converts:
        raise Rejected(f"{FORMATS[layout].description} has no equivalent in the other layouts")
    return convert(value)


def _trl_flavoured(messages: Any) -> bool:
    if not isinstance(messages, list):
        return False
    for message in messages:
        if not isinstance(message, dict):
            return False
        for call in message.get("tool_calls") or ():
            if isinstance(call, dict) and (not isinstance((call.get("function") or {}).get("arguments"), str)
                                           or "id" not in call):
                return True
        if message.get("role") == "tool" and "tool_call_id" not in message:
            return True
    return False


def convert_record(value: dict[str, Any], to: str) -> Converted:
    """``value`` written for target ``to``; raises :class:`Rejected` with the reason when it cannot be."""
    target = TARGETS[to]
    layout = guess_format(value)
    if layout is None:
        raise Rejected("no layout's keys found in the record (messages, conversations, contents...)")
    if layout in target.keeps:
        problems = validate(value, layout)
        if problems:
            raise Rejected(f"not a valid {FORMATS[layout].description} record: {problems[0].message}")
        return Converted(layout, value)
    try:
        openai = _openai_side(value, layout)
        if openai.format == "completion" and "completion" not in target.writers:
            openai = Converted("chat", {"messages": [{"role": "user", "content": openai.record["prompt"]},
                                                     {"role": "assistant", "content": openai.record["completion"]}]},
                               openai.losses)
        writer = target.writers.get(openai.format)
        if writer is None:
            raise Rejected(f"{FORMATS[openai.format].description} has no {to} equivalent")
        written = writer(openai.record)
    except Unconvertible as exc:
        where = f" at {exc.pointer}" if exc.pointer else ""
        raise Rejected(f"{exc}{where}") from None
    return Converted(written.format, written.record, openai.losses + written.losses)


@dataclass
class ConvertReport:
    fix: FixReport = field(default_factory=FixReport)
    converted: int = 0
    losses: Counter[str] = field(default_factory=Counter)
    formats: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        lost = ", ".join(f"{kind} ({count:,})" for kind, count in sorted(self.losses.items())) or "none"
        return (f"{self.fix.lines:,} input lines: {self.converted:,} converted, {self.fix.rejected:,} rejected, "
                f"{self.fix.blank:,} blank lines dropped; losses: {lost}")


@dataclass(frozen=True)
class Line:
    """One line of output: converted (``data``), or rejected (to the rejects file), with its losses."""

    output: Output
    losses: tuple[Loss, ...] = ()


def convert_file(path: Path, to: str, report: ConvertReport | None = None,
                 source: Source | None = None) -> Iterator[Line]:
    """Every line of ``path``, converted for ``to`` or rejected, in input order (``source``: the input,
    when the caller holds it open to copy long rejected lines from)."""
    report = report if report is not None else ConvertReport()
    for item in _lines(path, report.fix, source):
        if item.rejected:
            yield Line(item)
            continue
        value = json.loads(item.data)  # parsed again: `fix` hands out the line's bytes
        try:
            converted = convert_record(value, to)
        except Rejected as exc:
            report.fix.kept -= 1
            report.fix.rejected += 1
            original = item.original or item.data
            yield Line(Output(item.line, original, True, exc.reason, original, exc.code))
            continue
        report.converted += 1
        report.formats[converted.format] += 1
        report.losses.update(loss.kind for loss in converted.losses)
        data = item.data if converted.record is value else _compact(converted.record)  # kept as it was
        yield Line(Output(item.line, data, False, original=item.original), tuple(converted.losses))


def _lines(path: Path, report: FixReport, source: Source | None) -> Iterator[Output]:
    """The input's records as `fix` keeps or rejects them; a Parquet file's rows, one line each."""
    if not is_parquet(path):
        held = source or Source(path)
        try:
            yield from fix_source(held, False, report, DEFAULT_MAX_LINE_BYTES)
        finally:
            if source is None:
                held.close()
        return
    reader = ParquetReader(path)
    for record in reader:
        report.lines, report.kept = record.line, report.kept + 1
        yield Output(record.line, record.raw, False)
    if reader.facts.read_error:
        report.rejected += 1
        yield Output(reader.facts.lines + 1, b"", True, f"reading stopped: {reader.facts.read_error}", code="FT016")


def _compact(value: Any) -> bytes:
    try:
        return json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate keeps its escape, as `fix` writes it
        return json.dumps(value).encode("ascii")


class ConvertError(Exception):
    """A usage problem (exit 2); the message says what to do."""


@dataclass(frozen=True)
class ConvertOptions:
    source: Path
    to: str
    output: Path | None
    rejects: Path | None = None
    check: bool = False  # preview: report what would happen, write nothing


LOSSES_SHOWN = 50  # lines of losses printed; the summary counts them all


def run_convert(options: ConvertOptions, err: Any = None) -> int:
    """Convert, write (unless previewing), report; the exit code: 0 all converted, 1 some rejected.
    Refusals and I/O errors raise ConvertError (exit 2)."""
    err = err or sys.stderr
    report = ConvertReport()
    try:
        output, rejects_path = _paths(options)
        with signals_abort():  # SIGTERM unwinds like Ctrl-C: every pending output is aborted
            source = Source(options.source)
            try:
                _write(options, output, rejects_path, source, report, err)
            finally:
                source.close()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise ConvertError(describe(exc)) from None
    except UnsafePath as exc:
        raise ConvertError(str(exc)) from None
    _summary(options, output, rejects_path, report, err)
    return 1 if report.fix.rejected else 0


def _write(options: ConvertOptions, output: Path | None, rejects_path: Path, source: Source,
           report: ConvertReport, err: Any) -> None:
    writer = open_output(output) if output is not None and not options.check else None
    rejects_writer: Writer | None = None  # opened at the first rejected line: no empty rejects files
    shown = 0
    try:
        for line in convert_file(options.source, options.to, report, source):
            item = line.output
            notes = [f"lossy ({loss.kind}) {loss.pointer}: {loss.message}" for loss in line.losses]
            notes += [f"rejected: {item.reason}"] if item.rejected else []
            for note in notes:
                if shown < LOSSES_SHOWN:
                    print(f"{shown_name(options.source)}:{item.line}: {visible(mask(note))}", file=err)
                shown += 1
            if item.rejected and not options.check:
                rejects_writer = rejects_writer or open_output(rejects_path)
                if item.long_line_at >= 0:
                    write_long_reject(rejects_writer, item, source)
                else:
                    rejects_writer.write(reject_json(item) + b"\n")
            elif not item.rejected and writer is not None:
                writer.write(item.data + b"\n")
        for done in (writer, rejects_writer):
            if done is not None:
                done.commit()
    except BaseException:
        for pending in (writer, rejects_writer):
            if pending is not None:
                pending.abort()
        raise
    if shown > LOSSES_SHOWN:
        print(f"... and {shown - LOSSES_SHOWN:,} more (the summary counts them all)", file=err)


def _summary(options: ConvertOptions, output: Path | None, rejects: Path, report: ConvertReport, err: Any) -> None:
    if report.fix.rejected and not options.check:
        print(f"ftlint: {report.fix.rejected:,} line(s) rejected: written to {shown_name(rejects)}", file=err)
    head = "would convert: " if options.check else f"wrote {shown_name(output)}: "
    print(head + report.summary(), file=err)
    if not options.check and report.converted:
        print(f"check it with: ftlint check {shown_name(output)} --provider {_provider(TARGETS[options.to])}", file=err)


def _provider(target: Target) -> str:
    """The provider profile that checks the output: the target's own, or `generic` until it exists."""
    from ftlint.catalog import CatalogError, load_catalog

    try:
        load_catalog(None, target.lints_as)
    except CatalogError:
        return "generic"
    return target.lints_as


def _paths(options: ConvertOptions) -> tuple[Path | None, Path]:
    """The output and rejects paths, vetted as `fix` vets them (never the input, no links, no folders)."""
    source, output = options.source, options.output
    if options.to not in TARGETS:
        raise ConvertError(f"unknown target {options.to!r}; choose one of {', '.join(TARGETS)}")
    if output is None and not options.check:
        raise ConvertError("give -o OUTPUT (or --check to preview)")
    if output is not None and is_compressed(output):
        raise ConvertError(f"{output}: ftlint convert writes plain JSONL; name the output .jsonl and compress it "
                           "afterwards")
    rejects = options.rejects or (output or source).with_name((output or source).name + ".rejects.jsonl")
    if not options.check:
        try:
            refuse_overwriting_inputs([("-o", output), ("--rejects", rejects)], [source])
            for label, path in (("-o", output), ("--rejects", rejects)):
                if path is not None:
                    check_output(path, label)
        except UnsafePath as exc:
            raise ConvertError(str(exc)) from None
    return output, rejects
