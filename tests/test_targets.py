"""Targets as data: each gives its platform's verdict, and generic raises no error on files every trainer accepts."""

from __future__ import annotations

import gzip
import json
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import FIXTURES, assistant, chat, conversation, fed_fifo, run_cli, user
from ftlint import lint_records, workers
from ftlint.choices import targets


def _check(path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("check", str(path), "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


def _write(path: Path, records: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _codes(report: dict[str, Any]) -> list[str]:
    return [v["code"] for f in report["files"] for v in f["violations"]]


def test_every_target_has_a_clean_and_a_bad_fixture() -> None:
    for target in targets():
        folder = FIXTURES / "targets" / target
        assert (folder / "clean.jsonl").is_file() and (folder / "bad.jsonl").is_file(), target
        clean_status, clean = _check(folder / "clean.jsonl", "--provider", target)
        assert clean_status == 0 and _codes(clean) == [], (target, _codes(clean))
        assert _codes(_check(folder / "bad.jsonl", "--provider", target)[1]), target


def test_generic_takes_what_every_trainer_takes(tmp_path: Path) -> None:
    """Prompt/completion, images on a model nobody chose, extra columns and few examples are no errors."""
    image = {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
    records = [{"prompt": "Q: 2+2?", "completion": " 4", "source": "gsm"},
               conversation(user([{"type": "text", "text": "What is it?"}, image]), assistant("A tent.")),
               {**chat(), "id": "row-3"}]
    for record in records:
        status, report = _check(_write(tmp_path / "train.jsonl", [record]))
        errors = [v for f in report["files"] for v in f["violations"] if v["severity"] == "error"]
        assert status == 0 and errors == [], (record, errors)
    assert report["files"][0]["cost"]["tokenizer"] == "estimate"  # no model named: never shown as exact


def test_generic_only_errors_on_what_breaks_every_consumer(tmp_path: Path) -> None:
    path = _write(tmp_path / "train.jsonl", [chat(), {"messages": [{"content": "no role"}, assistant()]}])
    status, report = _check(path)
    assert status == 1 and _codes(report) == ["FT101"]


def test_the_default_target_is_named_in_the_report() -> None:
    shown = run_cli("check", str(FIXTURES / "clean" / "support-chat.jsonl"), "--no-color", "--isolated").stdout
    assert "checked for the generic (any trainer of the chat format) target, the default" in shown
    chosen = run_cli("check", str(FIXTURES / "clean" / "support-chat.jsonl"), "--no-color", "--provider", "generic")
    assert "the default" not in chosen.stdout


def test_generic_keeps_a_named_models_limits_and_tokenizer() -> None:
    report = lint_records([chat("word " * 70_000)], model="gpt-4o-mini", select=["FT3"]).report
    assert report.model.id == "gpt-4o-mini-2024-07-18" and report.model.training_context == 65536
    assert report.tokenizer in ("tiktoken", "bpe-openai") and report.cost_usd is None  # no price outside OpenAI
    assert report.totals.over_limit == 1


@pytest.mark.parametrize("name", ["hf", "trl", "unsloth", "axolotl"])
def test_trainer_aliases(name: str) -> None:
    assert lint_records([chat()], provider=name).report.model.provider == "hf"


def test_hf_wants_object_arguments_when_no_template_decides() -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}
    record = conversation(user(), {"role": "assistant", "tool_calls": [call]},
                          {"role": "tool", "tool_call_id": "c1", "content": "ok"}, assistant())
    found = lint_records([record], provider="hf", model="acme/no-template-here", select=["FT620"]).violations
    assert [(v.code, v.severity.value) for v in found] == [("FT620", "warning")]
    assert "Can only get item pairs from a mapping" in found[0].message
    found = lint_records([record], provider="openai", select=["FT620"]).violations
    assert found == []  # a JSON string is what OpenAI wants
    call["function"]["arguments"] = {"a": 1}
    assert [v.severity.value for v in lint_records([record], provider="azure", select=["FT620"]).violations] == [
        "error"]


def test_hugging_face_image_parts_are_the_trainers_own() -> None:
    # {"type": "image"} (the image itself in the dataset's images column) is how TRL's vision data reads.
    record = conversation(user([{"type": "image"}, {"type": "text", "text": "What is this?"}]), assistant("A cat."))
    for target in ("hf", "trl", "generic"):
        found = lint_records([record], provider=target, model="acme/no-template-here", select=["FT1"]).violations
        assert found == [], target
    found = lint_records([record], provider="openai", select=["FT1"]).violations
    assert [(v.code, v.pointer) for v in found] == [("FT108", "/messages/0/content/0/type")]
    escaped = json.dumps(record).replace('"image"', '"im\\u0061ge"')  # the same part, spelled with an escape
    assert lint_records([escaped], provider="hf", model="acme/no-template-here", select=["FT1"]).violations == []
    broken = conversation(user([{"type": "image"}, {"type": "txt", "text": "?"}]), assistant("A cat."))
    found = lint_records([broken], provider="hf", model="acme/no-template-here", select=["FT1"]).violations
    assert [(v.code, v.pointer) for v in found] == [("FT108", "/messages/0/content/1/type")]  # indexes kept


def test_an_unknown_model_is_an_error_only_where_the_table_is_complete(tmp_path: Path) -> None:
    path = _write(tmp_path / "train.jsonl", [chat(f"q{i}", f"a{i}") for i in range(12)])
    assert run_cli("check", str(path), "--provider", "openai", "--model", "Qwen/Qwen3-8B").exit_code == 2
    shown = run_cli("check", str(path), "--provider", "together", "--model", "acme/brand-new-model", "--no-color")
    assert shown.exit_code == 0
    assert "model acme/brand-new-model is not in ftlint's table for together: its limits are unknown" in shown.stdout


def test_together_bills_validation_tokens(tmp_path: Path) -> None:
    train = _write(tmp_path / "train.jsonl", [chat(f"q{i}", f"a{i}") for i in range(3)])
    held = _write(tmp_path / "valid.jsonl", [chat("held out question", "held out answer")])
    for target, billed in (("together", True), ("openai", False)):
        report = json.loads(run_cli("check", str(train), str(held), "--provider", target, "--format", "json",
                                    "--ignore", "FT5").stdout)
        validation = next(f for f in report["files"] if f["kind"] == "validation")
        assert (validation["tokens"]["billed"] > 0) is billed, target


def test_fireworks_reads_a_weight_on_every_example() -> None:
    weighted = [{**chat(f"q{i}", f"a{i}"), "weight": 0.5 * i} for i in range(3)]
    assert lint_records(weighted, provider="fireworks").violations == []
    assert [v.code for v in lint_records(weighted, provider="openai", select=["FT102"]).violations] == ["FT102"] * 3
    assert [v.code for v in lint_records(weighted[:2], provider="fireworks").violations] == ["FT501"]  # min 3


def test_together_takes_weights_on_any_message_and_azure_rejects_consecutive_answers() -> None:
    record = conversation(user(weight=0), assistant(weight=1))
    assert lint_records([record], provider="together").violations == []
    assert [v.code for v in lint_records([record], provider="openai", select=["FT102"]).violations] == ["FT102"]
    doubled = conversation(user(), assistant("Checking."), assistant("Done."))
    severities = {t: [v.severity.value for v in lint_records([doubled], provider=t, select=["FT208"]).violations]
                  for t in ("openai", "azure")}
    assert severities == {"openai": ["warning"], "azure": ["error"]}


def test_azure_open_models_are_text_only_supervised() -> None:
    image = {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
    record = conversation(user([{"type": "text", "text": "What?"}, image]), assistant())
    found = lint_records([record], provider="azure", model="Qwen-32B", select=["FT401"]).violations
    assert [v.code for v in found] == ["FT401"]
    report = lint_records([chat()], provider="azure", model="Qwen-32B").report
    assert report.model.training_context == 8192 and report.tokenizer == "estimate"


def test_will_it_train_gives_every_targets_verdict_in_text_and_json() -> None:
    bad, clean = FIXTURES / "targets" / "together" / "bad.jsonl", FIXTURES / "targets" / "hf" / "clean.jsonl"
    text = run_cli("targets", str(bad), str(clean)).stdout
    assert "will it train?" in text
    rows = {tuple(line.split()[:2]): line for line in text.splitlines() if line.startswith(str(FIXTURES))}
    assert "reject (5 errors)" in rows[(str(bad), "together")] and "FT220" in rows[(str(bad), "together")]
    assert "FT620" in rows[(str(clean), "fireworks")]  # object arguments: Fireworks wants OpenAI's strings
    assert rows[(str(clean), "hf")].split()[3] == "accept"
    result = run_cli("check", str(bad), str(clean), "--target", "all", "--format", "json")
    report = json.loads(result.stdout)
    jsonschema.validate(report, json.loads(resources.files("ftlint").joinpath("data/report.schema.json").read_text()))
    verdicts = {(f["path"], t["target"]): t for f in report["files"] for t in f["targets"]}
    assert {target for _, target in verdicts} == set(targets())
    together = verdicts[(str(bad), "together")]
    assert together["verdict"] == "reject" and together["model"] == "Qwen/Qwen3-8B"
    assert {c["code"] for c in together["codes"]} == {"FT220", "FT401", "FT406", "FT430"}
    assert verdicts[(str(clean), "generic")] == {
        "target": "generic", "name": "generic (any trainer of the chat format)", "model": "any",
        "verdict": "accept", "errors": 0, "warnings": 0, "codes": [], "reason": None}


def test_will_it_train_says_when_a_target_cannot_judge(tmp_path: Path) -> None:
    path = _write(tmp_path / "train.jsonl", [chat(f"q{i}", f"a{i}") for i in range(12)])
    report = json.loads(run_cli("targets", str(path), "--model", "Qwen/Qwen3-8B", "--format", "json").stdout)
    verdicts = {t["target"]: t for t in report["files"][0]["targets"]}
    assert verdicts["openai"]["verdict"] == "unavailable" and "unknown model" in verdicts["openai"]["reason"]
    assert verdicts["together"]["verdict"] == "accept" and verdicts["together"]["model"] == "Qwen/Qwen3-8B"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_will_it_train_reads_standard_input_and_pipes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      jobs: str) -> None:
    """Each target lints the file again: a stream is read once, into a private copy that every target
    reads, compressed or not; the verdicts are the file's, and no copy is left behind."""
    monkeypatch.setattr(workers, "MIN_PARALLEL_BYTES", 0 if jobs == "2" else workers.MIN_PARALLEL_BYTES)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))
    (tmp_path / "temp").mkdir()
    data = (FIXTURES / "targets" / "hf" / "clean.jsonl").read_bytes()  # accepted by some targets only
    path = tmp_path / "train.jsonl"
    path.write_bytes(data)

    def verdicts_of(*args: str, input: bytes | None = None) -> tuple[int, list[dict[str, Any]]]:
        return files(run_cli("targets", *args, "--isolated", "--format", "json", "--jobs", jobs, input=input))

    def files(result: Any) -> tuple[int, list[dict[str, Any]]]:
        return result.exit_code, [{key: value for key, value in file.items() if key != "path"}
                                  for file in json.loads(result.stdout)["files"]]

    expected = verdicts_of(str(path))
    assert {t["verdict"] for t in expected[1][0]["targets"]} >= {"reject", "accept"}
    assert verdicts_of("-", input=data) == expected
    assert verdicts_of("-", input=gzip.compress(data)) == expected
    with fed_fifo(tmp_path / "piped", data) as fifo:
        assert verdicts_of(str(fifo)) == expected
    assert list((tmp_path / "temp").iterdir()) == []


def test_the_targets_command_takes_checks_output_options(tmp_path: Path) -> None:
    out = tmp_path / "verdicts.json"
    result = run_cli("targets", str(FIXTURES / "clean" / "support-chat.jsonl"), "--isolated", "--no-color",
                     "-o", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    (report,) = json.loads(out.read_text(encoding="utf-8"))["files"]
    verdicts = {t["target"]: t["verdict"] for t in report["targets"]}
    assert set(verdicts) == set(targets()) and verdicts["openai"] == "accept" and verdicts["vertex"] == "reject"


def test_will_it_train_judges_each_target_with_the_model_that_trains_the_file(tmp_path: Path) -> None:
    # A DPO file on OpenAI trains gpt-4o, not the default gpt-4o-mini; a file of prompts only is a
    # reinforcement file, which Azure trains with o4-mini until 2027-04-16 and OpenAI no longer does.
    dpo = str(FIXTURES / "clean" / "dpo" / "support-preference.jsonl")
    for name in ("prompts.jsonl", "prompts-valid.jsonl"):  # Azure wants a validation file beside them
        (tmp_path / name).write_text("".join(json.dumps(conversation(user(f"Question {i}?"))) + "\n"
                                             for i in range(12)), encoding="utf-8")
    paths = [dpo, str(tmp_path / "prompts.jsonl"), str(tmp_path / "prompts-valid.jsonl")]

    def verdicts(*args: str) -> dict[tuple[str, str], tuple[str, str, list[str]]]:
        report = json.loads(run_cli("targets", *paths, "--isolated", "-f", "json", *args).stdout)
        return {(Path(f["path"]).name, t["target"]): (t["model"], t["verdict"], [c["code"] for c in t["codes"]])
                for f in report["files"] for t in f["targets"]}

    found = verdicts()
    assert found[("support-preference.jsonl", "openai")][:2] == ("gpt-4o-2024-08-06", "accept")
    assert found[("prompts.jsonl", "azure")][:2] == ("o4-mini-2025-04-16", "accept")
    assert found[("prompts.jsonl", "openai")] == ("o4-mini-2025-04-16", "reject", ["FT820"])
    assert found[("prompts.jsonl", "generic")][1] == "accept"
    named = verdicts("--model", "gpt-4o-mini-2024-07-18")  # a model the user names is the one judged
    assert named[("support-preference.jsonl", "openai")] == ("gpt-4o-mini-2024-07-18", "reject", ["FT113"])
