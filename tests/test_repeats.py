"""Identical findings are listed a few times per file, then summarised; totals still count each one."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli


def _blank_lines(tmp_path: Path, count: int) -> Path:
    path = tmp_path / "train.jsonl"
    good = json.dumps({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]})
    path.write_text("\n".join([good] * 10) + "\n" * (count + 1), encoding="utf-8")
    return path


def test_identical_findings_past_the_cap_are_one_summary_with_their_count(tmp_path: Path) -> None:
    path = _blank_lines(tmp_path, 500)
    result = run_cli("check", str(path), "--format", "json", "--select", "FT011")
    violations = json.loads(result.stdout)["files"][0]["violations"]
    listed = [v for v in violations if "not listed one by one" not in v["message"]]
    summaries = [v for v in violations if "not listed one by one" in v["message"]]
    assert [v["line"] for v in listed] == list(range(11, 21))
    assert len(summaries) == 1 and summaries[0]["line"] == 21
    assert "490 like this" in summaries[0]["message"] and "lines 21, 22, 23, 24, 25, ..." in summaries[0]["message"]
    summary = json.loads(result.stdout)["summary"]
    assert summary["counts"]["warning"] == 500 and summary["statistics"][0]["count"] == 500


def test_every_format_gets_the_summary_and_the_cap_can_be_lifted(tmp_path: Path) -> None:
    path = _blank_lines(tmp_path, 50)
    for output in ("concise", "github", "json-lines", "sarif", "junit", "gitlab"):
        shown = run_cli("check", str(path), "--format", output, "--select", "FT011").stdout
        assert "40 like this in this file" in shown, output
    everything = run_cli("check", str(path), "--format", "json-lines", "--select", "FT011", "--max-repeats", "0")
    assert len([line for line in everything.stdout.splitlines() if line.startswith('{"path"')]) == 50


def test_info_findings_are_listed_once_per_file(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    lines = [json.dumps({"prompt": f"Question {i}", "completion": f"answer {i}"}) for i in range(30)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("check", str(path), "--format", "json", "--select", "FT806", "--method", "completion")
    violations = json.loads(result.stdout)["files"][0]["violations"]
    assert [v["line"] for v in violations] == [1, 2]
    assert "29 like this in this file" in violations[1]["message"]
