"""Inputs: compressed files read as they stream, with decompressed line numbers (broken archives are
findings), and streams read after a look ahead."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
from pathlib import Path
from typing import IO, Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import FIXTURES, chat, fed_fifo, run_cli
from ftlint import parallel, ranges
from ftlint.inputs import Joined

PLAIN = (FIXTURES / "bad" / "role-order.jsonl").read_bytes()
OPENERS = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}


def report(path: Path, *args: str) -> tuple[int, dict]:
    result = run_cli("check", str(path), "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize("suffix", sorted(OPENERS))
def test_compressed_files_lint_like_the_plain_file(tmp_path: Path, suffix: str) -> None:
    plain = tmp_path / "data.jsonl"
    plain.write_bytes(PLAIN)
    packed = tmp_path / f"data.jsonl{suffix}"
    packed.write_bytes(OPENERS[suffix](PLAIN))
    _, expected = report(plain)
    code, got = report(packed)
    assert code == 1
    strip = [{k: v for k, v in f.items() if k != "path"} for f in got["files"]]
    assert strip == [{k: v for k, v in f.items() if k != "path"} for f in expected["files"]]


def test_directories_include_compressed_files(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(PLAIN))
    (tmp_path / "b.txt.gz").write_bytes(gzip.compress(PLAIN))
    _, got = report(tmp_path)
    assert [Path(f["path"]).name for f in got["files"]] == ["a.jsonl.gz"]


def test_truncated_archive_is_a_finding(tmp_path: Path) -> None:
    big = b"".join(json.dumps({"messages": [{"role": "user", "content": f"q{i} " * 50},
                                           {"role": "assistant", "content": "a"}]}).encode() + b"\n"
                   for i in range(2000))
    packed = gzip.compress(big)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(packed[: len(packed) // 2])
    code, got = report(path)
    violations = got["files"][0]["violations"]
    broken = [v for v in violations if v["code"] == "FT016"]
    assert code == 1 and len(broken) == 1 and "reading stopped after line" in broken[0]["message"]
    assert 0 < got["files"][0]["examples"] < 2000


def test_corrupt_archive_is_a_finding(tmp_path: Path) -> None:
    path = tmp_path / "junk.jsonl.xz"
    path.write_bytes(b"\xfd7zXZ\x00" + b"garbage" * 100)
    code, got = report(path)
    assert code == 1 and [v["code"] for v in got["files"][0]["violations"]] == ["FT016"]


def test_compressed_files_same_result_for_any_jobs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(ranges, "MIN_RANGE_BYTES", 64)
    path = tmp_path / "data.jsonl.bz2"
    path.write_bytes(bz2.compress(PLAIN))
    one = run_cli("check", str(path), "--format", "json", "--jobs", "1").stdout
    many = run_cli("check", str(path), "--format", "json", "--jobs", "3").stdout
    assert one == many and '"examples": 10' in one


@pytest.mark.parametrize(("name", "warned"), [("train.json", True), ("train.txt", True), ("train.jsonl", False),
                                              ("train.jsonl.gz", False)])
def test_extension(tmp_path: Path, name: str, warned: bool) -> None:
    path = tmp_path / name
    data = (FIXTURES / "clean" / "support-chat.jsonl").read_bytes()
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    _, got = report(path)
    assert [v["code"] for v in got["files"][0]["violations"]] == (["FT017"] if warned else [])


@given(st.binary(max_size=300).map(lambda b: b.replace(b"\0", b"\n")), st.integers(0, 300),
       st.lists(st.one_of(st.none(), st.integers(-1, 40)), min_size=1, max_size=40))
def test_joined_stream_reads_lines_as_the_stream_itself_would(data: bytes, split: int,
                                                             limits: list[int | None]) -> None:
    """What was read ahead, then the rest (standard input in parallel runs, `fix`, a compressed tail)."""
    joined = Joined(data[:split], io.BytesIO(data[split:]))
    plain = io.BytesIO(data)
    for limit in limits:
        assert joined.readline(limit) == plain.readline(limit)
    while joined.readline(1000):
        pass
    assert joined.head == b""  # released once read through


class _FailsAfter(io.RawIOBase):
    """A stream that gives ``data`` and then fails, as a pipe or terminal may (EIO)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._data.read(min(len(buffer), 1000))
        if not data:
            raise OSError(5, "Input/output error")
        buffer[: len(data)] = data
        return len(data)


def test_a_read_error_while_reading_ahead_is_a_finding_where_reading_stopped() -> None:
    from ftlint import lint_stream

    data = ("\n".join(json.dumps(chat(f"question {i}")) for i in range(30)) + "\n").encode()
    results = []
    for read_ahead in (False, True):  # a single pass on the stream itself, or after reading ahead
        stream = cast(IO[bytes], io.BufferedReader(_FailsAfter(data)))
        if read_ahead:
            stream = cast(IO[bytes], ranges.read_ahead(stream, 10_000_000))
        linted = lint_stream(stream)
        violations = [(v.code, v.line, v.message) for v in linted.violations]
        results.append((violations, linted.report.totals.examples))
    assert results[0] == results[1]
    violations, examples = results[1]
    assert examples == 30 and [(code, line) for code, line, _ in violations if code == "FT016"] == [("FT016", 30)]


def test_a_pipe_has_no_upload_name_to_judge(tmp_path: Path) -> None:
    """`ftlint check <(zcat train.jsonl.gz)` reads /dev/fd/63: FT017 judges only regular files."""
    with fed_fifo(tmp_path / "data.txt", PLAIN) as fifo:
        _, got = report(fifo)
    codes = [v["code"] for v in got["files"][0]["violations"]]
    assert "FT017" not in codes and "FT201" in codes  # read and linted, but no name to judge
    regular = tmp_path / "regular.txt"
    regular.write_bytes(PLAIN)
    assert "FT017" in [v["code"] for v in report(regular)[1]["files"][0]["violations"]]
