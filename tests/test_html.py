"""The HTML report: self-contained, escaped, with the right counts. See scripts/check-html-report.sh
for the check in a real browser (headless Chromium), which CI machines may not have."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, run_cli

ATTACK = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def render(tmp_path: Path, *paths: str) -> tuple[str, _Collect]:
    out = tmp_path / "report.html"
    result = run_cli("check", *paths, "--format", "html", "-o", str(out))
    assert result.exit_code in (0, 1), result.stderr
    text = out.read_text(encoding="utf-8")
    parser = _Collect()
    parser.feed(text)
    return text, parser


def test_counts_cards_and_rule_links(tmp_path: Path) -> None:
    _text, parser = render(tmp_path, str(FIXTURES / "bad" / "role-order.jsonl"), str(FIXTURES / "clean"))
    rows = [attrs for tag, attrs in parser.tags if tag == "tr" and "data-code" in attrs]
    assert len(rows) == 8 and {r["data-severity"] for r in rows} == {"error", "warning"}
    assert sum(1 for tag, attrs in parser.tags if tag == "article") == 4
    assert sum(1 for tag, _ in parser.tags if tag == "svg") == 4
    links = {attrs["href"] for tag, attrs in parser.tags if tag == "a"}
    anchors = {attrs["id"] for tag, attrs in parser.tags if tag == "details"}
    assert links == {f"#{anchor}" for anchor in anchors} and "#rule-FT201" in links


def test_self_contained(tmp_path: Path) -> None:
    text, parser = render(tmp_path, str(FIXTURES / "clean"))
    for tag, attrs in parser.tags:
        assert not any(key in ("src", "href") and value and not value.startswith("#")
                       for key, value in attrs.items()), (tag, attrs)
    assert "http://" not in text.replace('"http://www.w3.org', "") and "@import" not in text


def test_data_is_escaped(tmp_path: Path) -> None:
    path = tmp_path / "evil.jsonl"
    record = {"messages": [{"role": ATTACK, "content": "hi"}, {"role": "assistant", "content": "ok"}]}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")  # FT105 quotes the role in its message
    text, parser = render(tmp_path, str(path))
    assert ATTACK not in text
    assert len(parser.scripts) == 1 and "alert" not in parser.scripts[0]
    assert not any(tag == "img" for tag, _ in parser.tags)
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in text


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (see scripts/check-html-report.sh)")
def test_renders_in_headless_chromium(tmp_path: Path) -> None:
    script = ROOT / "scripts" / "check-html-report.sh"
    env = {**os.environ, "PYTHON": sys.executable}
    result = subprocess.run(["bash", str(script), str(tmp_path)], capture_output=True, text=True, timeout=180,
                            env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"rows shown: 8\b", result.stdout) and "screenshot not blank" in result.stdout
