"""`ftlint fix`: nothing is lost, writes are safe, and the fixed file is clean of what was fixed."""

from __future__ import annotations

import base64
import gzip
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CORPUS, FIXTURES, run_cli
from ftlint import lint_file
from ftlint.fix import FixReport, fix_stream

LINES = st.one_of(
    st.builds(lambda n: json.dumps({"messages": [{"role": "user", "content": f"q{n}"}]}).encode(), st.integers(0, 5)),
    st.binary(max_size=30).filter(lambda b: b"\n" not in b),
    st.just(b""), st.just(b"   "), st.just(b"[1, 2]"), st.just(b'{"a": NaN}'), st.just(b"\xff\xfe{}"),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(LINES, max_size=25), st.booleans(), st.booleans())
def test_every_line_is_accounted_for(lines: list[bytes], crlf: bool, unsafe: bool) -> None:
    ending = b"\r\n" if crlf else b"\n"
    data = ending.join(lines) + (ending if lines else b"")
    report = FixReport()
    outputs = list(fix_stream(io.BytesIO(data), unsafe=unsafe, report=report))
    if report.document:
        return  # a multi-line JSON file is rewritten as a whole (tested below)
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
    result = run_cli("fix", str(source), "-o", str(out), *args)
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
    good = b'{"messages": [{"role": "user", "content": "hi"}]}'
    source.write_bytes(good + b"\nnot json\n\xff\xfe bad bytes\n")
    out, stderr = _fix(tmp_path, source, "--rejects", str(tmp_path / "rejects.jsonl"), status=1)
    assert out.read_bytes() == good + b"\n"
    rejects = [json.loads(line) for line in (tmp_path / "rejects.jsonl").read_text().splitlines()]
    assert [r["line"] for r in rejects] == [2, 3]
    assert rejects[0]["original"] == "not json" and "invalid-json" in rejects[0]["reason"]
    assert [r["code"] for r in rejects] == ["FT001", "FT004"]
    assert base64.b64decode(rejects[1]["original_base64"]) == b"\xff\xfe bad bytes"
    assert "3 input lines: 1 kept, 2 rejected" in stderr


def test_never_overwrites_the_input_by_accident(tmp_path: Path) -> None:
    source = tmp_path / "data.jsonl"
    source.write_bytes(b'{"a": 1}\r\n')
    refused = run_cli("fix", str(source), "-o", str(source))
    assert refused.exit_code == 2 and "--in-place" in refused.stderr and source.read_bytes() == b'{"a": 1}\r\n'
    assert run_cli("fix", str(source)).exit_code == 2
    in_place = run_cli("fix", str(source), "--in-place")
    assert in_place.exit_code == 0 and source.read_bytes() == b'{"a": 1}\n'
    assert (tmp_path / "data.jsonl.bak").read_bytes() == b'{"a": 1}\r\n'
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_diff_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "data.jsonl"
    source.write_bytes(b'{"messages": [{"role": "User", "content": " hi "}]}\n')
    result = run_cli("fix", str(source), "--diff", "--unsafe-fixes")
    assert result.exit_code == 0 and '+{"messages": [{"role": "user", "content": "hi"}]}' in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.jsonl"]


def test_clean_run_writes_no_rejects_file(tmp_path: Path) -> None:
    source = tmp_path / "data.jsonl"
    source.write_bytes(b'{"a": 1}\n\n')
    out, stderr = _fix(tmp_path, source)
    assert out.read_bytes() == b'{"a": 1}\n' and "1 blank lines dropped" in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.jsonl", "fixed.jsonl"]


def test_refuses_outputs_it_cannot_write_safely(tmp_path: Path) -> None:
    source = tmp_path / "data.jsonl.gz"
    source.write_bytes(gzip.compress(b'{"a": 1}\r\n'))
    assert run_cli("fix", str(source), "--in-place").exit_code == 2
    assert run_cli("fix", str(source), "-o", str(tmp_path / "out.jsonl.gz")).exit_code == 2
    assert run_cli("fix", str(source), "-o", str(tmp_path / "x.jsonl"), "--rejects", str(source)).exit_code == 2
    assert run_cli("fix", str(source), "-o", str(tmp_path / "out.jsonl")).exit_code == 0
    assert (tmp_path / "out.jsonl").read_bytes() == b'{"a": 1}\n'


def test_unsafe_fixes_send_dropped_examples_to_rejects(tmp_path: Path) -> None:
    source = tmp_path / "data.jsonl"
    example = b'{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}'
    silent = b'{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "b", "weight": 0}]}'
    source.write_bytes(b"\n".join([example, example, silent]) + b"\n")
    safe, _ = _fix(tmp_path, source)
    assert safe.read_bytes() == source.read_bytes()  # without --unsafe-fixes nothing is dropped
    out, _ = _fix(tmp_path, source, "--unsafe-fixes", status=1)
    assert out.read_bytes() == example + b"\n"
    rejects = [json.loads(line) for line in (tmp_path / "fixed.jsonl.rejects.jsonl").read_text().splitlines()]
    assert [(r["line"], r["code"], r["reason"]) for r in rejects] == [
        (2, "FT505", "duplicate of an earlier example"), (3, "FT508", "no trainable assistant message")]


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
    out, stderr = _fix(tmp_path, source, "--unsafe-fixes")
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


