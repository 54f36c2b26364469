"""Discovery runs no stranger's code (it stops at the repository root and at home), and directory
searches skip what `exclude` and `.gitignore` say, as ruff does."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import OPENAI, many, run_cli

# A local rule file that leaves a mark when it is imported: discovery must never import it.
MARKER_PLUGIN = "import pathlib\npathlib.Path(__file__).with_name('RAN').write_text('imported')\nRULES = []\n"
LOCAL_RULE = (
    "from collections.abc import Iterator\n"
    "from ftlint import ExampleContext, Finding, Rule, Scope, Severity\n\n"
    "class NoQ7(Rule):\n"
    '    """Question 7 is retired.\n\n    Why: policy, from tools/team_rules.py.\n    """\n'
    '    code = "LOC001"\n    name = "retired-question"\n    severity = Severity.ERROR\n'
    '    scope = Scope.EXAMPLE\n    summary = "Retired question"\n    fix = "Drop it"\n\n'
    "    def check(self, context: ExampleContext) -> Iterator[Finding]:\n"
    '        yield from ()\n\n'
    "RULES = [NoQ7]\n")


def jsonl(path: Path, records: list[Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def checked(*args: str) -> list[str]:
    """The paths a run checks, relative to the working directory (the test's tmp_path)."""
    result = run_cli("check", *OPENAI, *args, "--format", "json", "--no-tokens")
    assert result.exit_code in (0, 1), result.stderr
    return sorted(Path(f["path"]).resolve().relative_to(Path.cwd().resolve()).as_posix()
                  for f in json.loads(result.stdout)["files"])


def _planted(folder: Path) -> None:
    """A config a stranger left in a shared parent folder: it would run code and change the verdict."""
    (folder / "evil.py").write_text(MARKER_PLUGIN, encoding="utf-8")
    (folder / "ftlint.toml").write_text('plugins = ["evil.py"]\nignore = ["FT501"]\n', encoding="utf-8")


@pytest.mark.parametrize("marker", [".git", ".hg", ".svn", ".git-file"])
def test_discovery_stops_at_the_repository_root(tmp_path: Path, marker: str) -> None:
    _planted(tmp_path)
    repository = tmp_path / "checkout"
    repository.mkdir()
    if marker == ".git-file":  # a worktree or submodule: .git is a file
        (repository / ".git").write_text("gitdir: /elsewhere\n", encoding="utf-8")
    else:
        (repository / marker).mkdir()
    data = jsonl(repository / "data" / "train.jsonl", many(3))
    result = run_cli("check", *OPENAI, str(data))
    assert result.exit_code == 1 and "FT501" in result.stdout  # the planted ignore did not apply
    assert not (tmp_path / "RAN").exists()
    shown = run_cli("check", *OPENAI, "--show-settings", str(data))
    assert "config file: (none: defaults)" in shown.stdout and not (tmp_path / "RAN").exists()


def test_a_config_inside_the_repository_still_applies(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "ftlint.toml").write_text('ignore = ["FT501"]\n', encoding="utf-8")
    data = jsonl(tmp_path / "deep" / "er" / "train.jsonl", many(3))
    assert run_cli("check", *OPENAI, str(data)).exit_code == 0


def test_discovery_stops_at_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _planted(tmp_path)
    home = tmp_path / "home" / "ann"
    monkeypatch.setenv("HOME", str(home))
    data = jsonl(home / "datasets" / "train.jsonl", many(3))
    result = run_cli("check", *OPENAI, str(data))
    assert result.exit_code == 1 and not (tmp_path / "RAN").exists()
    (home / "ftlint.toml").write_text('ignore = ["FT501"]\n', encoding="utf-8")  # home itself is searched
    assert run_cli("check", *OPENAI, str(data)).exit_code == 0


def test_show_settings_lists_local_plugins_without_loading_them(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "evil.py").write_text(MARKER_PLUGIN, encoding="utf-8")
    (tmp_path / "ftlint.toml").write_text('plugins = ["evil.py", "gone.py"]\n', encoding="utf-8")
    result = run_cli("check", *OPENAI, "--show-settings")
    assert result.exit_code == 0 and not (tmp_path / "RAN").exists()
    assert "plugins (local rule files: Python code that `check` runs; not loaded here):" in result.stdout
    assert f"  {tmp_path / 'evil.py'}\n" in result.stdout and f"  {tmp_path / 'gone.py'} (missing)\n" in result.stdout
    assert "rules enabled (plugin rules not shown):" in result.stdout
    run_cli("check", *OPENAI, str(jsonl(tmp_path / "train.jsonl", many(10))))
    assert (tmp_path / "RAN").exists()  # check itself does load them: that is what they are for
    (tmp_path / "RAN").unlink()
    assert run_cli("check", *OPENAI, str(tmp_path / "train.jsonl"), "--isolated").exit_code == 0
    assert not (tmp_path / "RAN").exists()


def test_rule_command_explains_local_plugin_and_schema_rules(tmp_path: Path) -> None:
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "team_rules.py").write_text(LOCAL_RULE, encoding="utf-8")
    (tmp_path / "message.schema.json").write_text('{"type": "object"}', encoding="utf-8")
    (tmp_path / "ftlint.toml").write_text(
        'plugins = ["tools/team_rules.py"]\n[[schema]]\npath = "message.schema.json"\ncode = "FTX007"\n',
        encoding="utf-8")
    local = run_cli("rule", "LOC001")
    assert local.exit_code == 0 and "Why: policy, from tools/team_rules.py." in local.stdout
    schema = run_cli("rule", "FTX007")
    assert schema.exit_code == 0 and "message.schema.json" in schema.stdout
    listed = run_cli("rule", "--all").stdout
    assert re.search(r"^LOC001\s+retired-question\s+error", listed, re.MULTILINE) and "FTX007" in listed
    assert run_cli("rule", "LOC001", "--isolated").exit_code == 2


