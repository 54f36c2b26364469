"""Secrets and personal data: what is found, what is not, that values never leak, and linear time."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import chat, run_cli
from ftlint import lint_records
from ftlint.masking import PLACEHOLDER, mask
from ftlint.registry import discover
from ftlint.rules.secrets import JsonWebToken, Scanner

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
    "eyJ-runs": "eyJ" * 333_000,  # a token start every 3 characters, in one run of token characters
    "sk-runs": "sk-" * 333_000,  # a key start every 3 characters, each match bounded, the run not
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


def test_a_json_web_token_with_long_segments_is_found_and_hidden_whole() -> None:
    # Segments were bounded to 4,096 characters (to keep Python's regex from going quadratic): a token
    # with a longer one was not found, so not hidden either.
    token = "eyJhbGciOiJIUzI1NiJ9." + "eyJ" + "x" * 6_000 + "." + "s" * 5_000
    (violation,) = lint_records([chat(f"use {token} now")], select=["FT703"]).violations
    assert violation.column == len('{"messages": [{"role": "user", "content": "use ') + 1
    assert mask(f"use {token} now") == f"use {PLACEHOLDER} now"


@pytest.mark.parametrize(("text", "masked"), [
    ("use sk-proj-" + "Ab3dEfGh1jKl" * 30 + " now", f"use {PLACEHOLDER} now"),
    ('api_key = "' + "Zx8vQ2mL9pR4tY7wK1sD" * 20 + '" ok', f'api_key = "{PLACEHOLDER}" ok'),
])
def test_a_key_longer_than_its_pattern_is_hidden_whole(text: str, masked: str) -> None:
    # The patterns are bounded (200 characters for an OpenAI key) to keep the regex linear; the match
    # runs on to the end of the key, or its tail would be shown.
    (violation,) = lint_records([chat(text)], select=["FT701"]).violations
    assert mask(text) == masked and violation.column > 1


# The regex FT703 used while its segments were bounded: the scan must find what it found, on texts whose
# runs of token characters are shorter than the bound.
_BOUNDED_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{10,4096}\.eyJ[A-Za-z0-9_-]{10,4096}\.[A-Za-z0-9_-]{10,4096}")
_JWT_PIECES = st.sampled_from(["eyJ", ".", "a", "Zb9", "-_", " ", "x" * 9, ".eyJ", "é",
                               "eyJ" + "a" * 10 + ".eyJ" + "b" * 10 + "." + "c" * 10])


@settings(max_examples=500, deadline=None)
@given(st.lists(_JWT_PIECES, max_size=40).map("".join))
def test_json_web_tokens_are_found_as_the_bounded_regex_found_them(text: str) -> None:
    found = [(match.start, match.end) for match in JsonWebToken().matches(text, text.encode("utf-8"))]
    assert found == [(match.start(), match.end()) for match in _BOUNDED_JWT.finditer(text)]


def test_columns_count_characters_not_bytes() -> None:
    # Key-word assignments and long numbers are found in the line's UTF-8; columns are still characters.
    text = 'Übergröße — 日本語: api_key = "Zx8vQ2mL9pR4tY7wK1sD", Tel. +44 20 7946 0958'
    line = json.dumps(chat(text), ensure_ascii=False)
    result = lint_records([chat(text)], select=["FT701", "FT705"])
    assert [(v.code, v.column) for v in result.violations] == [
        ("FT701", line.index("Zx8v") + 1), ("FT705", line.index("+44") + 1)]


def test_one_phone_number_is_one_finding() -> None:
    # Both the international and the North American pattern match "+1 (555) 010-4477" (issue 16).
    result = lint_records([chat("call +1 (555) 010-4477 or +1 555-010-4478 today")], select=["FT705"])
    line = json.dumps(chat("call +1 (555) 010-4477 or +1 555-010-4478 today"))
    assert [v.column for v in result.violations] == [line.index("+1 (") + 1, line.index("+1 555") + 1]


SECRETS_IN_KEYS = {
    "FT701": "sk-proj-Ab3dEfGh1jKlMn0pQrStUvWx", "FT704": "jane.doe@corp-mail.co.uk", "FT706": "4111 1111 1111 1111",
}


@pytest.mark.parametrize("code", SECRETS_IN_KEYS)
def test_secrets_in_object_keys(code: str) -> None:
    secret = SECRETS_IN_KEYS[code]
    record = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}],
              "metadata": {"owner": {secret: True}}}
    (violation,) = lint_records([record], select=[code]).violations
    line = json.dumps(record)
    assert violation.pointer == "/metadata/owner"  # the object: the key itself must not be shown
    assert violation.column == line.index(secret) + 1 and "in an object key" in violation.message
    assert secret not in violation.message + violation.pointer + violation.snippet


def test_secrets_in_numbers() -> None:
    (violation,) = lint_records([chat(card=4111111111111111)], select=["FT706"]).violations
    assert violation.pointer == "/card"


@pytest.mark.parametrize("line", [
    b'{"messages": [{"role": "user", "content": "my key is sk-proj-Ab3dEfGh1jKlMn0pQrStUvWx"}, oops',
    b'not json at all: mail jane.doe@corp-mail.co.uk',
    b'{"messages": [{"role": "user", "content": "\xff sk-proj-Ab3dEfGh1jKlMn0pQrStUvWx"}]}',  # invalid UTF-8
])
def test_lines_that_do_not_parse_are_scanned(line: bytes) -> None:
    result = lint_records([line], select=["FT7"])
    (violation,) = result.violations
    text = line.decode("utf-8", "replace")
    secret = "sk-proj-Ab3dEfGh1jKlMn0pQrStUvWx" if b"sk-" in line else "jane.doe@corp-mail.co.uk"
    assert violation.pointer == "" and violation.column == text.index(secret) + 1 and violation.snippet == ""


def test_the_scanners_give_spans() -> None:
    text = 'key sk-proj-Ab3dEfGh1jKlMn0pQrStUvWx, api_key = "Zx8vQ2mL9pR4tY7wK1sD", jane.doe@corp.io'
    spans = {(m.kind, text[m.start:m.end]) for rule in discover().sorted_rules() if issubclass(rule, Scanner)
             for m in rule().matches(text, text.encode())}
    assert spans == {("OpenAI API key", "sk-proj-Ab3dEfGh1jKlMn0pQrStUvWx"),
                     ("secret assigned to a key-like name", "Zx8vQ2mL9pR4tY7wK1sD"),
                     ("e-mail address", "jane.doe@corp.io")}


def test_user_patterns_run_in_linear_time() -> None:
    # `patterns` and `allow` come from config; in Python's re, `(a+)+$` takes ~16 s on 28 characters.
    records = [chat("a" * 28 + "!"), chat("ACME-" + "a" * 28 + "!")]

    def cpu(pattern: str) -> float:
        start = time.process_time()
        lint_records(records, select=["FT701", "FT704"], rules={
            "FT701": {"patterns": {"Acme": pattern}}, "FT704": {"allow": [pattern]}})
        return time.process_time() - start

    benign, evil = cpu("a+$"), cpu("(a+)+$")
    assert evil < 10 * max(benign, 0.02), f"{evil:.2f}s against {benign:.2f}s"


@pytest.mark.parametrize(("option", "value"), [("patterns", '{ "Acme" = "(?=ACME)ACME-[0-9]+" }'),
                                               ("allow", '["(?<!x)@example[.]com"]'), ("patterns", '{ x = "[" }')])
def test_a_user_pattern_re2_cannot_compile_is_a_config_error(tmp_path: Any, option: str, value: str) -> None:
    (tmp_path / "ftlint.toml").write_text(f"[rules.secret-token]\n{option} = {value}\n", encoding="utf-8")
    (tmp_path / "data.jsonl").write_text(json.dumps(chat()) + "\n", encoding="utf-8")
    result = run_cli("check", str(tmp_path / "data.jsonl"))
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "FT701" in result.stderr and f"`{option}" in result.stderr and "re2 cannot compile" in result.stderr
