"""What an open-model run loads and does, beyond its counts (those are in test_hf_pieces and test_hf_oracle)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ftlint.engine
from conftest import run_cli
from ftlint import workers
from hf_models import model_folder, template_text, train_tokenizer

CHAT = {"messages": [{"role": "user", "content": "What is 2 + 2?"}, {"role": "assistant", "content": "4."}]}


@pytest.fixture(scope="module")
def qwen3_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("qwen3")
    return model_folder(folder / "model", train_tokenizer(folder / "tokenizer.json"), template_text("qwen3"), "chatml")


def test_a_parallel_open_model_run_does_not_load_the_openai_vocabulary(
        qwen3_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parent used to load o200k_base before forking (0.3 s with tiktoken) though the model's own tokenizer
    counts every chat example; the same run without the open model still loads it."""
    data = tmp_path / "data.jsonl"
    data.write_text("\n".join(json.dumps(CHAT) for _ in range(40)) + "\n", encoding="utf-8")
    loaded: list[str] = []

    class Spy(ftlint.engine.TokenCounter):
        def __init__(self, encoding: str, *args: object) -> None:
            loaded.append(encoding)
            super().__init__(encoding, *args)

    monkeypatch.setattr(ftlint.engine, "TokenCounter", Spy)
    monkeypatch.setattr(workers, "MIN_PARALLEL_BYTES", 0)
    result = run_cli("check", str(data), "--tokenizer", str(qwen3_folder), "--jobs", "2", "--format", "json",
                     "--model", "gpt-4o-mini-2024-07-18")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["files"][0]["stats"]["tokens_per_example"]["min"] > 0
    assert '"tokenizer": "tokenizer.json"' in result.output
    assert loaded == []  # the workers count with the tokenizer.json; the parent loaded nothing
    result = run_cli("check", str(data), "--jobs", "2", "--format", "json", "--model", "gpt-4o-mini-2024-07-18")
    assert result.exit_code == 0 and loaded, result.output


def test_json_remembered_within_a_conversation_is_json_dumps_of_each_object() -> None:
    """The renders of one conversation's prefixes serialize its tools once per set of options; every object keeps
    its own text (two equal-looking calls, options that differ, options that cannot be remembered)."""
    from ftlint.hf import ChatTemplate

    template = ChatTemplate("{{ tools|tojson }}|{{ tools|tojson(indent=2) }}"
                            "|{{ tools|tojson(separators=[',', ':']) }}|{% for m in messages %}{{ m.args|tojson }}"
                            "{{ m.args|tojson(sort_keys=true) }}{% endfor %}")
    tools = [{"type": "function", "function": {"name": "f", "parameters": {"b": [1, 2], "a": None}}}]
    messages = [{"role": "user", "args": {"b": 1, "a": 2}}, {"role": "assistant", "args": {"b": 1, "a": 3}}]

    def expected(count: int) -> str:
        heads = [json.dumps(tools), json.dumps(tools, indent=2), json.dumps(tools, separators=(",", ":"))]
        return "|".join([*heads, "".join(json.dumps(m["args"]) + json.dumps(m["args"], sort_keys=True)
                                         for m in messages[:count])])

    conversation = template.conversation(messages, tools=tools)
    for count in (1, 2, None, 1):
        assert conversation.render(count).text == expected(count or 2)
