"""The pre-commit hook: a valid manifest, and a real run through `pre-commit try-repo`.

try-repo installs ftlint into a fresh hook environment with pip (that install needs the package index;
the hook itself then runs offline)."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, ROOT

PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


def test_manifest_declares_the_hook() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "ftlint" and hook["entry"] == "ftlint check --force-exclude" and hook["language"] == "python"
    # `text` would keep UTF-16 files (tagged binary by identify) from ever reaching FT005.
    assert hook["types"] == ["file"] and hook["require_serial"] is True
    for name in ("data/train.jsonl", "train.jsonl.gz", "a/b.jsonl.bz2", "c.jsonl.xz"):
        assert re.search(hook["files"], name), name
    for name in ("train.json", "train.jsonl.zip", "train.jsonl.bak", "notes.txt"):
        assert not re.search(hook["files"], name), name


def test_manifest_validates() -> None:
    result = subprocess.run([*PRE_COMMIT, "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="git is needed for pre-commit")
def test_try_repo_runs_the_hook(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    shutil.copy(FIXTURES / "clean" / "support-chat.jsonl", repo / "good.jsonl")
    shutil.copy(FIXTURES / "bad" / "role-order.jsonl", repo / "bad.jsonl")
    good = (FIXTURES / "clean" / "support-chat.jsonl").read_text(encoding="utf-8")
    (repo / "utf16.jsonl").write_bytes("\ufeff".encode("utf-16-le") + good.encode("utf-16-le"))
    (repo / "packed.jsonl.gz").write_bytes(gzip.compress((FIXTURES / "bad" / "role-order.jsonl").read_bytes()))
    (repo / "notes.json").write_text("not checked: the hook only takes .jsonl files\n", encoding="utf-8")
    # pre-commit names every staged file: the config's `exclude` still holds (--force-exclude in the entry).
    (repo / "pyproject.toml").write_text('[tool.ftlint]\nexclude = ["vendor/"]\n', encoding="utf-8")
    (repo / "vendor").mkdir()
    shutil.copy(FIXTURES / "bad" / "role-order.jsonl", repo / "vendor" / "theirs.jsonl")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "add", "."], cwd=repo, check=True, env=env)
    result = subprocess.run([*PRE_COMMIT, "try-repo", str(ROOT), "ftlint", "--all-files"], cwd=repo,
                            capture_output=True, text=True, env=env, timeout=900)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "bad.jsonl:1:14: FT201 [error]" in output
    assert "good.jsonl" in output and "notes.json" not in output and "theirs.jsonl" not in output
    assert "utf16.jsonl:1:1: FT005 [error]" in output  # identify tags it binary: `types: [text]` skipped it
    assert "packed.jsonl.gz:1:14: FT201 [error]" in output
    assert "in 4 files." in output
