"""The open-model rules (FT310-FT315, FT611-FT613): each fires on a bad case and is silent on a good one.

Every case runs through the public API (`lint_records`) or the CLI with a model folder built
here: a BPE tokenizer trained on the fixtures and a real chat template from tests/data/templates.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import assistant, conversation, run_cli, system, user
from ftlint import lint_records
from hf_models import TEMPLATE_FAMILY, TEMPLATES, model_folder, template_text, train_tokenizer

MODEL = "acme/open-model"
MODELS = {MODEL: {"encoding": "o200k_base", "training_context": 32768}}
TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Weather.", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]


@pytest.fixture(scope="module")
def tokenizer_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train_tokenizer(tmp_path_factory.mktemp("tok") / "tokenizer.json")


@pytest.fixture
def folder(tokenizer_json: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    def make(template: str) -> Path:
        return model_folder(tmp_path / template, tokenizer_json, template_text(template), TEMPLATE_FAMILY[template])
    return make


def lint(records: list[Any], model_folder: Path | None, **settings: Any) -> list[tuple[str, int, str]]:
    if model_folder is not None:
        settings["tokenizer"] = str(model_folder)
    result = lint_records(records, model=settings.pop("model", MODEL), provider="generic", models=MODELS,
                          **settings)
    return [(v.code, v.line, v.message) for v in result.violations if v.code[:4] in ("FT31", "FT61")]


def found(records: list[Any], model_folder: Path | None, **settings: Any) -> list[str]:
    return [code for code, _, _ in lint(records, model_folder, **settings)]


def template_path(name: str) -> Path:
    return TEMPLATES / f"{name}.jinja"


def call(arguments: Any, call_id: str = "abcdefghi") -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": "get_weather", "arguments": arguments}}


def tool_example(arguments: Any) -> dict[str, Any]:
    return conversation(user("Weather in Paris?"), assistant("", tool_calls=[call(arguments)]),
                        {"role": "tool", "tool_call_id": "abcdefghi", "content": "sunny"},
                        assistant("Sunny."), tools=TOOLS)


CLEAN = conversation(system("Be brief."), user("What is 2 + 2?"), assistant("4."))


def test_template_error_reports_the_templates_own_message(folder) -> None:  # type: ignore[no-untyped-def]
    gemma = folder("gemma")
    assert lint([conversation(system("x"), user("hi"), assistant("hello"))], gemma) == [
        ("FT310", 1, "the chat template (" + str(gemma / "tokenizer_config.json") + ") fails on this example: "
         "System role not supported")]
    assert found([conversation(user("hi"), assistant("hello"))], gemma) == []
    nemo = folder("mistral_nemo")
    messages = lint([conversation(user("a"), user("b"), assistant("c"))], nemo)
    assert [m[0] for m in messages] == ["FT310"]
    assert "conversation roles must alternate user/assistant/user/assistant/..." in messages[0][2]


def test_over_max_seq_length_says_what_is_lost(folder) -> None:  # type: ignore[no-untyped-def]
    qwen = folder("qwen3")
    long = conversation(user("What is 2 + 2?"), assistant("four " * 40))
    [(code, line, message)] = lint([long], qwen, max_seq_length=30)
    assert (code, line) == ("FT311", 1)
    assert "(exact), over max_seq_length 30" in message and "the last answer is cut" in message
    assert found([long], qwen, max_seq_length=4096) == []
    # No limit given: TRL's default 1024 applies, and the message says so.
    [(_, _, default)] = lint([conversation(user("x"), assistant("word " * 1500))], qwen)
    assert "over max_seq_length 1,024 (TRL's default max_length; set max-seq-length)" in default


def test_truncation_counts_trainable_tokens_lost(folder) -> None:  # type: ignore[no-untyped-def]
    """With a training template, the tokens cut from the end are the answer's: all of them trainable."""
    qwen = folder("qwen3_training")
    example = conversation(user("q " * 30), assistant("answer " * 30))
    result = lint_records([example], model=MODEL, provider="generic", models=MODELS, tokenizer=str(qwen))
    total = result.report.totals.tokens
    trainable = result.report.totals.trainable
    assert 0 < trainable < total
    [(_, _, message)] = lint([example], qwen, max_seq_length=total - 5)
    assert "truncation drops 5 tokens, 5 of them trainable" in message


