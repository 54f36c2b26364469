"""The command line: exit codes, both output formats, configuration, introspection."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from conftest import FIXTURES, OPENAI, chat, conversation, many, run_cli, user

CLEAN = str(FIXTURES / "clean" / "support-chat.jsonl")
ROLES = str(FIXTURES / "bad" / "role-order.jsonl")  # errors and warnings
BLANKS = str(FIXTURES / "bad" / "blank-lines.jsonl")  # warnings only
SCHEMA = json.loads(resources.files("ftlint").joinpath("data/report.schema.json").read_text())
LINE = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): (?P<code>FT\d{3}) \[(?P<sev>error|warning|info)\] "
                  r"(?P<message>.+) \((?P<name>[a-z0-9-]+)\)$")


def write(path: Path, records: list[object]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records), encoding="utf-8")
    return path


def test_clean_file_exits_0_and_reports_totals() -> None:
    result = run_cli("check", CLEAN, *OPENAI)
    assert result.exit_code == 0
    assert "All checks passed (1 file)." in result.stdout
    header = next(line for line in result.stdout.splitlines() if line.startswith("file"))
    assert header.split() == ["file", "kind", "format", "examples", "valid", "tokens", "trainable", "billed",
                              "epochs", "est.", "cost"]
    assert "support-chat.jsonl  training  chat" in result.stdout
    assert "$" in result.stdout


def test_violations_exit_1_with_one_line_each() -> None:
    result = run_cli("check", ROLES)
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if LINE.match(line)]
    assert len(lines) == 8
    first = LINE.match(lines[0])
    assert first is not None
    assert (first.group("path"), first.group("code")) == (ROLES, "FT201")
    assert first.group("name") == "no-assistant-message"
    assert "Found 2 errors, 6 warnings in 1 file." in result.stdout


def test_warnings_alone_exit_0_unless_strict() -> None:
    assert run_cli("check", BLANKS).exit_code == 0
    assert run_cli("check", BLANKS, "--strict").exit_code == 1


def test_exit_zero() -> None:
    assert run_cli("check", ROLES, "--exit-zero").exit_code == 0
    assert run_cli("check", "missing.jsonl", "--exit-zero").exit_code == 2


@pytest.mark.parametrize(("args", "message"), [
    (("--model", "gpt-5-turbo"), "unknown model 'gpt-5-turbo'"),
    (("--select", "FT999"), "unknown rule selector 'FT999'"),
    (("--format", "xml"), "Invalid value for '-f' / '--format'"),
    (("--epochs", "0"), "Invalid value for '--epochs'"),
])
def test_usage_errors_exit_2(args: tuple[str, ...], message: str) -> None:
    result = run_cli("check", CLEAN, *OPENAI, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_missing_path_exits_2() -> None:
    result = run_cli("check", "no/such/file.jsonl")
    assert result.exit_code == 2 and "no such file or directory" in result.stderr


def test_json_output_matches_the_contract_schema() -> None:
    # OpenAI's fixtures (the layout folders name their own targets, whose models OpenAI does not know)
    folders = [FIXTURES / "clean", FIXTURES / "bad"]
    result = run_cli("check", *map(str, folders), "--format", "json", *OPENAI)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    jsonschema.validate(report, SCHEMA)
    assert report["summary"]["files"] == sum(len(list(folder.rglob("*.jsonl"))) for folder in folders)
    by_path = {Path(f["path"]).name: f for f in report["files"]}
    clean = by_path["support-chat.jsonl"]
    assert clean["violations"] == [] and clean["format"] == "chat" and clean["cost"]["usd"] > 0
    assert clean["tokens"]["total"] == clean["tokens"]["billed"] > 0
    assert by_path["support-chat-valid.jsonl"]["kind"] == "validation"
    assert by_path["support-chat-valid.jsonl"]["tokens"]["billed"] == 0
    assert by_path["support-preference.jsonl"]["cost"]["model"] == "gpt-4o-2024-08-06"  # from its ftlint.toml
    totals = sum(f["tokens"]["total"] for f in report["files"])
    assert report["summary"]["tokens"]["total"] == totals


def test_json_without_tokens_still_matches_the_schema() -> None:
    result = run_cli("check", CLEAN, "--format", "json", "--no-tokens")
    report = json.loads(result.stdout)
    jsonschema.validate(report, SCHEMA)
    assert report["files"][0]["tokens"] is None and report["files"][0]["cost"]["usd"] is None


def test_format_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FTLINT_FORMAT", "json")
    assert json.loads(run_cli("check", CLEAN).stdout)["version"] == 1


def test_stdin_and_output_file(tmp_path: Path) -> None:
    data = (FIXTURES / "bad" / "role-order.jsonl").read_bytes()
    out = tmp_path / "report.json"
    result = run_cli("check", "-", "--format", "json", "-o", str(out), input=data)
    assert result.exit_code == 1 and result.stdout == ""
    report = json.loads(out.read_text())
    assert report["files"][0]["path"] == "-" and len(report["files"][0]["violations"]) == 8


@pytest.mark.parametrize("jobs", ["1", "3"])
def test_standard_input_named_twice_is_read_once(jobs: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from ftlint import workers

    monkeypatch.setattr(workers, "MIN_PARALLEL_BYTES", 0)  # --jobs 3 reads it ahead, in parallel
    data = (FIXTURES / "bad" / "role-order.jsonl").read_bytes()
    result = run_cli("check", "-", "-", "--format", "json", "--jobs", jobs, input=data)
    files = json.loads(result.stdout)["files"]
    assert [f["path"] for f in files] == ["-"] and len(files[0]["violations"]) == 8


def test_directories_are_scanned_for_jsonl(tmp_path: Path) -> None:
    write(tmp_path / "b.jsonl", many(10))
    write(tmp_path / "a" / "x.jsonl" if (tmp_path / "a").mkdir() is None else tmp_path, many(10))
    write(tmp_path / "notes.txt", ["not json"])
    (tmp_path / ".hidden").mkdir()
    write(tmp_path / ".hidden" / "h.jsonl", ["not json"])
    result = run_cli("check", str(tmp_path), "--format", "json")
    paths = [Path(f["path"]).relative_to(tmp_path).as_posix() for f in json.loads(result.stdout)["files"]]
    assert paths == ["a/x.jsonl", "b.jsonl"] and result.exit_code == 0


def test_validation_files_are_reported_not_billed(tmp_path: Path) -> None:
    train = write(tmp_path / "train.jsonl", many(10))
    held_out = write(tmp_path / "held-out.jsonl", [chat(f"Name a colour, {n}.", "Blue.") for n in ("Ann", "Bo", "Cy")])
    result = run_cli("check", str(train), "--validation-file", str(held_out), "--format", "json")
    files = {Path(f["path"]).name: f for f in json.loads(result.stdout)["files"]}
    assert files["held-out.jsonl"]["kind"] == "validation"
    assert files["held-out.jsonl"]["violations"] == []  # no minimum-examples rule for validation files
    assert files["held-out.jsonl"]["cost"]["usd"] is None
    assert result.exit_code == 0


def test_select_ignore_and_extend_select() -> None:
    only = run_cli("check", ROLES, "--select", "FT201,FT202", "--format", "json")
    assert {v["code"] for v in json.loads(only.stdout)["files"][0]["violations"]} == {"FT201", "FT202"}
    ignored = run_cli("check", ROLES, "--ignore", "FT2", "--format", "json")
    assert json.loads(ignored.stdout)["files"][0]["violations"] == [] and ignored.exit_code == 0
    back = run_cli("check", ROLES, "--ignore", "FT2", "--extend-select", "FT201", "--format", "json")
    assert [v["code"] for v in json.loads(back.stdout)["files"][0]["violations"]] == ["FT201"]


def test_config_in_pyproject_is_discovered_and_cli_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.ftlint]\nmodel = "gpt-3.5-turbo-0613"\nignore = ["FT209"]\n'
        '[tool.ftlint.severity]\nFT202 = "info"\n', encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    records = [conversation(user(f"hi {i}"), {"role": "assistant", "content": "ok"}, user("bye")) for i in range(10)]
    path = write(data / "train.jsonl", records)
    report = json.loads(run_cli("check", str(path), "--format", "json").stdout)
    file = report["files"][0]
    assert file["cost"]["model"] == "gpt-3.5-turbo-0613"
    assert {v["severity"] for v in file["violations"]} == {"info"}
    report = json.loads(run_cli("check", str(path), "--format", "json", "--model", "gpt-4o-mini").stdout)
    assert report["files"][0]["cost"]["model"] == "gpt-4o-mini-2024-07-18"


def test_closest_config_wins_and_ftlint_toml_beats_pyproject(tmp_path: Path) -> None:
    (tmp_path / "ftlint.toml").write_text('model = "gpt-4.1-2025-04-14"\n', encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.ftlint]\nmodel = "gpt-3.5-turbo-0125"\n', encoding="utf-8")
    nested = tmp_path / "nested"
    nested.mkdir()
    (nested / "pyproject.toml").write_text('[tool.ftlint]\nmodel = "gpt-4.1-mini"\n', encoding="utf-8")
    top = write(tmp_path / "top.jsonl", many(10))
    inner = write(nested / "inner.jsonl", many(10))
    report = json.loads(run_cli("check", str(top), str(inner), "--format", "json").stdout)
    assert [f["cost"]["model"] for f in report["files"]] == ["gpt-4.1-2025-04-14", "gpt-4.1-mini-2025-04-14"]


def test_per_file_ignores(tmp_path: Path) -> None:
    (tmp_path / "ftlint.toml").write_text('[per-file-ignores]\n"small-*.jsonl" = ["FT501"]\n', encoding="utf-8")
    small = write(tmp_path / "small-set.jsonl", many(3))
    other = write(tmp_path / "other.jsonl", many(3))
    report = json.loads(run_cli("check", str(small), str(other), "--format", "json", *OPENAI).stdout)
    assert [len(f["violations"]) for f in report["files"]] == [0, 1]


@pytest.mark.parametrize(("config", "message"), [
    ('modle = "gpt-4o"\n', "unknown setting `modle`; did you mean `model`?"),
    ('select = "FT1"\n', "setting `select`: Input should be a valid list"),
    ('[severity]\nFT201 = "fatal"\n', "setting `severity.FT201`"),
    ('[rules.FT302]\ntokenz = []\n', "options of FT302 (special-token-text)"),
    ("model = \n", "invalid TOML"),
])
def test_bad_config_exits_2_and_names_the_fix(tmp_path: Path, config: str, message: str) -> None:
    (tmp_path / "ftlint.toml").write_text(config, encoding="utf-8")
    path = write(tmp_path / "train.jsonl", many(10))
    result = run_cli("check", str(path))
    assert result.exit_code == 2
    assert message in result.stderr


def test_rule_options_from_config(tmp_path: Path) -> None:
    (tmp_path / "ftlint.toml").write_text('[rules.special-token-text]\ntokens = ["<<END>>"]\n', encoding="utf-8")
    path = write(tmp_path / "train.jsonl", [chat("stop at <<END>>"), chat("<|endoftext|>"), *many(8)])
    report = json.loads(run_cli("check", str(path), "--format", "json", "--select", "FT302").stdout)
    assert [v["line"] for v in report["files"][0]["violations"]] == [1]


def _deadline_findings(*args: str) -> list[tuple[str, int, str]]:
    report = json.loads(run_cli("check", CLEAN, CLEAN.replace("support-chat", "support-chat-valid"),
                                "--format", "json", "--provider", "openai", *args).stdout)
    return [(v["code"], v["line"], v["message"]) for f in report["files"] for v in f["violations"]]


def test_a_model_whose_jobs_closed_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FTLINT_TODAY", "2026-12-01")
    found = _deadline_findings("--model", "gpt-4.1-nano")
    assert [(code, line) for code, line, _ in found] == [("FT820", 1)]  # the training file only, once
    assert "cannot be created since 2026-10-23" in found[0][2] and "azure, together" in found[0][2]
    assert run_cli("check", CLEAN, "--provider", "openai", "--model", "davinci-002").exit_code == 1
    # A run of validation files only has no training file to say it at: each validation file says it.
    alone = json.loads(run_cli("check", CLEAN.replace("support-chat", "support-chat-valid"), "--format", "json",
                               "--provider", "openai", "--model", "gpt-4.1-nano").stdout)
    assert [v["code"] for f in alone["files"] for v in f["violations"]] == ["FT820"]


def test_the_last_month_before_a_deadline_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FTLINT_TODAY", "2026-11-24")
    assert _deadline_findings() == []  # 43 days ahead: nothing yet
    monkeypatch.setenv("FTLINT_TODAY", "2026-12-20")
    (found,) = _deadline_findings()
    assert found[:2] == ("FT821", 1) and "in 17 day(s)" in found[2] and "is 2027-01-05" in found[2]
    monkeypatch.setenv("FTLINT_TODAY", "2027-01-06")
    assert [code for code, _, _ in _deadline_findings()] == ["FT820"]
    monkeypatch.setenv("FTLINT_TODAY", "2026-12-20")
    assert _deadline_findings("--provider", "azure") == []  # Azure keeps these models until 2027-04


def test_a_clock_that_is_not_a_date_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FTLINT_TODAY", "next tuesday")
    result = run_cli("check", CLEAN)
    assert result.exit_code == 2 and "FTLINT_TODAY='next tuesday' is not a date" in result.stderr


def test_color_only_when_asked_or_on_a_terminal() -> None:
    assert "\x1b[" not in run_cli("check", ROLES).stdout
    assert "\x1b[" in run_cli("check", ROLES, "--color").stdout


def test_rule_command() -> None:
    result = run_cli("rule", "FT301")
    assert result.exit_code == 0
    assert result.stdout.startswith("# example-over-context-limit (FT301)")
    assert "Why:" in result.stdout and "Default severity: warning" in result.stdout
    assert run_cli("rule", "blank-line").stdout.startswith("# blank-line (FT011)")
    listing = run_cli("rule", "--all").stdout.splitlines()
    assert listing[0].startswith("FT001  invalid-json") and len(listing) >= 40
    as_json = json.loads(run_cli("rule", "--all", "--format", "json").stdout)
    assert {"code", "name", "severity", "summary", "explanation", "fix"} <= set(as_json[0])
    missing = run_cli("rule", "FT999")
    assert missing.exit_code == 2 and "unknown rule" in missing.stderr


def test_models_command() -> None:
    result = run_cli("models", *OPENAI)
    assert result.exit_code == 0
    assert re.search(r"gpt-4o-mini-2024-07-18\s+o200k_base\s+65,536\s+3\.00", result.stdout)
    models = json.loads(run_cli("models", "--format", "json", *OPENAI).stdout)
    assert {"id", "encoding", "training_context", "training_price", "jobs_end"} <= set(models[0])


def test_help_teaches() -> None:
    text = run_cli("check", "--help").stdout
    for needle in ("--model", "--select", "--exit-zero", "[tool.ftlint]", "path:line:col"):
        assert needle in text
    assert "Exit codes" in run_cli("--help").stdout


def test_help_names_every_target() -> None:
    # The names are read from models.toml when help is shown (not at start-up): each help that offers
    # --provider lists them all.
    from ftlint.choices import targets

    for command in ("check", "models"):
        text = " ".join(run_cli(command, "--help").stdout.split())
        assert all(f"{name}," in text for name in targets()), command
    # Shell completion describes the option from the same help (a fresh process: showing help above
    # must not be what filled it in).
    completion = subprocess.run(
        [sys.executable, "-c", "from ftlint.cli import main; main(prog_name='ftlint')"], capture_output=True,
        text=True, env={**os.environ, "_FTLINT_COMPLETE": "zsh_complete", "COMP_WORDS": "ftlint check --pro",
                        "COMP_CWORD": "2"}).stdout
    assert "--provider" in completion and "azure, together" in completion


def test_version_and_module_entry_point() -> None:
    assert run_cli("--version").stdout.strip() == "ftlint 0.1.0"
    out = subprocess.run([sys.executable, "-m", "ftlint", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ftlint 0.1.0"


def test_internal_rule_failure_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    from ftlint.rules.roles import NoUserMessage

    def broken(self: object, context: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(NoUserMessage, "check", broken)
    result = run_cli("check", CLEAN)
    assert result.exit_code == 2
    assert "internal error" in result.stdout and "FT209" in result.stdout


def test_rules_doc_is_current() -> None:
    from conftest import ROOT
    from ftlint.registry import discover
    from ftlint.ruledoc import rules_markdown

    expected = rules_markdown(discover().sorted_rules())
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == expected, "run `make docs`"


def test_reinforcement_needs_a_validation_file_on_azure(tmp_path: Path) -> None:
    train = write(tmp_path / "train.jsonl", [conversation(user(f"grade this {i}")) for i in range(10)])
    held_out = write(tmp_path / "held.jsonl", [conversation(user(f"grade that {i}")) for i in range(3)])
    args = ("--provider", "azure", "--model", "o4-mini-2025-04-16", "--format", "json", "--ignore", "FT804")
    alone = json.loads(run_cli("check", str(train), *args).stdout)
    assert [v["code"] for v in alone["files"][0]["violations"]] == ["FT504"]
    together = json.loads(run_cli("check", str(train), "--validation-file", str(held_out), *args).stdout)
    assert [f["violations"] for f in together["files"]] == [[], []]
    openai = json.loads(run_cli("check", str(train), "--model", "o4-mini-2025-04-16", "--format", "json",
                                "--provider", "openai", "--ignore", "FT804").stdout)
    # OpenAI's profile does not require one (and o4-mini is gone there)
    assert [v["code"] for v in openai["files"][0]["violations"]] == ["FT820"]


def test_provider_profiles(tmp_path: Path) -> None:
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + b"".join(json.dumps(record).encode() + b"\n" for record in many(3)))
    codes = {}
    for provider in ("openai", "azure", "generic"):
        report = json.loads(run_cli("check", str(bom), "--provider", provider, "--format", "json").stdout)
        codes[provider] = [v["code"] for v in report["files"][0]["violations"]]
    assert codes == {"openai": ["FT006", "FT501"], "azure": ["FT501"], "generic": []}
    listing = run_cli("models", "--provider", "azure").stdout
    assert listing.startswith("provider azure: Azure OpenAI; at least 10 training examples")
    assert re.search(r"gpt-4\.1-2025-04-14\s+o200k_base\s+65,536\s+-\s+supervised,dpo\s+yes", listing)
    wrong = run_cli("check", str(bom), "--provider", "azur")
    assert wrong.exit_code == 2 and "did you mean azure?" in wrong.stderr


def test_readme_config_example_is_valid() -> None:
    from conftest import ROOT
    from ftlint import tomlload
    from ftlint.catalog import load_catalog
    from ftlint.config import parse_settings

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [part.split("```", 1)[0] for part in readme.split("```toml\n[tool.ftlint]")[1:]]
    assert len(blocks) >= 2
    for block in blocks:  # every example is a config ftlint takes, its target and models included
        settings = parse_settings(tomlload.loads("[tool.ftlint]" + block)["tool"]["ftlint"], "README.md")
        catalog = load_catalog(settings.models, settings.provider, settings.providers)
        catalog.resolve(settings.model or catalog.target.default_model)
    models = next(block for block in blocks if "my-gpt-4o-mini" in block)
    settings = parse_settings(tomlload.loads("[tool.ftlint]" + models)["tool"]["ftlint"], "README.md")
    assert settings.model == "gpt-4.1-mini-2025-04-14" and settings.severity["FT202"].value == "error"
    catalog = load_catalog(settings.models, settings.provider, settings.providers)
    assert catalog.resolve("my-gpt-4o-mini").training_context == 65536


def test_one_plan_per_config_even_with_overrides(tmp_path: Path) -> None:
    from ftlint.config import ConfigResolver
    from ftlint.engine import Engine
    from ftlint.registry import discover

    paths = [write(tmp_path / f"part{i}.jsonl", many(10)) for i in range(3)]
    engine = Engine(discover(), ConfigResolver(None, {"model": "gpt-4.1-mini"}))
    jobs = [engine.job(str(path), path) for path in paths]
    assert len(engine.plans()) == 1 and {job.plan.model.id for job in jobs} == {"gpt-4.1-mini-2025-04-14"}
    assert run_cli("check", *map(str, paths), "--model", "gpt-4.1-mini").exit_code == 0


def test_version_imports_neither_rules_nor_tokenizers() -> None:
    # Start-up time: `ftlint --version` (and pre-commit's first call) must not pay for pydantic or tiktoken.
    script = ("import sys; from click.testing import CliRunner; from ftlint.cli import main; "
              "CliRunner().invoke(main, ['--version']); "
              "print(sorted(m for m in ('pydantic', 'tiktoken', 'ftlint.rule', 'jsonschema', 'ftlint.tomlload')"
              " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_small_run_imports_no_workers_and_no_layout_models(tmp_path: Path) -> None:
    # Start-up time: a few-line check (a pre-commit hook's) forks no workers, and a clean OpenAI file
    # never needs another layout's pydantic models.
    path = write(tmp_path / "data.jsonl", many(10))
    script = ("import sys; from click.testing import CliRunner; from ftlint.cli import main; "
              f"result = CliRunner().invoke(main, ['check', {str(path)!r}]); "
              "print(result.exit_code, sorted(m for m in ('multiprocessing', 'ftlint.parallel', 'ftlint.ranges', "
              "'ftlint.formats.gemini_models', 'ftlint.formats.nova_models', 'ftlint.formats.trl_models') "
              "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0 []"


def test_interrupted_run_exits_130_not_1(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # 1 would read as "violations found" to a CI gate.
    from ftlint.passes import RecordPass

    def interrupted(self: object, reader: object, emit: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(RecordPass, "run", interrupted)
    path = tmp_path / "data.jsonl"
    path.write_text(json.dumps(chat()) + "\n", encoding="utf-8")
    result = run_cli("check", str(path))
    assert result.exit_code == 130
    assert "interrupted" in result.stderr
