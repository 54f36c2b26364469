"""Finding an open model's files on this machine: explicit paths and the local Hugging Face cache, never a download."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import run_cli
from ftlint import lint_records
from ftlint.hf import ModelFilesError, find_model_files, not_found_message

CLEAN = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}
MODELS = {"acme/Chat-1B": {"encoding": "o200k_base", "training_context": 8192}}


def snapshot(cache: Path, model_id: str, revision: str, template: str) -> Path:
    """A cache entry as huggingface_hub writes it: models--ORG--NAME/snapshots/REV/, refs/main naming a revision."""
    repo = cache / ("models--" + model_id.replace("/", "--"))
    folder = repo / "snapshots" / revision
    folder.mkdir(parents=True)
    (folder / "tokenizer_config.json").write_text(json.dumps({"chat_template": template, "eos_token": "</s>"}))
    return folder


def test_the_cache_is_found_from_the_model_id_and_refs_main_wins(tmp_path: Path) -> None:
    cache = tmp_path / "hub"
    snapshot(cache, "acme/Chat-1B", "aaaa", "main:{{ messages[0].content }}")
    newer = snapshot(cache, "acme/Chat-1B", "bbbb", "newer:{{ messages[0].content }}")
    os.utime(newer, (2_000_000_000, 2_000_000_000))
    (cache / "models--acme--Chat-1B" / "refs").mkdir()
    (cache / "models--acme--Chat-1B" / "refs" / "main").write_text("aaaa\n")
    files = find_model_files("acme/Chat-1B", environ={"HF_HUB_CACHE": str(cache)})
    assert files is not None and files.templates["default"].startswith("main:")
    (cache / "models--acme--Chat-1B" / "refs" / "main").unlink()  # no ref: the newest snapshot
    files = find_model_files("acme/Chat-1B", environ={"HF_HUB_CACHE": str(cache)})
    assert files is not None and files.templates["default"].startswith("newer:")


@pytest.mark.parametrize("variable, under", [("HF_HUB_CACHE", ""), ("HF_HOME", "hub"),
                                             ("XDG_CACHE_HOME", "huggingface/hub")])
def test_each_cache_location_is_honoured(tmp_path: Path, variable: str, under: str) -> None:
    snapshot(tmp_path / under, "acme/Chat-1B", "r1", "{{ 'x' }}")
    assert find_model_files("acme/Chat-1B", environ={variable: str(tmp_path), "HOME": "/nonexistent"}) is not None
    assert find_model_files("acme/Other", environ={variable: str(tmp_path), "HOME": "/nonexistent"}) is None


def test_the_run_uses_the_cached_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A template from the cache is used by `check`: here one that refuses every conversation."""
    snapshot(tmp_path / "hub", "acme/Chat-1B", "r1", "{{ raise_exception('only tools, please') }}")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    result = lint_records([CLEAN], model="acme/Chat-1B", provider="generic", models=MODELS)
    assert [(v.code, v.message.endswith("only tools, please")) for v in result.violations] == [("FT310", True)]
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("HF_HOME", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert lint_records([CLEAN], model="acme/Chat-1B", provider="generic", models=MODELS).violations == []


def test_explicit_paths(tmp_path: Path) -> None:
    folder = snapshot(tmp_path, "acme/Chat-1B", "r1", "{{ 'x' }}")
    (folder / "chat_template.jinja").write_text("{{ 'from the jinja file' }}")
    files = find_model_files(None, folder)
    assert files is not None and files.templates["default"] == "{{ 'from the jinja file' }}"  # the file wins
    assert files.special_tokens == {"eos_token": "</s>"}
    cache_repo = tmp_path / "models--acme--Chat-1B"
    assert find_model_files(None, cache_repo) is not None  # a cache folder: its snapshot
    with pytest.raises(ModelFilesError, match="does not exist"):
        find_model_files(None, tmp_path / "missing")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelFilesError, match=r"holds no tokenizer\.json"):
        find_model_files(None, empty)
    (empty / "tokenizer_config.json").write_text("{not json")
    with pytest.raises(ModelFilesError, match="cannot read"):
        find_model_files(None, empty)


def test_nothing_found_says_where_to_put_the_files(tmp_path: Path) -> None:
    message = not_found_message("acme/Chat-1B", {"HF_HUB_CACHE": str(tmp_path)})
    assert str(tmp_path / "models--acme--Chat-1B") in message
    assert "huggingface-cli download acme/Chat-1B tokenizer.json tokenizer_config.json" in message
    assert "never downloads" in message


def test_a_tokenizer_path_on_the_command_line_is_relative_to_the_working_directory(tmp_path: Path) -> None:
    folder = snapshot(tmp_path, "acme/Chat-1B", "r1", "{{ raise_exception('from the folder') }}")
    (tmp_path / "ftlint.toml").write_text('provider = "generic"\nmodel = "acme/Chat-1B"\n[models."acme/Chat-1B"]\n'
                                          'encoding = "o200k_base"\ntraining_context = 8192\n')
    data = tmp_path / "data" / "train.jsonl"
    data.parent.mkdir()
    data.write_text(json.dumps(CLEAN) + "\n")
    result = run_cli("check", str(data), "--format", "concise", "--tokenizer", os.path.relpath(folder))
    assert result.exit_code == 1 and "FT310" in result.output and "from the folder" in result.output


def test_a_tokenizer_per_model_in_config(tmp_path: Path) -> None:
    """`tokenizer = ...` under the model's own config entry, relative to the config file."""
    snapshot(tmp_path / "models", "acme/Chat-1B", "r1", "{{ raise_exception('per-model folder') }}")
    (tmp_path / "ftlint.toml").write_text(
        'provider = "generic"\nmodel = "acme/Chat-1B"\n[models."acme/Chat-1B"]\nencoding = "o200k_base"\n'
        'training_context = 8192\ntokenizer = "models/models--acme--Chat-1B"\n')
    data = tmp_path / "train.jsonl"
    data.write_text(json.dumps(CLEAN) + "\n")
    result = run_cli("check", str(data), "--format", "concise")
    assert "FT310" in result.output and "per-model folder" in result.output