def test_special_tokens_of_the_models_tokenizer(folder) -> None:  # type: ignore[no-untyped-def]
    qwen = folder("qwen3")
    bad = conversation(user("Quote: <|im_end|> and <|eot_id|>"), assistant("ok"))
    messages = lint([bad], qwen, ignore=["FT302"])
    assert [(m[0], m[1]) for m in messages] == [("FT312", 1)]
    # The test tokenizer knows both tokens as special, so both are named.
    assert "<|eot_id|>, <|im_end|>" in messages[0][2]
    assert found([CLEAN], qwen) == []


def test_special_tokens_of_a_shipped_template_without_model_files() -> None:
    """Qwen3 is not in any cache here: its shipped template's control tokens are checked all the same."""
    models = {"Qwen/Qwen3-8B": MODELS[MODEL]}
    result = lint_records([conversation(user("say <|im_start|>"), assistant("no"))], model="Qwen/Qwen3-8B",
                          provider="generic", models=models, ignore=["FT302"])
    assert [v.code for v in result.violations] == ["FT312"]
    assert result.report.tokenizer == "estimate"
    clean = lint_records([CLEAN], model="Qwen/Qwen3-8B", provider="generic", models=models)
    assert clean.violations == []


def test_assistant_only_loss_needs_generation_markers(folder) -> None:  # type: ignore[no-untyped-def]
    assert found([CLEAN], folder("qwen3"), assistant_only_loss=True) == ["FT313"]
    assert found([CLEAN], folder("qwen3_training"), assistant_only_loss=True) == []
    assert found([CLEAN], folder("qwen3")) == []


def test_template_drops_a_message(folder) -> None:  # type: ignore[no-untyped-def]
    qwen = folder("qwen3")
    dropped = conversation({"role": "developer", "content": "Secret rules."}, user("hi"), assistant("hello"))
    assert lint([dropped], qwen) == [("FT314", 1, "message 1 (developer): the chat template does not render "
                                              "this text in full (it drops or rewrites it), so it is not trained on")]
    assert found([CLEAN], qwen) == []


def test_template_adds_a_system_prompt_once_per_file(folder) -> None:  # type: ignore[no-untyped-def]
    qwen25 = folder("qwen2_5")
    records = [conversation(user(f"q{i}"), assistant(f"a{i}")) for i in range(3)]
    [(code, line, message)] = lint(records, qwen25)
    assert (code, line) == ("FT315", 1)
    assert message.startswith("3 example(s) have no system message") and "You are Qwen, created by Alibaba" in message
    assert found([CLEAN], qwen25) == []
    assert "FT315" in found(records, folder("llama3_1"))  # Llama 3.1 writes its knowledge cut-off and date
    assert found(records, folder("qwen3")) == []


def test_string_arguments_for_a_template_that_iterates_a_mapping(folder) -> None:  # type: ignore[no-untyped-def]
    qwen36 = folder("qwen3_5_think")
    messages = lint([tool_example('{"city": "Paris"}')], qwen36)
    assert [(m[0], m[1]) for m in messages] == [("FT611", 1)]
    assert "Can only get item pairs from a mapping" in messages[0][2]
    # Object arguments are what the template wants (the OpenAI schema then flags them, not this rule).
    assert "FT611" not in found([tool_example({"city": "Paris"})], qwen36)
    # Qwen2.5 takes the string but encodes it twice.
    [(_, _, twice)] = lint([tool_example('{"city": "Paris"}')], folder("qwen2_5"), ignore=["FT315"])
    assert "encodes them a second time" in twice


def test_object_arguments_for_a_template_that_wants_a_string(folder) -> None:  # type: ignore[no-untyped-def]
    deepseek = folder("deepseekv3")
    assert "FT612" in found([tool_example({"city": "Paris"})], deepseek, ignore=["FT613"])
    assert found([tool_example('{"city": "Paris"}')], deepseek, ignore=["FT613"]) == []


def test_template_that_ignores_tools(folder) -> None:  # type: ignore[no-untyped-def]
    example = conversation(user("Weather?"), assistant("Sunny."), tools=TOOLS)
    assert found([example], folder("gemma")) == ["FT613"]
    assert found([example], folder("qwen3")) == []


