"""The reader: every odd byte sequence becomes a recorded fact, never an exception."""

from __future__ import annotations

import codecs
import io
import sys

import pytest

from ftlint.records import FileFacts, JsonTextError, NestedTooDeeply, Problem, Reader, Record, parse_json, parse_line


def read(data: bytes, max_line_bytes: int = 1 << 20) -> tuple[list[Record], FileFacts]:
    reader = Reader(io.BytesIO(data), max_line_bytes=max_line_bytes)
    records = list(reader)
    return records, reader.facts


@pytest.mark.parametrize(("raw", "problem", "column"), [
    (b'{"a": }', Problem.INVALID_JSON, 7),
    # Python 3.13's json points at the trailing comma itself; earlier versions at the brace after it.
    (b'{"a": 1,}', Problem.INVALID_JSON, 8 if sys.version_info >= (3, 13) else 9),
    (b"[1, 2]", Problem.NOT_AN_OBJECT, 1),
    (b'"text"', Problem.NOT_AN_OBJECT, 1),
    (b"42", Problem.NOT_AN_OBJECT, 1),
    (b'{"a": "caf\xe9"}', Problem.INVALID_UTF8, 11),
    (b'{"a": "x\x00"}', Problem.NUL_BYTE, 9),
    (b'{"a": NaN}', Problem.NON_FINITE_NUMBER, 7),
    (b'{"a": -Infinity}', Problem.NON_FINITE_NUMBER, 7),
    (b'{"a": 1e999999}', Problem.NON_FINITE_NUMBER, 7),
    (b'{"a": "1111", "b": ' + b"1" * 4301 + b"}", Problem.NON_FINITE_NUMBER, 20),  # over the int-string limit
    (b'{"a": [1, -' + b"2" * 5000 + b"]}", Problem.NON_FINITE_NUMBER, 11),
])
def test_parse_problems_have_kind_and_column(raw: bytes, problem: Problem, column: int) -> None:
    record = parse_line(raw)
    assert record.value is None
    assert record.problem is not None
    assert (record.problem.kind, record.problem.column) == (problem, column)


def test_nan_inside_a_string_is_fine() -> None:
    assert parse_line(b'{"a": "NaN and Infinity"}').value == {"a": "NaN and Infinity"}


def test_array_of_objects_gets_a_hint() -> None:
    record = parse_line(b'[{"messages": []}, {"messages": []}]')
    assert record.problem is not None and "array of 2 objects" in record.problem.message


def test_duplicate_keys_and_lone_surrogates_are_recorded_not_rejected() -> None:
    record = parse_line(b'{"a": 1, "a": 2, "b": {"c": "\\ud800"}}')
    assert record.value == {"a": 2, "b": {"c": "\ud800"}}
    assert record.duplicate_keys == ["a"]
    assert record.lone_surrogates == ["/b/c"]


def test_valid_surrogate_pairs_are_not_flagged() -> None:
    assert parse_line(b'{"e": "\\ud83d\\ude00"}').lone_surrogates == []


def test_deep_nesting_is_a_problem_not_a_crash() -> None:
    record = parse_line(b"[" * 100_000 + b"]" * 100_000)
    assert record.problem is not None and record.problem.kind is Problem.INVALID_JSON


def test_lines_offsets_blank_lines_and_crlf() -> None:
    records, facts = read(b'{"a": 1}\r\n\n  \n{"b": 2}\n')
    assert [(r.line, r.offset, r.blank) for r in records] == [(1, 0, False), (2, 10, True), (3, 11, True),
                                                             (4, 14, False)]
    assert records[0].value == {"a": 1}
    assert (facts.lines, facts.blank_lines, facts.crlf_lines, facts.first_crlf_line) == (4, 2, 1, 1)
    assert facts.final_newline and facts.size == 23


def test_missing_final_newline() -> None:
    records, facts = read(b'{"a": 1}\n{"b": 2}')
    assert len(records) == 2 and not facts.final_newline


def test_empty_file() -> None:
    records, facts = read(b"")
    assert records == [] and facts.lines == 0


def test_utf8_bom_is_noted_and_line_one_still_parses() -> None:
    records, facts = read(codecs.BOM_UTF8 + b'{"a": 1}\n')
    assert facts.bom and records[0].value == {"a": 1} and records[0].offset == 3


@pytest.mark.parametrize(("encoding", "name"), [
    ("utf-16", "utf-16-le"), ("utf-16-be", "utf-16-be"), ("utf-16-le", "utf-16-le"), ("utf-32", "utf-32-le"),
])
def test_utf16_and_utf32_files_are_recognised(encoding: str, name: str) -> None:
    data = '{"a": 1}\n{"b": 2}\n'.encode(encoding)
    records, facts = read(data)
    assert records == [] and facts.encoding == name and facts.size == len(data)


