"""Hostile inputs through the real CLI: each is a clear finding and exit 1, never a traceback or exit 2.

Only what is not data (a missing path, a symlink loop, an empty directory, a file that vanishes before
it is opened) is a usage error: exit 2 with a message that names the path.
"""

from __future__ import annotations

import errno
import io
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ftlint.cli
import ftlint.discovery
import ftlint.inputs
import ftlint.parallel
import ftlint.ranges
import ftlint.workers
from conftest import run_cli
from ftlint import lint_records

GOOD = b'{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}'
DEEP = b"[" * 100_000 + b"]" * 100_000


def _image_record(url: str) -> bytes:
    part = {"type": "image_url", "image_url": {"url": url}}
    record = {"messages": [{"role": "user", "content": [part]}, {"role": "assistant", "content": "yo"}]}
    return json.dumps(record).encode() + b"\n"


def _nested_schema(depth: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array"}
    for _ in range(depth):
        schema = {"items": schema}
    return schema


def _tool_record(parameters: Any, arguments: str) -> bytes:
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": arguments}}
    record = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "tool_calls": [call]},
                           {"role": "tool", "tool_call_id": "c1", "content": "ok"},
                           {"role": "assistant", "content": "done"}],
              "tools": [{"type": "function", "function": {"name": "f", "parameters": parameters}}]}
    return json.dumps(record).encode() + b"\n"

CATALOGUE: dict[str, tuple[bytes, str]] = {
    "invalid UTF-8 at the start": (b"\xff" + GOOD + b"\n", "FT004"),
    "invalid UTF-8 in the middle": (GOOD[:30] + b"\xc3\x28" + GOOD[30:] + b"\n", "FT004"),
    "invalid UTF-8 at the end": (GOOD + b"\xe2\x82\n", "FT004"),
    "UTF-16 LE with BOM": ("\ufeff".encode("utf-16-le") + (GOOD.decode() + "\n").encode("utf-16-le"), "FT005"),
    "UTF-16 BE with BOM": ("\ufeff".encode("utf-16-be") + (GOOD.decode() + "\n").encode("utf-16-be"), "FT005"),
    "NUL byte": (GOOD[:20] + b"\x00" + GOOD[20:] + b"\n", "FT007"),
    "100,000 nested arrays": (DEEP + b"\n", "FT001"),
    "100,000 nested arrays in a record": (b'{"messages": ' + DEEP + b"}\n", "FT001"),
    "NaN": (b'{"messages": [], "x": NaN}\n', "FT008"),
    "Infinity": (b'{"x": Infinity}\n', "FT008"),
    "-Infinity": (b'{"x": -Infinity}\n', "FT008"),
    "1e999999": (b'{"messages": [], "x": 1e999999}\n', "FT008"),
    "lone surrogate": (GOOD.replace(b'"hi"', b'"\\ud800"') + b"\n", "FT009"),
    "duplicate keys": (b'{"messages": [{"role": "user", "role": "assistant", "content": "a"}]}\n', "FT010"),
    "truncated final line": (GOOD + b"\n" + GOOD[:40], "FT001"),
    "empty file": (b"", "FT014"),
    "only newlines": (b"\n\n\n", "FT011"),
    "PNG": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "FT004"),
    "ELF": (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4, "FT007"),
    # Python's int-string limit (4,300 digits): json raises a bare ValueError there.
    "integer of 4,301 digits": (GOOD[:-1] + b', "x": ' + b"7" * 4301 + b"}\n", "FT008"),
    "negative integer of 5,000 digits": (b'{"x": [-' + b"9" * 5000 + b"]}\n", "FT008"),
    "huge integer in a pretty-printed file": (b'{\n  "messages": []\n}\n{\n  "x": ' + b"1" * 4400 + b"\n}\n",
                                              "FT003"),
    "truncated GIF data URL": (_image_record("data:image/gif;base64,R0lGODlh"), "FT406"),
    "truncated PNG data URL": (_image_record("data:image/png;base64,iVBORw0KGgoAAAANSUhEUg=="), "FT406"),
    "truncated JPEG data URL": (_image_record("data:image/jpeg;base64,/9j/4AAQ"), "FT406"),
    "truncated WebP data URL": (_image_record("data:image/webp;base64,UklGRgAAAABXRUJQVlA4WA=="), "FT406"),
    "tool arguments nested 990 levels": (_tool_record({"type": "object"}, '{"a": ' + "[" * 990 + "]" * 990 + "}"),
                                         "FT605"),
    "a record nested 800 levels": (_tool_record(_nested_schema(780), "{}"), "FT602"),
    "unresolvable $ref in tool parameters": (_tool_record({"$ref": "#/$defs/missing"}, "{}"), "FT602"),
    "pattern re2 cannot compile": (_tool_record({"properties": {"a": {"pattern": "(?=x)"}}}, "{}"), "FT602"),
}


