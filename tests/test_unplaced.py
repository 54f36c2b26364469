"""Findings no report can show are not placed (ftlint.stamp.Unplaced: no column, no excerpt), and that
changes nothing: whole reports, in every format, are identical with every finding placed
(FTLINT_PLACE_ALL=1), on the fixtures, the real corpus, hypothesis-generated files, in parallel ranges,
with a baseline, with more distinct findings than a file follows (repeats.MAX_TRACKED), and for
`--target all`; and the findings past the listing's limit are indeed left unplaced."""

from __future__ import annotations

import contextlib
import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, FIXTURES, run_cli, switched
from ftlint import repeats, stamp, workers
from ftlint.stamp import Stamper
from ftlint.violation import Violation

FORMATS = ("full", "concise", "grouped", "json", "json-lines", "sarif", "junit", "gitlab", "github", "html")
SECRET = "sk-proj-" + "aB3dE5fG7hJ9kL1mN2pQ4rS6"


def placing_all(on: bool) -> contextlib.AbstractContextManager[None]:
    return switched("FTLINT_PLACE_ALL", on)


def both(*args: str) -> tuple[str, str]:
    """The output of ``ftlint ARGS`` with every finding placed, and as a run places them."""
    outputs = []
    for on in (True, False):
        with placing_all(on):
            result = run_cli(*args)
            outputs.append(f"exit {result.exit_code}\n{result.output}")
    return outputs[0], outputs[1]


def repeated(tmp_path: Path, copies: int = 40, name: str = "repeated.jsonl") -> Path:
    """A file whose lines repeat findings with a column and an excerpt: an untrimmed answer (FT424, info),
    a secret (FT701, whose excerpt is never shown), messages that differ by line (FT208 names the message),
    blank lines (FT011), long lines (cut excerpts) and a line that does not parse."""
    lines = []
    for index in range(copies):
        pad = "x" * (index % 3) * 90
        lines.append(json.dumps({"messages": [{"role": "user", "content": f"Q{index} {pad}"},
                                              {"role": "assistant", "content": f"A{index} "}]}))
        lines.append(json.dumps({"messages": [{"role": "user", "content": f"key {SECRET} {index}"},
                                              {"role": "assistant", "content": "ok"},
                                              {"role": "assistant", "content": "again"}]}))
        lines.append("")
        if index % 7 == 0:
            lines.append('{"messages": [')
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_findings_past_the_limit_are_not_placed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What makes it cheaper, so the comparisons below are not vacuous: with the default listing only the
    first ``limit + 1`` of each (code, message) are placed; FTLINT_PLACE_ALL and --max-repeats 0 place all."""
    path = repeated(tmp_path, copies=60)
    placed: list[str] = []
    place = Stamper._place

    def counted(self: Stamper, *args: object) -> tuple[int, str, str, int]:
        placed.append("x")
        return place(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Stamper, "_place", counted)
    report = json.loads(run_cli("check", "-f", "json", "-j1", str(path)).output)
    shown = sum(len(file["violations"]) for file in report["files"])
    counted_total = sum(report["summary"]["counts"].values())
    assert counted_total > 3 * len(placed) and len(placed) < shown + 20
    placed.clear()
    with placing_all(True):
        run_cli("check", "-f", "json", "-j1", str(path))
    assert len(placed) >= counted_total
    placed.clear()
    run_cli("check", "-f", "json", "-j1", "--max-repeats", "0", str(path))
    assert len(placed) >= counted_total



def test_an_unplaced_violation_never_shows_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unplaced violation carries its line, secrets and all, to be placed later: its repr (what a
    traceback or a log would print) shows neither the line nor the unmasked finding."""
    unplaced: list[stamp.Unplaced] = []
    stamp_one = Stamper.stamp

    def kept(self: Stamper, *args: object, **kwargs: object) -> Violation:
        violation = stamp_one(self, *args, **kwargs)  # type: ignore[arg-type]
        if isinstance(violation, stamp.Unplaced):
            unplaced.append(violation)
        return violation

    monkeypatch.setattr(Stamper, "stamp", kept)
    run_cli("check", "-f", "json", "-j1", str(repeated(tmp_path)))
    with_secret = [violation for violation in unplaced if SECRET in violation.text]
    assert with_secret, "the file's secret lines should have unplaced findings"
    assert not any(SECRET in repr(violation) for violation in unplaced)

@pytest.mark.parametrize("output", FORMATS)
def test_identical_reports_in_every_format(tmp_path: Path, output: str) -> None:
    path = repeated(tmp_path)
    for limit in ("10", "1", "3"):
        placed, unplaced = both("check", "-f", output, "-j1", "--max-repeats", limit, str(path), "--no-color")
        assert placed == unplaced, (output, limit)
    assert "like this in this file" in unplaced


def test_identical_reports_on_fixtures_and_the_real_corpus() -> None:
    inputs = [str(FIXTURES / "clean"), str(FIXTURES / "bad")]
    if CORPUS.is_dir():
        inputs += sorted(str(path) for path in CORPUS.glob("*.jsonl"))
    for output in ("json", "full"):
        placed, unplaced = both("check", "-f", output, "-j1", "--no-color", *inputs)
        assert placed == unplaced
    assert "like this in this file" in unplaced


def test_identical_reports_on_every_layout_fixture() -> None:
    for folder in sorted(path.parent for path in (FIXTURES / "layouts").rglob("ftlint.toml")):
        placed, unplaced = both("check", "-f", "json", "-j1", "--max-repeats", "1", str(folder))
        assert placed == unplaced, folder


