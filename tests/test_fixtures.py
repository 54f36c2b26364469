"""Every file in fixtures/ yields exactly the findings fixtures/expected.json lists."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from conftest import FIXTURES
from ftlint import lint_file
from ftlint.config import ConfigResolver

EXPECTED: dict[str, list[str]] = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))


def test_expectations_cover_every_fixture() -> None:
    on_disk = {p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*.jsonl")}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_findings(name: str) -> None:
    # Each fixture folder names its target in its own ftlint.toml (fixtures/targets/NAME, the layouts'
    # folders, and OpenAI's for clean/ and bad/), so `ftlint check fixtures/` shows each one's verdict.
    path = FIXTURES / name
    found = ConfigResolver(None, {}).for_path(path)
    assert found.path is not None and found.path.is_relative_to(FIXTURES), name
    result = lint_file(path, config=found.path)
    got = Counter(f"{v.code}:{v.line}" for v in result.violations)
    assert got == Counter(EXPECTED[name])


def test_clean_fixtures_have_tokens_and_cost() -> None:
    result = lint_file(FIXTURES / "clean" / "support-chat.jsonl", provider="openai")
    report = result.report
    assert report.kind == "training" and report.format == "chat"
    assert report.totals.examples == report.totals.valid == 15
    assert report.totals.tokens > 0 and report.totals.billed == report.totals.tokens
    assert report.epochs == 6  # 15 examples x 3 < 100, so OpenAI raises epochs to 100 // 15
    assert report.cost_usd == pytest.approx(report.totals.billed * 6 * 3.0 / 1e6)
