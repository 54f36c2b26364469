"""Parquet input: rows linted like JSONL lines (row numbers, column paths), split by row groups with the
same output for any --jobs, bounded memory, and a clear message when pyarrow is missing."""

from __future__ import annotations

import itertools
import json
import random
import string
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import chat, peak_run, run_cli
from ftlint import lint_file, lint_partition, merge_partitions

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def write_parquet(path: Path, rows: list[dict[str, Any]], group: int) -> Path:
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=group)
    return path


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def defective(count: int) -> list[dict[str, Any]]:
    """Clean chats with a defect every few rows, in struct shapes Parquet can hold."""
    rows: list[dict[str, Any]] = []
    for n in range(count):
        row = chat(f"Question {n}: what is {n} + {n}?", f"{2 * n}.")
        if n % 7 == 3:
            row["messages"][1]["weight"] = 2  # FT106
        if n % 11 == 5:
            row["messages"][0]["role"] = "User"  # FT105
        if n % 13 == 8:
            row["messages"][0]["content"] = "my key is sk-proj-" + "A1b2C3d4" * 6  # a secret
        rows.append(row)
    rows.append(rows[0])  # FT505
    return rows


def shown(result: Any) -> list[tuple[str, int, str, str]]:
    return [(v.code, v.line, v.pointer, v.message) for v in result.violations if v.code != "FT017"]


def test_rows_are_linted_like_the_lines_of_the_same_jsonl(tmp_path: Path) -> None:
    rows = defective(60)
    as_jsonl = lint_file(write_jsonl(tmp_path / "data.jsonl", rows))
    as_parquet = lint_file(write_parquet(tmp_path / "data.parquet", rows, group=8))
    assert shown(as_parquet) == shown(as_jsonl)
    assert {code for code, *_ in shown(as_parquet)} >= {"FT105", "FT106", "FT505"}
    # Rows are numbered from 1 across row groups; the pointer is the column path.
    assert ("FT106", 4, "/messages/1/weight") in [(c, line, p) for c, line, p, _ in shown(as_parquet)]
    jsonl, parquet = as_jsonl.report.totals, as_parquet.report.totals
    assert (parquet.examples, parquet.valid, parquet.tokens, parquet.billed) == (
        jsonl.examples, jsonl.valid, jsonl.tokens, jsonl.billed)
    assert as_parquet.report.facts.size == (tmp_path / "data.parquet").stat().st_size


def test_a_null_field_is_an_absent_key(tmp_path: Path) -> None:
    # One struct column holds every message shape: a user message has tool_call_id: null in Parquet.
    rows = [{"messages": [{"role": "user", "content": "Has 51977 shipped?"},
                          {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": {
                              "name": "status", "arguments": "{\"id\": \"51977\"}"}}]},
                          {"role": "tool", "tool_call_id": "c1", "content": "shipped"},
                          {"role": "assistant", "content": "Yes, it shipped."}]}]
    rows += [chat(f"q{n}", "a") for n in range(9)]
    result = lint_file(write_parquet(tmp_path / "tools.parquet", rows, group=4))
    assert shown(result) == []


def test_jobs_split_by_row_groups_with_identical_output(tmp_path: Path) -> None:
    rows = defective(24_000)
    path = write_parquet(tmp_path / "big.parquet", rows, group=1_000)
    one = run_cli("check", str(path), "-f", "json", "--jobs", "1")
    two = run_cli("check", str(path), "-f", "json", "--jobs", "2")
    assert one.exit_code == two.exit_code == 1
    assert two.stdout == one.stdout
    report = json.loads(one.stdout)["files"][0]
    assert report["examples"] == len(rows) and report["format"] == "chat"


def test_a_parquet_dataset_split_in_files_merges_to_one_pass(tmp_path: Path) -> None:
    from ftlint.parquet import rows as parquet_rows

    rows = defective(90)
    bounds = [0, 30, 60, len(rows)]
    parts = [write_parquet(tmp_path / f"part-{n}.parquet", rows[a:b], group=7)
             for n, (a, b) in enumerate(itertools.pairwise(bounds))]
    whole = lint_file(write_jsonl(tmp_path / "all.jsonl", rows))
    mapped = [lint_partition(parquet_rows(part), first_line=1 + bounds[n], file_format="chat" if n else None)
              for n, part in enumerate(parts)]
    merged = merge_partitions(mapped)
    assert shown(merged) == shown(whole)
    assert merged.report.totals.tokens == whole.report.totals.tokens


def test_a_file_that_is_not_parquet_is_reported_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1" + b"\x00garbage" * 100)
    result = run_cli("check", str(path), "-f", "concise")
    assert result.exit_code == 1
    assert "FT016 [error] reading stopped after line 0: not a readable Parquet file" in result.stdout


def test_without_pyarrow_the_message_says_how_to_install_it(tmp_path: Path) -> None:
    path = write_parquet(tmp_path / "data.parquet", [chat()], group=1)
    # As on a machine without the optional dependency: `import pyarrow` fails.
    program = "import sys; sys.modules['pyarrow'] = None; from ftlint.cli import main; main()"
    done = subprocess.run([sys.executable, "-c", program, "check", str(path)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 2
    assert "pip install 'ftlint[parquet]'" in done.stderr


def _peak_rss(path: Path) -> int:
    """Peak RSS (bytes) of a CLI run on ``path``: the whole process, measured by the kernel."""
    code, peak_bytes, errors = peak_run([sys.executable, "-m", "ftlint", "check", str(path), "--no-tokens",
                                         "--jobs", "1"])
    assert code == 0, errors
    return peak_bytes


def _rows(count: int) -> list[dict[str, Any]]:
    # Text that does not compress away (Parquet pages are compressed): what a reader holds shows.
    rng = random.Random(7)
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) for _ in range(5_000)]
    return [chat(f"Question {n}: " + " ".join(rng.choices(words, k=150)), f"Answer {n}: " + " ".join(
        rng.choices(words, k=150))) for n in range(count)]


def test_memory_is_flat_in_the_number_of_rows_as_for_jsonl(tmp_path: Path) -> None:
    small, large = _rows(1_000), _rows(10_000)
    parquet_growth = (_peak_rss(write_parquet(tmp_path / "large.parquet", large, group=500))
                      - _peak_rss(write_parquet(tmp_path / "small.parquet", small, group=500)))
    jsonl_growth = (_peak_rss(write_jsonl(tmp_path / "large.jsonl", large))
                    - _peak_rss(write_jsonl(tmp_path / "small.jsonl", small)))
    # Rows are never kept: as for JSONL, only the cross-record rules' digests grow (about 0.8 KB per
    # example). Keeping the rows would cost the data's ~17 MB several times over; one row group at a
    # time costs the same for both files.
    assert parquet_growth < jsonl_growth + 8 * 1024 * 1024, (parquet_growth, jsonl_growth)
