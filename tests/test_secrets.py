"""Secrets and personal data: what is found, what is not, that values never leak, and linear time."""

from __future__ import annotations

import json
import time

import pytest

from conftest import chat, run_cli
from ftlint import lint_records
from ftlint.registry import discover
from ftlint.rules.secrets import Scanner

SAMPLES = {
    "FT701": ["my key is sk-proj-abcDEF1234567890abcdef1234", "AKIAIOSFODNN7EXAMPLE",
              "ghp_R8x2kQ9mZ4vN7pL1wT6yH3jB5cF0dS8gA2eU", "xoxb-1234567890-abcdefghij", "AIza" + "B" * 35,
              'api_key = "Zx8vQ2mL9pR4tY7wK1sD"', "sk-proj-Ab3dEfGh1jKlMn0pQrStUvWx", "token=a8F3kL9q2ZxV7mN4pR1t",
              "export OPENAI_API_KEY=sk-svcacct-T3BlbkFJ9xQ2mV8rL4nK7pZ1wY6u"],
    "FT702": ["-----BEGIN RSA PRIVATE KEY-----\nMIIEow..."],
    "FT703": ["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"],
    "FT704": ["write to jane.doe@corp-mail.co.uk today"],
    "FT705": ["call +44 20 7946 0958", "call (555) 010-4477 now"],
    "FT706": ["card 4111 1111 1111 1111 expires"],
    "FT707": ["IBAN DE89 3704 0044 0532 0130 00"],
}
CLEAN = ["the answer is 42", "sk-ill issue", "AKIA is a prefix", "room 101, 2024-05-06", "x@y", "4111 1111 1111 1112",
         "DE89 3704 0044 0532 0130 01", "12 + 30 = 42", 'password = "short"', 'token = "aaaaaaaaaaaaaaaaaaaa"']
# Placeholders from tutorials and templates (issue 16): words, your_..., xxx, <...>, ...
PLACEHOLDERS = ["max_tokens=your_desired_token_limit", "OPENAI_API_KEY=sk-your-api-key-goes-here",
                'api_key = "YOUR_OPENAI_API_KEY_HERE"', "sk-proj-xxxxxxxxxxxxxxxxxxxxxxxx", "AKIAXXXXXXXXXXXXXXXX",
                'secret_key = "<paste-your-secret-key>"', "token: abcd1234...wxyz5678", "ghp_" + "x" * 36,
                'access_token = "MyPersonalAccessToken"', "sk-YourSecretKeyHere1234567"]


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


@pytest.mark.parametrize("text", PLACEHOLDERS)
def test_placeholders_are_not_secrets(text: str) -> None:
    assert lint_records([chat(text)], select=["FT7"]).violations == []


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
    "key-headers": "-----BEGIN PRIVATE KEY-----" * 36_000,
    "key-headers-in-strings": '"-----BEGIN PRIVATE KEY----- \\" x" ' * 25_000,
}


def _cpu_seconds(rule: Scanner, text: str) -> float:
    start = time.process_time()
    for _ in rule.matches(text, text.encode("utf-8", "surrogatepass")):
        pass
    return time.process_time() - start


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_linear_time_on_adversarial_megabytes(name: str) -> None:
    # Linear means a 4x longer input takes ~4x the time; quadratic would take 16x. Both are measured
    # here, in CPU time (a loaded machine slows both alike), never against an absolute bound.
    text = ADVERSARIAL[name]
    quarter = text[: len(text) // 4]
    for rule_class in discover().sorted_rules():
        if not issubclass(rule_class, Scanner):
            continue
        rule = rule_class()
        small, full = _cpu_seconds(rule, quarter), _cpu_seconds(rule, text)
        assert full < 10 * max(small, 0.005), f"{rule_class.code} on {name}: {small:.3f}s, then {full:.3f}s at 4x"


def test_columns_count_characters_not_bytes() -> None:
    # Key-word assignments and long numbers are found in the line's UTF-8; columns are still characters.
    text = 'Übergröße — 日本語: api_key = "Zx8vQ2mL9pR4tY7wK1sD", Tel. +44 20 7946 0958'
    line = json.dumps(chat(text), ensure_ascii=False)
    result = lint_records([chat(text)], select=["FT701", "FT705"])
    assert [(v.code, v.column) for v in result.violations] == [
        ("FT701", line.index("Zx8v") + 1), ("FT705", line.index("+44") + 1)]
