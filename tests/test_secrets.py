"""Secrets and personal data: what is found, what is not, that values never leak, and linear time."""

from __future__ import annotations

import json
import re
import time

import pytest

from conftest import chat, run_cli
from ftlint import lint_records
from ftlint.registry import discover
from ftlint.rules.secrets import _Scanner

SAMPLES = {
    "FT701": ["my key is sk-proj-abcDEF1234567890abcdef1234", "AKIAIOSFODNN7EXAMPLE", "ghp_" + "a" * 36,
              "xoxb-1234567890-abcdefghij", "AIza" + "B" * 35, 'api_key = "Zx8vQ2mL9pR4tY7wK1sD"'],
    "FT702": ["-----BEGIN RSA PRIVATE KEY-----\nMIIEow..."],
    "FT703": ["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"],
    "FT704": ["write to jane.doe@corp-mail.co.uk today"],
    "FT705": ["call +44 20 7946 0958", "call (555) 010-4477 now"],
    "FT706": ["card 4111 1111 1111 1111 expires"],
    "FT707": ["IBAN DE89 3704 0044 0532 0130 00"],
}
CLEAN = ["the answer is 42", "sk-ill issue", "AKIA is a prefix", "room 101, 2024-05-06", "x@y", "4111 1111 1111 1112",
         "DE89 3704 0044 0532 0130 01", "12 + 30 = 42", 'password = "short"', 'token = "aaaaaaaaaaaaaaaaaaaa"']


@pytest.mark.parametrize(("code", "text"), [(c, t) for c, texts in SAMPLES.items() for t in texts])
def test_found_and_never_shown(code: str, text: str) -> None:
    result = lint_records([chat(text)], select=[code])
    (violation,) = result.violations
    assert violation.message.startswith("possible ") and "value not shown" in violation.message
    assert violation.snippet == "" and violation.pointer == "/messages/0/content"
    for token in text.split():
        if len(token) > 6:
            assert token not in violation.message


def test_clean_text_is_not_flagged() -> None:
    assert lint_records([chat(text) for text in CLEAN], select=["FT7"]).violations == []


def test_secrets_are_masked_in_every_format(tmp_path: pytest.TempPathFactory) -> None:
    secret = "sk-proj-abcDEF1234567890abcdef1234"
    path = tmp_path / "data.jsonl"  # type: ignore[operator]
    path.write_text(json.dumps(chat(f"use {secret} please")) + "\n", encoding="utf-8")
    for output in ("full", "concise", "json", "sarif", "github", "junit", "gitlab", "json-lines"):
        result = run_cli("check", str(path), "--format", output, "--select", "FT701")
        assert "FT701" in result.stdout and secret not in result.stdout + result.stderr, output


def test_allow_list_and_custom_patterns() -> None:
    records = [chat("mail me at bot@example.com or at ann@corp.io")]
    allowed = lint_records(records, select=["FT704"], rules={"FT704": {"allow": [r".*@example\.com"]}})
    assert len(allowed.violations) == 1
    custom = lint_records([chat("internal id ACME-TOKEN-12345")], select=["FT701"],
                          rules={"FT701": {"patterns": {"Acme token": r"ACME-TOKEN-\d{5}"}}})
    assert [(v.message, v.column) for v in custom.violations] == [("possible Acme token (value not shown)", 56)]


ADVERSARIAL = {
    "sk-run": "sk-" * 350_000,
    "digits": "1" * 1_000_000,
    "dash-digits": "1-" * 500_000,
    "at-signs": ("a" * 60 + "@") * 16_000,
    "letters-dots": "a." * 500_000,
    "eyJ": "eyJ" + "A" * 999_000,
    "plus": "+1 " * 330_000,
    "upper": "AB12" * 250_000,
    "key-assign": "token=" * 160_000,
}


PLAIN_SCAN = re.compile(r"\w+|\W")  # visits every character and yields a match object per token, in C


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_linear_time_on_adversarial_megabytes(name: str) -> None:
    text = ADVERSARIAL[name]
    # The bound is relative to a plain linear scan of the same text, timed in the same run, so a
    # loaded machine slows both alike. The scanners do more per token (at worst ~100x here); quadratic
    # time on a megabyte would be ~100,000x or more.
    start = time.perf_counter()
    for _ in PLAIN_SCAN.finditer(text):
        pass
    plain = max(time.perf_counter() - start, 1e-3)
    for rule_class in discover().sorted_rules():
        if not issubclass(rule_class, _Scanner):
            continue
        rule = rule_class()
        start = time.perf_counter()
        for _ in rule.matches(text, text.encode("utf-8", "surrogatepass")):
            pass
        elapsed = time.perf_counter() - start
        assert elapsed < 1000 * plain, \
            f"{rule_class.code} took {elapsed:.2f}s on {name} ({elapsed / plain:.0f}x a plain scan)"


def test_columns_count_characters_not_bytes() -> None:
    # Key-word assignments and long numbers are found in the line's UTF-8; columns are still characters.
    text = 'Übergröße — 日本語: api_key = "Zx8vQ2mL9pR4tY7wK1sD", Tel. +44 20 7946 0958'
    line = json.dumps(chat(text), ensure_ascii=False)
    result = lint_records([chat(text)], select=["FT701", "FT705"])
    assert [(v.code, v.column) for v in result.violations] == [
        ("FT701", line.index("Zx8v") + 1), ("FT705", line.index("+44") + 1)]
