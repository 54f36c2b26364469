"""Coverage-guided fuzzing of the reader, schema and rule layers, and of `ftlint fix`.

    pip install atheris          # not a dependency of ftlint; Linux wheels exist for 3.11
    mkdir /tmp/seeds && cp fixtures/*/*.jsonl /tmp/seeds
    python scripts/fuzz.py -max_total_time=600 -max_len=4096 /tmp/seeds

Any exception that escapes (including a tokenizer panic) is a crash and stops the run with the input
saved as crash-*; so is a broken invariant: findings that differ between two runs of the same bytes,
or a `fix` (safe or unsafe) that loses a line or rewrites one into invalid UTF-8 or JSON.
Other arguments are libFuzzer's (-max_total_time, -jobs, -runs...). The folders seed the corpus, and
libFuzzer adds new inputs to the first one: give it a scratch copy, not fixtures/.
"""

from __future__ import annotations

import io
import json
import sys

import atheris

with atheris.instrument_imports():
    from ftlint.api import _engine
    from ftlint.fix import FixReport, fix_document, fix_stream

ENGINE = _engine({}, None)  # built once: rule discovery and settings are not what is being fuzzed


def _findings(data: bytes) -> list[tuple[str, int, int, str]]:
    run = ENGINE.lint(io.BytesIO(data), "<fuzz>", None)
    return [(v.code, v.line, v.column, v.message) for v in run]


def test_one_input(data: bytes) -> None:
    first = _findings(data)
    if first != _findings(data):
        raise AssertionError("findings differ between two runs of the same input")
    for unsafe in (False, True):
        report = FixReport()
        outputs = list(fix_stream(io.BytesIO(data), unsafe=unsafe, report=report))
        if report.document:
            outputs = list(fix_document(io.BytesIO(data), report))
        elif report.kept + report.rejected + report.blank != report.lines:
            raise AssertionError(f"fix lost a line: {report.summary()}")
        if len({o.line for o in outputs}) != len(outputs):
            raise AssertionError("fix wrote a line twice")
        for output in outputs:
            if not output.rejected and output.data != output.original:
                json.loads(output.data.decode("utf-8"))  # a rewritten line is valid UTF-8 and JSON


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