def _codes(stdout: str) -> set[str]:
    return {v["code"] for f in json.loads(stdout)["files"] for v in f["violations"]}


@pytest.mark.parametrize("case", CATALOGUE)
def test_hostile_bytes_are_findings(tmp_path: Path, case: str) -> None:
    data, expected = CATALOGUE[case]
    path = tmp_path / "hostile.jsonl"
    path.write_bytes(data)
    # OpenAI's verdict, and --strict: a warning is enough for exit 1 (exit 2 would be a crash).
    result = run_cli("check", "--format", "json", "--provider", "openai", "--strict", str(path))
    assert result.exit_code == 1, result.stderr
    assert expected in _codes(result.stdout)


def test_a_huge_integer_is_a_finding_in_parallel_runs_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ftlint.workers, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(ftlint.ranges, "MIN_RANGE_BYTES", 300)
    path = tmp_path / "huge.jsonl"
    path.write_bytes(GOOD + b"\n" + CATALOGUE["integer of 4,301 digits"][0] + GOOD + b"\n")
    one, two = (run_cli("check", "--format", "json", "--jobs", jobs, str(path)) for jobs in ("1", "2"))
    assert one.exit_code == two.exit_code == 1 and one.stdout == two.stdout
    report = json.loads(two.stdout)["files"][0]
    (found,) = [v for v in report["violations"] if v["code"] == "FT008"]
    assert found["line"] == 2 and "integer of 4,301 digits" in found["message"] and "7777" not in found["message"]


