"""Columns from JSON pointers, and pointers from columns."""

from __future__ import annotations

import pytest

from ftlint.pointer import locate, string_at

LINE = '{"messages": [{"role": "user", "content": "a\\"b"}, {"role": "assistant", "content": 3, "w": [1, {"x": 2}]}]}'


@pytest.mark.parametrize(("pointer", "expected"), [
    ("", '{"messages"'),
    ("/messages", "[{"),
    ("/messages/1", '{"role": "assistant"'),
    ("/messages/1/content", "3,"),
    ("/messages/1/w/1/x", "2}"),
    ("/messages/0/content", '"a\\"b"'),
    ("/messages/1/role/missing", '"assistant"'),  # the deepest existing parent
])
def test_locate(pointer: str, expected: str) -> None:
    column = locate(LINE, pointer)
    assert column is not None and LINE[column - 1:].startswith(expected)


def test_string_at() -> None:
    assert string_at(LINE, LINE.index("assistant") + 2) == "/messages/1/role"
    assert string_at(LINE, LINE.index("a\\") ) == "/messages/0/content"
    assert string_at(LINE, LINE.index("role") + 1) is None  # a key
    assert string_at(LINE, LINE.index("3,")) is None  # a number
    assert string_at('{"a/b": {"c~d": "value"}}', 20) == "/a~1b/c~0d"


def test_broken_json_gives_up_quietly() -> None:
    assert locate('{"a": [1, 2', "/a/5") is not None
    assert string_at('{"a" 1}', 3) is None
