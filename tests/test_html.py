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
    result = run_cli("check", *paths, "-o", str(out))  # the format follows from the name
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


def _chat(question: str, answer: str) -> str:
    return json.dumps({"messages": [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]})


def test_errors_and_warnings_are_never_capped_away(tmp_path: Path) -> None:
    # 6,000 info rows first, then 20 errors: the table keeps every error, listed first.
    (tmp_path / "ftlint.toml").write_text('[severity]\nFT102 = "info"\n', encoding="utf-8")
    infos = [json.dumps({**json.loads(_chat(f"q{n}", f"a{n}")), "note": n}) for n in range(6_000)]
    errors = [json.dumps({"messages": [{"role": "user", "content": f"lost {n}"}]}) for n in range(20)]
    (tmp_path / "big.jsonl").write_text("\n".join(infos + errors) + "\n", encoding="utf-8")
    text, parser = render(tmp_path, "big.jsonl", "--no-tokens", "--max-repeats", "0")  # every row, no summaries
    rows = [attrs for tag, attrs in parser.tags if tag == "tr" and "data-code" in attrs]
    severities = [row["data-severity"] for row in rows]
    assert severities.count("error") == 20 and set(severities[:20]) == {"error"}
    assert len(rows) == 5_000 and "every error and warning" in text
    assert '<span class="badge error">20 errors</span>' in text
    counts = dict(re.findall(r'<a href="#rule-(FT\d+)">FT\d+</a></td><td>[a-z-]+</td><td>.*?</td>'
                             r'<td class="count">([\d,]+)</td>', text))
    assert counts["FT102"] == "6,000" and counts["FT201"] == "20"


def test_histogram_shows_examples_over_the_limit_on_a_shared_axis(tmp_path: Path) -> None:
    (tmp_path / "ftlint.toml").write_text(
        'provider = "openai"\n[models."gpt-4o-mini-2024-07-18"]\ntraining_context = 64\n', encoding="utf-8")
    short = [_chat(f"q{n}", f"a{n}") for n in range(200)]
    (tmp_path / "long.jsonl").write_text("\n".join([*short, _chat("word " * 300, "ok")]) + "\n", encoding="utf-8")
    (tmp_path / "short.jsonl").write_text("\n".join(short[:12]) + "\n", encoding="utf-8")
    text, _ = render(tmp_path, "long.jsonl", "short.jsonl")
    svgs = re.findall(r"<svg .*?</svg>", text)
    assert len(svgs) == 2
    over = re.findall(r'<rect [^>]*height="([\d.]+)" fill="#c62828"><title>256-511 tokens: 1 examples', svgs[0])
    assert over and float(over[0]) >= 3  # one example among 200 is still a visible bar, in red
    assert "1 over the limit" in svgs[0]
    # Both cards use the same x-axis: the same bar width and the same right-hand label.
    widths = {re.search(r'<rect [^>]*width="([\d.]+)"', svg).group(1) for svg in svgs}  # type: ignore[union-attr]
    ends = {re.search(r'text-anchor="end">([\d,]+)<', svg).group(1) for svg in svgs}  # type: ignore[union-attr]
    assert len(widths) == 1 and len(ends) == 1