# --- exclude, extend-exclude, .gitignore, --force-exclude ------------------------------------

def _tree(root: Path) -> None:
    for name in ("data/train.jsonl", "data/raw/dump.jsonl", "data/smoke.tmp.jsonl", "data/.cache/c.jsonl",
                 "data/.hidden.jsonl", "venv/lib/v.jsonl", "other/keep.jsonl"):
        jsonl(root / name, many(1))


def test_default_exclude_and_extend_exclude(tmp_path: Path) -> None:
    _tree(tmp_path)
    assert checked(".") == ["data/raw/dump.jsonl", "data/smoke.tmp.jsonl", "data/train.jsonl", "other/keep.jsonl"]
    (tmp_path / "ftlint.toml").write_text('extend-exclude = ["data/raw", "*.tmp.jsonl"]\n', encoding="utf-8")
    assert checked(".") == ["data/train.jsonl", "other/keep.jsonl"]
    (tmp_path / "ftlint.toml").write_text('exclude = ["other"]\n', encoding="utf-8")  # replaces the defaults
    assert "data/.hidden.jsonl" in checked(".") and "venv/lib/v.jsonl" in checked(".")
    assert "other/keep.jsonl" not in checked(".")


def test_a_trailing_slash_means_the_folder(tmp_path: Path) -> None:
    # `data/raw/`, as a .gitignore would say it: the folder, in a walk and for named files alike.
    _tree(tmp_path)
    (tmp_path / "ftlint.toml").write_text('extend-exclude = ["data/raw/", "other/"]\n', encoding="utf-8")
    assert checked(".") == ["data/smoke.tmp.jsonl", "data/train.jsonl"]
    assert checked("data/raw/dump.jsonl", "data/train.jsonl", "--force-exclude") == ["data/train.jsonl"]


def test_named_files_are_checked_unless_force_exclude(tmp_path: Path) -> None:
    _tree(tmp_path)
    (tmp_path / "ftlint.toml").write_text('extend-exclude = ["data/raw"]\n', encoding="utf-8")
    named = "data/raw/dump.jsonl"
    assert checked(named, "data/train.jsonl") == ["data/raw/dump.jsonl", "data/train.jsonl"]
    assert checked(named, "data/train.jsonl", "--force-exclude") == ["data/train.jsonl"]
    (tmp_path / "ftlint.toml").write_text('extend-exclude = ["data/raw"]\nforce-exclude = true\n', encoding="utf-8")
    assert checked(named, "data/train.jsonl") == ["data/train.jsonl"]
    assert checked(named, "data/train.jsonl", "--no-force-exclude") == ["data/raw/dump.jsonl", "data/train.jsonl"]
    verbose = run_cli("check", *OPENAI, named, "data/train.jsonl", "-v", "--no-tokens")
    assert f"ftlint: skipped {named}: matches ftlint.toml pattern 'data/raw' (--force-exclude)" in verbose.stderr


def test_stdin_filename_with_force_exclude_skips_standard_input(tmp_path: Path) -> None:
    (tmp_path / "ftlint.toml").write_text('extend-exclude = ["vendor"]\n', encoding="utf-8")
    data = json.dumps(many(1)[0]).encode() + b"\n"
    result = run_cli("check", *OPENAI, "-", "--stdin-filename", "vendor/x.jsonl", "--force-exclude", "--format", "json",
                     input=data)
    assert result.exit_code == 0 and json.loads(result.stdout)["files"] == []