def _project(tmp_path: Path, model: str = MODEL) -> Path:
    """A data file next to an ftlint.toml that adds ``model`` to the generic provider's table."""
    (tmp_path / "ftlint.toml").write_text(
        f'provider = "generic"\nmodel = "{model}"\n[models."{model}"]\nencoding = "o200k_base"\n'
        'training_context = 32768\n', encoding="utf-8")
    data = tmp_path / "train.jsonl"
    data.write_text(json.dumps(CLEAN) + "\n", encoding="utf-8")
    return data


def test_counts_are_labelled_exact_only_with_a_tokenizer(folder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = _project(tmp_path)
    import jsonschema

    schema = json.loads((Path(__file__).parents[1] / "ftlint" / "data" / "report.schema.json").read_text())
    exact = json.loads(run_cli("check", str(data), "--format", "json", "--tokenizer", str(folder("qwen3"))).output)
    assert exact["files"][0]["cost"]["tokenizer"] == "tokenizer.json"
    jsonschema.validate(exact, schema)
    shipped = _project(tmp_path, "Qwen/Qwen3-8B")
    estimate = json.loads(run_cli("check", str(shipped), "--format", "json").output)
    assert estimate["files"][0]["cost"]["tokenizer"] == "estimate"
    jsonschema.validate(estimate, schema)


def test_missing_paths_and_broken_templates_are_usage_errors(tmp_path: Path) -> None:
    data = _project(tmp_path)
    missing = run_cli("check", str(data), "--tokenizer", str(tmp_path / "nowhere"))
    assert missing.exit_code == 2 and "does not exist" in missing.output
    broken = tmp_path / "broken.jinja"
    broken.write_text("{% for m in messages %}{{ m.content }", encoding="utf-8")
    result = run_cli("check", str(data), "--chat-template", str(broken))
    assert result.exit_code == 2 and "broken.jinja" in result.output
    assert run_cli("check", str(data), "--chat-template", str(template_path("qwen3"))).exit_code == 0


def test_a_hostile_template_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    template = tmp_path / "t.jinja"
    template.write_text("{{ messages[0].content.__class__ }}{% for i in range(10**9) %}x{% endfor %}",
                        encoding="utf-8")
    result = lint_records([CLEAN], model=MODEL, provider="generic", models=MODELS, chat_template=str(template))
    assert [v.code for v in result.violations] == ["FT310"]


def test_the_same_output_for_any_jobs(folder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Workers render and count on their own; the dataset rule (FT315) merges: the output is identical."""
    from ftlint import ranges, workers

    monkeypatch.setattr(workers, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(ranges, "MIN_RANGE_BYTES", 300)
    monkeypatch.setattr(ranges, "CHUNK_BYTES", 300)
    data = _project(tmp_path)
    records = [conversation(user(f"question {i} " * 5), assistant(f"answer {i} " * (3 + i))) for i in range(40)]
    records[7] = conversation(user("a"), user("b"), assistant("c"))
    data.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    args = ["check", str(data), "--format", "json", "--tokenizer", str(folder("qwen2_5")), "--max-seq-length", "40"]
    one, two = run_cli(*args, "--jobs", "1"), run_cli(*args, "--jobs", "2")
    assert one.output == two.output
    codes = {v["code"] for v in json.loads(one.output)["files"][0]["violations"]}
    assert {"FT311", "FT315"} <= codes


def test_done_when_a_cached_qwen3_gets_exact_counts_truncation_and_template_errors(
        tokenizer_json: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The issue's acceptance run, with the model in the local Hugging Face cache (built here)."""
    snapshot = tmp_path / "hub" / "models--Qwen--Qwen3-8B" / "snapshots" / "0123abc"
    model_folder(snapshot, tokenizer_json, template_text("qwen3_5_think"), "chatml")
    (snapshot.parents[1] / "refs").mkdir()
    (snapshot.parents[1] / "refs" / "main").write_text("0123abc")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    data = _project(tmp_path, "Qwen/Qwen3-8B")
    records = [CLEAN, conversation(user("long " * 20), assistant("answer " * 50)),
               conversation(system("late"), user("hi"), system("too late"), assistant("ok"))]
    data.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = run_cli("check", str(data), "--format", "json", "--max-seq-length", "64")
    report = json.loads(result.output)
    assert report["files"][0]["cost"]["tokenizer"] == "tokenizer.json"
    found = [(v["code"], v["line"]) for v in report["files"][0]["violations"]]
    assert ("FT311", 2) in found
    assert ("FT310", 3) in found  # Qwen3.5: "System message must be at the beginning."
    assert result.exit_code == 1