def test_identical_reports_in_parallel_ranges(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each range counts its own findings: what a file shows is within each range's first ``limit + 1``."""
    monkeypatch.setattr(workers, "MIN_PARALLEL_BYTES", 0)  # even a small file runs in ranges
    path = repeated(tmp_path, copies=150)
    with placing_all(True):
        single = run_cli("check", "-f", "json", "-j1", "--max-repeats", "2", str(path)).output
    for jobs in ("2", "3"):
        placed, unplaced = both("check", "-f", "json", "--jobs", jobs, "--max-repeats", "2", str(path))
        assert placed == unplaced and f"exit 1\n{single}" == unplaced, jobs


def test_more_distinct_findings_than_a_file_follows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past MAX_TRACKED distinct (code, message) pairs, a file lists every later one: those the engine did not
    place (a range cannot know the file's count) are placed when listed, secrets hidden."""
    monkeypatch.setattr(repeats, "MAX_TRACKED", 4)
    monkeypatch.setattr(workers, "MIN_PARALLEL_BYTES", 0)
    path = repeated(tmp_path, copies=80)
    for jobs in ("1", "3"):
        for output in ("json", "full"):
            placed, unplaced = both("check", "-f", output, "--jobs", jobs, "--max-repeats", "2", str(path),
                                    "--no-color")
            assert placed == unplaced, (jobs, output)
            assert SECRET not in unplaced
    report = json.loads(run_cli("check", "-f", "json", "-j1", "--max-repeats", "2", str(path)).output)
    listed = [v for file in report["files"] for v in file["violations"]]
    # The broken lines' FT001 comes fifth: past the count, every one of its 12 is listed, and placed.
    broken = [v for v in listed if v["code"] == "FT001"]
    assert len(broken) == 12 and all(v["column"] >= 1 for v in broken)


def test_a_range_counts_a_bounded_number_of_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past MAX_COUNTED (code, message) pairs in a range, later pairs are placed every time."""
    monkeypatch.setattr(stamp, "MAX_COUNTED", 2)
    path = repeated(tmp_path)
    placed, unplaced = both("check", "-f", "json", "-j1", "--max-repeats", "2", str(path))
    assert placed == unplaced


def test_identical_reports_with_a_baseline(tmp_path: Path) -> None:
    """A baseline suppresses before the limiter counts, so the first listed may be any: all are placed."""
    path = repeated(tmp_path)
    baseline = tmp_path / "baseline.json"
    first = tmp_path / "first.jsonl"
    first.write_text("\n".join(path.read_text(encoding="utf-8").splitlines()[:50]) + "\n", encoding="utf-8")
    run_cli("check", str(first), "--write-baseline", str(baseline))
    placed, unplaced = both("check", "-f", "json", "-j1", str(path), "--baseline", str(baseline))
    assert placed == unplaced
    written = []
    for on in (True, False):
        target = tmp_path / f"written-{on}.json"
        with placing_all(on):
            run_cli("check", str(path), "--write-baseline", str(target))
        written.append(target.read_text(encoding="utf-8"))
    assert written[0] == written[1]


def test_identical_verdicts_for_every_target(tmp_path: Path) -> None:
    """A target's verdict only counts violations: none is placed, and the verdicts are the same."""
    path = repeated(tmp_path)
    placed, unplaced = both("check", "-f", "json", "-j1", "--target", "all", str(path))
    assert placed == unplaced
    placed, unplaced = both("targets", str(path))
    assert placed == unplaced


texts = st.sampled_from(["ok", "ok ", " ", "", f"{SECRET}", "a\u200bb", "[INST]", "x" * 150, "é" * 60, "\ufffd"])
lines = st.one_of(
    st.builds(lambda u, a, extra: json.dumps({"messages": [{"role": "user", "content": u},
                                                           {"role": "assistant", "content": a}, *extra]}),
              texts, texts, st.lists(st.fixed_dictionaries({"role": st.sampled_from(["assistant", "user"]),
                                                            "content": texts}), max_size=2)),
    st.sampled_from(["", "{", '{"messages": 3}', "[1]", '{"prompt": "p", "completion": "c"}']),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(st.lists(lines, min_size=1, max_size=40), st.integers(1, 3))
def test_identical_reports_on_generated_files(tmp_path: Path, generated: list[str], limit: int) -> None:
    path = tmp_path / f"generated-{random.randrange(1 << 30)}.jsonl"
    path.write_text("\n".join(generated) + "\n", encoding="utf-8")
    placed, unplaced = both("check", "-f", "json", "-j1", "--max-repeats", str(limit), str(path))
    assert placed == unplaced


def test_a_targets_verdict_is_sent_no_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A verdict counts violations and shows none: what workers send back carries no line of the file."""
    from ftlint.verdicts import VerdictSink

    monkeypatch.setattr(workers, "MIN_PARALLEL_BYTES", 0)
    carried: list[int] = []
    count = VerdictSink.violation

    def spy(self: VerdictSink, violation: Violation) -> None:
        carried.append(stamp.carried(violation))
        count(self, violation)

    monkeypatch.setattr(VerdictSink, "violation", spy)
    for jobs in ("1", "2"):
        run_cli("check", "-f", "json", "--jobs", jobs, "--target", "all", str(repeated(tmp_path)))
    assert len(carried) > 100 and not any(carried)
