"""ftlint.masking: what the FT7 rules find is hidden in any text ftlint shows (issue 15 item 2)."""

from __future__ import annotations

import json

import pytest
from test_secrets import CLEAN, PLACEHOLDERS, SAMPLES

from conftest import chat
from ftlint import lint_records
from ftlint.masking import PLACEHOLDER, mask, mask_at, spans
from ftlint.rules.secrets import SecretToken

SECRETS = {
    "key": "sk-proj-Ab3dEfGh1jKlMn0pQrStUvWx",
    "AWS key": "AKIAIOSFODNN7EXAMPLE",
    "e-mail": "jane.doe@corp-mail.co.uk",
    "card": "4111 1111 1111 1111",
    "IBAN": "DE89 3704 0044 0532 0130 00",
    "JWT": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "phone": "+44 20 7946 0958",
}
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx9Zr4\nQ2mL9pR4tY7wK1sD\n-----END RSA PRIVATE KEY-----"


def _places(secret: str) -> dict[str, str]:
    """One secret in every place a line can hold it, as the line is written."""
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": json.dumps({"to": secret})}}
    records = {
        "content": chat(f"please use {secret} now"),
        "tool arguments": {"messages": [{"role": "user", "content": "hi"},
                                        {"role": "assistant", "tool_calls": [call]}]},
        "name": chat(name=secret),
        "key": {"messages": [], secret: 1},
    }
    lines = {place: json.dumps(record, ensure_ascii=False) for place, record in records.items()}
    lines["invalid line"] = lines["content"][:-3] + " oops"
    lines["plain text"] = f"function {secret!r} does not match"
    return lines


@pytest.mark.parametrize("kind", SECRETS)
def test_every_kind_is_hidden_everywhere(kind: str) -> None:
    secret = SECRETS[kind]
    for place, text in _places(secret).items():
        masked = mask(text)
        assert PLACEHOLDER in masked, (kind, place)
        for piece in secret.replace("-", " ").split():
            if len(piece) > 4:
                assert piece not in masked, (kind, place, masked)


def test_a_private_key_block_is_hidden_whole() -> None:
    for text in (json.dumps(chat(f"key: {PEM} end")), f"key: {PEM} end", json.dumps(chat("x" + PEM[:-30]))):
        masked = mask(text)
        for piece in ("MIIEowIBAAKCAQEAx9Zr4", "Q2mL9pR4tY7wK1sD", "PRIVATE KEY"):
            assert piece not in masked, masked
    assert f'"key: {PLACEHOLDER} end"}}, {{"role": "assistant"' in mask(json.dumps(chat(f"key: {PEM} end")))


@pytest.mark.parametrize(("code", "text"), [(c, t) for c, texts in SAMPLES.items() for t in texts])
def test_what_the_rules_find_is_what_is_hidden(code: str, text: str) -> None:
    line = json.dumps(chat(text))
    (violation,) = lint_records([chat(text)], select=[code]).violations
    hidden = spans(line)
    assert any(match.start == violation.column - 1 for match in hidden)
    assert PLACEHOLDER in mask(line)


@pytest.mark.parametrize("text", CLEAN + PLACEHOLDERS)
def test_text_without_secrets_is_unchanged(text: str) -> None:
    line = json.dumps(chat(text))
    assert mask(line) == line and mask_at(line, 17) == (line, 17)


def test_columns_follow_the_masking() -> None:
    text = f"a {SECRETS['e-mail']} b {SECRETS['key']} c"
    masked, column = mask_at(text, text.index(" c") + 1)
    assert masked == f"a {PLACEHOLDER} b {PLACEHOLDER} c" and masked[column - 1:] == " c"
    assert mask_at(text, 1) == (masked, 1)
    inside, column = mask_at(text, text.index("doe") + 1)  # inside a secret: its placeholder
    assert inside[column - 1:].startswith(PLACEHOLDER + " b")


def test_the_run_s_own_scanners_can_be_used() -> None:
    own = SecretToken(SecretToken.options_model(patterns={"Acme": "ACME-[0-9]{6}"}, allow=("sk-proj-Ab3d.*",)))
    text = f"ACME-123456 and {SECRETS['key']}"
    assert mask(text, [own]) == f"{PLACEHOLDER} and {SECRETS['key']}"
    assert mask(text) == f"ACME-123456 and {PLACEHOLDER}"
