"""The composite GitHub Action: its check step, run locally as a runner would run it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT


def test_action_runs_ftlint_with_annotations() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    install, run = action["runs"]["steps"]
    assert "${GITHUB_ACTION_PATH}" in install["run"]
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is needed")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "GITHUB_ACTIONS": "true",
           "FTLINT_PATHS": "fixtures/bad/role-order.jsonl fixtures/clean",
           "FTLINT_ARGS": "--model gpt-4o-mini-2024-07-18"}
    result = subprocess.run([bash, "-c", run["run"]], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("::error file=fixtures/bad/role-order.jsonl,line=1,col=14,title=ftlint (FT201)::")
    # --model overrides the DPO folder's gpt-4o config: gpt-4o-mini cannot train on DPO (FT113).
    assert "Found 3 errors, 6 warnings in 4 files." in result.stderr
    assert "FT113" in result.stdout
