"""The public Python API: lint_file and lint_records."""

from __future__ import annotations

from pathlib import Path

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
    config.write_text('model = "gpt-3.5-turbo-0125"\nignore = ["FT501"]\n', encoding="utf-8")
    path = tmp_path / "train.jsonl"
    path.write_text('{"messages": [{"role": "user", "content": "hi"}]}\n', encoding="utf-8")
    result = ftlint.lint_file(path, config=config)
    assert result.report.model.id == "gpt-3.5-turbo-0125"
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
