"""`ftlint convert`: every line converted or rejected with its reason, losses listed, the input untouched,
the output clean for its target, and converting back the identity where nothing was lost."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, run_cli
from ftlint import lint_file
from ftlint.cli import CONVERT_TARGETS
from ftlint.convert import TARGETS, Rejected, convert_record

LAYOUTS = FIXTURES / "layouts"
SUPPORT = FIXTURES / "clean" / "support-chat.jsonl"
GEMINI_3 = {"gemini-3.5-flash": {"encoding": "o200k_base", "training_context": 131072, "vision": True}}


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def errors(path: Path, **settings: Any) -> list[str]:
    return [f"{v.code}:{v.line}" for v in lint_file(path, **settings).violations if v.severity.value == "error"]


def test_the_cli_offers_every_target_and_only_those() -> None:
    assert set(CONVERT_TARGETS) == set(TARGETS)


def test_every_line_ends_up_converted_or_rejected_with_its_reason(tmp_path: Path) -> None:
    source = LAYOUTS / "llamafactory" / "sharegpt-errors.jsonl"
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    out = tmp_path / "out.jsonl"
    result = run_cli("convert", str(source), "--to", "openai", "-o", str(out))
    assert result.exit_code == 1  # some lines were rejected
    rejects = [json.loads(line) for line in lines(tmp_path / "out.jsonl.rejects.jsonl")]
    assert [(r["line"], r["code"]) for r in rejects] == [(12, "unconvertible"), (13, "unconvertible"), (14, "FT105")]
    assert "function_call value is not JSON" in rejects[0]["reason"]
    originals = lines(source)
    assert [r["original"] for r in rejects] == [originals[11], originals[12], originals[13]]
    assert len(lines(out)) + len(rejects) == len(originals)
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before  # the input is untouched
    assert "15 input lines: 12 converted, 3 rejected" in result.stderr
    assert errors(out) == []  # OpenAI reads the output as it is


def test_check_previews_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = run_cli("convert", str(SUPPORT), "--to", "nova", "-o", str(out), "--check")
    assert result.exit_code == 1
    assert not out.exists() and not (tmp_path / "out.jsonl.rejects.jsonl").exists()
    assert "would convert: 15 input lines: 14 converted, 1 rejected" in result.stderr
    assert f"{SUPPORT}:13: rejected: Nova fine-tuning data has no tool use" in result.stderr


def test_lossy_steps_are_listed_with_line_and_pointer(tmp_path: Path) -> None:
    result = run_cli("convert", str(SUPPORT), "--to", "gemini", "-o", str(tmp_path / "g.jsonl"))
    assert result.exit_code == 0
    assert f"{SUPPORT}:14: lossy (dropped-weight) /messages/1/weight: Gemini contents have no `weight`" in result.stderr
    assert "losses: dropped-weight (2)" in result.stderr


def test_refuses_to_overwrite_the_input(tmp_path: Path) -> None:
    copy = tmp_path / "data.jsonl"
    copy.write_bytes(SUPPORT.read_bytes())
    link = tmp_path / "link.jsonl"
    link.hardlink_to(copy)  # another name of the same file: refused too (the guard compares inodes)
    for output in (copy, link):
        result = run_cli("convert", str(copy), "--to", "gemini", "-o", str(output))
        assert result.exit_code == 2 and "is the input" in result.stderr, result.stderr
    (tmp_path / "alias.jsonl").symlink_to(tmp_path / "elsewhere.jsonl")
    result = run_cli("convert", str(copy), "--to", "gemini", "-o", str(tmp_path / "alias.jsonl"))
    assert result.exit_code == 2 and "symbolic link" in result.stderr
    assert copy.read_bytes() == SUPPORT.read_bytes() and not (tmp_path / "elsewhere.jsonl").exists()


@pytest.mark.parametrize(("source", "to", "check"), [
    (SUPPORT, "gemini", {"provider": "vertex", "model": "gemini-3.5-flash", "models": GEMINI_3}),
    (SUPPORT, "nova", {"provider": "nova", "model": "amazon.nova-lite-v1:0"}),
    (SUPPORT, "openai", {}),
    (FIXTURES / "clean" / "dpo" / "support-preference.jsonl", "gemini",
     {"provider": "vertex", "model": "gemini-2.5-flash"}),
    # `generic` still gates methods by an OpenAI model (issue 17 makes it generic): one that trains DPO.
    (FIXTURES / "clean" / "dpo" / "support-preference.jsonl", "hf", {"provider": "generic", "model": "gpt-4o"}),
    (LAYOUTS / "llamafactory" / "sharegpt.jsonl", "openai", {}),
    (LAYOUTS / "llamafactory" / "alpaca.jsonl", "openai", {}),
    (LAYOUTS / "trl" / "trl-preference.jsonl", "openai", {"model": "gpt-4o-2024-08-06"}),
    (LAYOUTS / "vertex" / "gemini-clean.jsonl", "openai", {"model": "gpt-4o-2024-08-06"}),
    (LAYOUTS / "nova" / "nova-clean.jsonl", "sharegpt", {"provider": "generic"}),
    (LAYOUTS / "vertex" / "gemini-preference-clean.jsonl", "hf", {"provider": "generic", "model": "gpt-4o"}),
])
def test_the_output_lints_clean_for_its_target(tmp_path: Path, source: Path, to: str, check: dict[str, Any]) -> None:
    out = tmp_path / "out.jsonl"
    result = run_cli("convert", str(source), "--to", to, "-o", str(out))
    rejected = lines(tmp_path / "out.jsonl.rejects.jsonl") if (tmp_path / "out.jsonl.rejects.jsonl").exists() else []
    assert len(lines(out)) + len(rejected) == len(lines(source)), result.stderr
    found = [v for v in lint_file(out, **check).violations if v.severity.value in ("error", "warning")]
    # A rejected line (a gs:// image for OpenAI) may leave fewer examples than the platform's minimum.
    assert [v for v in found if not (rejected and v.code == "FT501")] == []


def test_gs_images_convert_and_data_urls_are_rejected_for_vertex() -> None:
    gs = {"messages": [{"role": "user", "content": [{"type": "text", "text": "Which tent?"},
                                                    {"type": "image_url", "image_url": {"url": "gs://b/t.png"}}]},
                       {"role": "assistant", "content": "The green one."}]}
    converted = convert_record(gs, "gemini").record
    assert converted["contents"][0]["parts"][1] == {"fileData": {"mimeType": "image/png", "fileUri": "gs://b/t.png"}}
    inline = json.loads(json.dumps(gs).replace("gs://b/t.png", "data:image/png;base64,iVBORw0KGgo="))
    with pytest.raises(Rejected, match="data: URL; Vertex tuning reads images from Cloud Storage"):
        convert_record(inline, "gemini")


def test_tool_arguments_go_from_strings_to_objects_and_back() -> None:
    call = {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{\"a\": 1}"}}
    record = {"messages": [{"role": "user", "content": "go"}, {"role": "assistant", "tool_calls": [call]},
                           {"role": "tool", "tool_call_id": "call_1", "content": "done"},
                           {"role": "assistant", "content": "Done."}]}
    hf = convert_record(record, "hf").record
    assert hf["messages"][1]["tool_calls"][0]["function"]["arguments"] == {"a": 1}
    # TRL's own shape (no ids, results named by function) reads back as OpenAI's.
    trl = {"messages": [{"role": "user", "content": "go"},
                        {"role": "assistant", "tool_calls": [{"type": "function",
                                                              "function": {"name": "f", "arguments": {"a": 1}}}]},
                        {"role": "tool", "name": "f", "content": "done"}, {"role": "assistant", "content": "Done."}]}
    assert convert_record(trl, "openai").record == record


def test_consecutive_turns_are_merged_for_nova_and_the_merge_is_a_loss() -> None:
    record = {"messages": [{"role": "user", "content": "Hi."}, {"role": "user", "content": "Anyone there?"},
                           {"role": "assistant", "content": "Yes!"}]}
    converted = convert_record(record, "nova")
    assert converted.record["messages"][0]["content"] == [{"text": "Hi.\n\nAnyone there?"}]
    assert [loss.kind for loss in converted.losses] == ["merged-turns"]


# --- converting back: the identity where nothing was lost ------------------------------------------------

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)
content = st.one_of(text, st.lists(text.map(lambda t: {"type": "text", "text": t}), min_size=2, max_size=3))
arguments = st.dictionaries(st.sampled_from("abc"), st.integers(-5, 5), max_size=2).map(
    lambda a: json.dumps(a, ensure_ascii=False))
tool_result = st.one_of(text, st.dictionaries(st.sampled_from("xy"), text, min_size=1, max_size=2).map(
    lambda r: json.dumps(r, ensure_ascii=False)))


@st.composite
def chats(draw: Any, tools: bool = True, weights: bool = True) -> dict[str, Any]:
    messages: list[dict[str, Any]] = []
    if draw(st.booleans()):
        messages.append({"role": "system", "content": draw(content)})
    calls = 0
    for _ in range(draw(st.integers(1, 3))):
        messages.append({"role": "user", "content": draw(content)})
        if tools and draw(st.booleans()):
            calls += 1
            name = draw(st.sampled_from(["get_weather", "lookup"]))
            messages.append({"role": "assistant", "tool_calls": [
                {"id": f"call_{calls}", "type": "function", "function": {"name": name, "arguments": draw(arguments)}}]})
            messages.append({"role": "tool", "tool_call_id": f"call_{calls}", "content": draw(tool_result)})
        answer: dict[str, Any] = {"role": "assistant", "content": draw(content)}
        if weights and draw(st.integers(0, 4)) == 0:
            answer["weight"] = draw(st.sampled_from([0, 1]))
        messages.append(answer)
    return {"messages": messages}


def _back(record: dict[str, Any], to: str) -> tuple[dict[str, Any], bool] | None:
    try:
        forward = convert_record(record, to)
    except Rejected:
        return None
    return convert_record(forward.record, "openai").record, not forward.losses


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chats())
def test_chat_to_gemini_and_back_is_the_identity_when_nothing_is_lost(record: dict[str, Any]) -> None:
    result = _back(record, "gemini")
    assert result is not None
    back, lossless = result
    assert lossless == (not any("weight" in message for message in record["messages"]))
    if lossless:
        assert back == record


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chats(tools=False))
def test_chat_to_nova_and_back_is_the_identity_when_nothing_is_lost(record: dict[str, Any]) -> None:
    result = _back(record, "nova")
    assert result is not None
    back, lossless = result
    if lossless:
        assert back == record


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chats())
def test_chat_to_sharegpt_and_back_is_the_identity_when_nothing_is_lost(record: dict[str, Any]) -> None:
    result = _back(record, "sharegpt")
    assert result is not None
    back, lossless = result
    if lossless:
        assert back == record


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chats())
def test_chat_to_hf_and_back_is_the_identity_when_nothing_is_lost(record: dict[str, Any]) -> None:
    result = _back(record, "hf")
    assert result is not None
    back, lossless = result
    if lossless:
        assert back == record


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chats(tools=False, weights=False), content, content)
def test_dpo_to_trl_and_gemini_and_back_is_the_identity(chat: dict[str, Any], good: Any, bad: Any) -> None:
    conversation = chat["messages"][:-1]
    record = {"input": {"messages": conversation}, "preferred_output": [{"role": "assistant", "content": good}],
              "non_preferred_output": [{"role": "assistant", "content": bad}]}
    for to in ("hf", "gemini"):
        result = _back(record, to)
        assert result == (record, True), to


def test_a_parquet_file_converts_row_by_row(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rows = [json.loads(line) for line in lines(LAYOUTS / "llamafactory" / "sharegpt.jsonl")]
    source = tmp_path / "sharegpt.parquet"
    pq.write_table(pa.Table.from_pylist(rows), source, row_group_size=4)
    out = tmp_path / "out.jsonl"
    result = run_cli("convert", str(source), "--to", "gemini", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    converted = [json.loads(line) for line in lines(out)]
    assert len(converted) == len(rows)
    assert converted[0]["contents"][1] == {"role": "model", "parts": [{"text": rows[0]["conversations"][1]["value"]}]}
