"""The progress line: silent for short runs, informative for long ones, erased at the end."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ftlint import progress as progress_module
from ftlint.progress import Progress
from ftlint.run import progress_total


def test_progress_line(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([0.0, 0.5, 2.0, 2.1, 4.0])
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: next(clock))
    out = io.StringIO()
    bar = Progress(100_000_000, out)
    bar.advance(10_000_000)  # t=0.5: too early, nothing shown
    assert out.getvalue() == ""
    bar.advance(30_000_000)  # t=2.0: 40 MB in 2 s
    assert out.getvalue() == "\rftlint: 40.0 of 100.0 MB, 20.0 MB/s, about 3 s left  "
    bar.advance(10_000_000)  # t=2.1: throttled
    bar.advance(50_000_000)  # t=4.0
    assert out.getvalue().endswith("100.0 of 100.0 MB, 25.0 MB/s, about 0 s left  ")
    bar.close()
    assert out.getvalue().endswith("\r" + " " * 72 + "\r")


def test_quiet_runs_print_nothing() -> None:
    out = io.StringIO()
    bar = Progress(10, out)
    bar.advance(10)
    bar.close()
    assert out.getvalue() == ""


def test_unknown_size_shows_bytes_and_rate_without_an_eta(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([0.0, 2.0])
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: next(clock))
    out = io.StringIO()
    bar = Progress(None, out)  # standard input, or a compressed file counted in decompressed bytes
    bar.advance(30_000_000)
    assert out.getvalue() == "\rftlint: 30.0 MB, 15.0 MB/s  "


def test_total_is_unknown_for_standard_input_and_compressed_files(tmp_path: Path) -> None:
    plain, packed = tmp_path / "a.jsonl", tmp_path / "b.jsonl.gz"
    plain.write_bytes(b"x" * 100)
    packed.write_bytes(b"x" * 10)
    assert progress_total([plain, plain]) == 200
    assert progress_total([plain, None]) is None
    assert progress_total([plain, packed]) is None
