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
from ftlint import ranges, workers
from ftlint.inputs import SNIFF_BYTES, Joined, open_stream, sniff

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
    monkeypatch.setattr(workers, "MIN_PARALLEL_BYTES", 0)
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


# --- compressed data that its name does not announce (magic bytes) ---------------------------------

def _without_paths(report: dict) -> list[dict]:
    return [{k: v for k, v in f.items() if k != "path"} for f in report["files"]]


@pytest.mark.parametrize("suffix", sorted(OPENERS))
def test_compressed_standard_input_is_decompressed(tmp_path: Path, suffix: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """`ftlint check - < train.jsonl.gz` (or `curl ... | ftlint check -`): standard input has no name to
    say it is compressed; its first bytes do. It used to be linted as binary text (20,000 findings)."""
    plain = tmp_path / "data.jsonl"
    plain.write_bytes(PLAIN)
    _, expected = report(plain)
    packed = OPENERS[suffix](PLAIN)
    results = []
    for jobs in ("1", "3"):
        monkeypatch.setattr(workers, "MIN_PARALLEL_BYTES", 0 if jobs == "3" else workers.MIN_PARALLEL_BYTES)
        monkeypatch.setattr(ranges, "CHUNK_BYTES", 300)
        result = run_cli("check", "-", "--format", "json", "--jobs", jobs, input=packed)
        results.append((result.exit_code, result.stdout))
    assert results[0] == results[1]
    assert _without_paths(json.loads(results[0][1])) == _without_paths(expected)


@pytest.mark.parametrize("suffix", sorted(OPENERS))
def test_a_compressed_pipe_is_decompressed(tmp_path: Path, suffix: str) -> None:
    """`ftlint check <(cat train.jsonl.gz)`: a pipe has no name to say it is compressed either."""
    plain = tmp_path / "data.jsonl"
    plain.write_bytes(PLAIN)
    _, expected = report(plain)
    with fed_fifo(tmp_path / "piped", OPENERS[suffix](PLAIN)) as fifo:
        code, got = report(fifo)
    assert code == 1 and _without_paths(got) == _without_paths(expected)


@pytest.mark.parametrize("suffix", sorted(OPENERS))
def test_compressed_data_under_a_plain_name_is_one_finding(tmp_path: Path, suffix: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """`train.jsonl` holding gzip data would be rejected as it is: one clear finding that says how to have
    it checked (name it train.jsonl.gz), not one per binary line, at any --jobs."""
    lines = "".join(json.dumps(chat(f"question {i}")) + "\n" for i in range(3000)).encode()
    path = tmp_path / "train.jsonl"
    path.write_bytes(OPENERS[suffix](lines))
    monkeypatch.setattr(ranges, "MIN_RANGE_BYTES", 300)
    outputs = set()
    for jobs in ("1", "3"):
        monkeypatch.setattr(workers, "MIN_PARALLEL_BYTES", 0 if jobs == "3" else workers.MIN_PARALLEL_BYTES)
        outputs.add(run_cli("check", str(path), "--format", "json", "--jobs", jobs).stdout)
    assert len(outputs) == 1
    violations = json.loads(outputs.pop())["files"][0]["violations"]
    assert [v["code"] for v in violations] == ["FT016"]
    assert f"name does not end in {suffix}" in violations[0]["message"]
    assert f"train.jsonl{suffix}" in violations[0]["message"]
    renamed = path.rename(tmp_path / f"train.jsonl{suffix}")
    code, got = report(renamed)
    assert code == 0 and got["files"][0]["examples"] == 3000


@pytest.mark.parametrize(("data", "name", "advice"), [
    (b"\x28\xb5\x2f\xfd" + b"\x00" * 40, "data.jsonl", "zstd -d"),
    (b"\x28\xb5\x2f\xfd" + b"\x00" * 40, "data.jsonl.zst", "zstd -d"),
    (b"PK\x03\x04" + b"\x00" * 40, "data.jsonl", "unzip"),
    (b"PK\x03\x04" + b"\x00" * 40, "-", "unzip"),
])
def test_compression_that_ftlint_cannot_read_is_one_finding(tmp_path: Path, data: bytes, name: str,
                                                            advice: str) -> None:
    if name == "-":
        result = run_cli("check", "-", "--format", "json", input=data)
    else:
        (tmp_path / name).write_bytes(data)
        result = run_cli("check", str(tmp_path / name), "--format", "json")
    violations = json.loads(result.stdout)["files"][0]["violations"]
    assert result.exit_code == 1 and [v["code"] for v in violations if v["code"] != "FT017"] == ["FT016"]
    assert advice in violations[0]["message"] and "cannot read" in violations[0]["message"]


def test_text_that_starts_like_a_signature_is_text(tmp_path: Path) -> None:
    """Only a whole signature counts: "BZh9..." of plain text is not bzip2, a lone 0x1f is not gzip."""
    path = tmp_path / "data.jsonl"
    path.write_bytes(b"BZh9 not an archive\n\x1f\n" + PLAIN)
    code, got = report(path)
    codes = [v["code"] for v in got["files"][0]["violations"]]
    assert code == 1 and codes.count("FT001") == 2 and "FT016" not in codes


class _Trickle(io.RawIOBase):
    """A pipe that delivers one byte per read, as a slow writer may."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._data.read(1)
        buffer[: len(data)] = data
        return len(data)


@pytest.mark.parametrize("suffix", sorted(OPENERS))
def test_a_signature_that_arrives_byte_by_byte_is_recognised(suffix: str) -> None:
    stream = open_stream(cast(IO[bytes], io.BufferedReader(_Trickle(OPENERS[suffix](PLAIN)))))
    assert stream.read() == PLAIN
    plain = open_stream(cast(IO[bytes], io.BufferedReader(_Trickle(PLAIN))))
    assert plain.read() == PLAIN


@given(st.binary(max_size=64))
def test_sniffing_gives_back_every_byte(data: bytes) -> None:
    """Whatever the first bytes, the stream read after sniffing is the stream (or its decompression)."""
    for wrap in (io.BytesIO, lambda d: io.BufferedReader(_Trickle(d))):
        stream = open_stream(cast(IO[bytes], wrap(data)))
        if sniff(data[:SNIFF_BYTES]) is None:
            assert stream.read() == data
