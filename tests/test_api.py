"""The public Python API: lint_file and lint_records."""

from __future__ import annotations

from pathlib import Path

import pytest

import ftlint
from conftest import FIXTURES, assistant, chat, conversation, user


def test_public_names() -> None:
    for name in ftlint.__all__:
        assert getattr(ftlint, name) is not None


def test_lint_file_returns_violations_and_report() -> None:
    result = ftlint.lint_file(FIXTURES / "bad" / "role-order.jsonl")
    assert [v.code for v in result.violations][:2] == ["FT201", "FT202"]
    assert all(isinstance(v, ftlint.Violation) for v in result.violations)
    assert result.violations[0].severity is ftlint.Severity.ERROR
    assert result.report.totals.examples == 10


def test_lint_file_with_settings_and_config(tmp_path: Path) -> None:
    config = tmp_path / "ftlint.toml"
    config.write_text('provider = "openai"\nmodel = "gpt-4.1-mini-2025-04-14"\nignore = ["FT501"]\n',
                      encoding="utf-8")
    path = tmp_path / "train.jsonl"
    path.write_text('{"messages": [{"role": "user", "content": "hi"}]}\n', encoding="utf-8")
    result = ftlint.lint_file(path, config=config)
    assert result.report.model.id == "gpt-4.1-mini-2025-04-14"
    assert [v.code for v in result.violations] == ["FT201"]
    assert ftlint.lint_file(path, config=config, select=["FT5"]).violations[0].code == "FT501"


def test_lint_records_accepts_dicts_strings_and_bytes() -> None:
    result = ftlint.lint_records([chat(), '{"messages": [}', b'{"messages": "x"}',
                                  conversation(user(), assistant(weight=3))], ignore=["FT501"])
    assert [(v.code, v.line) for v in result.violations] == [("FT001", 2), ("FT103", 3), ("FT106", 4)]
    assert result.report.totals.examples == 4 and result.report.totals.valid == 1


def test_lint_records_streams_lazily() -> None:
    produced = []

    def records():
        for index in range(1000):
            produced.append(index)
            yield chat(f"question {index}")

    result = ftlint.lint_records(records(), tokens=False)
    assert result.report.totals.examples == 1000 and len(produced) == 1000


def test_map_merge_over_partitions_equals_one_pass() -> None:
    """The data-lake recipe: lint partitions anywhere (map), merge them in line order (reduce)."""
    import pickle

    lines = (FIXTURES / "bad" / "role-order.jsonl").read_text(encoding="utf-8").splitlines()
    lines += (FIXTURES / "bad" / "schema-errors.jsonl").read_text(encoding="utf-8").splitlines()
    lines.insert(7, "")
    whole = ftlint.lint_records(lines)
    partitions = [lines[0:6], lines[6:13], lines[13:]]
    parts = []
    first_line = 1
    for index, partition in enumerate(partitions):
        fmt = None if index == 0 else "chat"
        part = ftlint.lint_partition(partition, first_line=first_line, file_format=fmt)
        parts.append(pickle.loads(pickle.dumps(part)))  # what a cluster would ship back
        first_line += len(partition)
    merged = ftlint.merge_partitions(parts)
    assert merged.violations == whole.violations
    assert merged.report.totals == whole.report.totals
    assert merged.report.facts == whole.report.facts


def test_a_validation_file_linted_alone_is_told_its_model_takes_no_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FTLINT_TODAY", "2026-12-01")
    records = [chat(f"q{n}", f"a{n}") for n in range(3)]
    alone = ftlint.lint_records(records, validation=True, provider="openai", model="gpt-4.1-nano", select=["FT82"])
    assert [v.code for v in alone.violations] == ["FT820"]
