"""FT0: the file and its JSON. Everything the reader noticed becomes a finding here."""

from __future__ import annotations

from collections.abc import Iterator

from ftlint.records import Problem
from ftlint.rule import FileContext, LineContext, NoOptions, Rule, Scope
from ftlint.rules._base import ParseProblemRule
from ftlint.violation import Finding, Severity


class InvalidJson(ParseProblemRule):
    """A line is not valid JSON.

    Why: the provider rejects the whole file ("Example N cannot be parsed"),
    usually minutes after upload.

    Example: `{"messages": [{"role": "user", "content": "He said "hi""}]}`
    Use instead: escape inner quotes: `"He said \\"hi\\""`.
    """

    code = "FT001"
    name = "invalid-json"
    severity = Severity.ERROR
    summary = "Line is not valid JSON"
    fix = "Fix the JSON syntax at the column shown (unescaped quotes and trailing commas are common)"
    problem = Problem.INVALID_JSON


class NonObjectLine(ParseProblemRule):
    """A line is valid JSON but not an object (an array, string, number, ...).

    Why: every line of a fine-tuning file must be one JSON object
    ("Expected file to have JSONL format, where every line is a JSON dictionary").

    Example: `[{"messages": [...]}, {"messages": [...]}]`
    Use instead: one object per line: `{"messages": [...]}`.
    """

    code = "FT002"
    name = "non-object-line"
    severity = Severity.ERROR
    summary = "Line is JSON but not an object"
    fix = "Write exactly one JSON object per line"
    problem = Problem.NOT_AN_OBJECT


class MultiLineJson(Rule[NoOptions]):
    """The file is pretty-printed JSON (objects over several lines) or one JSON array.

    Why: JSON Lines needs one object per line; an editor's "format document"
    turns a valid file into one the provider rejects on every line. ftlint
    reports it once instead of once per physical line, with the objects it holds
    and, when some part does not parse, where parsing stopped and why.

    Example: a file starting with `{` alone on line 1.
    Use instead: `ftlint fix FILE -o FILE.jsonl`: every object that parses is
    written on one line, and a broken part goes to a rejects file with its lines
    (`jq -c .` stops at the first broken object and leaves a truncated file).
    """

    code = "FT003"
    name = "multi-line-json"
    severity = Severity.ERROR
    scope = Scope.FILE
    summary = "File is multi-line JSON, not JSON Lines"
    fix = "Run `ftlint fix FILE -o FILE.jsonl`: one object per line, any broken part to a rejects file"

    def check(self, context: FileContext) -> Iterator[Finding]:
        document = context.facts.document
        if document is None:
            return
        if document.is_array and document.values == 1:
            shape = f"one JSON array of {_count(document.objects, 'object')}"
        elif document.objects == document.values:
            shape = f"{_count(document.objects, 'pretty-printed JSON object')}"
        else:
            shape = f"{_count(document.values, 'pretty-printed JSON value')} ({document.objects} objects)"
        if document.broken:
            verb = "does" if document.broken == 1 else "do"
            shape += f" and {_count(document.broken, 'part')} that {verb} not parse"
        tail = "" if document.complete else f" ({document.error})"
        yield Finding(
            f"lines {document.first_line}-{document.last_line} are multi-line JSON, not one object per line: "
            f"{shape}{tail}; convert it with `ftlint fix FILE -o FILE.jsonl` (objects that parse are kept, one "
            "per line; the rest goes to a rejects file)",
            line=document.first_line,
        )


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


class InvalidUtf8(ParseProblemRule):
    """A line holds bytes that are not valid UTF-8.

    Why: JSONL is UTF-8 by definition; providers reject or mangle other bytes,
    and ftlint never "repairs" them silently.

    Example: a Latin-1 `é` (byte 0xE9) inside a string.
    Use instead: re-encode the file as UTF-8 (`iconv -f latin1 -t utf-8`).
    """

    code = "FT004"
    name = "invalid-utf8"
    severity = Severity.ERROR
    summary = "Line is not valid UTF-8"
    fix = "Re-encode the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)"
    problem = Problem.INVALID_UTF8


class NonUtf8Encoding(Rule[NoOptions]):
    """The file is UTF-16 or UTF-32, not UTF-8.

    Why: Windows tools often save "Unicode" text as UTF-16; every line then
    fails to parse on upload. One finding covers the file.

    Use instead: save as UTF-8 (`iconv -f utf-16 -t utf-8 in.jsonl > out.jsonl`).
    """

    code = "FT005"
    name = "non-utf8-encoding"
    severity = Severity.ERROR
    scope = Scope.FILE
    summary = "File is UTF-16/UTF-32 encoded"
    fix = "Save the file as UTF-8"

    def check(self, context: FileContext) -> Iterator[Finding]:
        encoding = context.facts.encoding
        if encoding != "utf-8":
            yield Finding(
                f"file is encoded as {encoding.upper()}, not UTF-8; nothing in it was checked. "
                f"Convert it: `iconv -f {encoding} -t utf-8 FILE > FILE.utf8.jsonl`",
                line=1,
            )


