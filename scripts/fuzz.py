"""Coverage-guided fuzzing of the whole pipeline: reader, schema and rule layers, every reporter, and `fix`.

    pip install atheris          # not a dependency of ftlint; Linux wheels exist for 3.11
    mkdir /tmp/seeds && cp fixtures/*/*.jsonl /tmp/seeds
    python scripts/fuzz.py -max_total_time=600 /tmp/seeds

Each input is linted under a file name made of its own first bytes (hostile names, too), then
rendered by all ten reporters. A crash is any exception that escapes (a tokenizer panic, a
UnicodeEncodeError in a reporter), and so is a broken promise:
  - findings that differ between two runs of the same bytes, or an internal error (a built-in rule
    that failed: ftlint would exit 2);
  - a report that its parser rejects (JSON and its contract, JSON lines, SARIF, JUnit XML, GitLab
    JSON), that cannot be written as UTF-8, that holds a raw control, bidi or surrogate character,
    that splits a violation over two lines, or in which data became a GitHub workflow command;
  - a `fix` (safe or unsafe) that loses a line or rewrites one into invalid UTF-8 or JSON.
The crash stops the run with the input saved as crash-*. Inputs may be up to 64 KiB unless
-max_len says otherwise (longer than the 4,441 bytes an integer needs to pass Python's digit limit).
Other arguments are libFuzzer's (-max_total_time, -jobs, -runs...). The folders seed the corpus, and
libFuzzer adds new inputs to the first one: give it a scratch copy, not fixtures/.

Without atheris, `python scripts/fuzz.py FILE...` runs the same checks once on each file.

To count crashes over a whole campaign instead of stopping at the first, set FTLINT_FUZZ_CRASHES to
a folder: each distinct crash (by exception type and the place it was raised) is saved there once
as crash-<kind>-<n> and the run goes on; the folder's `summary.txt` lists them with their count.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
import traceback
from collections.abc import Callable
from importlib import resources
from typing import Any
from xml.etree import ElementTree

try:
    import atheris
except ImportError:  # replaying files (and the tests) need no fuzzer
    atheris = None

with atheris.instrument_imports() if atheris is not None else contextlib.nullcontext():
    import jsonschema

    from ftlint.api import _Collect, _engine
    from ftlint.engine import FileJob
    from ftlint.filereport import FileReport
    from ftlint.fix import FixReport, fix_document, fix_stream
    from ftlint.report import FORMATS, Summary, make_reporter
    from ftlint.run import ReportingSink
    from ftlint.violation import Violation

ENGINE = _engine({}, None)  # built once: rule discovery and settings are not what is being fuzzed
REPORTERS = sorted(set(FORMATS) - {"text"})  # "text" is an alias of concise
MAX_LEN = 65_536

CONTRACT = jsonschema.Draft202012Validator(
    json.loads(resources.files("ftlint").joinpath("data/report.schema.json").read_text(encoding="utf-8")))
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
ONE_LINE = {
    "concise": re.compile(r"^.+:\d+:\d+: [A-Z]+\d{3} \[(error|warning|info)\] .+ \([a-z0-9-]+\)$", re.MULTILINE),
    "grouped": re.compile(r"^  \d+:\d+ +[A-Z]+\d{3} \[(error|warning|info)\] .+ \([a-z0-9-]+\)$", re.MULTILINE),
    "full": re.compile(r"^  --> .+:\d+:\d+$", re.MULTILINE),
}
ANNOTATION = re.compile(r"::(error|warning|notice) (file=[^,:]*,line=\d+,col=\d+,title=ftlint \([A-Z]+\d{3}\)|"
                        r"title=ftlint)::")


class BrokenPromise(AssertionError):
    """An output or invariant that ftlint promises and this input broke."""


def _lint(data: bytes, name: str) -> tuple[FileJob, list[Violation], FileReport]:
    job = ENGINE.job(name, None)
    sink = _Collect()
    job.lint(io.BytesIO(data), sink)
    assert sink.report is not None
    return job, sink.violations, sink.report


def _render(name: str, job: FileJob, violations: list[Violation], report: FileReport) -> tuple[str, str, int]:
    """The report in format ``name`` as the run writes it (through its sink: repeats summarised),
    its stderr, and how many violations the reporter was given."""
    out, err = io.StringIO(), io.StringIO()
    reporter = make_reporter(name, out, rules=ENGINE.registry.rules, err=err)
    given = reporter.violation
    listed: list[Violation] = []

    def count(violation: Violation) -> None:
        listed.append(violation)
        given(violation)

    reporter.violation = count  # type: ignore[method-assign]
    summary = Summary()
    sink = ReportingSink(reporter, summary)
    reporter.start()
    sink.file_started(job)
    for violation in violations:
        sink.violation(violation)
    sink.file_finished(report)
    sink.close()
    reporter.finish(summary)
    return out.getvalue(), err.getvalue(), len(listed)


def _json_lines(text: str) -> list[Any]:
    return [json.loads(line) for line in text.splitlines()]


PARSERS: dict[str, Callable[[str, int], bool]] = {
    "json": lambda text, n: (CONTRACT.validate(json.loads(text)) is None
                             and len(json.loads(text)["files"][0]["violations"]) == n),
    "json-lines": lambda text, n: len(_json_lines(text)) == n + 1,
    "sarif": lambda text, n: len(json.loads(text)["runs"][0]["results"]) == n,
    "gitlab": lambda text, n: len(json.loads(text)) == n,
    "junit": lambda text, n: len(ElementTree.fromstring(text).findall(".//failure")) == n,
    "html": lambda text, n: text.count('<tr data-severity="') == n if n <= 5_000 else text.count('<tr ') > 5_000,
}


def check_report(name: str, stdout: str, stderr: str, violations: int) -> None:
    """Raise BrokenPromise when a report is not what format ``name`` promises."""
    for stream, text in (("stdout", stdout), ("stderr", stderr)):
        text.encode("utf-8")  # a lone surrogate raises here, as it would on a real stream
        raw = RAW.search(text)
        if raw is not None:
            raise BrokenPromise(f"{name} {stream}: raw {raw.group()!r}")
    if name in ONE_LINE and len(ONE_LINE[name].findall(stdout)) != violations:
        raise BrokenPromise(f"{name}: {violations} violation(s) but not as many lines")
    if name in PARSERS:
        try:
            complete = PARSERS[name](stdout, violations)
        except (ValueError, KeyError, IndexError, ElementTree.ParseError, jsonschema.ValidationError) as exc:
            raise BrokenPromise(f"{name}: not a valid document: {exc}") from None
        if not complete:
            raise BrokenPromise(f"{name}: the document does not hold every violation")
    if name == "github":
        for line in re.split(r"\r\n|\r|\n", stdout + stderr):
            if "##[" in line or (line.lstrip().startswith("::") and not ANNOTATION.match(line)):
                raise BrokenPromise(f"github: a workflow command from data: {line!r}")


def _check_fix(data: bytes) -> None:
    for unsafe in (False, True):
        report = FixReport()
        outputs = list(fix_stream(io.BytesIO(data), unsafe=unsafe, report=report))
        if report.document:
            outputs = list(fix_document(io.BytesIO(data), report))
        elif report.kept + report.rejected + report.blank != report.lines:
            raise BrokenPromise(f"fix lost a line: {report.summary()}")
        if len({o.line for o in outputs}) != len(outputs):
            raise BrokenPromise("fix wrote a line twice")
        for output in outputs:
            if not output.rejected and output.data != output.original:
                json.loads(output.data.decode("utf-8"))  # a rewritten line is valid UTF-8 and JSON


def test_one_input(data: bytes) -> None:
    # A name of the input's first bytes, as the file system would hand it over (surrogate escapes).
    name = data[:24].split(b"\0")[0].decode("utf-8", "surrogateescape") or "<fuzz>"
    job, violations, report = _lint(data, name)
    _, again, _ = _lint(data, name)
    if [(v.code, v.line, v.column, v.message) for v in violations] != \
            [(v.code, v.line, v.column, v.message) for v in again]:
        raise BrokenPromise("findings differ between two runs of the same input")
    if report.internal_errors:
        raise BrokenPromise(f"internal error: {report.internal_errors[0]}")
    for reporter in REPORTERS:
        stdout, stderr, listed = _render(reporter, job, violations, report)
        check_report(reporter, stdout, stderr, listed)
    _check_fix(data)


class CrashLog:
    """Distinct crashes of a campaign, saved once each (FTLINT_FUZZ_CRASHES)."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.seen: dict[str, int] = {}
        os.makedirs(folder, exist_ok=True)

    def run(self, data: bytes) -> None:
        try:
            test_one_input(data)
        except Exception as exc:  # every escape is a finding of the campaign
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            detail = str(exc).split(":")[0][:60] if isinstance(exc, BrokenPromise) else ""
            key = f"{type(exc).__name__} at {os.path.basename(frame.filename)}:{frame.lineno} {detail}".strip()
            self.seen[key] = self.seen.get(key, 0) + 1
            if self.seen[key] == 1:
                with open(os.path.join(self.folder, f"crash-{len(self.seen)}"), "wb") as handle:
                    handle.write(data)
                print(f"\nCRASH {len(self.seen)}: {key}: {exc!s:.200}", file=sys.stderr)
            with open(os.path.join(self.folder, "summary.txt"), "w", encoding="utf-8") as handle:
                handle.writelines(f"{count}\t{key}\n" for key, count in self.seen.items())


def main() -> None:
    if atheris is None:
        for path in sys.argv[1:]:
            with open(path, "rb") as handle:
                test_one_input(handle.read())
        print(f"{len(sys.argv) - 1} input(s): no crash")
        return
    argv = sys.argv if any(arg.startswith("-max_len=") for arg in sys.argv) else [*sys.argv, f"-max_len={MAX_LEN}"]
    crashes = os.environ.get("FTLINT_FUZZ_CRASHES")
    atheris.Setup(argv, CrashLog(crashes).run if crashes else test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
