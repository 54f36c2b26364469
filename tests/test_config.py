"""Configuration never fails quietly: broken files are exit 2 at their line, `extend` chains, ruff's habits
(-q, -v, --isolated, --stdin-filename) and which files are validation files."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import OPENAI, ROOT, many, run_cli
from ftlint.registry import discover


def jsonl(path: Path, records: list[Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def report(*args: str, input: bytes | None = None) -> dict[str, Any]:
    result = run_cli("check", *OPENAI, *args, "--format", "json", "--no-tokens", input=input)
    assert result.exit_code in (0, 1), result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def one_error_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("ftlint: error: ")
    return lines[0]


# --- a broken config is exit 2, at its line and column, found or named --------------------------

def test_broken_pyproject_is_exit_2_not_a_silent_pass(tmp_path: Path) -> None:
    # The CI gate of the issue: strict = true and an unterminated string used to give "3 warnings", exit 0.
    (tmp_path / "pyproject.toml").write_text('[tool.ftlint]\nstrict = true\nmodel = "gpt-4o\n', encoding="utf-8")
    data = jsonl(tmp_path / "train.jsonl", many(3))
    for args in ((), ("--config", str(tmp_path / "pyproject.toml"))):
        result = run_cli("check", *OPENAI, str(data), *args)
        assert result.exit_code == 2
        assert re.search(r"pyproject\.toml:3:\d+: invalid TOML: ", one_error_line(result.stderr))
    shown = run_cli("check", *OPENAI, "--show-settings", str(data))
    assert shown.exit_code == 2 and "config file: (none: defaults)" not in shown.stdout


def test_broken_pyproject_without_an_ftlint_table_is_not_skipped(tmp_path: Path) -> None:
    # It may have held [tool.ftlint]; going on with the parent's config (or the defaults) would be a guess.
    (tmp_path / "ftlint.toml").write_text('ignore = ["FT501"]\n', encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "x\n', encoding="utf-8")
    result = run_cli("check", *OPENAI, str(jsonl(project / "train.jsonl", many(3))))
    assert result.exit_code == 2 and "project/pyproject.toml:2:" in one_error_line(result.stderr)


def test_a_broken_nested_config_does_not_fall_back_to_the_parent(tmp_path: Path) -> None:
    (tmp_path / "ftlint.toml").write_text('ignore = ["FT501"]\n', encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "ftlint.toml").write_text("ignore = [\n", encoding="utf-8")
    result = run_cli("check", *OPENAI, str(jsonl(tmp_path / "sub" / "train.jsonl", many(3))))
    assert result.exit_code == 2 and "sub/ftlint.toml:" in one_error_line(result.stderr)


HOSTILE = [
    ("invalid regex", '[rules.email-address]\nallow = ["(["]\n', r"ftlint\.toml:\d+:1: .*email-address"),
    ("max-line-bytes 2**63", "max-line-bytes = 9223372036854775808\n",
     r"ftlint\.toml:1:1: setting `max-line-bytes`: Input should be less than or equal to"),
    ("methods = []", '[models."gpt-4o-mini-2024-07-18"]\nmethods = []\n',
     r"`methods`: .*at least one training method.*ftlint\.toml"),
    ("nested arrays", "a = " + "[" * 3000 + "]" * 3000 + "\n",
     r"ftlint\.toml:1:\d+: (invalid TOML: )?nested more than"),
    ("nested tables", "rules." + "a." * 200 + "b = 1\n", r"ftlint\.toml:1:1: nested more than 32 levels"),
    ("invalid UTF-8", 'model = "gpt\xff"\n', r"ftlint\.toml:1:13: not UTF-8 \(byte 0xff\)"),
    ("a 5,000-digit integer", "epochs = " + "9" * 5000 + "\n", r"ftlint\.toml:1:10: invalid TOML: Exceeds the limit"),
    ("unknown key", 'strict = true\nmodle = "gpt-4o"\n',
     r"ftlint\.toml:2:1: unknown setting `modle`; did you mean `model`\?"),
    ("rule option typo", "\n[rules.FT302]\ntokenz = []\n",
     r"ftlint\.toml:3:1: options of FT302 \(special-token-text\): `tokenz`: .*did you mean `tokens`\?"),
    ("unknown rule in severity", '[severity]\nFT201 = "error"\nFT2O2 = "info"\n',
     r"ftlint\.toml:3:1: setting `severity.FT2O2`: unknown rule selector 'FT2O2'; did you mean"),
    ("schema entry typo", '[[schema]]\npath = "a.json"\n\n[[schema]]\npaht = "b.json"\n',
     r"ftlint\.toml:5:1: unknown setting `schema.1.paht`; did you mean `path`\?"),
    ("jobs out of range", "jobs = 100000\n", r"ftlint\.toml:1:1: setting `jobs`: Input should be less than"),
]


@pytest.mark.parametrize("named", [False, True], ids=["discovered", "--config"])
@pytest.mark.parametrize(("config", "pattern"), [case[1:] for case in HOSTILE], ids=[case[0] for case in HOSTILE])
def test_hostile_config_is_one_line_exit_2_naming_file_and_key(tmp_path: Path, config: str, pattern: str,
                                                               named: bool) -> None:
    (tmp_path / "ftlint.toml").write_bytes(config.encode("utf-8").replace(b"\xc3\xbf", b"\xff"))
    data = jsonl(tmp_path / "train.jsonl", many(10))
    result = run_cli("check", *OPENAI, str(data), *(("--config", str(tmp_path / "ftlint.toml")) if named else ()))
    assert result.exit_code == 2
    assert re.search(pattern, one_error_line(result.stderr)), result.stderr


@pytest.mark.parametrize(("table", "message"), [
    ("tool = 3\n", "pyproject.toml:1:1: `tool` must be a table"),
    ("[tool]\nftlint = 3\n", "pyproject.toml:2:1: `tool.ftlint` must be a table"),
    ("[tool.ftlint]\nselect = \"FT1\"\n", "pyproject.toml:2:1: setting `select`: Input should be a valid list"),
])
def test_invalid_tool_ftlint_table(tmp_path: Path, table: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(table, encoding="utf-8")
    result = run_cli("check", *OPENAI, str(jsonl(tmp_path / "train.jsonl", many(10))))
    assert result.exit_code == 2 and message in one_error_line(result.stderr)


def test_an_unknown_model_from_the_command_line_is_not_blamed_on_a_config_line(tmp_path: Path) -> None:
    (tmp_path / "ftlint.toml").write_text('ignore = ["FT501"]\n', encoding="utf-8")
    result = run_cli("check", *OPENAI, str(jsonl(tmp_path / "train.jsonl", many(3))), "--model", "gpt-5")
    line = one_error_line(result.stderr)
    assert result.exit_code == 2 and "unknown model 'gpt-5'" in line and "ftlint.toml:" not in line
    assert "(config: " in line  # the file is named, without a line it did not write


@pytest.mark.parametrize(("content", "message"), [
    ('{"version": 1, "entries": [{"code": "FT001", "fingerprint": "ab", "count": 1e999}]}',
     "entry 1: `count` must be an integer of at least 1, not Infinity"),
    ('{"version": 1, "entries": [{"code": "FT001", "fingerprint": "ab", "count": true}]}',
     "entry 1: `count` must be an integer of at least 1, not true"),
    ('{"version": 1, "entries": [{"code": "FT001", "fingerprint": "ab", "line": -3}]}',
     "entry 1: `line` must be an integer of at least 0, not -3"),
    ('{"version": 1, "entries": [{"code": 7, "fingerprint": "ab"}]}', "entry 1: `code` must be a string"),
    ('{"version": 1, "entries": {"code": "FT001"}}', "`entries` must be a list"),
    ('{"version": 1, "entries": [' + "[" * 100_000 + "]" * 100_000 + "]}", "nested too deeply"),
    ('{"version": 1, "entries": [{"code": "FT001", "fingerprint": "ab", "count": ' + "9" * 5000 + "}]}",
     "Exceeds the limit (4300 digits)"),
    ("[1, 2]", "a JSON list, not an object"),
])
def test_hostile_baseline_is_one_line_exit_2(tmp_path: Path, content: str, message: str) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text(content, encoding="utf-8")
    result = run_cli("check", *OPENAI, str(jsonl(tmp_path / "train.jsonl", many(10))), "--baseline", str(baseline))
    line = one_error_line(result.stderr)
    assert result.exit_code == 2 and "baseline.json" in line and message in line


# --- extend: a nested config builds on the root one -------------------------------------------

def _root_project(tmp_path: Path) -> Path:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "short.json").write_text(json.dumps(
        {"properties": {"content": {"maxLength": 20}}}), encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.ftlint]\nmodel = "gpt-4.1-mini-2025-04-14"\nselect = ["FT1", "FT2", "FTX"]\n'
        '[tool.ftlint.severity]\nFT202 = "error"\n'
        '[[tool.ftlint.schema]]\npath = "schemas/short.json"\nselect = "/messages/*"\ncode = "FTX001"\n',
        encoding="utf-8")
    sub = tmp_path / "team"
    sub.mkdir()
    return sub


def _records() -> list[Any]:
    long = {"messages": [{"role": "user", "content": "a question much longer than twenty"},
                         {"role": "assistant", "content": "ok"}]}
    ends_on_user = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"},
                                 {"role": "user", "content": "bye"}]}
    return [long, ends_on_user, *many(8)]


def test_a_nested_config_without_extend_replaces_the_root_one(tmp_path: Path) -> None:
    sub = _root_project(tmp_path)
    (sub / "ftlint.toml").write_text('ignore = ["FT209"]\n', encoding="utf-8")
    file = report(str(jsonl(sub / "train.jsonl", _records())))["files"][0]
    assert file["cost"]["model"] == "gpt-4o-mini-2024-07-18"  # closest file wins, as in ruff
    assert "FTX001" not in {v["code"] for v in file["violations"]}


def test_extend_keeps_the_root_model_schemas_and_selection(tmp_path: Path) -> None:
    sub = _root_project(tmp_path)
    (sub / "ftlint.toml").write_text('extend = "../pyproject.toml"\nextend-select = ["FT501"]\n'
                                     '[severity]\nFT201 = "info"\n', encoding="utf-8")
    file = report(str(jsonl(sub / "train.jsonl", _records())))["files"][0]
    assert file["cost"]["model"] == "gpt-4.1-mini-2025-04-14"
    found = {(v["code"], v["line"], v["severity"]) for v in file["violations"]}
    # The schema path is relative to the file that wrote it (the root), not to team/.
    assert ("FTX001", 1, "error") in found and ("FT202", 2, "error") in found  # tables merge key by key
    assert {code for code, _, _ in found} <= {"FTX001", "FT202", "FT501"} | {f"FT{n}" for n in range(100, 300)}


def test_extend_layers_selection_like_ruff(tmp_path: Path) -> None:
    (tmp_path / "base.toml").write_text('select = ["FT2"]\nignore = ["FT202"]\n', encoding="utf-8")
    (tmp_path / "ftlint.toml").write_text('extend = "base.toml"\nextend-select = ["FT202", "FT501"]\n',
                                          encoding="utf-8")
    result = run_cli("check", *OPENAI, "--show-settings")
    enabled = set(re.findall(r"^  (FT\d{3}) ", result.stdout, re.MULTILINE))
    assert {"FT201", "FT202", "FT501"} <= enabled and not any(code.startswith("FT1") for code in enabled)
    assert "extends " + str(tmp_path / "base.toml") in result.stdout


@pytest.mark.parametrize(("child", "message"), [
    ('\nextend = "missing.toml"\n', r"ftlint\.toml:2:1: `extend` names .*missing\.toml, which is not a file"),
    ('extend = "ftlint.toml"\n', r"ftlint\.toml:1:1: `extend` makes a cycle back to"),
])
def test_extend_errors(tmp_path: Path, child: str, message: str) -> None:
    (tmp_path / "ftlint.toml").write_text(child, encoding="utf-8")
    result = run_cli("check", *OPENAI, str(jsonl(tmp_path / "train.jsonl", many(10))))
    assert result.exit_code == 2 and re.search(message, one_error_line(result.stderr))


def test_show_settings_names_each_paths_config_and_chain(tmp_path: Path) -> None:
    sub = _root_project(tmp_path)
    (sub / "ftlint.toml").write_text('extend = "../pyproject.toml"\n', encoding="utf-8")
    top, inner = jsonl(tmp_path / "a.jsonl", many(1)), jsonl(sub / "b.jsonl", many(1))
    result = run_cli("check", *OPENAI, "--show-settings", str(top), str(inner))
    assert result.exit_code == 0
    assert f"{top}: {tmp_path / 'pyproject.toml'}\n" in result.stdout
    assert f"{inner}: {sub / 'ftlint.toml'} (extends {tmp_path / 'pyproject.toml'})\n" in result.stdout
    assert result.stdout.count("rules enabled:") == 2


# --- which files are validation files ---------------------------------------------------------

@pytest.mark.parametrize(("name", "kind"), [
    ("valid.jsonl", "validation"), ("val.jsonl", "validation"), ("chat-validation.jsonl", "validation"),
    ("eval_set.jsonl", "validation"), ("gsm8k.test.jsonl", "validation"), ("dev-v2.jsonl", "validation"),
    ("support-chat-valid.jsonl.gz", "validation"), ("Heldout.jsonl", "validation"),
    ("train_eval.jsonl", "training"), ("my-test-run.jsonl", "training"), ("validating_data.jsonl", "training"),
    ("latest.jsonl", "training"), ("devops.jsonl", "training"), ("train.jsonl", "training"),
])
def test_validation_names_follow_the_documented_rule(tmp_path: Path, name: str, kind: str) -> None:
    import gzip

    path = jsonl(tmp_path / name.removesuffix(".gz"), many(3))
    if name.endswith(".gz"):
        (tmp_path / name).write_bytes(gzip.compress(path.read_bytes()))
        path.unlink()
        path = tmp_path / name
    file = report(str(path))["files"][0]
    assert file["kind"] == kind
    assert ("validation_reason" in file) == (kind == "validation")
    if kind == "validation":
        assert "its name has the word" in file["validation_reason"]


def test_help_readme_and_code_state_one_rule() -> None:
    from ftlint.naming import rule_text

    sentence = rule_text()
    assert sentence in " ".join(run_cli("check", *OPENAI, "--help").stdout.split())
    assert sentence in " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())


def test_training_file_forces_training_and_reports_why(tmp_path: Path) -> None:
    valid = jsonl(tmp_path / "valid.jsonl", many(10))
    forced = report("--training-file", str(valid))["files"][0]
    assert forced["kind"] == "training" and forced["cost"]["epochs"] is not None
    (tmp_path / "ftlint.toml").write_text('training-files = ["valid.*"]\nvalidation-files = ["held-*"]\n',
                                          encoding="utf-8")
    held = jsonl(tmp_path / "held-out.jsonl", many(3))
    files = {Path(f["path"]).name: f for f in report(str(valid), str(held))["files"]}
    assert files["valid.jsonl"]["kind"] == "training"
    assert files["held-out.jsonl"]["validation_reason"] == "matches validation-files pattern 'held-*' in ftlint.toml"
    both = run_cli("check", *OPENAI, "--training-file", str(valid), "--validation-file", str(valid))
    assert both.exit_code == 2 and "both --training-file and --validation-file" in both.stderr


def test_a_folder_pattern_with_a_slash_takes_the_files_in_it(tmp_path: Path) -> None:
    # `evals/`, as .gitignore would write it: every file in that folder is a validation file.
    (tmp_path / "ftlint.toml").write_text('validation-files = ["evals/"]\n', encoding="utf-8")
    inside = jsonl(tmp_path / "evals" / "qa.jsonl", many(3))
    nested = jsonl(tmp_path / "tasks" / "evals" / "more.jsonl", many(3))  # the folder at any depth, as a walk
    outside = jsonl(tmp_path / "train.jsonl", many(10))
    beside = jsonl(tmp_path / "evals-old" / "old.jsonl", many(3))
    files = {Path(f["path"]).name: f for f in report(*map(str, (outside, inside, nested, beside)))["files"]}
    assert files["qa.jsonl"]["kind"] == "validation" and files["more.jsonl"]["kind"] == "validation"
    assert files["train.jsonl"]["kind"] == files["old.jsonl"]["kind"] == "training"
    (tmp_path / "ftlint.toml").write_text('validation-files = ["tasks/evals/"]\n', encoding="utf-8")
    files = {f["path"]: f["kind"] for f in report(str(inside), str(nested))["files"]}
    assert files == {str(inside): "training", str(nested): "validation"}  # with a slash of its own: anchored


# --- ruff's habits ----------------------------------------------------------------------------

def test_stdin_filename_names_standard_input_for_reports_ignores_and_kind(tmp_path: Path) -> None:
    (tmp_path / "ftlint.toml").write_text('[per-file-ignores]\n"smoke-*.jsonl" = ["FT501"]\n', encoding="utf-8")
    data = "".join(json.dumps(record) + "\n" for record in many(3)).encode()
    plain = report("-", input=data)["files"][0]
    assert plain["path"] == "-" and [v["code"] for v in plain["violations"]] == ["FT501"]
    named = report("-", "--stdin-filename", "data/smoke-1.jsonl", input=data)["files"][0]
    assert named["path"] == "data/smoke-1.jsonl" and named["violations"] == []
    valid = report("-", "--stdin-filename", "valid.jsonl", input=data)["files"][0]
    assert valid["kind"] == "validation"


def test_quiet_prints_violations_only(tmp_path: Path) -> None:
    data = str(jsonl(tmp_path / "train.jsonl", many(3)))
    loud = run_cli("check", *OPENAI, data, "--format", "concise")
    quiet = run_cli("check", *OPENAI, data, "--format", "concise", "-q")
    assert "Found 1 error" in loud.stdout and "est. cost" in loud.stdout
    assert quiet.exit_code == loud.exit_code == 1
    assert quiet.stdout.splitlines() == [line for line in loud.stdout.splitlines() if ": FT501 [error]" in line]
    annotations = run_cli("check", *OPENAI, data, "--format", "github", "-q")  # its totals go to stderr: not with -q
    assert annotations.stdout.startswith("::error ") and annotations.stderr == ""
    assert run_cli("check", *OPENAI, data, "-q", "-v").exit_code == 2


def test_verbose_says_which_config_and_rules_and_how_long(tmp_path: Path) -> None:
    (tmp_path / "ftlint.toml").write_text('select = ["FT2"]\n', encoding="utf-8")
    data = jsonl(tmp_path / "valid.jsonl", many(3))
    result = run_cli("check", *OPENAI, str(data), "-v", "--format", "json")
    json.loads(result.stdout)  # the report itself is untouched
    assert f"ftlint: {data}: validation (its name has the word 'valid'" in result.stderr
    family = sorted(code for code in discover().rules if code.startswith("FT2"))
    assert len(family) > 10 and f"config {tmp_path / 'ftlint.toml'}; {len(family)} rules" in result.stderr
    assert re.search(r"^ftlint: rules of config .*: FT201, FT202, ", result.stderr, re.MULTILINE)
    assert re.search(r"^ftlint: checked 1 file in \d+\.\d\d s$", result.stderr, re.MULTILINE)


def test_isolated_reads_no_config(tmp_path: Path) -> None:
    (tmp_path / "ftlint.toml").write_text('ignore = ["FT501"]\n', encoding="utf-8")
    data = str(jsonl(tmp_path / "train.jsonl", many(3)))
    assert run_cli("check", *OPENAI, data).exit_code == 0
    isolated = run_cli("check", *OPENAI, data, "--isolated")
    assert isolated.exit_code == 1 and "FT501" in isolated.stdout
    both = run_cli("check", *OPENAI, data, "--isolated", "--config", str(tmp_path / "ftlint.toml"))
    assert both.exit_code == 2 and "--isolated and --config exclude each other" in both.stderr


def test_a_misspelled_tool_table_is_an_error_not_ignored(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.black]\n\n[tool.ft-lint]\nstrict = true\n', encoding="utf-8")
    result = run_cli("check", *OPENAI, str(jsonl(tmp_path / "train.jsonl", many(10))))
    assert result.exit_code == 2
    assert "pyproject.toml:3:1: `[tool.ft-lint]` is not read; did you mean `[tool.ftlint]`?" in result.stderr


def test_extend_resolves_paths_against_the_file_that_wrote_them(tmp_path: Path) -> None:
    (tmp_path / "ftlint.toml").write_text('chat-template = "templates/chat.jinja"\nbaseline = "base.json"\n'
                                          'tokenizer = "tiktoken"\nplugins = ["tools/rules.py"]\n', encoding="utf-8")
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "ftlint.toml").write_text('extend = "../ftlint.toml"\n', encoding="utf-8")
    settings = json.loads(run_cli("check", *OPENAI, "--show-settings", str(tmp_path / "team")).stdout
                          .split("settings: ", 1)[1].split("\nplugins", 1)[0])
    assert settings["chat-template"] == str(tmp_path / "templates" / "chat.jinja")
    assert settings["baseline"] == str(tmp_path / "base.json") and settings["tokenizer"] == "tiktoken"
    assert settings["plugins"] == [str(tmp_path / "tools" / "rules.py")]
