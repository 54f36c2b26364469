"""Columns from JSON pointers, and what holds a column: the one-pass Locator against the re-reading
reference (`locate`, `owner_at`)."""

from __future__ import annotations

import json
import random
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftlint import pointer
from ftlint.pointer import Locator, Owner, escape, locate, owner_at

LINE = '{"messages": [{"role": "user", "content": "a\\"b"}, {"role": "assistant", "content": 3, "w": [1, {"x": 2}]}]}'


@pytest.mark.parametrize(("path", "expected"), [
    ("", '{"messages"'),
    ("/messages", "[{"),
    ("/messages/1", '{"role": "assistant"'),
    ("/messages/1/content", "3,"),
    ("/messages/1/w/1/x", "2}"),
    ("/messages/0/content", '"a\\"b"'),
    ("/messages/1/role/missing", '"assistant"'),  # the deepest existing parent
])
def test_column(path: str, expected: str) -> None:
    for column in (Locator(LINE).column(path), locate(LINE, path)):
        assert column is not None and LINE[column - 1:].startswith(expected)


def test_owner() -> None:
    locator = Locator(LINE)
    assert locator.owner(LINE.index("assistant") + 2) == Owner("/messages/1/role", "string")
    assert locator.owner(LINE.index("a\\")) == Owner("/messages/0/content", "string")
    assert locator.owner(LINE.index("role") + 1) == Owner("/messages/0", "key")  # a key: its object's pointer
    assert locator.owner(LINE.index("3,")) == Owner("/messages/1/content", "scalar")
    assert locator.owner(LINE.index(", ")) is None  # between values
    assert Locator('{"a/b": {"c~d": "value"}}').owner(20) == Owner("/a~1b/c~0d", "string")


def test_broken_json_gives_up_quietly() -> None:
    assert Locator('{"a": [1, 2').column("/a/5") == locate('{"a": [1, 2', "/a/5") == 7
    assert Locator('{"a" 1}').owner(3) is None and owner_at('{"a" 1}', 3) is None
    assert Locator("").column("/a") is None and Locator("not json").owner(2) is None


def test_duplicate_keys_point_at_the_last_one_as_parsed() -> None:
    line = '{"a": 1, "a": {"b": 2}}'
    assert json.loads(line)["a"] == {"b": 2}
    assert Locator(line).column("/a") == line.index("{", 1) + 1
    assert Locator(line).column("/a/b") == line.index("2") + 1


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=25,
)


def _pointers(value: Any, path: str = "") -> list[str]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _pointers(item, f"{path}/{escape(key)}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _pointers(item, f"{path}/{index}")
    return found


@settings(max_examples=200, deadline=None)
@given(JSON, st.sampled_from([(", ", ": "), (",", ":")]), st.booleans(), st.randoms(use_true_random=False))
def test_locator_agrees_with_locate_on_random_json(value: Any, separators: tuple[str, str], ascii_only: bool,
                                                    rng: random.Random) -> None:
    text = json.dumps(value, separators=separators, ensure_ascii=ascii_only)
    locator = Locator(text)
    existing = _pointers(value)
    missing = [f"{p}/{rng.choice(['zz', '9', '~1'])}" for p in existing]
    questions = existing + missing
    rng.shuffle(questions)  # any order, any number of questions, one pass
    for question in questions:
        assert locator.column(question) == locate(text, question), question
    for offset in range(len(text)):
        assert locator.owner(offset) == owner_at(text, offset), offset


def test_a_line_over_the_index_budget_is_answered_by_re_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pointer, "MAX_INDEXED_TOKENS", 10)
    line = json.dumps({"a": list(range(20)), "b": {"c": "d"}})
    locator = Locator(line)
    assert locator.column("/b/c") == locate(line, "/b/c") == line.index('"d"') + 1
    assert locator.owner(line.index("c")) == Owner("/b", "key")
    assert locator._indexed is False  # nothing kept


def test_deep_nesting_costs_no_recursion() -> None:
    depth = 20_000  # far past the recursion limit
    line = "[" * depth + "1" + "]" * depth
    locator = Locator(line)
    assert locator.column("/0" * depth) == depth + 1
    assert locator.owner(depth) == Owner("/0" * depth, "scalar")


# The string token as JSON defines it, one character at a time: the reference for the faster form
# pointer._STRING and pointer._TOKEN use (runs of plain characters between escapes).
_ONE_AT_A_TIME = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet='"\\a\n\u00e9\u5b57 {}', max_size=40), st.integers(min_value=0, max_value=40))
def test_string_tokens_match_what_the_one_character_form_matches(text: str, start: int) -> None:
    found, reference = pointer._STRING.match(text, start), _ONE_AT_A_TIME.match(text, start)
    assert (found and found.span()) == (reference and reference.span())
    token = pointer._TOKEN.match(text, start)
    if token is not None and token.group(1) is not None:  # a string token: where the reference ends it
        quoted = _ONE_AT_A_TIME.match(text, token.start(1))
        assert quoted is not None and quoted.span() == token.span(1)
