"""`ftlint fix`: nothing is lost, the fixed file is clean of what was fixed, and `fix` agrees with `check`.

Where and how fix writes (atomic writes, links, devices, permissions, signals, full disks) is in
tests/test_atomic.py; the multi-line JSON scanner shared with `check` in tests/test_documents.py.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CORPUS, FIXTURES, OPENAI, assistant, chat, conversation, many, run_cli, user
from ftlint import Scope, lint_file
from ftlint.fix import FixReport, fix_stream
from ftlint.records import Problem
from ftlint.registry import discover

LINES = st.one_of(
    st.builds(lambda n: json.dumps({"messages": [{"role": "user", "content": f"q{n}"}]}).encode(), st.integers(0, 5)),
    st.binary(max_size=30).filter(lambda b: b"\n" not in b),
    st.just(b""), st.just(b"   "), st.just(b"[1, 2]"), st.just(b'{"a": NaN}'), st.just(b"\xff\xfe{}"),
)


def jsonl(records: list[Any]) -> bytes:
    return b"".join(json.dumps(record).encode() + b"\n" for record in records)


def rejects_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def record_level_errors(path: Path) -> list[tuple[str, int]]:
    """(code, line) of every error-severity finding of a line or example rule when `check` lints ``path``."""
    scopes = {code: rule.scope for code, rule in discover().rules.items()}
    return [(v.code, v.line) for v in lint_file(path, provider="openai").violations
            if v.severity.value == "error" and scopes.get(v.code) in (Scope.LINE, Scope.EXAMPLE)]


@settings(max_examples=300, deadline=None)
@given(st.lists(LINES, max_size=25), st.booleans(), st.booleans())
def test_every_line_is_accounted_for(lines: list[bytes], crlf: bool, unsafe: bool) -> None:
    ending = b"\r\n" if crlf else b"\n"
    data = ending.join(lines) + (ending if lines else b"")
    report = FixReport()
    outputs = list(fix_stream(io.BytesIO(data), unsafe=unsafe, report=report))
    if report.document:
        return  # a multi-line JSON file is rewritten as a whole (tests/test_documents.py)
    numbered = [o.line for o in outputs]
    assert numbered == sorted(numbered) and len(set(numbered)) == len(numbered)
    assert report.kept + report.rejected + report.blank == report.lines
    for output in outputs:
        original = data.split(b"\n")[output.line - 1].removesuffix(b"\r")
        if output.line == 1:
            original = original.removeprefix(b"\xef\xbb\xbf")  # only the file's own BOM is taken off
        assert output.original == original or (output.line == 1 and data.startswith(b"\xef\xbb\xbf"))
        if not output.rejected and not unsafe:
            assert output.data == output.original  # kept byte for byte


def _fix(tmp_path: Path, source: Path, *args: str, status: int = 0) -> tuple[Path, str]:
    out = tmp_path / "fixed.jsonl"
    result = run_cli("fix", *OPENAI, str(source), "-o", str(out), *args)
    assert result.exit_code == status, result.stderr
    return out, result.stderr


def test_fixed_files_lint_clean_of_what_was_fixed(tmp_path: Path) -> None:
    addressed = {"FT006", "FT011", "FT012", "FT013", "FT003"}
    for name in ("bom", "blank-lines", "crlf", "missing-final-newline", "pretty-printed.json"):
        out, _ = _fix(tmp_path, FIXTURES / "bad" / f"{name}.jsonl")
        codes = {v.code for v in lint_file(out).violations}
        assert not codes & addressed, (name, codes)
        assert lint_file(out).report.totals.valid == 10


def test_pretty_printed_corpus_file(tmp_path: Path) -> None:
    source = CORPUS / "edersonbadeca-pretty-printed-val.jsonl"
    if not source.exists():
        pytest.skip("the shared corpus is not checked out next to the repo")
    out, stderr = _fix(tmp_path, source)
    assert len(out.read_text(encoding="utf-8").splitlines()) == 25 and "one object per line (25)" in stderr
    assert {v.code for v in lint_file(out).violations} == set()


def test_rejects_keep_the_original_exactly(tmp_path: Path) -> None:
    source = tmp_path / "mixed.jsonl"
    good = jsonl(many(10))
    source.write_bytes(good + b"not json\n\xff\xfe bad bytes\n")
    out, stderr = _fix(tmp_path, source, "--rejects", str(tmp_path / "rejects.jsonl"), status=1)
    assert out.read_bytes() == good
    rejects = rejects_of(tmp_path / "rejects.jsonl")
    assert [r["line"] for r in rejects] == [11, 12]
    assert rejects[0]["original"] == "not json" and "invalid-json" in rejects[0]["reason"]
    assert [r["code"] for r in rejects] == ["FT001", "FT004"]
    assert base64.b64decode(rejects[1]["original_base64"]) == b"\xff\xfe bad bytes"
    assert "12 input lines: 10 kept, 2 rejected" in stderr


def test_every_parse_problem_is_rejected_with_the_code_check_reports(tmp_path: Path) -> None:
    lines = {Problem.INVALID_JSON: b"not json", Problem.NOT_AN_OBJECT: b"[1, 2]",
             Problem.INVALID_UTF8: b'{"a": "\xff"}', Problem.NUL_BYTE: b'{"a": "\x00"}',
             Problem.NON_FINITE_NUMBER: b'{"a": NaN}', Problem.LINE_TOO_LONG: b'{"a": "' + b"x" * 2000 + b'"}'}
    assert set(lines) == set(Problem)
    source = tmp_path / "problems.jsonl"
    source.write_bytes(b"\n".join(lines.values()) + b"\n")
    (tmp_path / "ftlint.toml").write_text("max-line-bytes = 1024\n")
    checked = {v.line: v.code for v in lint_file(source, config=tmp_path / "ftlint.toml").violations
               if v.code < "FT100"}
    _fix(tmp_path, source, status=1)
    rejects = rejects_of(tmp_path / "fixed.jsonl.rejects.jsonl")
    assert {r["line"]: r["code"] for r in rejects} == {line: checked[line] for line in range(1, 7)}


def test_exit_status_says_whether_the_output_passes_check(tmp_path: Path) -> None:
    clean = tmp_path / "clean.jsonl"
    clean.write_bytes(jsonl(many(10)).replace(b"\n", b"\r\n"))
    out, stderr = _fix(tmp_path, clean, status=0)
    assert "still have errors" not in stderr and lint_file(out).violations == []
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(jsonl([*many(10), conversation(user("no answer")), chat(extra_key=1)]))
    _, stderr = _fix(tmp_path, broken, status=1)  # nothing rejected, but check would still fail
    assert "2 kept example(s) still have errors: FT102 unknown-key (1), FT201 no-assistant-message (1)" in stderr
    assert "--drop-invalid" in stderr


def test_diff_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "data.jsonl"
    source.write_bytes(jsonl([conversation(user(" hi ", role="User"), assistant("a")), *many(10)]))
    result = run_cli("fix", *OPENAI, str(source), "--diff", "--unsafe-fixes")
    assert result.exit_code == 0, result.stderr
    assert ('+{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "a"}]}'
            in result.stdout)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.jsonl"]


def test_clean_run_writes_no_rejects_file(tmp_path: Path) -> None:
    source = tmp_path / "data.jsonl"
    source.write_bytes(jsonl(many(10)) + b"\n")
    out, stderr = _fix(tmp_path, source)
    assert out.read_bytes() == jsonl(many(10)) and "1 blank lines dropped" in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.jsonl", "fixed.jsonl"]


def test_refuses_outputs_it_cannot_write_safely(tmp_path: Path) -> None:
    source = tmp_path / "data.jsonl.gz"
    source.write_bytes(gzip.compress(jsonl(many(10)).replace(b"\n", b"\r\n")))
    assert run_cli("fix", *OPENAI, str(source), "--in-place").exit_code == 2
    assert run_cli("fix", *OPENAI, str(source), "-o", str(tmp_path / "out.jsonl.gz")).exit_code == 2
    assert run_cli("fix", str(source), "-o", str(tmp_path / "x.jsonl"), "--rejects", str(source)).exit_code == 2
    assert run_cli("fix", *OPENAI, str(source), "-o", str(tmp_path / "out.jsonl")).exit_code == 0
    assert (tmp_path / "out.jsonl").read_bytes() == jsonl(many(10))


def test_a_gz_that_is_not_gzip_is_one_reject_not_a_crash(tmp_path: Path) -> None:
    source = tmp_path / "data.jsonl.gz"
    source.write_bytes(jsonl(many(3)))
    out, _ = _fix(tmp_path, source, status=1)
    assert out.read_bytes() == b""
    assert [r["code"] for r in rejects_of(tmp_path / "fixed.jsonl.rejects.jsonl")] == ["FT016"]


def test_a_line_over_the_cap_is_kept_whole_in_rejects(tmp_path: Path) -> None:
    long = json.dumps({"messages": [{"role": "user", "content": "é" * 3000 + "end"}]}).encode()
    binary = b'{"a": "' + b"\xff" * 2500 + b'"}'
    source = tmp_path / "data.jsonl"
    source.write_bytes(jsonl(many(10)) + long + b"\r\n" + binary + b"\n" + long)  # the last has no newline
    (tmp_path / "ftlint.toml").write_text("max-line-bytes = 1024\n")
    _fix(tmp_path, source, status=1)
    rejects = rejects_of(tmp_path / "fixed.jsonl.rejects.jsonl")
    assert [(r["line"], r["code"]) for r in rejects] == [(11, "FT015"), (12, "FT015"), (13, "FT015")]
    assert rejects[0]["original"].encode() == long and rejects[2]["original"].encode() == long
    assert base64.b64decode(rejects[1]["original_base64"]) == binary


@pytest.mark.parametrize("size", [5 * 1024 * 1024 + 7])
def test_a_long_line_is_streamed_to_rejects_in_pieces(tmp_path: Path, size: int) -> None:
    """The original is copied in 1 MiB pieces: multi-byte characters and a CRLF split across pieces."""
    text = ("aé€😀" * (size // 10 + 1))[: size // 2]
    long = json.dumps({"x": text}, ensure_ascii=False).encode()
    source = tmp_path / "data.jsonl"
    source.write_bytes(long + b"\r\n" + jsonl(many(10)))
    (tmp_path / "ftlint.toml").write_text("max-line-bytes = 65536\n")
    _fix(tmp_path, source, status=1)
    (reject,) = rejects_of(tmp_path / "fixed.jsonl.rejects.jsonl")
    assert reject["original"].encode() == long


def test_unsafe_fixes_send_dropped_examples_to_rejects(tmp_path: Path) -> None:
    source = tmp_path / "data.jsonl"
    example = jsonl([chat("q", "a")])
    silent = jsonl([conversation(user("q"), assistant("b", weight=0))])
    no_answer = jsonl([conversation(user("only a question"))])
    source.write_bytes(example + example + silent + no_answer + jsonl(many(10)))
    safe, _ = _fix(tmp_path, source, status=1)  # FT201 is an error, left in place without --unsafe-fixes
    assert safe.read_bytes() == source.read_bytes()  # without --unsafe-fixes nothing is dropped
    out, stderr = _fix(tmp_path, source, "--unsafe-fixes", status=1)
    assert out.read_bytes() == example + jsonl(many(10))
    rejects = rejects_of(tmp_path / "fixed.jsonl.rejects.jsonl")
    assert [(r["line"], r["code"]) for r in rejects] == [(2, "FT505"), (3, "FT508"), (4, "FT201")]
    assert rejects[0]["reason"] == "example duplicates line 1"  # input lines, as check numbers them
    assert "drop examples with no assistant message (1)" in stderr


def test_unsafe_fixes_drop_unknown_keys_and_list_them(tmp_path: Path) -> None:
    source = tmp_path / "data.jsonl"
    records = [{**example, "id": index} for index, example in enumerate(many(10))]
    records[3]["messages"][0]["timestamp"] = 17
    records[4]["a/b"] = {"nested": True}
    source.write_bytes(jsonl(records))
    assert {v.code for v in lint_file(source).violations} == {"FT102"}
    out, stderr = _fix(tmp_path, source, "--unsafe-fixes")
    assert [json.loads(line) for line in out.read_text().splitlines()] == many(10)
    assert "unknown keys dropped: /id (10), /messages/*/timestamp (1), /a~1b (1)" in stderr
    assert lint_file(out).violations == []


def _duplicates_by_check_and_fix(tmp_path: Path, first: dict[str, Any], second: dict[str, Any]) -> tuple[bool, bool]:
    source = tmp_path / "pair.jsonl"
    source.write_bytes(jsonl([first, *many(10), second]))
    by_check = any(v.code == "FT505" and v.line == 12 for v in lint_file(source).violations)
    result = run_cli("fix", *OPENAI, str(source), "-o", str(tmp_path / "out.jsonl"), "--unsafe-fixes")
    rejected = [r for r in rejects_of(tmp_path / "out.jsonl.rejects.jsonl") if r["code"] == "FT505"]
    (tmp_path / "out.jsonl.rejects.jsonl").unlink(missing_ok=True)
    assert result.exit_code in (0, 1), result.stderr
    return by_check, [r["line"] for r in rejected] == [12]


PAIRS = {
    "identical": (chat("a", "b"), chat("a", "b"), True),
    "top-level keys in another order": ({"messages": chat()["messages"], "parallel_tool_calls": False},
                                        {"parallel_tool_calls": False, "messages": chat()["messages"]}, True),
    "message keys in another order": (chat("a", "b"), conversation({"content": "a", "role": "user"}, assistant("b")),
                                      True),
    "other answer": (chat("a", "b"), chat("a", "c"), False),
    "other weight": (conversation(user(), assistant(weight=1)), conversation(user(), assistant(weight=0)), False),
}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_check_and_fix_agree_on_duplicates(tmp_path: Path, name: str) -> None:
    first, second, expected = PAIRS[name]
    assert _duplicates_by_check_and_fix(tmp_path, first, second) == (expected, expected)


def test_unsafe_fixes_convert_legacy_function_calling(tmp_path: Path) -> None:
    legacy = {
        "functions": [{"name": "get_time", "parameters": {"type": "object", "properties": {}}}],
        "messages": [
            {"role": "user", "content": "What time is it?"},
            {"role": "assistant", "content": None, "function_call": {"name": "get_time", "arguments": "{}"}},
            {"role": "function", "name": "get_time", "content": "12:00"},
            {"role": "assistant", "content": "It is noon."},
        ],
    }
    orphan = {"messages": [{"role": "user", "content": "q"}, {"role": "function", "name": "f", "content": "1"},
                           {"role": "assistant", "content": "a"}]}
    source = tmp_path / "legacy.jsonl"
    source.write_text(json.dumps(legacy) + "\n" + json.dumps(orphan) + "\n", encoding="utf-8")
    before = {v.code for v in lint_file(source, select=["FT6"]).violations}
    out, stderr = _fix(tmp_path, source, "--unsafe-fixes", status=1)
    converted, untouched = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert converted["tools"] == [{"type": "function", "function": legacy["functions"][0]}]
    call = converted["messages"][1]["tool_calls"][0]
    assert call["function"] == {"name": "get_time", "arguments": "{}"} and call["type"] == "function"
    assert converted["messages"][2] == {"role": "tool", "content": "12:00", "tool_call_id": call["id"]}
    assert untouched == orphan  # a result with no call to answer cannot be converted: left for the lint
    assert "functions to tools (1)" in stderr
    fixed = lint_file(out, select=["FT6"]).violations
    assert "FT609" in before and [v.line for v in fixed if v.code == "FT609"] == [2]
    # The converted record is valid tools style; the file as a whole still mixes styles (the orphan).
    assert [v.code for v in fixed if v.line == 1] == ["FT610"]


def test_drop_invalid_leaves_no_record_level_error(tmp_path: Path) -> None:
    records: list[Any] = [*many(10), conversation(user("no answer")), chat(content_id=3),
                          conversation(user(42), assistant()), chat("same", "x"), chat("same", "x")]
    source = tmp_path / "data.jsonl"
    source.write_bytes(jsonl(records) + b"not json\n")
    assert len(record_level_errors(source)) == 4
    out, stderr = _fix(tmp_path, source, "--drop-invalid", status=1)
    assert record_level_errors(out) == []
    rejects = {r["line"]: r for r in rejects_of(tmp_path / "fixed.jsonl.rejects.jsonl")}
    assert {line: r["code"] for line, r in rejects.items()} == {11: "FT201", 12: "FT102", 13: "FT103", 16: "FT001"}
    assert json.loads(rejects[12]["original"]) == records[11]  # the original, as it was in the input
    assert "drop invalid examples (3)" in stderr and "still have errors" not in stderr
    assert len(out.read_bytes().splitlines()) == 12  # the duplicate is a warning: kept without --unsafe-fixes


def test_drop_invalid_reports_every_finding_of_an_example(tmp_path: Path) -> None:
    source = tmp_path / "data.jsonl"
    source.write_bytes(jsonl([*many(10), conversation(user(42, ts=1))]))
    _fix(tmp_path, source, "--drop-invalid", status=1)
    (reject,) = rejects_of(tmp_path / "fixed.jsonl.rejects.jsonl")
    assert [f["code"] for f in reject["findings"]] == sorted(f["code"] for f in reject["findings"])
    assert {f["code"] for f in reject["findings"]} == {"FT102", "FT103", "FT201"}


@pytest.mark.parametrize("name", sorted(p.name for p in (FIXTURES / "bad").glob("*.jsonl")))
def test_every_bad_fixture_fixed_with_drop_invalid_lints_clean_of_record_errors(tmp_path: Path, name: str) -> None:
    result = run_cli("fix", *OPENAI, str(FIXTURES / "bad" / name), "-o", str(tmp_path / "out.jsonl"), "--unsafe-fixes",
                     "--drop-invalid")
    assert result.exit_code in (0, 1), result.stderr
    assert record_level_errors(tmp_path / "out.jsonl") == []


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.jsonl")) or ["(corpus missing)"])
def test_every_corpus_file_is_clean_of_what_the_fixes_address(tmp_path: Path, name: str) -> None:
    source = CORPUS / name
    if not source.exists():
        pytest.skip("the shared corpus is not checked out next to the repo")
    addressed = {"FT003", "FT006", "FT011", "FT012", "FT013"}
    out = tmp_path / "fixed.jsonl"
    result = run_cli("fix", *OPENAI, str(source), "-o", str(out), "--rejects", str(tmp_path / "rejects.jsonl"))
    assert result.exit_code in (0, 1), result.stderr
    rejected = len(rejects_of(tmp_path / "rejects.jsonl"))
    kept = len(out.read_bytes().splitlines())
    assert f"{kept:,} kept, {rejected:,} rejected" in result.stderr
    assert not {v.code for v in lint_file(out).violations} & addressed
    dropped = run_cli("fix", *OPENAI, str(source), "-o", str(out), "--rejects", str(tmp_path / "rejects.jsonl"),
                      "--unsafe-fixes", "--drop-invalid")
    assert dropped.exit_code in (0, 1), dropped.stderr
    assert record_level_errors(out) == [], dropped.stderr


def test_unsafe_rewrite_keeps_a_lone_surrogate_escaped(tmp_path: Path) -> None:
    source = tmp_path / "data.jsonl"
    record = b'{"messages": [{"role": "User", "content": "\\ud800"}, {"role": "assistant", "content": "a"}]}'
    source.write_bytes(record + b"\n" + jsonl(many(10)))
    out, _ = _fix(tmp_path, source, "--unsafe-fixes", status=0)
    assert out.read_bytes().splitlines()[0] == (b'{"messages": [{"role": "user", "content": "\\ud800"}, '
                                                b'{"role": "assistant", "content": "a"}]}')


def test_output_to_standard_output(tmp_path: Path) -> None:
    source = tmp_path / "data.jsonl"
    source.write_bytes(jsonl(many(10)).replace(b"\n", b"\r\n") + b"oops\n")
    result = run_cli("fix", *OPENAI, str(source), "-o", "-")
    assert result.exit_code == 1 and result.stdout_bytes == jsonl(many(10))
    assert "wrote standard output" in result.stderr
    assert not (tmp_path / "-").exists()
    assert [r["original"] for r in rejects_of(tmp_path / "data.jsonl.rejects.jsonl")] == ["oops"]


def _peak_memory_of_fix(source: Path, out: Path) -> tuple[int, bytes]:
    """Peak resident memory (bytes) of `ftlint fix` run in its own process, and its stderr."""
    import sys

    from conftest import ROOT, peak_run

    code, peak_bytes, stderr = peak_run([sys.executable, "-m", "ftlint", "fix", str(source), "-o", str(out)],
                                        cwd=source.parent)
    assert code == 1, stderr
    assert ROOT.exists()
    return peak_bytes, stderr


def test_a_huge_line_goes_to_rejects_whole_in_bounded_memory(tmp_path: Path) -> None:
    (tmp_path / "ftlint.toml").write_text("max-line-bytes = 1048576\n")
    small, huge = tmp_path / "small.jsonl", tmp_path / "huge.jsonl"
    line = b'{"messages": "' + b"x" * 1_100_000 + b'"}\n'
    small.write_bytes(jsonl(many(10)) + line)
    with huge.open("wb") as handle:
        handle.write(jsonl(many(10)) + b'{"messages": "')
        for _ in range(120):
            handle.write(b"0123456789abcdef" * 65536)  # 120 MiB in one line
        handle.write(b'"}\n')
    baseline, _ = _peak_memory_of_fix(small, tmp_path / "small-out.jsonl")
    peak, _ = _peak_memory_of_fix(huge, tmp_path / "huge-out.jsonl")
    assert peak < baseline + 40 * 1024 * 1024, (baseline, peak)
    reject = (tmp_path / "huge-out.jsonl.rejects.jsonl").read_bytes()
    assert len(reject) > 120 * 1024 * 1024 and reject.endswith(b'abcdef\\"}"}\n')
    assert json.loads(reject)["original"].encode() == huge.read_bytes().splitlines()[-1]


def test_a_plugin_rule_that_fails_is_named_and_does_not_decide_the_exit(tmp_path: Path) -> None:
    (tmp_path / "rules.py").write_text(
        "from ftlint import Rule, Scope, Severity\n"
        "class Broken(Rule):\n"
        "    '''Fails on every example.'''\n"
        "    code, name, severity, scope, summary = 'XY001', 'broken', Severity.ERROR, Scope.EXAMPLE, 'fails'\n"
        "    def check(self, context):\n"
        "        raise RuntimeError('boom')\n"
        "RULES = [Broken]\n")
    (tmp_path / "ftlint.toml").write_text('plugins = ["rules.py"]\n')
    source = tmp_path / "data.jsonl"
    source.write_bytes(jsonl(many(10)))
    out, stderr = _fix(tmp_path, source, status=0)
    assert "warning: rule XY001 failed at line 1: " in stderr and "boom" in stderr
    assert out.read_bytes() == source.read_bytes()


def test_diff_shows_hostile_text_as_escapes(tmp_path: Path) -> None:
    source = tmp_path / "data.jsonl"
    hostile = conversation(user(" \x1b]0;pwned\x07 \u202eevil ", role="User"), assistant("a"))
    source.write_bytes(jsonl([hostile, *many(10)]) + b"\x1b[2J not json\n")
    result = run_cli("fix", *OPENAI, str(source), "--diff", "--unsafe-fixes")
    assert result.exit_code == 1, result.stderr
    for raw in ("\x1b", "\x07", "\u202e"):
        assert raw not in result.stdout and raw not in result.stderr
    assert "\\x1b[2J not json" in result.stdout and "\\u202eevil" in result.stdout


def test_output_to_standard_output_is_exact_inside_github_actions(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    source = tmp_path / "data.jsonl"
    data = jsonl([chat(f"::error::q{n}", f"a{n}") for n in range(10)])
    source.write_bytes(data)
    result = run_cli("fix", *OPENAI, str(source), "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == data  # the data asked for is written as it is; only ftlint's own text is guarded