class Utf8Bom(Rule[NoOptions]):
    """The file starts with a UTF-8 byte-order mark (BOM).

    Why: platforms disagree. Azure's docs once required a BOM; OpenAI's
    "Line 1 is not a dictionary" errors on files that looked valid fit an
    invisible BOM, and Python's `json.loads` on text rejects it. Warning, since
    acceptance depends on the provider; providers whose profile accepts a BOM
    (`bom = "allow"`: azure, generic) are not warned.

    Use instead: save as "UTF-8" rather than "UTF-8 with BOM".
    """

    code = "FT006"
    name = "utf8-bom"
    severity = Severity.WARNING
    scope = Scope.FILE
    summary = "File starts with a UTF-8 byte-order mark"
    fix = "Save the file as UTF-8 without BOM"

    def check(self, context: FileContext) -> Iterator[Finding]:
        if context.facts.bom and context.run.target.bom == "warn":
            yield Finding(
                f"file starts with a UTF-8 byte-order mark (BOM); {context.run.target.name} may reject line 1 "
                "(\"is not a dictionary\"): save it without BOM",
                line=1,
            )


class NulByte(ParseProblemRule):
    """A line contains a NUL byte.

    Why: NUL is never valid in JSON text; it usually means a binary or
    UTF-16 file, or corruption.
    """

    code = "FT007"
    name = "nul-byte"
    severity = Severity.ERROR
    summary = "Line contains a NUL byte"
    fix = "Remove the NUL bytes; check the file is UTF-8 text"
    problem = Problem.NUL_BYTE


class NonFiniteNumber(ParseProblemRule):
    """A line uses `NaN`, `Infinity` or a number that overflows to infinity.

    Why: these are not JSON (RFC 8259). Python's json module accepts them, so
    files written with `json.dumps` can carry them; the provider rejects them.

    Example: `{"messages": [...], "score": NaN}`
    Use instead: `null`, or a finite number.
    """

    code = "FT008"
    name = "non-finite-number"
    severity = Severity.ERROR
    summary = "NaN, Infinity or an overflowing number"
    fix = "Replace NaN/Infinity with null or a finite number (json.dumps(..., allow_nan=False))"
    problem = Problem.NON_FINITE_NUMBER


class LoneSurrogate(Rule[NoOptions]):
    """A string holds a lone UTF-16 surrogate escape such as `\\ud800`.

    Why: a lone surrogate is not a character and cannot be encoded as UTF-8;
    tokenizers replace it, so the model trains on something else. Warning:
    no provider error was ever observed for it.

    Use instead: fix the text that was cut in the middle of a surrogate pair.
    """

    code = "FT009"
    requires = frozenset({"lone-surrogates"})
    name = "lone-surrogate"
    severity = Severity.WARNING
    scope = Scope.LINE
    summary = "String contains a lone surrogate escape"
    fix = "Repair the broken \\uD8xx escape (usually text cut inside an emoji)"

    def check(self, context: LineContext) -> Iterator[Finding]:
        for pointer in context.record.lone_surrogates:
            yield Finding(
                "string contains a lone surrogate escape (\\ud800-\\udfff) that is not a character",
                pointer=pointer,
            )


class DuplicateKey(Rule[NoOptions]):
    """An object has the same key twice.

    Why: JSON parsers keep only the last value, so one of the two is silently
    dropped: usually not what the author meant.

    Example: `{"role": "user", "content": "a", "content": "b"}`
    """

    code = "FT010"
    requires = frozenset({"duplicate-keys"})
    name = "duplicate-key"
    severity = Severity.WARNING
    scope = Scope.LINE
    summary = "Object has a duplicate key"
    fix = "Remove or rename the duplicate key; only the last value is kept"

    def check(self, context: LineContext) -> Iterator[Finding]:
        for key in context.record.duplicate_keys:
            yield Finding(f"key `{key}` appears more than once in an object; only the last value is kept")


class BlankLine(Rule[NoOptions]):
    """A line is empty or only whitespace.

    Why: undocumented by providers; the legacy validator demanded that
    "every line is a JSON dictionary", and blank lines shift example numbers
    in provider error messages. Warning.
    """

    code = "FT011"
    requires = frozenset({"blank"})
    name = "blank-line"
    severity = Severity.WARNING
    scope = Scope.LINE
    summary = "Blank line"
    fix = "Delete the blank line"

    def check(self, context: LineContext) -> Iterator[Finding]:
        if context.record.blank:
            yield Finding("blank line; every line should hold one JSON object")


