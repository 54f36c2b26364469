"""The fast paths of token counting give what the plain formula gives.

``TokenCounter.count`` memoizes long strings under a cheap key (length, first and last
characters) and ``count_messages`` has a shortcut for ``{"role", "content": "..."}``
messages and keeps messages as tuples. Each test here compares against the formula
written out plainly with tiktoken's ``encode_ordinary``, never against ftlint's own
counter, on fixtures, the real corpus and hypothesis-generated conversations.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import data_values
from ftlint import tokens as tokens_module
from ftlint.tokens import ExampleTokens, TokenCounter, count_messages, count_record, load_encoding

TOKENIZERS = ["tiktoken"] + (["bpe-openai"] if tokens_module.bpe_openai_available() else [])


def _plain(text: str) -> int:
    return len(load_encoding("o200k_base").encode_ordinary(text))


def _reference(messages: list[dict[str, Any]]) -> tuple[int, int, list[tuple[str, int, int, bool]]]:
    """The documented formula (docs/tokens.md), one message at a time, no memo and no shortcut."""
    parts = []
    for message in messages:
        body = 0
        content = message.get("content")
        if isinstance(content, str):
            body += _plain(content)
        elif isinstance(content, list):
            for part in content:
                if part.get("type") == "text":
                    body += _plain(part.get("text", ""))
                elif part.get("type") == "refusal":
                    body += _plain(part.get("refusal", ""))
                elif part.get("type") == "image_url":
                    body += 85  # every generated image is detail "low"
        if isinstance(message.get("refusal"), str):
            body += _plain(message["refusal"])
        calls = [call.get("function") or {} for call in message.get("tool_calls") or ()]
        if isinstance(message.get("function_call"), dict):
            calls.append(message["function_call"])
        for function in calls:
            arguments = function.get("arguments", "")
            arguments = arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)
            body += _plain(function.get("name", "")) + _plain(arguments)
        total = 3 + _plain(message["role"]) + body
        if isinstance(message.get("name"), str):
            total += _plain(message["name"]) + 1
        trainable = message["role"] == "assistant" and message.get("weight", 1) != 0
        parts.append((message["role"], total, body, trainable))
    return sum(p[1] for p in parts) + 3, sum(p[2] for p in parts if p[3]), parts


def _observed(counted: ExampleTokens) -> tuple[int, int, list[tuple[str, int, int, bool]]]:
    return counted.total, counted.trainable, [(m.role, m.total, m.body, m.trainable) for m in counted.messages]


def _truncation(parts: list[tuple[str, int, int, bool]], total: int, limit: int) -> tuple[int, int]:
    """Cut from the end: the reply priming first, then whole messages, then part of one."""
    lost = total - limit
    if lost <= 0:
        return 0, 0
    remaining, trainable_lost = lost - 3, 0
    for _, message_total, body, trainable in reversed(parts):
        cut = max(0, min(remaining, message_total))
        trainable_lost += min(cut, body) if trainable else 0
        remaining -= cut
    return lost, trainable_lost


# Long strings from a few templates that share their length and their first and last 32 characters,
# so that the memo's key alone can never tell them apart; and short ones, special-token text and a
# lone surrogate.
_HEAD, _TAIL = "You are a support agent for Acme" + "x" * 8, "y" * 8 + " Answer in the user's language."
_MIDDLES = ["refunds and returns within 30 days. " * 8, "shipping delays and lost parcels.   " * 8,
            "日本語のテキストを含む説明です。はい、そうです。" * 12, "<|endoftext|> as text, twice <|endofprompt|>" * 7]
_LONG = [_HEAD + middle + _TAIL for middle in _MIDDLES] + [_HEAD + _MIDDLES[0][::-1] + _TAIL]
texts = st.one_of(st.sampled_from(_LONG), st.text(max_size=40), st.sampled_from(["", " ", "\ud800 lone", "e\u0301"]),
                  st.builds(lambda a, b: a + b, st.sampled_from(_LONG), st.text(max_size=300)))
roles = st.sampled_from(["system", "user", "assistant", "tool", "developer"])
arguments = st.one_of(texts, st.dictionaries(st.text(max_size=5), st.integers(), max_size=3))
calls = st.builds(lambda name, args: {"id": "c", "type": "function", "function": {"name": name, "arguments": args}},
                  st.text(max_size=12), arguments)
parts = st.one_of(st.builds(lambda t: {"type": "text", "text": t}, texts),
                  st.builds(lambda t: {"type": "refusal", "refusal": t}, texts),
                  st.just({"type": "image_url", "image_url": {"url": "https://example.com/a.png", "detail": "low"}}))
messages = st.one_of(
    st.builds(lambda role, content: {"role": role, "content": content}, roles, texts),  # the shortcut's shape
    st.fixed_dictionaries({"role": roles}, optional={
        "content": st.one_of(st.none(), texts, st.lists(parts, max_size=3)), "name": texts,
        "weight": st.sampled_from([0, 1]), "refusal": texts, "tool_calls": st.lists(calls, max_size=2),
        "function_call": st.builds(lambda name, args: {"name": name, "arguments": args}, st.text(max_size=8), texts)}))

_COUNTERS = {name: TokenCounter("o200k_base", name) for name in TOKENIZERS}  # shared: the memo fills across examples


@pytest.mark.parametrize("tokenizer", TOKENIZERS)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conversation=st.lists(messages, min_size=1, max_size=6), limit=st.integers(1, 400))
def test_counts_equal_the_plain_formula(tokenizer: str, conversation: list[dict[str, Any]], limit: int) -> None:
    counted = count_messages(conversation, _COUNTERS[tokenizer])
    total, trainable, expected = _reference(conversation)
    assert _observed(counted) == (total, trainable, expected)
    assert counted.truncation(limit) == _truncation(expected, total, limit)


def _records() -> list[dict[str, Any]]:
    return [value for value in data_values() if isinstance(value, dict) and _countable(value.get("messages"))]


def _countable(messages: Any) -> bool:
    """Schema-valid enough for the formula: messages with a role, calls and parts that are objects."""
    if not isinstance(messages, list) or not messages:
        return False
    for message in messages:
        if not isinstance(message, dict) or not isinstance(message.get("role"), str):
            return False
        content = message.get("content")
        if isinstance(content, list) and not all(isinstance(p, dict) and p.get("type") in ("text", "refusal")
                                                 and isinstance(p.get(p["type"], ""), str) for p in content):
            return False
        if not all(isinstance(c, dict) and isinstance(c.get("function") or {}, dict)
                   for c in message.get("tool_calls") or ()):
            return False
        calls = [c.get("function") or {} for c in message.get("tool_calls") or ()] + [message.get("function_call")]
        if not all(isinstance(f.get("name", ""), str) for f in calls if isinstance(f, dict)):
            return False
    return True


@pytest.mark.parametrize("tokenizer", TOKENIZERS)
def test_fixture_and_corpus_records_equal_the_plain_formula(tokenizer: str) -> None:
    records = _records()
    assert len(records) > 1_000
    counter = TokenCounter("o200k_base", tokenizer)
    mismatches = []
    for value in records:
        counted = count_record({"messages": value["messages"]}, "chat", counter)
        if _observed(counted) != _reference(value["messages"]):
            mismatches.append(json.dumps(value)[:80])
    assert mismatches == []


def test_strings_that_share_the_memo_key_are_counted_apart() -> None:
    counter = TokenCounter("o200k_base")
    first, second = _LONG[0], _LONG[-1]  # same length, same first and last 32 characters
    assert len(first) == len(second) and first != second
    assert (len(first), first[:32], first[-32:]) == (len(second), second[:32], second[-32:])
    expected = [_plain(first), _plain(second)]
    assert expected[0] != expected[1]
    assert [counter.count(text) for text in (first, second, first, second)] == expected * 2


def test_the_memo_charges_each_entry_and_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens_module, "_MEMO_MAX_CHARS", 20_000)
    counter = TokenCounter("o200k_base")
    texts = [f"{index:04d} " + "z" * 300 for index in range(200)]  # distinct, 305 characters each
    assert [counter.count(text) for text in texts] == [_plain(text) for text in texts]
    assert counter._texts_chars <= 20_000
    # Each entry is charged its characters and its key: never more entries than that budget allows.
    assert len(counter._texts) <= 20_000 // (305 + tokens_module._ENTRY_CHARS)
    assert counter.count(texts[-1]) == _plain(texts[-1])


def test_short_strings_are_not_memoized() -> None:
    counter = TokenCounter("o200k_base")
    short = "a" * (tokens_module._MEMO_MIN_CHARS - 1)
    assert counter.count(short) == counter.count(short) == _plain(short)
    assert counter._texts == {}