def test_gitignore_is_respected_when_searching(tmp_path: Path) -> None:
    _tree(tmp_path)
    (tmp_path / ".git" / "info").mkdir(parents=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("other/\n", encoding="utf-8")
    (tmp_path / ".gitignore").write_text("# generated\nraw/\n*.tmp.jsonl\n", encoding="utf-8")
    (tmp_path / "data" / ".gitignore").write_text("!smoke.tmp.jsonl\n", encoding="utf-8")
    assert checked(".") == ["data/smoke.tmp.jsonl", "data/train.jsonl"]
    assert checked("data/raw") == ["data/raw/dump.jsonl"]  # a folder named on the command line is searched
    (tmp_path / "ftlint.toml").write_text("respect-gitignore = false\n", encoding="utf-8")
    assert "data/raw/dump.jsonl" in checked(".") and "other/keep.jsonl" in checked(".")


def test_gitignore_outside_a_repository_means_nothing(tmp_path: Path) -> None:
    _tree(tmp_path)
    (tmp_path / ".gitignore").write_text("*.jsonl\n", encoding="utf-8")
    assert len(checked(".")) == 4


def test_a_directory_where_everything_was_skipped_says_so(tmp_path: Path) -> None:
    jsonl(tmp_path / "data" / "a.tmp.jsonl", many(1))
    (tmp_path / "ftlint.toml").write_text('extend-exclude = ["*.tmp.jsonl"]\n', encoding="utf-8")
    result = run_cli("check", *OPENAI, "data")
    assert result.exit_code == 2 and "data: a directory with no" in result.stderr
    assert "(1 excluded; -v lists them)" in result.stderr


# --- the .gitignore subset agrees with git itself ---------------------------------------------

GITIGNORE = """\
# comments and blank lines are skipped

*.log.jsonl
/top.jsonl
build/
docs/**/draft.jsonl
**/cache/*.jsonl
a/*/b.jsonl
!keep.log.jsonl
\\#hash.jsonl
[ab]x.jsonl
q?.jsonl
trailing.jsonl   \n"""
CANDIDATES = [
    "x.log.jsonl", "sub/x.log.jsonl", "keep.log.jsonl", "sub/keep.log.jsonl", "top.jsonl", "sub/top.jsonl",
    "build/x.jsonl", "sub/build/x.jsonl", "docs/draft.jsonl", "docs/a/b/draft.jsonl", "cache/y.jsonl",
    "deep/cache/y.jsonl", "cache/z/y.jsonl", "a/c/b.jsonl", "a/c/d/b.jsonl", "#hash.jsonl", "ax.jsonl",
    "cx.jsonl", "q1.jsonl", "q12.jsonl", "trailing.jsonl", "plain.jsonl", "sub/nested.jsonl",
]
NESTED = "*.jsonl\n!nested.jsonl\n"


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to compare with")
def test_gitignore_subset_matches_git_check_ignore(tmp_path: Path) -> None:
    repository = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repository)], check=True)
    (repository / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    (repository / "sub").mkdir()
    (repository / "sub" / ".gitignore").write_text(NESTED, encoding="utf-8")
    for name in CANDIDATES:
        jsonl(repository / name, many(1))
    git = subprocess.run(["git", "-C", str(repository), "-c", "core.excludesFile=/dev/null", "check-ignore",
                          "--no-index", *CANDIDATES], capture_output=True, text=True)
    ignored_by_git = set(git.stdout.split())
    # What git would check = everything it does not ignore; ftlint must search exactly that.
    expected = sorted(f"repo/{name}" for name in CANDIDATES if name not in ignored_by_git)
    assert len(ignored_by_git) >= 12  # the patterns above do ignore most candidates
    assert checked("repo") == expected


def test_config_globs_follow_ruff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A glob matches the file's name anywhere, or its path from the config's folder (not from the working
    # directory); `**/` also matches no folder at all.
    (tmp_path / "ftlint.toml").write_text(
        '[per-file-ignores]\n"smoke-*.jsonl" = ["FT501"]\n"data/**/small.jsonl" = ["FT501"]\n'
        '"other/*.jsonl" = ["FT501"]\n', encoding="utf-8")
    names = ["deep/er/smoke-1.jsonl", "data/small.jsonl", "data/a/b/small.jsonl", "other/x.jsonl",
             "small.jsonl", "elsewhere/other/x.jsonl"]
    for name in names:
        jsonl(tmp_path / name, many(3))
    (tmp_path / "elsewhere" / "other").mkdir(exist_ok=True)
    monkeypatch.chdir(tmp_path / "deep")  # globs are relative to the config file, not to here
    result = run_cli("check", *OPENAI, *(str(tmp_path / name) for name in names), "--format", "json", "--no-tokens")
    flagged = {Path(f["path"]).relative_to(tmp_path).as_posix() for f in json.loads(result.stdout)["files"]
               if f["violations"]}
    assert flagged == {"small.jsonl", "elsewhere/other/x.jsonl"}
