"""The composite GitHub Action: its steps, run locally as a runner would run them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import FIXTURES, ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
BASH = shutil.which("bash")


def _step(name: str) -> dict[str, Any]:
    return next(step for step in ACTION["runs"]["steps"] if step["name"] == name)


def _run_step(name: str, workspace: Path, inputs: dict[str, str], outputs: dict[str, str] | None = None,
              **extra_env: str) -> subprocess.CompletedProcess[str]:
    """Run a `run:` step with bash in ``workspace``, its `env:` filled from ``inputs`` and the check
    step's ``outputs`` as the runner does."""
    if BASH is None:
        pytest.skip("bash is needed")
    step = _step(name)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "GITHUB_ACTIONS": "true", "GITHUB_ACTION_PATH": str(ROOT), **extra_env}
    defaults = {key: str(spec.get("default", "")) for key, spec in ACTION["inputs"].items()}
    for variable, expression in step.get("env", {}).items():
        source, _, key = expression.removeprefix("${{ ").removesuffix(" }}").rpartition(".")
        values = {"inputs": {**defaults, **inputs}, "steps.check.outputs": outputs or {}}[source]
        env[variable] = values.get(key, "")
    return subprocess.run([BASH, "-c", step["run"]], cwd=workspace, env=env, capture_output=True, text=True,
                          timeout=600)


def _workspace(tmp_path: Path) -> Path:
    workspace = tmp_path / "repo"
    (workspace / "my data").mkdir(parents=True)
    shutil.copy(FIXTURES / "bad" / "role-order.jsonl", workspace / "my data" / "role-order.jsonl")
    shutil.copytree(FIXTURES / "clean", workspace / "clean")
    (workspace / ".git").mkdir()  # the repository root that annotation paths are relative to
    return workspace


def _outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines())


def test_action_layout() -> None:
    assert ACTION["runs"]["using"] == "composite"
    install = _step("Install ftlint")
    assert "${GITHUB_ACTION_PATH}" in install["run"]
    # No input is expanded into a shell command line: they reach the step as environment variables.
    for step in ACTION["runs"]["steps"]:
        assert "inputs." not in step.get("run", ""), step["name"]
    upload = _step("Upload SARIF")
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert "inputs.sarif == 'true'" in upload["if"]


def test_paths_with_spaces_and_quoted_args(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path)
    outputs, summary = tmp_path / "out.txt", tmp_path / "summary.md"
    inputs = {"paths": "my data\nclean\n", "args": "--model 'gpt-4o-mini-2024-07-18' --ignore \"FT208\""}
    result = _run_step("Run ftlint", workspace, inputs, GITHUB_OUTPUT=str(outputs),
                       GITHUB_STEP_SUMMARY=str(summary))
    assert result.returncode == 0, result.stderr  # the step passes; the last step fails with the code
    assert result.stdout.startswith("::error file=my data/role-order.jsonl,line=1,col=14,title=ftlint (FT201)::")
    assert "FT208" not in result.stdout  # --ignore "FT208" arrived as one argument, quotes removed
    # --model overrides the DPO folder's gpt-4o config: gpt-4o-mini cannot train on DPO (FT113).
    assert "FT113" in result.stdout and "in 4 files." in result.stderr
    assert _outputs(outputs) == {"exit-code": "1"}
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("### ftlint\n\n<pre>\nfile ") and "my data/role-order.jsonl" in text
    assert _run_step("Fail on violations", workspace, {}, _outputs(outputs)).returncode == 1
    assert _run_step("Fail on violations", workspace, {}, {}).returncode == 2  # the check step died


def test_args_are_never_evaluated(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path)
    outputs = tmp_path / "out.txt"
    inputs = {"paths": "clean/support-chat.jsonl", "args": "--ignore FT501 $(touch pwned) `touch pwned2`"}
    result = _run_step("Run ftlint", workspace, inputs, GITHUB_OUTPUT=str(outputs))
    assert not (workspace / "pwned").exists() and not (workspace / "pwned2").exists()
    # The words reach ftlint literally: "$(touch" is a path that does not exist (exit 2).
    assert _outputs(outputs)["exit-code"] == "2" and "touch" in result.stderr


def test_sarif_option_writes_a_report_for_the_upload_step(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path)
    outputs, temp = tmp_path / "out.txt", tmp_path / "runner-temp"
    temp.mkdir()
    result = _run_step("Run ftlint", workspace, {"paths": "my data", "sarif": "true", "summary": "false"},
                       GITHUB_OUTPUT=str(outputs), RUNNER_TEMP=str(temp), GITHUB_STEP_SUMMARY=str(tmp_path / "s"))
    assert result.returncode == 0, result.stderr
    values = _outputs(outputs)
    assert values["exit-code"] == "1" and values["sarif-file"] == str(temp / "ftlint.sarif")
    run = json.loads((temp / "ftlint.sarif").read_text(encoding="utf-8"))["runs"][0]
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "my%20data/role-order.jsonl", "uriBaseId": "%SRCROOT%"}
    assert not (tmp_path / "s").exists()  # summary: false
