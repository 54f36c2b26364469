"""Coverage-guided fuzzing of the reader, schema and rule layers, and of `ftlint fix`.

    pip install atheris                      # not a dependency of ftlint; Linux wheels exist for 3.11
    python scripts/fuzz.py -max_total_time=600 fixtures/clean fixtures/bad

Any exception that escapes (including a tokenizer panic) is a crash and stops the run with the input
saved as crash-*; so is a broken invariant: findings that differ between two runs of the same bytes,
or a `fix` that loses a line. Extra arguments are libFuzzer's (-max_total_time, -jobs, -runs...).
The positional folders seed the corpus; libFuzzer writes new interesting inputs into the first one, so
pass a scratch copy when you do not want fixtures/ to grow.
"""

from __future__ import annotations

import io
import sys

import atheris

with atheris.instrument_imports():
    from ftlint.api import _engine
    from ftlint.fix import FixReport, fix_stream

ENGINE = _engine({}, None)  # built once: rule discovery and settings are not what is being fuzzed


def _findings(data: bytes) -> list[tuple[str, int, int, str]]:
    run = ENGINE.lint(io.BytesIO(data), "<fuzz>", None)
    return [(v.code, v.line, v.column, v.message) for v in run]


def test_one_input(data: bytes) -> None:
    first = _findings(data)
    if first != _findings(data):
        raise AssertionError("findings differ between two runs of the same input")
    report = FixReport()
    outputs = list(fix_stream(io.BytesIO(data), report=report))
    if not report.document and report.kept + report.rejected + report.blank != report.lines:
        raise AssertionError(f"fix lost a line: {report.summary()}")
    if len({o.line for o in outputs}) != len(outputs):
        raise AssertionError("fix wrote a line twice")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
