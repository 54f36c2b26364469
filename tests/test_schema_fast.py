"""The plain structural check (ftlint.formats.structure) says "valid" exactly where the pydantic models
do, on hypothesis-generated records near and far from valid, on every record of the fixtures and the
real corpus; and whole reports are the same with it and without it (pydantic alone)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from conftest import CORPUS, FIXTURES, run_cli
from ftlint.formats import FORMATS, structure

OPENAI = ("chat", "preference", "reinforcement", "completion")


def pydantic_valid(value: Any, format_name: str) -> bool:
    try:
        FORMATS[format_name].model.model_validate(value)
    except ValidationError:
        return False
    return True


def agree(value: Any) -> None:
    for format_name in OPENAI:
        assert structure.valid(value, format_name) == pydantic_valid(value, format_name), (format_name, value)


# Odd values of every JSON type, and strings the models single out (roles, part types, literals).
WORDS = ["system", "developer", "user", "assistant", "tool", "function", "USER", "text", "image_url",
         "input_audio", "file", "refusal", "auto", "low", "high", "x", "", "\udfff", "\u00e9"]
SCALARS = (st.none() | st.booleans() | st.sampled_from([0, 1, 2, -1, 0.0, 1.0, 0.5, 10**30])
           | st.sampled_from(WORDS))
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from([*WORDS, "content", "role", "type"]), inner, max_size=3),
                    max_leaves=8)
KEYS = ["role", "content", "name", "weight", "refusal", "audio", "tool_calls", "function_call", "tool_call_id",
        "type", "text", "image_url", "url", "detail", "input_audio", "file", "id", "function", "arguments",
        "description", "parameters", "strict", "extra", "\udfff"]


# What one place of a record is swapped for: every JSON type, the edges of weight's range, a lone surrogate.
ODD = [None, True, False, 0, 1, 2, 1.0, -1, "x", "", "\udfff", [], {}, [{}], ["x"], {"x": 1}, {"\udfff": 1}]


def mutants(value: Any) -> Iterator[Any]:
    """Every copy of ``value`` with one change at one place: a key dropped, added or set to an odd value,
    an item swapped for one, a list emptied or grown (one change, so that the rest stays valid)."""
    if isinstance(value, dict):
        for key in value:
            yield {k: v for k, v in value.items() if k != key}
            for odd in ODD:
                yield {**value, key: odd}
            for changed in mutants(value[key]):
                yield {**value, key: changed}
        for key in KEYS:
            if key not in value:
                yield {**value, key: "x"}
    elif isinstance(value, list):
        yield []
        if value:
            yield value + value[-1:]
        for index, item in enumerate(value):
            for odd in ODD:
                yield [*value[:index], odd, *value[index + 1:]]
            for changed in mutants(item):
                yield [*value[:index], changed, *value[index + 1:]]


TEXT = st.sampled_from(["hi", "", " x ", "\udfff", "字"])
PARTS = st.sampled_from([
    {"type": "text", "text": "hi"}, {"type": "image_url", "image_url": {"url": "https://x/y.png", "detail": "low"}},
    {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA"}}, {"type": "refusal", "refusal": "no"},
    {"type": "input_audio", "input_audio": {"data": "AA", "format": "wav"}}, {"type": "file", "file": {"id": "f"}},
])
CONTENT = TEXT | st.lists(PARTS, min_size=1, max_size=2)
CALL = st.fixed_dictionaries({"id": st.just("call_1"), "type": st.just("function"), "function": st.fixed_dictionaries(
    {"name": st.just("f"), "arguments": st.sampled_from(['{"a": 1}', {"a": 1}, "{}"])})})
MESSAGE = st.one_of(
    st.fixed_dictionaries({"role": st.sampled_from(["system", "developer", "user"]), "content": CONTENT},
                          optional={"name": st.just("n")}),
    st.fixed_dictionaries({"role": st.just("assistant")}, optional={
        "content": CONTENT | st.none(), "refusal": st.just("no"), "name": st.just("n"), "audio": st.just({"id": "a"}),
        "tool_calls": st.lists(CALL, min_size=1, max_size=2), "weight": st.sampled_from([0, 1]),
        "function_call": st.just({"name": "f", "arguments": "{}"})}),
    st.fixed_dictionaries({"role": st.just("tool"), "content": CONTENT, "tool_call_id": st.just("call_1")}),
    st.fixed_dictionaries({"role": st.just("function"), "content": TEXT | st.none(), "name": st.just("f")}),
)
# Any keys with values of the right and the wrong kinds: {"role": "tool", "content": "hi"}, `weight: true`...
LOOSE = st.dictionaries(st.sampled_from(KEYS), st.sampled_from(WORDS) | CONTENT | st.lists(CALL, max_size=1) | SCALARS
                        | st.just({"name": "f", "arguments": "{}"}), max_size=5)
MESSAGES = st.lists(MESSAGE | LOOSE, min_size=1, max_size=4)
TOOLS = st.lists(st.fixed_dictionaries({"type": st.just("function"), "function": st.fixed_dictionaries(
    {"name": st.just("f")}, optional={"description": st.just("d"), "parameters": st.just({"type": "object"}),
                                     "strict": st.booleans()})}), max_size=2)
ANSWER = st.fixed_dictionaries({"role": st.just("assistant"), "content": CONTENT})
RECORDS = st.one_of(
    st.fixed_dictionaries({"messages": MESSAGES}, optional={
        "tools": TOOLS, "parallel_tool_calls": st.booleans(), "functions": TOOLS.map(
            lambda tools: [tool["function"] for tool in tools])}),
    st.fixed_dictionaries({"input": st.fixed_dictionaries({"messages": MESSAGES}, optional={"tools": TOOLS}),
                           "preferred_output": st.lists(ANSWER, min_size=1, max_size=2),
                           "non_preferred_output": st.lists(ANSWER, min_size=1, max_size=1)}),
    st.fixed_dictionaries({"messages": MESSAGES}, optional={"tools": TOOLS, "reference": JSON, "\udfff": JSON}),
    st.fixed_dictionaries({"prompt": TEXT, "completion": TEXT}),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(RECORDS)
def test_agrees_with_pydantic_on_records_near_valid(record: dict[str, Any]) -> None:
    agree(record)
    for mutant in mutants(record):
        agree(mutant)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_agrees_with_pydantic_on_any_json(value: Any) -> None:
    agree(value)
    agree({"messages": [value]})
    agree({"messages": [{"role": "assistant", "content": value}]})


def records_of(folder: Path) -> list[Any]:
    found = []
    for path in sorted(folder.rglob("*.jsonl")):
        for line in path.read_bytes().splitlines():
            try:
                found.append(json.loads(line.decode("utf-8", "surrogateescape")))
            except ValueError:
                continue
    return found


def test_agrees_with_pydantic_on_the_fixtures_and_the_corpus() -> None:
    records = records_of(FIXTURES) + (records_of(CORPUS) if CORPUS.is_dir() else [])
    assert len(records) > 500
    for record in records:
        agree(record)
    assert sum(structure.valid(record, "chat") for record in records) > 200  # it does answer for most


def test_identical_reports_without_it(monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = [str(FIXTURES / "clean"), str(FIXTURES / "bad")]
    if CORPUS.is_dir():
        inputs += sorted(str(path) for path in CORPUS.glob("*.jsonl"))
    command = ("check", "-f", "json", "--max-repeats", "0", "-j1", *inputs)
    fast = run_cli(*command).output
    monkeypatch.setattr(structure, "VALID", {})  # every record is judged by pydantic
    assert run_cli(*command).output == fast
    assert len(json.loads(fast)["files"]) > 10


def test_a_clean_file_never_builds_the_models() -> None:
    """The models are built on first use (defer_build): start-up does not pay for them, nor does a file
    the structural check passes whole. A fresh process, since any earlier test may have built them."""
    import subprocess
    import sys

    code = ("import ftlint; from ftlint.formats import models; "
            "result = ftlint.lint_records([{'messages': [{'role': 'user', 'content': 'Hi?'}, "
            "{'role': 'assistant', 'content': 'Hello.'}]}], tokens=False); "
            "print(result.violations == [], models.ChatRecord.__pydantic_complete__, "
            "ftlint.lint_records([{'messages': []}], tokens=False).violations[0].code, "
            "models.ChatRecord.__pydantic_complete__)")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert shown == ["True", "False", "FT104", "True"]  # an empty `messages`: pydantic names it