def test_a_broken_multi_line_file_goes_to_rejects_line_by_line(tmp_path: Path) -> None:
    source = tmp_path / "pretty.jsonl"
    text = '{\n  "messages": [\n    {"role": "user", "content": "hi"}\n  ]\n}\n{\n  "messages": [\n'
    source.write_text(text, encoding="utf-8")
    out, _ = _fix(tmp_path, source, status=1)
    assert out.read_bytes() == b""
    rejects = [json.loads(line) for line in (tmp_path / "fixed.jsonl.rejects.jsonl").read_text().splitlines()]
    assert [r["original"] for r in rejects] == text.splitlines() and {r["code"] for r in rejects} == {"FT003"}


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.jsonl")) or ["(corpus missing)"])
def test_every_corpus_file_is_clean_of_what_the_fixes_address(tmp_path: Path, name: str) -> None:
    source = CORPUS / name
    if not source.exists():
        pytest.skip("the shared corpus is not checked out next to the repo")
    addressed = {"FT003", "FT006", "FT011", "FT012", "FT013"}
    out = tmp_path / "fixed.jsonl"
    result = run_cli("fix", str(source), "-o", str(out), "--rejects", str(tmp_path / "rejects.jsonl"))
    assert result.exit_code in (0, 1), result.stderr
    rejects = tmp_path / "rejects.jsonl"
    rejected = len(rejects.read_text(encoding="utf-8").splitlines()) if rejects.exists() else 0
    kept = len(out.read_bytes().splitlines())
    assert f"{kept:,} kept, {rejected:,} rejected" in result.stderr
    assert not {v.code for v in lint_file(out).violations} & addressed


def test_every_parse_problem_names_its_rule_in_rejects() -> None:
    from ftlint.fix import _PARSE_CODES
    from ftlint.records import Problem

    assert set(_PARSE_CODES) == set(Problem)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(["messages", "a", "b"]), st.text(max_size=5), min_size=1),
                min_size=1, max_size=5), st.integers(0, 400))
def test_a_multi_line_file_is_rewritten_or_rejected_whole(objects: list[dict[str, str]], cut: int) -> None:
    from ftlint.fix import fix_document

    text = "\n".join(json.dumps(o, indent=2) for o in objects) + "\n"
    data = text.encode()[:cut] if cut < len(text) else text.encode()
    report = FixReport()
    outputs = list(fix_stream(io.BytesIO(data), report=report))
    if not report.document:
        return  # too short to be read as multi-line JSON: the line-by-line test covers it
    assert outputs == []  # a document is not fixed line by line
    outputs = list(fix_document(io.BytesIO(data), report))
    kept = [o for o in outputs if not o.rejected]
    if kept:
        assert not any(o.rejected for o in outputs)
        assert [json.loads(o.data) for o in kept] == [json.loads(o) for o in
                                                       (json.dumps(x) for x in objects)][:len(kept)]
    else:
        physical = data.split(b"\n")
        physical = physical[:-1] if physical[-1] == b"" else physical
        assert [o.original for o in outputs] == physical and report.rejected == len(physical)


@pytest.mark.parametrize(("value", "kept"), [('"\\ud800"', '{"messages": "\\ud800"}'), ("NaN", None),
                                             ("1e999999", None), ('"caf\\u00e9"', '{"messages": "café"}')])
def test_a_rewritten_multi_line_file_is_valid_json_or_rejected(tmp_path: Path, value: str, kept: str | None) -> None:
    source = tmp_path / "pretty.jsonl"
    source.write_text('{\n  "messages": ' + value + "\n}\n", encoding="utf-8")
    out, _ = _fix(tmp_path, source, status=0 if kept else 1)
    assert out.read_text(encoding="utf-8") == (kept + "\n" if kept else "")
    if kept:  # the lone surrogate keeps its escape: the output is valid UTF-8 and JSON
        assert {v.code for v in lint_file(out).violations} & {"FT001", "FT004", "FT008"} == set()


def test_unsafe_rewrite_keeps_a_lone_surrogate_escaped(tmp_path: Path) -> None:
    source = tmp_path / "data.jsonl"
    source.write_bytes(b'{"messages": [{"role": "User", "content": "\\ud800"}]}\n')
    out, _ = _fix(tmp_path, source, "--unsafe-fixes")
    assert out.read_bytes() == b'{"messages": [{"role": "user", "content": "\\ud800"}]}\n'