def test_overlong_line_is_reported_without_being_loaded() -> None:
    big = b'{"a": "' + b"x" * 5000 + b'"}\n'
    records, facts = read(big + b'{"b": 1}\n', max_line_bytes=1024)
    assert records[0].problem is not None and records[0].problem.kind is Problem.LINE_TOO_LONG
    assert len(records[0].raw) <= 200
    assert records[1].value == {"b": 1} and records[1].line == 2 and records[1].offset == len(big)
    assert facts.size == len(big) + 9


def test_quarter_million_character_line_parses() -> None:
    line = ('{"messages": [{"role": "user", "content": "' + "é" * 250_000 + '"}]}').encode()
    records, _ = read(line + b"\n", max_line_bytes=64 * 1024 * 1024)
    assert records[0].value is not None


def test_pretty_printed_file_is_one_document() -> None:
    data = b'{\n  "messages": [\n    {"role": "user", "content": "hi"}\n  ]\n}\n{\n  "x": 1\n}\n'
    records, facts = read(data)
    assert records == []
    assert facts.document is not None
    assert (facts.document.values, facts.document.objects, facts.document.complete) == (2, 2, True)
    assert (facts.document.first_line, facts.document.last_line, facts.lines) == (1, 8, 8)
    assert facts.size == len(data)


def test_json_array_file_is_one_document() -> None:
    records, facts = read(b'[\n  {"prompt": "a", "completion": "b"},\n  {"prompt": "c", "completion": "d"}\n]')
    assert records == [] and facts.document is not None
    assert facts.document.is_array and facts.document.objects == 2 and not facts.final_newline


def test_a_broken_first_line_is_not_mistaken_for_a_document() -> None:
    records, facts = read(b'{"a": "unterminated\n{"b": 1}\n{"c": 2}\n')
    assert facts.document is None
    assert [r.line for r in records] == [1, 2, 3]
    assert records[0].problem is not None and records[1].value == {"b": 1}


def test_truncated_first_object_replays_following_lines() -> None:
    # Line 1 is cut off at the end (as a pretty-printed start would be), but the file is JSONL.
    records, facts = read(b'{"messages": [\n{"b": 1}\n{"c": 2}\n')
    assert facts.document is None
    assert [r.value for r in records] == [None, {"b": 1}, {"c": 2}]


def test_overlong_line_after_a_truncated_first_line_is_kept_in_order() -> None:
    data = b'{"messages": [\n{"b": 1}\n' + b'{"c": "' + b"x" * 3000 + b'"}\n{"d": 4}\n'
    records, facts = read(data, max_line_bytes=1024)
    assert facts.document is None
    assert [r.line for r in records] == [1, 2, 3, 4]
    assert records[2].problem is not None and records[2].problem.kind is Problem.LINE_TOO_LONG
    assert records[3].value == {"d": 4}
    assert facts.size == len(data)


def test_only_json_whitespace_makes_a_blank_line() -> None:
    assert parse_line(b" \t\r").blank
    for raw in (b"\x0b", b"\x0c", b"\xc2\xa0"):  # Python's strip() would call these blank; JSON does not
        record = parse_line(raw)
        assert not record.blank and record.problem is not None, raw


def test_an_integer_at_the_limit_is_a_number() -> None:
    assert parse_line(b'{"a": ' + b"9" * 4300 + b"}").value == {"a": int("9" * 4300)}
    record = parse_line(b'{"a": ' + b"9" * 4301 + b"}")
    assert record.problem is not None and "integer of 4,301 digits" in record.problem.message
    assert "9999" not in record.problem.message  # 4 KB of digits is no message


def test_a_pretty_printed_file_with_a_huge_integer_stops_there() -> None:
    data = b'{\n  "a": 1\n}\n{\n  "b": ' + b"1" * 4400 + b"\n}\n"
    _, facts = read(data)
    assert facts.document is not None and not facts.document.complete and facts.document.objects == 1
    assert facts.document.error == "parsing stopped at line 4: an integer of 4,400 digits (JSON readers stop at 4,300)"


@pytest.mark.parametrize(("text", "message"), [
    ("{", "Expecting property name"), ("NaN", "`NaN`, which is not JSON"), ("[1e999]", "overflows to infinity"),
    ("1" * 4301, "integer of 4,301 digits"), ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
])
def test_parse_json_raises_one_kind_of_error(text: str, message: str) -> None:
    with pytest.raises(JsonTextError, match=message) as raised:
        parse_json(text)
    assert isinstance(raised.value, NestedTooDeeply) == (message == "nested too deeply")
