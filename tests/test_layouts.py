"""The other layouts (TRL, ShareGPT, Alpaca, Gemini, Nova): detected, validated as themselves, diagnosed
once when the target does not read them, and counted like their OpenAI equivalent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import chat, codes, findings, run_cli
from ftlint import lint_records


def sharegpt(*turns: tuple[str, str], **extra: Any) -> dict[str, Any]:
    return {"conversations": [{"from": kind, "value": value} for kind, value in turns], **extra}


def gemini(*turns: tuple[str, str], **extra: Any) -> dict[str, Any]:
    return {"contents": [{"role": role, "parts": [{"text": text}]} for role, text in turns], **extra}


def nova(*turns: tuple[str, Any], **extra: Any) -> dict[str, Any]:
    return {"schemaVersion": "bedrock-conversation-2024", **extra,
            "messages": [{"role": role, "content": content if isinstance(content, list) else [{"text": content}]}
                         for role, content in turns]}


VERTEX = {"provider": "vertex", "model": "gemini-2.5-flash"}
NOVA = {"provider": "nova", "model": "amazon.nova-lite-v1:0"}

ONE_OF_EACH = {
    "alpaca": {"instruction": "Add the numbers.", "input": "2 and 2", "output": "4"},
    "sharegpt": sharegpt(("human", "hi"), ("gpt", "hello")),
    "trl-preference": {"prompt": [{"role": "user", "content": "hi"}],
                       "chosen": [{"role": "assistant", "content": "hello"}],
                       "rejected": [{"role": "assistant", "content": "go away"}]},
    "trl-unpaired": {"prompt": "hi", "completion": "hello", "label": True},
    "trl-completion": {"prompt": [{"role": "user", "content": "hi"}],
                       "completion": [{"role": "assistant", "content": "hello"}]},
    "text": {"text": "The quick brown fox."},
    "gemini": gemini(("user", "hi"), ("model", "hello")),
    "gemini-preference": {"contents": [{"role": "user", "parts": [{"text": "hi"}]}], "completions": [
        {"score": 1, "completion": {"role": "model", "parts": [{"text": "hello"}]}},
        {"score": 0, "completion": {"role": "model", "parts": [{"text": "no"}]}}]},
    "nova": nova(("user", "hi"), ("assistant", "hello")),
    "chat": chat(),
    "preference": {"input": {"messages": [{"role": "user", "content": "hi"}]},
                   "preferred_output": [{"role": "assistant", "content": "hello"}],
                   "non_preferred_output": [{"role": "assistant", "content": "no"}]},
    "completion": {"prompt": "hi ->", "completion": " hello\n"},
}


@pytest.mark.parametrize("layout", sorted(ONE_OF_EACH))
def test_each_layout_is_detected_as_itself_and_validates(layout: str) -> None:
    result = lint_records([ONE_OF_EACH[layout]], provider="generic")
    assert result.report.format == layout
    assert result.report.totals.valid == 1  # validated against its own layout's schema, not OpenAI's


def test_an_alpaca_record_with_input_is_not_a_preference_pair() -> None:
    # `input` is OpenAI DPO's key too; Alpaca's `instruction`/`output` decide.
    for record in ({"instruction": "Translate.", "input": "Hallo", "output": "Hello"},
                   {"input": "Hallo", "output": "Hello", "instruction": ""}):
        result = lint_records([record], provider="generic")
        assert result.report.format == "alpaca"
        assert not [v for v in result.violations if v.code.startswith("FT1")]


def test_a_hundred_trl_pairs_for_openai_get_one_diagnosis_not_a_wall_of_key_errors() -> None:
    pairs = [{"prompt": f"What is {n} + {n}?", "chosen": f"{2 * n}.", "rejected": "No idea."} for n in range(100)]
    result = lint_records(pairs, provider="openai", model="gpt-4o-2024-08-06")
    assert [(v.code, v.line) for v in result.violations] == [("FT114", 1)]
    message = result.violations[0].message
    # The pairs' own method decides what the target wants: OpenAI's preference layout, not its chat layout.
    assert "TRL preference layout" in message
    assert "OpenAI wants the OpenAI layout (`input`/`preferred_output`/`non_preferred_output`)" in message
    assert "ftlint convert FILE --to openai" in message


def test_openai_pairs_for_a_trainer_are_told_the_trainers_pair_layout_and_nothing_else() -> None:
    pairs = [{"input": {"messages": [{"role": "user", "content": [{"type": "txt", "text": f"what {n}"}]}]},
              "preferred_output": [{"role": "assistant", "content": "a cat"}],
              "non_preferred_output": [{"role": "assistant", "content": "a dog"}]} for n in range(3)]
    result = lint_records(pairs, provider="hf", model="acme/no-template-here")
    assert [(v.code, v.line) for v in result.violations] == [("FT114", 1)]  # no OpenAI schema verdict (FT108)
    message = result.violations[0].message
    assert "OpenAI layout (`input`/`preferred_output`/`non_preferred_output`)" in message
    assert "wants the TRL preference layout" in message and "--to hf" in message


def test_the_diagnosis_names_the_target_and_its_converter() -> None:
    records = [chat(f"q{n}", f"a{n}") for n in range(3)]
    (diagnosis,) = [v for v in lint_records(records, **VERTEX).violations if v.code == "FT114"]
    assert "Vertex AI Gemini tuning wants the Vertex Gemini layout" in diagnosis.message
    assert "--to gemini" in diagnosis.message


def test_a_layout_ftlint_cannot_convert_says_so() -> None:
    records = [{"prompt": f"q{n}", "completion": f"a{n}", "label": n % 2 == 0} for n in range(10)]
    result = lint_records(records, provider="openai", model="gpt-4o-2024-08-06")
    # FT113 ("cannot be trained on ...; choose another model") would be a dead end: FT114 speaks instead.
    assert [v.code for v in result.violations] == ["FT114"]
    assert "ftlint cannot convert it" in result.violations[0].message


def test_a_target_that_reads_the_layout_gets_no_diagnosis() -> None:
    assert "FT114" not in codes([gemini(("user", f"q{n}"), ("model", f"a{n}")) for n in range(3)], **VERTEX)
    assert "FT114" not in codes([ONE_OF_EACH["sharegpt"]], provider="generic")


def test_a_file_that_mixes_layouts_says_where() -> None:
    records = [sharegpt(("human", f"q{n}"), ("gpt", f"a{n}")) for n in range(3)]
    records += [ONE_OF_EACH["alpaca"], ONE_OF_EACH["sharegpt"], chat()]
    found = findings(records, provider="generic")
    assert found == [("FT111", 4), ("FT111", 6)]
    messages = [v.message for v in lint_records(records, provider="generic").violations]
    assert "record is Alpaca instruction/input/output but the file is ShareGPT" in messages[0]


def test_layout_schema_errors_point_into_the_layout() -> None:
    bad = [sharegpt(("human", "hi"), ("gpt", 42)), {"conversations": [{"from": "human", "value": "hi", "weight": 1}]}]
    got = [(v.code, v.line, v.pointer) for v in lint_records(bad, provider="generic").violations]
    assert ("FT103", 1, "/conversations/1/value") in got
    assert ("FT102", 2, "/conversations/0/weight") in got
    tools = gemini(("user", "hi"), ("model", "ok"), tools=[{"functionDeclarations": []}])
    got = [(v.code, v.line, v.pointer) for v in lint_records([tools], **VERTEX).violations]
    assert got == [("FT104", 1, "/tools/0/functionDeclarations")]


def test_other_layouts_count_the_tokens_of_their_openai_equivalent() -> None:
    messages = [{"role": "system", "content": "Be brief."},
                {"role": "user", "content": "What is the capital of France?"},
                {"role": "assistant", "content": "Paris."}]
    as_chat = lint_records([{"messages": messages}]).report.totals
    layouts = [sharegpt(("human", messages[1]["content"]), ("gpt", "Paris."), system="Be brief."),
               {"systemInstruction": {"parts": [{"text": "Be brief."}]}, **gemini(("user", messages[1]["content"]),
                                                                                  ("model", "Paris."))},
               nova(("user", messages[1]["content"]), ("assistant", "Paris."), system=[{"text": "Be brief."}])]
    for record in layouts:
        totals = lint_records([record], provider="generic").report.totals
        assert (totals.tokens, totals.trainable) == (as_chat.tokens, as_chat.trainable), record


def test_vertex_limits_come_from_the_target_data() -> None:
    long_text = "word " * 140_000  # over Gemini 2.5 Flash's 131,072 tokens per example
    assert "FT301" in codes([gemini(("user", long_text), ("model", "ok"))], **VERTEX)
    validation = [gemini(("user", f"q{n}"), ("model", "a")) for n in range(5_001)]
    result = lint_records(validation, validation=True, tokens=False, **VERTEX)
    assert [v.code for v in result.violations] == ["FT502"]


def test_nova_sample_bounds_and_text_only_model() -> None:
    few = [nova(("user", f"q{n}"), ("assistant", "a")) for n in range(7)]
    assert codes(few, **NOVA) == ["FT501"]
    assert codes([*few, nova(("user", "q"), ("assistant", "b"))], **NOVA) == []
    image = {"image": {"format": "png", "source": {"s3Location": {"uri": "s3://b/x.png"}}}}
    with_image = [*few, nova(("user", [{"text": "What is this?"}, image]), ("assistant", "A tent."))]
    assert codes(with_image, **NOVA) == []
    assert [(c, line) for c, line in findings(with_image, provider="nova", model="nova-micro")] == [("FT429", 8)]


def test_function_calls_are_judged_by_the_model_table() -> None:
    record = {"contents": [
        {"role": "user", "parts": [{"text": "Weather in Oslo?"}]},
        {"role": "model", "parts": [{"functionCall": {"name": "get_weather", "args": {"city": "Oslo"}}}]},
        {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {"temp_c": 4}}}]},
        {"role": "model", "parts": [{"text": "4 °C."}]}]}
    assert codes([record], **VERTEX) == ["FT615"]
    assert codes([record], provider="vertex", model="gemini-2.5-flash", models={
        "gemini-3.5-flash": {"encoding": "o200k_base", "training_context": 131072}}) == ["FT615"]
    assert codes([record], provider="vertex", model="gemini-3.5-flash", models={
        "gemini-3.5-flash": {"encoding": "o200k_base", "training_context": 131072}}) == []


def test_a_text_transcript_in_one_nova_turn_is_reported_once_with_each_keyword() -> None:
    records = [nova(("user", "User: hi\nBot: hello\n[EOS]"), ("assistant", "ok"))] * 8
    result = lint_records(records, select=["FT425"], **NOVA)
    assert len(result.violations) == 8
    assert "`User:`, `Bot:`, `[EOS]`" in result.violations[0].message
    assert result.violations[0].pointer == "/messages/0/content/0/text"


def test_layout_rules_are_documented(tmp_path: Path) -> None:
    for code in ("FT114", "FT210", "FT425", "FT615", "FT808"):
        shown = run_cli("rule", code)
        assert shown.exit_code == 0 and "Why" in shown.output, code


def test_check_on_a_layout_file_from_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text("".join(json.dumps(sharegpt(("human", f"q{n}"), ("gpt", f"a{n}"))) + "\n" for n in range(10)))
    result = run_cli("check", str(path), "--provider", "openai", "-f", "concise", "--no-tokens")
    assert result.exit_code == 1
    assert result.output.count("FT114") == 1
    assert f"{path}:1:1: FT114 [error] this is the ShareGPT layout" in result.output


def test_duplicates_and_conflicting_answers_read_the_layouts_turns() -> None:
    alpaca = [{"instruction": "Translate to English.", "input": word, "output": "Hello"} for word in ("Hallo", "Hola")]
    # The `input` is part of the prompt: two records that differ in it are not duplicates, but they do give
    # one answer to different prompts, so nothing conflicts either.
    assert not {"FT505", "FT506"} & set(codes(alpaca, provider="generic"))
    same_prompt = [sharegpt(("human", "Capital of France?"), ("gpt", answer), system="Be brief.")
                   for answer in ("Paris.", "Lyon.")]
    assert ("FT506", 2) in findings(same_prompt, provider="generic")
    other_system = [sharegpt(("human", "Capital of France?"), ("gpt", "Paris."), system=system)
                    for system in ("Be brief.", "Answer in French.")]
    assert not {"FT505", "FT506"} & set(codes(other_system, provider="generic"))
    twins = [gemini(("user", "hi"), ("model", "hello"))] * 2
    assert ("FT505", 2) in findings(twins, provider="generic")


def test_statistics_see_a_layout_s_system_prompt_and_calls(tmp_path: Path) -> None:
    call = {"functionCall": {"name": "lookup", "args": {"id": 1}}}
    record = {"systemInstruction": {"parts": [{"text": "Be brief."}]}, "contents": [
        {"role": "user", "parts": [{"text": "Look up 1."}]}, {"role": "model", "parts": [call]},
        {"role": "user", "parts": [{"functionResponse": {"name": "lookup", "response": {"ok": True}}}]},
        {"role": "model", "parts": [{"text": "Done."}]}]}
    path = tmp_path / "data.jsonl"
    path.write_text(json.dumps(record) + "\n")
    result = run_cli("check", str(path), "--provider", "vertex", "--model", "gemini-3.5-flash", "--config",
                     str(_config(tmp_path)), "-f", "concise")
    assert "system prompt in 100% (1 distinct); tool calls in 100%" in result.output


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "ftlint.toml"
    config.write_text('[models."gemini-3.5-flash"]\nencoding = "o200k_base"\ntraining_context = 131072\n')
    return config


def test_hostile_layout_records_are_findings_not_internal_errors(tmp_path: Path) -> None:
    records = [
        # A history pair of three strings is a harmless problem (too many items): the record is still counted,
        # and its tokens must be counted without the mapping's unpacking failing.
        {"instruction": "Continue.", "output": "Done.", "history": [["a", "b", "c"]]},
        # A function name that is not a string (a list cannot be looked up in a set).
        gemini(("user", "hi"), ("model", "ok"), tools=[{"functionDeclarations": [{"name": ["x"]}]}]),
    ]
    for record in records:
        path = tmp_path / "data.jsonl"
        path.write_text(json.dumps(record) + "\n")
        result = run_cli("check", str(path), "--provider", "generic", "-f", "concise")
        assert result.exit_code == 1, result.output
        assert "internal error" not in result.output


def test_an_unknown_key_beside_a_role_that_is_not_a_string_is_a_finding() -> None:
    record = {"schemaVersion": "bedrock-conversation-2024",
              "messages": [{"role": {"name": "user"}, "content": [{"text": "hi"}], "cachePoint": {}},
                           {"role": "assistant", "content": [{"text": "ok"}], "cachePoint": {}}]}
    result = lint_records([record], provider="nova", select=["FT1"])
    assert sorted((v.code, v.pointer) for v in result.violations) == [
        ("FT102", "/messages/0/cachePoint"), ("FT102", "/messages/1/cachePoint"), ("FT105", "/messages/0/role")]
    # Nova's messages are not OpenAI's: the message does not list OpenAI's keys.
    (second,) = [v for v in result.violations if v.pointer == "/messages/1/cachePoint"]
    assert second.message == "message 2 (assistant) has unknown key `cachePoint`"


def test_a_target_defined_in_config_names_the_layouts_it_reads() -> None:
    # `formats` and `convert` are target data like any other: a lab's own trainer that reads ShareGPT only.
    lab = {"lab": {"name": "Our lab trainer", "default-model": "m", "unknown-models": "allow",
                   "formats": ["sharegpt"], "convert": "sharegpt"}}
    result = lint_records([chat()] * 3, provider="lab", providers=lab, select=["FT114"])
    assert [(v.code, v.line) for v in result.violations] == [("FT114", 1)]
    assert "Our lab trainer wants the ShareGPT layout" in result.violations[0].message
    assert "--to sharegpt" in result.violations[0].message
    sharegpt = {"conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "hello"}]}
    assert lint_records([sharegpt] * 3, provider="lab", providers=lab, select=["FT114"]).violations == []
    with pytest.raises(ValueError, match="unknown formats"):
        lint_records([chat()], provider="lab", providers={"lab": {**lab["lab"], "formats": ["yaml"]}})


def test_a_layout_the_target_does_not_read_gets_the_diagnosis_not_its_own_verdicts() -> None:
    # Under OpenAI a Gemini file with an image is FT114 (convert it), not also "gpt-4o-mini trains on
    # text only" (FT429, a Vertex verdict); under Vertex the same file is judged by Vertex's rules.
    records = [{"contents": [
        {"role": "user", "parts": [{"text": f"What is this, {i}?"},
                                   {"fileData": {"mimeType": "image/jpeg", "fileUri": f"gs://b/t{i}.jpg"}}]},
        {"role": "model", "parts": [{"text": f"Tent number {i}."}]}]} for i in range(10)]
    assert codes(records, provider="openai") == ["FT114"]
    assert codes(records, provider="vertex", model="gemini-2.5-flash", models={
        "gemini-2.5-flash": {"vision": False}}) == ["FT429"] * 10
