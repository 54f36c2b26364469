"""The quick check of simple JSON Schemas (ftlint.jsonquick) says "valid" exactly where jsonschema does,
on hypothesis-generated schemas of its keywords and instances near them; it gives no answer for other
keywords and dialects, and FT606 reports what it reported with jsonschema alone."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import run_cli
from ftlint import jsonschemas
from ftlint.jsonquick import quick_check
from ftlint.jsonschemas import compile_schema

NAMES = ["a", "b", "city", "$ref"]
TYPES = st.sampled_from(["string", "number", "integer", "boolean", "null", "object", "array"])
NUMBERS = st.sampled_from([0, 1, -1, 2, 1.0, 0.5, 1.5, 10**20, float("nan")])
SCALARS = st.none() | st.booleans() | NUMBERS | st.sampled_from(["", "x", "open", "1"])
INSTANCES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                         | st.dictionaries(st.sampled_from(NAMES), inner, max_size=3), max_leaves=8)


def schemas(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Objects of one to three keywords (with more, hardly any instance is valid)."""
    values: dict[str, st.SearchStrategy[Any]] = {
        "type": TYPES | st.lists(TYPES, min_size=1, max_size=2, unique=True),
        "properties": st.dictionaries(st.sampled_from(NAMES), inner, max_size=3),
        "required": st.lists(st.sampled_from(NAMES), max_size=2, unique=True),
        "additionalProperties": inner, "items": inner,
        "enum": st.lists(SCALARS | st.just([1]), min_size=1, max_size=3),
        "minimum": NUMBERS, "maximum": NUMBERS, "exclusiveMinimum": NUMBERS, "exclusiveMaximum": NUMBERS,
        "description": st.just("d"), "format": st.sampled_from(["date", "email"]),
    }
    return st.lists(st.sampled_from(sorted(values)), min_size=1, max_size=3, unique=True).flatmap(
        lambda keywords: st.fixed_dictionaries({keyword: values[keyword] for keyword in keywords}))


SCHEMAS = st.recursive(st.booleans() | schemas(st.booleans()), schemas, max_leaves=6)


def valid(schema: Any, instance: Any) -> bool:
    return bool(jsonschema.Draft202012Validator(schema).is_valid(instance))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(SCHEMAS, st.lists(INSTANCES, max_size=6))
def test_says_valid_exactly_where_jsonschema_does(schema: Any, instances: list[Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(schema)
    quick = quick_check(schema)
    assert quick is not None
    enums = json.dumps(schema, default=str).count('"enum"')
    for instance in instances:
        if quick(instance):
            assert valid(schema, instance), instance
        elif not enums:  # without an enum (whose non-string members it leaves alone) it is exact
            assert not valid(schema, instance), instance
        if isinstance(schema, dict):  # what FT606 asks (compile_schema takes objects only)
            assert (compile_schema(schema).first_error(instance) is None) == valid(schema, instance)


def test_no_answer_for_other_keywords_and_dialects() -> None:
    assert quick_check({"type": "string", "pattern": "^a"}) is None
    assert quick_check({"properties": {"a": {"$ref": "#/$defs/x"}}, "$defs": {"x": {}}}) is None
    assert quick_check({"type": "string", "format": "date"}, formats_asserted=True) is None
    assert compile_schema({"type": "object"})._quick is not None
    assert compile_schema({"$schema": "http://json-schema.org/draft-04/schema#", "type": "integer"})._quick is None
    # Draft 4 has 1.0 as no integer: jsonschema judges it
    draft4 = compile_schema({"$schema": "http://json-schema.org/draft-04/schema#", "type": "integer"})
    assert draft4.first_error(1.0) is not None


def test_ft606_reports_what_jsonschema_alone_reports(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    tools = [{"type": "function", "function": {"name": "f", "parameters": {
        "type": "object", "properties": {"n": {"type": "integer", "minimum": 1}, "s": {"enum": ["a", "b"]}},
        "required": ["n"], "additionalProperties": False}}}]
    lines = []
    for arguments in ({"n": 1}, {"n": 0}, {"n": 1.0, "s": "a"}, {"s": "c", "n": 2}, {"n": True}, {"x": 1, "n": 3}, {}):
        call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": json.dumps(arguments)}}
        lines.append(json.dumps({"tools": tools, "messages": [
            {"role": "user", "content": f"call f {arguments}"}, {"role": "assistant", "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "c1", "content": "ok"}, {"role": "assistant", "content": "done"}]}))
    data = tmp_path / "calls.jsonl"
    data.write_text("\n".join(lines) + "\n")
    quick = run_cli("check", "-f", "json", "-j1", "--select", "FT606", str(data)).output
    monkeypatch.setattr(jsonschemas, "quick_check", lambda *args, **kwargs: None)
    assert run_cli("check", "-f", "json", "-j1", "--select", "FT606", str(data)).output == quick
    assert [v["line"] for v in json.loads(quick)["files"][0]["violations"]] == [2, 4, 5, 6, 7]


ODD = [None, True, False, 0, 1, -1, 2, 1.0, 0.5, 1.5, 10**20, float("nan"), float("inf"), "", "x", "1", [], [1],
       ["x", 2], {}, {"a": 1}, {"a": "x", "b": None}, {"city": [True]}]
ONE_KEYWORD = [
    *({"type": name} for name in ("string", "number", "integer", "boolean", "null", "object", "array")),
    {"type": ["integer", "null"]}, {"enum": ["x", 1, None]}, {"enum": ["x", "1"]},
    *({bound: value} for bound in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
      for value in (0, 1, 1.0, 1.5, -1)),
    {"required": ["a"]}, {"properties": {"a": {"type": "integer"}}}, {"properties": {"a": False}},
    {"additionalProperties": False}, {"additionalProperties": {"type": "string"}}, {"items": {"type": "number"}},
    {"items": False}, {"format": "date"}, {"description": "d"},
]


@pytest.mark.parametrize("schema", ONE_KEYWORD, ids=json.dumps)
def test_every_keyword_against_every_kind_of_value(schema: dict[str, Any]) -> None:
    quick = quick_check(schema)
    assert quick is not None
    for instance in ODD:
        if "enum" in schema:  # non-string members are jsonschema's to compare
            assert not quick(instance) or valid(schema, instance), instance
        else:
            assert quick(instance) == valid(schema, instance), instance