class MissingFinalNewline(Rule[NoOptions]):
    """The last line does not end with a newline.

    Why: harmless for providers, but tools that append or concatenate files
    then glue two records into one line.
    """

    code = "FT012"
    name = "missing-final-newline"
    severity = Severity.INFO
    scope = Scope.FILE
    summary = "No newline at end of file"
    fix = "End the file with a newline"

    def check(self, context: FileContext) -> Iterator[Finding]:
        facts = context.facts
        if facts.lines and not facts.final_newline and facts.encoding == "utf-8" and not facts.read_error:
            yield Finding("no newline at end of file", line=facts.lines)


class CrlfLineEndings(Rule[NoOptions]):
    """Lines end with CRLF (Windows) instead of LF.

    Why: accepted by JSON parsers (`\\r` is whitespace), but it doubles line
    endings in diffs and some tools keep the `\\r` in the last value. Info.
    """

    code = "FT013"
    name = "crlf-line-endings"
    severity = Severity.INFO
    scope = Scope.FILE
    summary = "CRLF line endings"
    fix = "Convert line endings to LF (e.g. `dos2unix`)"

    def check(self, context: FileContext) -> Iterator[Finding]:
        facts = context.facts
        if facts.crlf_lines:
            yield Finding(
                f"{facts.crlf_lines:,} line(s) end with CRLF; use LF line endings",
                line=facts.first_crlf_line,
            )


class EmptyFile(Rule[NoOptions]):
    """The file has no content (no bytes, or only blank lines).

    Why: an empty upload fails; usually a path or export mistake.
    """

    code = "FT014"
    name = "empty-file"
    severity = Severity.ERROR
    scope = Scope.FILE
    summary = "File is empty"
    fix = "Check the path and the export that produced the file"

    def check(self, context: FileContext) -> Iterator[Finding]:
        facts = context.facts
        if facts.read_error:
            return  # FT016: the file could not be read, so it is not known to be empty
        if facts.encoding == "utf-8" and facts.document is None and facts.lines == facts.blank_lines:
            what = "is empty" if facts.lines == 0 else f"has only {facts.lines} blank line(s)"
            yield Finding(f"file {what}; it holds no examples", line=1)


class LineTooLong(ParseProblemRule):
    """A line is longer than the `max-line-bytes` cap (default 64 MiB).

    Why: ftlint streams in bounded memory and never loads such a line; a
    single example that large is almost certainly a mistake (a base64 blob,
    a whole corpus on one line).
    """

    code = "FT015"
    name = "line-too-long"
    severity = Severity.ERROR
    summary = "Line is over the size cap"
    fix = "Split or shorten the record, or raise `max-line-bytes` in config"
    problem = Problem.LINE_TOO_LONG


class BrokenInput(Rule[NoOptions]):
    """The file could not be read to its end: a truncated or corrupt archive, or an I/O error.

    Why: the lines after the break were never seen, so nothing about them (or
    the totals) can be trusted; the upload would be missing them too.

    Example: `train.jsonl.gz` cut short by an interrupted download
    Use instead: the complete archive (`gzip -t train.jsonl.gz` succeeds)
    """

    code = "FT016"
    name = "broken-input"
    severity = Severity.ERROR
    scope = Scope.FILE
    summary = "File could not be read to its end"
    fix = "Re-create or re-download the file (for an archive, test it with gzip -t, bzip2 -t or xz -t)"

    def check(self, context: FileContext) -> Iterator[Finding]:
        facts = context.facts
        if facts.read_error:
            yield Finding(f"reading stopped after line {facts.lines:,}: {facts.read_error}; the rest of the file "
                          "was not checked", line=max(facts.lines, 1))


class UnexpectedExtension(Rule[NoOptions]):
    """The file name does not end in `.jsonl` (after `.gz`, `.bz2` or `.xz`, which ftlint reads).

    Why: the upload is rejected: "Invalid file format for Fine-Tuning API. Must
    be .jsonl". ftlint checks the content anyway. Warning. Only regular files
    are judged: standard input, pipes (`<(zcat ...)`) and records handed to the
    API have no upload name.

    Example: `train.json`, `train.txt`
    Use instead: `train.jsonl`
    """

    code = "FT017"
    name = "unexpected-extension"
    severity = Severity.WARNING
    scope = Scope.FILE
    summary = "File name does not end in .jsonl"
    fix = "Rename the file to *.jsonl"

    def check(self, context: FileContext) -> Iterator[Finding]:
        name = context.path.lower()
        for suffix in (".gz", ".bz2", ".xz"):
            name = name.removesuffix(suffix)
        if context.regular_file and not name.endswith(".jsonl"):
            yield Finding(f"{context.run.target.name} accepts only .jsonl files (\"Invalid file format for "
                          "Fine-Tuning API. Must be .jsonl\"); rename the file", line=1)


RULES = [
    InvalidJson, NonObjectLine, MultiLineJson, InvalidUtf8, NonUtf8Encoding, Utf8Bom, NulByte,
    NonFiniteNumber, LoneSurrogate, DuplicateKey, BlankLine, MissingFinalNewline, CrlfLineEndings,
    EmptyFile, LineTooLong, BrokenInput, UnexpectedExtension,
]
