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
from test_jsonschemas import tool_record

from conftest import run_cli
from ftlint import jsonschemas, lint_records
from ftlint.jsonquick import certainly_valid, quick_check
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


# Values for each keyword, right and wrong: what a stranger's `parameters` may hold.
ANY_VALUE = (st.none() | st.booleans() | NUMBERS | st.sampled_from(["", "x", "string", "integer", "objects"])
             | st.lists(st.sampled_from(["string", "null", "a", "a", 1, None]), max_size=3)
             | st.dictionaries(st.sampled_from(NAMES), st.just({"type": "string"}) | st.just(1), max_size=2))
KEYWORDS = ["type", "properties", "required", "additionalProperties", "items", "enum", "minimum", "maximum",
            "exclusiveMinimum", "exclusiveMaximum", "title", "description", "default", "examples", "$comment",
            "deprecated", "readOnly", "writeOnly", "format", "pattern", "$schema", "minItems"]
NEAR_MISSES = st.recursive(
    st.dictionaries(st.sampled_from(KEYWORDS), ANY_VALUE, max_size=3) | st.booleans(),
    lambda inner: st.dictionaries(st.sampled_from(KEYWORDS), inner | ANY_VALUE, max_size=3)
    | st.fixed_dictionaries({"properties": st.dictionaries(st.sampled_from(NAMES), inner, max_size=2)}),
    max_leaves=6)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NEAR_MISSES)
def test_certainly_valid_only_where_the_meta_schema_agrees(schema: Any) -> None:
    # compile_schema then skips jsonschema's meta-schema check: it must never vouch for a schema that
    # check fails (it may leave a valid one to jsonschema).
    if certainly_valid(schema):
        jsonschema.Draft202012Validator.check_schema(schema, format_checker=jsonschemas._format_checker(
            jsonschema.Draft202012Validator))
        assert quick_check(schema) is not None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(SCHEMAS)
def test_certainly_valid_vouches_for_the_simple_schemas(schema: Any) -> None:
    assert certainly_valid(schema)


def test_certainly_valid_leaves_the_doubtful_to_jsonschema() -> None:
    for schema in ({"type": "strin"}, {"type": []}, {"type": ["string", "string"]}, {"required": ["a", "a"]},
                   {"required": "a"}, {"enum": "a"}, {"minimum": True}, {"minimum": "1"}, {"items": [{}]},
                   {"properties": {"a": 1}}, {"description": 1}, {"examples": {}}, {"deprecated": 0},
                   {"$schema": "https://json-schema.org/draft/2020-12/schema"}, {"pattern": "^a"}):
        assert not certainly_valid(schema), schema
    with pytest.raises(jsonschemas.SchemaProblem, match="not a valid JSON Schema"):
        compile_schema({"type": "strin"})


def test_a_file_of_simple_tools_never_imports_jsonschema(tmp_path: Any) -> None:
    """Compiling a simple schema costs no jsonschema import (~30 ms of start-up); a call the quick check
    does not pass brings it in to word the error. A fresh process: earlier tests imported it."""
    import subprocess
    import sys

    tools = [{"type": "function", "function": {"name": "f", "description": "F.", "parameters": {
        "type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}, "required": ["n"]}}}]

    def record(arguments: str) -> dict[str, Any]:
        call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": arguments}}
        return {"tools": tools, "messages": [{"role": "user", "content": "Call f."},
                                             {"role": "assistant", "tool_calls": [call]},
                                             {"role": "tool", "tool_call_id": "c1", "content": "ok"},
                                             {"role": "assistant", "content": "Done."}]}

    code = ("import json, sys, ftlint; records = json.loads(sys.argv[1]); "
            "first = ftlint.lint_records(records[:1], tokens=False).violations; "
            "print([v.code for v in first], 'jsonschema' in sys.modules, "
            "[v.code for v in ftlint.lint_records(records, tokens=False).violations if v.code == 'FT606'], "
            "'jsonschema' in sys.modules)")
    argument = json.dumps([record('{"n": 2}'), record('{"n": 0}')])
    shown = subprocess.run([sys.executable, "-c", code, argument], capture_output=True, text=True, check=True,
                           cwd=tmp_path).stdout.strip().split(maxsplit=3)
    assert shown == ["[]", "False", "['FT606']", "True"]



def _deep_array_schema(levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(levels):
        schema = {"type": "array", "items": schema}
    return {"type": "object", "properties": {"a": schema}}


def test_a_schema_too_deep_for_jsonschema_is_ft602_not_vouched_for() -> None:
    # 150 levels of `items`: jsonschema's meta-schema check recurses too deep (FT602 says so on 116722b);
    # certainly_valid, at ~3 frames a level, must not vouch for it: compile_schema would skip the check.
    record = tool_record(_deep_array_schema(150), {})
    result = lint_records([record], select=["FT602"])
    assert [v.message for v in result.violations] == [
        "function 'f': `parameters` is nested too deeply to be checked"]


def test_a_schema_too_deep_for_jsonschema_is_no_internal_error_in_ft606() -> None:
    # The quick check fails on {"a": 1}: a lazy compile in Validator.first_error would raise SchemaProblem.
    record = tool_record(_deep_array_schema(150), {"a": 1})
    result = lint_records([json.dumps(record)], select=["FT602", "FT606"])
    assert result.report.internal_errors == []
    assert [v.code for v in result.violations] == ["FT602"]
