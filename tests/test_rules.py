"""One inline case per rule that must fire (at the given lines) and one that must not.

File-level rules that need raw bytes (BOM, encodings, line endings) are covered by
fixtures/ (tests/test_fixtures.py); test_every_rule_is_tested checks that nothing is left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES, assistant, chat, conversation, findings, many, system, user
from ftlint import lint_records
from ftlint.registry import discover

CALL = {"id": "c1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}


def tool(name: str = "lookup", parameters: object = None) -> dict[str, object]:
    schema = parameters if parameters is not None else {
        "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    return {"type": "function", "function": {"name": name, "description": "Look up.", "parameters": schema}}


def call(name: str = "lookup", arguments: str = '{"city": "Oslo"}', call_id: str = "c1") -> dict[str, object]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def with_calls(*calls: dict[str, object], tools: list[object] | None = None, **extra: object) -> dict[str, object]:
    answers = [{"role": "tool", "tool_call_id": c["id"], "content": "ok"} for c in calls]
    return {"messages": [user("Weather?"), {"role": "assistant", "tool_calls": list(calls)}, *answers,
                         assistant("Sunny.")], "tools": tools if tools is not None else [tool()], **extra}


DPO = {"model": "gpt-4o-2024-08-06"}
RFT = {"model": "o4-mini-2025-04-16"}


PNG = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9"
       "awAAAABJRU5ErkJggg==")


def pair(preferred: dict[str, object] | None = None, non_preferred: dict[str, object] | None = None,
         ends: dict[str, object] | None = None) -> dict[str, object]:
    messages = [user("Summarise the policy.")] + ([ends] if ends else [])
    return {"input": {"messages": messages}, "preferred_output": [preferred or assistant("Clear summary.")],
            "non_preferred_output": [non_preferred or assistant("Vague summary.")]}


def rft(**fields: object) -> dict[str, object]:
    return {"messages": [user("What is 2 + 2?")], **fields}


LEGACY = {"messages": [user("Weather?"), {"role": "assistant", "function_call": {"name": "lookup",
          "arguments": '{"city": "Oslo"}'}}, {"role": "function", "name": "lookup", "content": "ok"},
          assistant("Sunny.")], "functions": [tool()["function"]]}
TEN = many(10)


@dataclass
class Case:
    code: str
    bad: list[Any]
    lines: list[int]
    good: list[Any]
    settings: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case("FT001", ['{"messages": [}'], [1], [chat()]),
    Case("FT002", [chat(), "[1, 2]"], [2], [chat()]),
    Case("FT004", [b'{"messages": "caf\xe9"}'], [1], ['{"messages": "caf\u00e9"}']),
    Case("FT007", [b'{"a": "\x00"}'], [1], ['{"a": "\\u0000"}']),
    Case("FT008", ['{"messages": [], "x": Infinity}'], [1], ['{"messages": [], "x": "Infinity"}']),
    Case("FT009", ['{"messages": [{"role": "user", "content": "\\udc00"}]}'], [1],
         ['{"messages": [{"role": "user", "content": "\\ud83d\\ude00"}]}']),
    Case("FT010", ['{"messages": [], "messages": []}'], [1], ['{"messages": []}']),
    Case("FT011", [chat(), "", chat(), "  \t"], [2, 4], [chat(), chat()]),
    Case("FT014", [""], [1], [chat()]),  # a lone blank line: the file has no content
    Case("FT015", [json.dumps(chat("x" * 5000))], [1], [json.dumps(chat("x" * 500))], {"max_line_bytes": 2048}),
    Case("FT101", [conversation(user(), {"content": "no role"})], [1], [chat()]),
    Case("FT102", [chat(source="web")], [1], [chat()]),
    Case("FT103", [conversation(user(42), assistant())], [1], [chat()]),
    Case("FT104", [{"messages": []}], [1], [chat()]),
    Case("FT105", [conversation(user(), {"role": "Assistant", "content": "x"})], [1], [chat()]),
    Case("FT106", [conversation(user(), assistant(weight=2)), conversation(user(), assistant(weight="1"))], [1, 2],
         [conversation(user(), assistant(weight=0))]),
    Case("FT107", [conversation(user(), assistant(weight=1.0))], [1], [conversation(user(), assistant(weight=1))]),
    Case("FT108", [conversation(user([{"type": "image_url", "image_url": {"url": "https://x/y.png", "detail": "max"}}]),
                                assistant())], [1],
         [conversation(user([{"type": "image_url", "image_url": {"url": "https://x/y.png", "detail": "low"}}]),
                       assistant())], {"model": "gpt-4o-2024-08-06"}),
    Case("FT109", [conversation(user(), {"role": "assistant"})], [1],
         [conversation(user(), {"role": "assistant", "tool_calls": [CALL]})]),
    Case("FT110", [{"input": {"messages": [user()]}, "preferred_output": [assistant(), assistant()],
                    "non_preferred_output": [assistant("no")]}], [1],
         [{"input": {"messages": [user()]}, "preferred_output": [assistant()],
           "non_preferred_output": [assistant("no")]}]),
    Case("FT111", [chat(), {"prompt": "a", "completion": "b"}], [2], [chat(), chat()]),
    Case("FT112", [conversation({"role": "developer", "content": "Be brief."}, user(), assistant())], [1],
         [conversation(system(), user(), assistant())]),
    Case("FT113", [chat()], [1], [chat()], {"method": "dpo"}),
    Case("FT201", [conversation(system(), user())], [1], [chat()]),
    Case("FT202", [conversation(user(), assistant(), user("thanks"))], [1], [chat()]),
    Case("FT203", [conversation(user(), system(), assistant())], [1], [conversation(system(), user(), assistant())]),
    Case("FT204", [conversation(system(), system("Also this."), user(), assistant())], [1],
         [conversation(system(), user(), assistant())]),
    Case("FT205", [conversation(user(), {"role": "tool", "tool_call_id": "c1", "content": "42"}, assistant())], [1],
         [conversation(user(), {"role": "assistant", "tool_calls": [CALL]},
                       {"role": "tool", "tool_call_id": "c1", "content": "42"}, assistant())]),
    Case("FT206", [conversation(user(), {"role": "assistant", "tool_calls": [CALL]}, user("?"), assistant())], [1],
         [conversation(user(), {"role": "assistant", "tool_calls": [CALL]})]),
    Case("FT207", [conversation(user(), assistant())], [1], [conversation(user("grade me"))],
         {"method": "reinforcement", "model": "o4-mini-2025-04-16"}),
    Case("FT208", [conversation(user(), assistant("Checking."), assistant("Done."))], [1], [chat()]),
    Case("FT209", [conversation(system(), assistant())], [1], [chat()]),
    Case("FT301", [chat("word " * 5000)], [1], [chat("word " * 3000)], {"model": "gpt-3.5-turbo-0613"}),
    Case("FT302", [chat("Fill: x<|fim_suffix|>y"), chat(answer="<|endoftext|>")], [1, 2], [chat("<| endoftext |>")]),
    Case("FT303", [chat("<|user_turn|> hi")], [1], [chat("a <|endoftext|> is FT302's business")],
         {"select": ["FT303"]}),
    Case("FT401", [conversation(user([{"type": "image_url", "image_url": {"url": "https://x/y.png"}}]), assistant())],
         [1], [conversation(user([{"type": "image_url", "image_url": {"url": "https://x/y.png"}}]), assistant())]),
    Case("FT402", [conversation(user(), assistant([{"type": "image_url", "image_url": {"url": "https://x/y.png"}}]))],
         [1], [chat()]),
    Case("FT403", [conversation(user([{"type": "input_audio", "input_audio": {"data": "", "format": "wav"}}]),
                                assistant())], [1], [chat()]),
    Case("FT404", [conversation(user([{"type": "file", "file": {"file_id": "f"}}]), assistant())], [1], [chat()]),
    Case("FT405", [chat(""), chat(answer=" \n")], [1, 2],
         [conversation(user(), {"role": "assistant", "content": "", "tool_calls": [CALL]})]),
    Case("FT501", many(9), [1], TEN),
    Case("FT601", [with_calls(call("get weather"), tools=[tool("get weather")])], [1], [with_calls(call())]),
    Case("FT602", [with_calls(call(), tools=[tool(parameters={"type": "text"})])], [1], [with_calls(call())]),
    Case("FT603", [conversation(user(), {"role": "assistant", "tool_calls": [call()]},
                                {"role": "tool", "tool_call_id": "c2", "content": "ok"}, assistant())], [1],
         [with_calls(call())]),
    Case("FT604", [with_calls(call("search"))], [1], [with_calls(call()), with_calls(call("x"), tools=[])]),
    Case("FT605", [with_calls(call(arguments="{city: Oslo}")), with_calls(call(arguments="[1]"))], [1, 2],
         [with_calls(call())]),
    Case("FT606", [with_calls(call(arguments='{"city": 3}')), with_calls(call(arguments="{}"))], [1, 2],
         [with_calls(call())]),
    Case("FT607", [with_calls(call(), call())], [1], [with_calls(call(), call(call_id="c2"))]),
    Case("FT608", [with_calls(call(), call(call_id="c2"), parallel_tool_calls=False)], [1],
         [with_calls(call(), call(call_id="c2")), with_calls(call(), parallel_tool_calls=False)]),
    Case("FT609", [LEGACY], [1], [with_calls(call())]),
    Case("FT610", [with_calls(call()), LEGACY], [1], [LEGACY, LEGACY]),
    Case("FT505", [chat("a"), chat("b"), chat("a"), chat("a")], [3, 4], [chat("a"), chat("b")]),
    Case("FT420", [chat("donâ€™t"), chat("caf\ufffd")], [1, 2], [chat("don’t café")]),
    Case("FT421", [chat("beep\x07")], [1], [chat("tab\tand\nnewline")]),
    Case("FT422", [chat("zero\u200bwidth"), chat("\u202eevil")], [1, 2], [chat("family 👩\u200d👧")]),
    Case("FT423", [chat("[INST] hi [/INST]"), chat("User: hello"), chat("### Human: hi")], [1, 2, 3],
         [chat("Use a User: prefix?"), chat("a <b> tag")]),
    Case("FT424", [chat(answer=" 42"), chat(answer="42\n")], [1, 2], [chat(answer="42")]),
    Case("FT510", many(12), [1], many(50), {"select": ["FT510"]}),
    Case("FT508", [conversation(user(), assistant(weight=0))], [1], [conversation(user(), assistant(weight=1))]),
    Case("FT509", [conversation(user(f"q{i}"), assistant(f"a{i}", weight=0)) for i in range(3)], [1],
         [conversation(user("q"), assistant(weight=0)), conversation(user("r"), assistant())]),
    Case("FT506", [chat("q", "yes"), chat("q", "no"), chat("r", "no"), chat("q", "yes")], [2],
         [chat("q", "yes"), chat("r", "yes")]),
    Case("FT511", [chat(f"q{i}", "I am sorry, but I cannot help with that request.") for i in range(5)]
         + [chat(f"other {i}", f"A long and specific answer number {i} here.") for i in range(15)], [1],
         [chat(f"q{i}", f"A long and specific answer number {i} here.") for i in range(20)]),
    Case("FT801", [pair(assistant("Same."), assistant("Same."))], [1], [pair()], DPO),
    Case("FT802", [pair(ends=assistant("Earlier answer."))], [1], [pair()], DPO),
    Case("FT803", [rft(answer="4"), rft(), rft(answer="5"), rft(answer="6")], [2],
         [rft(answer="4"), rft(answer="5")], RFT),
    Case("FT804", [rft(answer="4")], [1], [chat()], RFT),
    Case("FT805", [{"prompt": "Q ->", "completion": " "}], [1], [{"prompt": "Q ->", "completion": " A"}]),
    Case("FT806", [{"prompt": "Q ->", "completion": "A"}], [1], [{"prompt": "Q ->", "completion": " A"}]),
    Case("FT807", [{"prompt": "Cats?", "completion": " Yes, cats. END"},
                   {"prompt": "Dogs.", "completion": " Dogs bark a lot. END"},
                   {"prompt": "Birds!", "completion": " Birds sing all day. END"}], [1],
         [{"prompt": "Cats? ->", "completion": " Yes, cats. END"},
          {"prompt": "Dogs. ->", "completion": " Dogs bark. END"}]),
    Case("FT502", [conversation(user("grade me"))] * 1001, [1], [conversation(user("grade me"))] * 1000,
         {"model": "o4-mini-2025-04-16", "validation": True}),
    # Target policies: each fires under the target whose rule it is (its layer turns it on or off).
    Case("FT131", [conversation(user(), assistant("draft", weight=0), user("again"), assistant())], [1],
         [conversation(user(), assistant(weight=1))], {"provider": "hf"}),
    Case("FT132", [{**chat("a"), "weight": 2.0}, chat("b"), {**chat("c"), "weight": "high"}], [2, 3],
         [{**chat("a"), "weight": 2.0}, {**chat("b"), "weight": -0.5}], {"provider": "fireworks"}),
    Case("FT220", [conversation(user(), user("more"), assistant()), conversation(system(), assistant(), user())],
         [1, 2], [conversation(system(), user(), {"role": "assistant", "tool_calls": [CALL]},
                               {"role": "tool", "tool_call_id": "c1", "content": "42"}, assistant(), user("ok"),
                               assistant("bye"))], {"provider": "together"}),
    Case("FT430", [conversation(user([{"type": "image_url", "image_url": {"url": PNG}}], weight=1), assistant())],
         [1], [conversation(user([{"type": "image_url", "image_url": {"url": PNG}}]), assistant())],
         {"provider": "together"}),
    Case("FT620", [with_calls({"id": "c1", "type": "function", "function": {"name": "lookup",
                                                                           "arguments": {"city": "Oslo"}}})],
         [1], [with_calls(call())]),
]
# FT401's "good" case trains a vision model: same data, a model that can see.
GOOD_SETTINGS = {"FT401": {"model": "gpt-4o-2024-08-06"}, "FT113": {"method": "supervised"},
                 "FT207": {"method": "reinforcement", "model": "o4-mini-2025-04-16"}}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.code)
def test_rule_fires(case: Case) -> None:
    settings = {"select": [case.code], **case.settings}
    got = findings(case.bad, **settings)
    assert [line for code, line in got if code == case.code] == case.lines, got
    assert {code for code, _ in got} == {case.code}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.code)
def test_rule_stays_quiet(case: Case) -> None:
    settings = {"select": [case.code], **case.settings, **GOOD_SETTINGS.get(case.code, {})}
    assert findings(case.good, **settings) == []


# Rules whose trigger cannot be written as a plain record, tested where noted.
COVERED_ELSEWHERE = {
    "FT304": "tests/test_tokens.py::test_tokenizer_panic_becomes_a_finding",
    "FT901": "tests/test_report.py::test_baseline_round_trip",
    "FT406": "tests/test_images.py::test_invalid_image_url_rule",
    "FT407": "tests/test_images.py::test_too_many_images_follows_the_provider",
    "FT408": "tests/test_images.py::test_image_too_large",
    "FT503": "tests/test_rules.py::test_file_too_large",
    "FT504": "tests/test_cli.py::test_reinforcement_needs_a_validation_file_on_azure",
    "FT507": "tests/test_rules.py::test_validation_leakage_across_files",
    "FT016": "tests/test_inputs.py::test_truncated_archive_is_a_finding",
    "FT017": "tests/test_inputs.py::test_extension",
    "FT820": "tests/test_cli.py::test_a_model_whose_jobs_closed_is_an_error",
    "FT821": "tests/test_cli.py::test_the_last_month_before_a_deadline_is_a_warning",
    **{code: "tests/test_secrets.py::test_found_and_never_shown"
       for code in ("FT701", "FT702", "FT703", "FT704", "FT705", "FT706", "FT707")},
    # Open-model rules need a model folder (a tokenizer trained in the test); each has its own test there.
    **{code: "tests/test_templates.py" for code in (
        "FT310", "FT311", "FT312", "FT313", "FT314", "FT315", "FT611", "FT612", "FT613")},
}


def test_every_rule_is_tested() -> None:
    covered = {case.code for case in CASES} | set(COVERED_ELSEWHERE)
    expected = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
    covered |= {item.split(":")[0] for items in expected.values() for item in items}
    rules = set(discover().rules)
    assert rules - covered == set(), "rules without a test case"


def test_rules_are_declared_completely() -> None:
    for rule in discover().sorted_rules():
        assert rule.validate_definition() == []
        assert rule.__doc__ and "Why" in rule.__doc__, f"{rule.code} needs a docstring with a why"
        assert rule.fix, f"{rule.code} needs a one-line fix"
        assert rule.code[:3] in {"FT0", "FT1", "FT2", "FT3", "FT4", "FT5", "FT6", "FT7", "FT8", "FT9"}


def test_role_rules_do_not_pile_onto_invalid_roles() -> None:
    got = findings([conversation({"role": "User", "content": "hi"}, assistant())], ignore=["FT501"])
    assert [code for code, _ in got] == ["FT105"]


def test_over_limit_message_counts_lost_tokens() -> None:
    from ftlint import lint_records

    result = lint_records([chat("word " * 5000, "answer " * 100)], model="gpt-3.5-turbo-0613", select=["FT301"],
                          provider="openai")
    (violation,) = result.violations
    assert "over gpt-3.5-turbo-0613's 4,096-token training context" in violation.message
    lost = result.report.totals.max_example - 4096
    assert f"drops {lost:,} tokens" in violation.message
    # The answer sits at the end, so every one of its tokens is lost.
    assert f"({result.report.totals.trainable:,} of them trainable assistant tokens)" in violation.message
    assert result.report.totals.over_limit == 1
    assert result.report.totals.billed == 4096


def test_file_too_large() -> None:
    from ftlint.catalog import load_catalog
    from ftlint.records import FileFacts
    from ftlint.rule import FileContext, RunInfo
    from ftlint.rules.dataset import FileTooLarge
    from ftlint.stats import FileTotals

    catalog = load_catalog()
    run = RunInfo(model=catalog.resolve("gpt-4o-mini"), method="auto", kind="training", target=catalog.target)
    big = FileContext(FileFacts(size=600_000_000), FileTotals(), run, "chat")
    (finding,) = FileTooLarge().check(big)
    assert "file is 600.0 MB; OpenAI takes files of at most 512 MB" in finding.message
    assert list(FileTooLarge().check(FileContext(FileFacts(size=500_000_000), FileTotals(), run, "chat"))) == []


def test_validation_leakage_across_files(tmp_path: Path) -> None:
    from conftest import run_cli

    train = tmp_path / "train.jsonl"
    valid = tmp_path / "valid.jsonl"
    records = many(12)
    train.write_text("".join(json.dumps(r) + "\n" for r in records[:10]), encoding="utf-8")
    leaked = [records[3], chat("What is 4 + 4?", "Eight, I think."), records[11]]
    valid.write_text("".join(json.dumps(r) + "\n" for r in leaked), encoding="utf-8")
    # The validation file is named first: ftlint still reads training files first.
    report = json.loads(run_cli("check", str(valid), str(train), "--format", "json", "--select", "FT507").stdout)
    by_name = {Path(f["path"]).name: f for f in report["files"]}
    found = [(v["line"], v["message"]) for v in by_name["valid.jsonl"]["violations"]]
    assert found == [(1, f"validation example also appears in training ({train}:4)"),
                     (2, f"validation prompt also appears in training ({train}:5)")]
    assert by_name["train.jsonl"]["violations"] == []


def test_repeated_tool_definitions_are_judged_once_and_reported_on_every_line() -> None:
    from ftlint import lint_records

    bad = [{"type": "function", "function": {"name": "get weather", "parameters": {"type": "text"}}}]
    good = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
    records = [{**chat(f"q{i}", f"a{i}"), "tools": tools} for i, tools in enumerate([bad, good, bad, bad])]
    result = lint_records(records, select=["FT601", "FT602"], tokens=False)
    assert [(v.line, v.code, v.pointer) for v in result.violations] == [
        (line, code, f"/tools/0/function/{key}") for line in (1, 3, 4)
        for code, key in (("FT601", "name"), ("FT602", "parameters"))]


def test_repeated_tools_judge_each_records_own_calls() -> None:
    """The declared functions are remembered by the definitions' digest: every line's calls are still
    judged against them (FT604, FT606), and a preference record's tools are at its own pointers."""
    from ftlint import lint_records

    tools = [tool("lookup"), tool("search")]
    chats = [with_calls(call("lookup"), tools=tools), with_calls(call("fetch"), tools=tools),
             with_calls(call("search", '{"town": "Oslo"}'), tools=tools), with_calls(call("fetch", call_id="c9"),
                                                                                    tools=tools)]
    result = lint_records(chats, select=["FT604", "FT606"], tokens=False)
    assert [(v.line, v.code, v.pointer) for v in result.violations] == [
        (2, "FT604", "/messages/1/tool_calls/0/function/name"),
        (3, "FT606", "/messages/1/tool_calls/0/function/arguments"),
        (4, "FT604", "/messages/1/tool_calls/0/function/name")]
    assert "fetch" in result.violations[0].message and "lookup, search" in result.violations[0].message
    bad = [{"type": "function", "function": {"name": "get weather"}}]
    preference = {"input": {"messages": [user("Hi")], "tools": bad},
                  "preferred_output": [assistant("a")], "non_preferred_output": [assistant("b")]}
    result = lint_records([preference, {"messages": [user("Hi"), assistant("a")], "tools": bad}, preference],
                          select=["FT601"], tokens=False, model="gpt-4o-2024-08-06")
    assert [v.pointer for v in result.violations] == [
        "/input/tools/0/function/name", "/tools/0/function/name", "/input/tools/0/function/name"]


def test_messages_in_a_preference_record_are_named_by_their_part() -> None:
    record = {"input": {"messages": [{"role": "user", "content": " "}]},
              "preferred_output": [{"role": "assistant", "content": "Hello there"}],
              "non_preferred_output": [{"role": "assistant", "content": " "}]}
    messages = [v.message for v in lint_records([record], model="gpt-4o", select=["FT405"]).violations]
    assert messages == ["input message 1 (user) content is only whitespace",
                        "non-preferred output 1 (assistant) content is only whitespace"]