def test_fix_sends_a_huge_integer_to_rejects(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    path.write_bytes(GOOD + b"\n" + CATALOGUE["integer of 4,301 digits"][0])
    result = run_cli("fix", str(path), "-o", str(tmp_path / "fixed.jsonl"))
    assert result.exit_code == 1, result.stderr  # something was rejected
    rejects = [json.loads(line) for line in (tmp_path / "fixed.jsonl.rejects.jsonl").read_text().splitlines()]
    assert [(r["line"], r["code"]) for r in rejects] == [(2, "FT008")]
    assert (tmp_path / "fixed.jsonl").read_bytes() == GOOD + b"\n"
    pretty = tmp_path / "pretty.jsonl"
    pretty.write_bytes(CATALOGUE["huge integer in a pretty-printed file"][0])
    result = run_cli("fix", str(pretty), "-o", str(tmp_path / "pretty.fixed.jsonl"))
    assert result.exit_code == 1 and "Traceback" not in result.stderr


def _cpu_seconds(records: list[bytes]) -> float:
    start = time.process_time()
    result = lint_records(records)
    assert result.report.internal_errors == [] and result.violations
    return time.process_time() - start


def _unknown_keys(count: int) -> bytes:
    return GOOD[:-1] + b"".join(b', "key%d": %d' % (n, n) for n in range(count)) + b"}"


def _image_parts(count: int) -> bytes:
    part = b'{"type": "image_url", "image_url": {"url": "http://example.com/x.png"}}'
    return b'{"messages": [{"role": "user", "content": [' + b", ".join([part] * count) + \
        b']}, {"role": "assistant", "content": "yo"}]}'


def _duplicate_keys(count: int) -> bytes:
    return GOOD[:-1] + b', "a": 1' * count + b"}"


@pytest.mark.parametrize(("line", "count"), [(_unknown_keys, 1_000), (_image_parts, 1_000), (_duplicate_keys, 10_000)])
def test_time_is_linear_in_findings_per_line(line: Any, count: int) -> None:
    # Each finding used to re-read its whole line (and hash it): 10,000 unknown keys took 130 s,
    # 4,000 image parts 198 s. Linear: 4x the findings take ~4x the time (quadratic: 16x).
    small, large = _cpu_seconds([line(count)]), _cpu_seconds([line(4 * count)])
    assert large < 8 * max(small, 0.02), f"{small:.2f}s, then {large:.2f}s with 4x the findings"


def test_a_line_within_the_cap_is_parsed_and_counted(tmp_path: Path) -> None:
    content = "word " * 1_000_000  # 5 MB of text in one message
    record = {"messages": [{"role": "user", "content": content}, {"role": "assistant", "content": "ok"}]}
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    result = run_cli("check", "--format", "json", "--select", "FT0,FT301", "--provider", "openai", str(path))
    report = json.loads(result.stdout)["files"][0]
    assert report["tokens"]["total"] > 1_000_000 and "FT301" in _codes(result.stdout)  # too long for the model


def test_a_100_mb_line_beyond_the_cap_is_a_finding_not_a_load(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as out:
        out.write(b'{"messages": [{"role": "user", "content": "')
        for _ in range(100):
            out.write(b"x" * 1_000_000)
        out.write(b'"}]}\n' + GOOD + b"\n")
    result = run_cli("check", "--format", "json", str(path))
    assert result.exit_code == 1 and "FT015" in _codes(result.stdout)
    lines = {v["line"] for f in json.loads(result.stdout)["files"] for v in f["violations"] if v["code"] == "FT015"}
    assert lines == {1}


def test_paths_that_are_not_data_are_usage_errors(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").symlink_to(tmp_path / "b.jsonl")
    (tmp_path / "b.jsonl").symlink_to(tmp_path / "a.jsonl")
    loop = run_cli("check", str(tmp_path / "a.jsonl"))
    assert loop.exit_code == 2 and "looping symbolic link" in loop.stderr
    (tmp_path / "folder.jsonl").mkdir()
    folder = run_cli("check", str(tmp_path / "folder.jsonl"))
    assert folder.exit_code == 2 and "a directory with no *.jsonl" in folder.stderr and "passed" not in folder.stdout
    assert run_cli("check", str(tmp_path / "missing.jsonl")).exit_code == 2


def test_a_file_that_disappears_before_it_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "gone.jsonl"
    path.write_bytes(GOOD + b"\n")
    expand = ftlint.discovery.expand

    def expand_then_delete(*args: Any) -> Iterator[Any]:
        yield from expand(*args)
        path.unlink()

    monkeypatch.setattr(ftlint.discovery, "expand", expand_then_delete)
    result = run_cli("check", str(path))
    assert result.exit_code == 2 and "gone.jsonl" in result.stderr


class _FailingStream(io.BytesIO):
    """Serves the first line, then fails like a disk or network mount that went away."""

    def readline(self, limit: int | None = -1) -> bytes:
        if self.tell() > 0:
            raise OSError(errno.EIO, "Input/output error")
        return super().readline(limit)


def test_a_read_error_mid_file_is_a_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "flaky.jsonl"
    path.write_bytes(GOOD + b"\n" + GOOD + b"\n")

    @contextmanager
    def open_failing(_: Path | None, copies: object) -> Iterator[IO[bytes]]:
        yield _FailingStream(path.read_bytes())

    monkeypatch.setattr(ftlint.inputs, "open_source", open_failing)
    result = run_cli("check", "--format", "json", str(path))
    assert result.exit_code == 1
    broken = [v for f in json.loads(result.stdout)["files"] for v in f["violations"] if v["code"] == "FT016"]
    assert len(broken) == 1 and "Input/output error" in broken[0]["message"] and "after line 1" in broken[0]["message"]


ROLES = st.sampled_from(["system", "user", "assistant", "tool", "developer", "User", "bot", ""])
TEXT = st.one_of(st.text(max_size=40), st.none(), st.integers(), st.lists(st.dictionaries(
    st.sampled_from(["type", "text", "image_url"]), st.text(max_size=10), max_size=3), max_size=2))
MESSAGE = st.fixed_dictionaries({"role": ROLES, "content": TEXT},
                                optional={"weight": st.sampled_from([0, 1, 0.5, "1"]), "name": st.text(max_size=5)})
RECORD = st.one_of(
    st.fixed_dictionaries({"messages": st.lists(MESSAGE, max_size=5)}),
    st.dictionaries(st.text(max_size=8), st.recursive(st.none() | st.booleans() | st.floats() | st.text(max_size=8),
                                                       lambda inner: st.lists(inner, max_size=3), max_leaves=8),
                    max_size=3),
)
LINE = st.one_of(RECORD.map(lambda r: json.dumps(r).encode()),
                 st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")))


@settings(max_examples=200, deadline=None)
@given(st.lists(LINE, max_size=12))
def test_random_lines_never_crash_and_are_deterministic(lines: list[bytes]) -> None:
    first = lint_records(lines)
    again = lint_records(lines)
    assert [(v.code, v.line, v.column, v.message) for v in first.violations] == \
        [(v.code, v.line, v.column, v.message) for v in again.violations]
    assert first.report.internal_errors == []
    assert all(1 <= v.line <= max(len(lines), 1) for v in first.violations)
    if first.report.facts.document is None and first.report.facts.encoding == "utf-8":
        # The reader takes a UTF-8 BOM off the first line (FT006): a line of only a BOM is blank.
        content = [lines[0].removeprefix(b"\xef\xbb\xbf"), *lines[1:]] if lines else []
        assert first.report.totals.examples == sum(1 for line in content if line.strip(b" \t\r"))
