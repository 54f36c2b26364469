"""--jobs N gives byte-identical output to --jobs 1: same violations, same order, same totals."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, FIXTURES, chat, conversation, fed_fifo, run_cli, user
from ftlint import parallel, ranges, workers
from ftlint.violation import Violation


@pytest.fixture
def tiny_ranges(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cut every file into many small ranges, so that even fixtures run in parallel."""
    monkeypatch.setattr(workers, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(ranges, "MIN_RANGE_BYTES", 300)
    monkeypatch.setattr(ranges, "CHUNK_BYTES", 300)


def both(*args: str) -> tuple[str, str]:
    one = run_cli(*args, "--jobs", "1")
    many = run_cli(*args, "--jobs", "3")
    assert one.exit_code == many.exit_code
    return one.stdout, many.stdout


@pytest.mark.usefixtures("tiny_ranges")
@pytest.mark.parametrize("output", ["json", "text"])
def test_fixtures_identical(output: str) -> None:
    one, many = both("check", str(FIXTURES), "--format", output, "--no-color")
    assert one == many


@pytest.mark.usefixtures("tiny_ranges")
def test_ranges_really_split_files(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    records = [chat(f"question {i} " * 20) for i in range(200)]
    records[57] = conversation(user("no answer"))
    records[150] = {"messages": "oops"}
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + "\n{broken\n", encoding="utf-8")
    plan = ranges.byte_ranges(ranges.Target(_lint(path), path), jobs=3)
    assert len(plan) == 12 and plan[1].file_format == "chat"
    one, many = both("check", str(path), "--format", "json")
    assert one == many
    lines = [v["line"] for v in json.loads(many)["files"][0]["violations"]]
    assert lines == [58, 151, 201, 202]


def _lint(path: Path):  # type: ignore[no-untyped-def]
    from ftlint.config import ConfigResolver
    from ftlint.engine import Engine
    from ftlint.registry import discover

    return Engine(discover(), ConfigResolver(None, {})).job(str(path), path)


@pytest.mark.usefixtures("tiny_ranges")
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/real is not available")
def test_corpus_identical() -> None:
    one, many = both("check", str(CORPUS), "--format", "json")
    assert one == many


def test_small_runs_stay_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("a pool was started for a small run")

    monkeypatch.setattr(parallel, "lint_in_parallel", forbidden)
    assert run_cli("check", str(FIXTURES / "clean"), "--jobs", "4").exit_code == 0


_ORIGINAL_WORK = parallel._work


def _dies_after_the_first_range(task: ranges.Task, emit: Callable[[Violation], None]) -> parallel.PassResult:
    """A worker that ends abruptly, as under the OOM killer: no exception, no cleanup."""
    if task.first_line > 1:
        os._exit(9)
    return _ORIGINAL_WORK(task, emit)


@pytest.mark.usefixtures("tiny_ranges")
def test_a_worker_that_dies_is_an_error_not_a_hang(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "train.jsonl"
    path.write_text("".join(json.dumps(chat(f"question {i} " * 20)) + "\n" for i in range(200)), encoding="utf-8")
    monkeypatch.setattr(parallel, "_work", _dies_after_the_first_range)  # a module-level function: picklable

    def hung(signum: int, frame: object) -> None:
        raise TimeoutError("ftlint waited forever for a dead worker")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)  # a hang fails the test instead of the CI job
    try:
        result = run_cli("check", str(path), "--jobs", "2")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert result.exit_code == 2
    assert "a worker process died" in result.stderr and "--jobs" in result.stderr


_SLOW = False  # set in the worker that got the file's first task


def _slow_on_the_first_worker(task: ranges.Task, emit: Callable[[Violation], None]) -> parallel.PassResult:
    """The worker that lints the first range is slow (as on a core that another process shares)."""
    global _SLOW
    _SLOW = _SLOW or task.first_line == 1
    if _SLOW:
        time.sleep(0.3)
    with open(os.environ["FTLINT_TEST_TASKS"], "a", encoding="utf-8") as log:
        log.write(f"{os.getpid()} {task.first_line}\n")
    return _ORIGINAL_WORK(task, emit)


@pytest.mark.usefixtures("tiny_ranges")
def test_a_faster_worker_takes_more_of_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tasks go to the worker with the fewest unfinished ones, not in turns: the parent reads results in
    file order, and handing out in turns would make the fast worker wait for the slow one."""
    path = tmp_path / "train.jsonl"
    path.write_text("".join(json.dumps(chat(f"question {i} " * 20)) + "\n" for i in range(200)), encoding="utf-8")
    expected = run_cli("check", str(path), "--format", "json", "--jobs", "1").stdout
    log = tmp_path / "tasks"
    monkeypatch.setenv("FTLINT_TEST_TASKS", str(log))
    monkeypatch.setattr(parallel, "_work", _slow_on_the_first_worker)
    assert run_cli("check", str(path), "--format", "json", "--jobs", "2").stdout == expected
    done = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    slow = next(pid for pid, first_line in done if first_line == "1")
    assert len(done) == 8  # two workers, four ranges each
    assert sum(pid == slow for pid, _ in done) <= 3  # in turns, it would be 4


def test_workers_report_progress_exactly_once_per_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    monkeypatch.setattr(ranges, "MIN_RANGE_BYTES", 300)
    path = tmp_path / "train.jsonl"
    path.write_text("".join(json.dumps(chat(f"q{i}", f"a{i}")) + "\n" for i in range(5_000)), encoding="utf-8")
    target = ranges.Target(_lint(path), path)
    parts = ranges.byte_ranges(target, jobs=1)
    assert len(parts) == 4  # ranges of ~1,250 lines: the engine reports every 1,000 lines inside them
    monkeypatch.setattr(parallel, "_TARGETS", [target])
    monkeypatch.setattr(parallel, "_DONE", multiprocessing.Value("q", 0))
    for task in ranges.tasks([target], jobs=1):  # run in this process, one range after the other
        before = parallel._DONE.value
        parallel._work(task, lambda violation: None)
        assert parallel._DONE.value - before == task.end - task.start
    assert parallel._DONE.value == path.stat().st_size


COMPRESS = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}


@pytest.mark.usefixtures("tiny_ranges")
@pytest.mark.parametrize("suffix", sorted(COMPRESS))
def test_compressed_fixtures_identical(tmp_path: Path, suffix: str) -> None:
    for source in sorted(FIXTURES.rglob("*.jsonl")):
        (tmp_path / (source.name + suffix)).write_bytes(COMPRESS[suffix](source.read_bytes()))
    streamed = [path for path in tmp_path.iterdir()
                if isinstance(ranges.plan(ranges.Target(_lint(path), path), 3), ranges.Streamed)]
    assert len(streamed) >= 10  # the parent really hands these out in chunks
    one, many = both("check", str(tmp_path), "--format", "json")
    assert one == many


@pytest.mark.usefixtures("tiny_ranges")
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/real is not available")
def test_compressed_corpus_identical(tmp_path: Path) -> None:
    for source in sorted(CORPUS.glob("*.jsonl")):
        (tmp_path / (source.name + ".gz")).write_bytes(gzip.compress(source.read_bytes()))
    one, many = both("check", str(tmp_path), "--format", "json", "--model", "gpt-4o-mini-2024-07-18")
    assert one == many


@pytest.mark.usefixtures("tiny_ranges")
def test_compressed_edge_cases_identical(tmp_path: Path) -> None:
    """A broken archive, a line over the cap (the parent lints the rest itself), a BOM, CRLF, blanks."""
    (tmp_path / "pyproject.toml").write_text("[tool.ftlint]\nmax-line-bytes = 1024\n", encoding="utf-8")
    lines = [json.dumps(chat(f"question {i} " * 5)) for i in range(120)]
    lines[40] = json.dumps(chat("long " * 400))  # over the 1,024-byte cap
    lines[41] = ""
    text = ("\ufeff" + "\r\n".join(lines[:60]) + "\n" + "\n".join(lines[60:])).encode()
    (tmp_path / "capped.jsonl.gz").write_bytes(gzip.compress(text))
    (tmp_path / "first-line-capped.jsonl.gz").write_bytes(gzip.compress("\n".join(lines[40:]).encode()))
    whole = gzip.compress("\n".join(lines[:40] + lines[42:]).encode() + b"\n")
    (tmp_path / "truncated.jsonl.gz").write_bytes(whole[: len(whole) * 2 // 3])
    one, many = both("check", str(tmp_path), "--format", "json")
    assert one == many
    report = json.loads(many)
    codes = {Path(f["path"]).name: sorted({v["code"] for v in f["violations"]}) for f in report["files"]}
    assert "FT015" in codes["capped.jsonl.gz"] and "FT016" in codes["truncated.jsonl.gz"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.builds(lambda i: json.dumps(chat(f"q{i}", "a" * (i % 50))), st.integers(0, 400)),
                          st.sampled_from(["", "{broken", "\ufeff{}", '{"messages": []}', "x" * 1500, "[1]"])),
                min_size=1, max_size=60),
       st.sampled_from(["", "-", *sorted(COMPRESS)]), st.booleans())
def test_random_files_identical(tmp_path_factory: pytest.TempPathFactory, lines: list[str], suffix: str,
                                           truncate: bool) -> None:
    # Random mixes of good, broken, blank and over-the-cap lines, plain, on standard input ("-") or
    # compressed (and maybe cut short), in 300-byte chunks or 1-byte-minimum ranges: --jobs 3 must say
    # exactly what --jobs 1 says.
    folder = tmp_path_factory.mktemp("random")
    config = folder / "pyproject.toml"
    config.write_text("[tool.ftlint]\nmax-line-bytes = 1024\n", encoding="utf-8")
    text = ("\n".join(lines) + "\n").encode()
    data = COMPRESS[suffix](text) if suffix in COMPRESS else text  # plain files are cut into byte ranges
    data = data[: len(data) * 3 // 4] if truncate else data
    path = folder / f"data.jsonl{suffix if suffix in COMPRESS else ''}"
    path.write_bytes(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(workers, "MIN_PARALLEL_BYTES", 0)
        patch.setattr(ranges, "MIN_RANGE_BYTES", 1)
        patch.setattr(ranges, "CHUNK_BYTES", 300)
        if suffix == "-":
            patch.setattr(ranges, "FORMAT_SCAN_BYTES", 200)  # lines straddle the 400 bytes read ahead
            args = ("check", "-", "--config", str(config), "--format", "json")
            one, many = (run_cli(*args, "--jobs", jobs, input=data) for jobs in ("1", "3"))
            assert one.exit_code == many.exit_code and one.stdout == many.stdout
            return
        one_out, many_out = both("check", str(path), "--format", "json")
    assert one_out == many_out


@pytest.mark.usefixtures("tiny_ranges")
def test_standard_input_same_result_for_any_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Standard input is handed out in chunks too, or linted by the parent when it must be one pass."""
    plans: list[ranges.Streamed] = []
    original = ranges.plan

    def spy(target: ranges.Target, jobs: int) -> list[ranges.Range] | ranges.Streamed:
        found = original(target, jobs)
        assert isinstance(found, ranges.Streamed)
        plans.append(found)
        return found

    monkeypatch.setattr(ranges, "plan", spy)
    # The parent reads 2 x 500 bytes ahead: most fixtures have lines that straddle the end of that head.
    monkeypatch.setattr(ranges, "FORMAT_SCAN_BYTES", 500)
    sources = sorted(FIXTURES.rglob("*.jsonl"))
    assert sum(source.stat().st_size > 1000 for source in sources) >= 10
    for source in sources:
        data = source.read_bytes()
        one = run_cli("check", "-", "--format", "json", "--jobs", "1", input=data)
        many = run_cli("check", "-", "--format", "json", "--jobs", "3", input=data)
        assert (one.exit_code, one.stdout) == (many.exit_code, many.stdout), source.name
    assert len(plans) == len(sources)  # every one went through the parallel path
    chunked = [plan for plan in plans if plan.file_format is not None]
    assert 10 <= len(chunked) < len(plans)  # most in chunks; UTF-16 and multi-line JSON in one pass


def test_small_standard_input_stays_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("a pool was started for a small run")

    monkeypatch.setattr(parallel, "lint_in_parallel", forbidden)
    data = (FIXTURES / "bad" / "role-order.jsonl").read_bytes()
    assert run_cli("check", "-", "--jobs", "4", input=data).exit_code == 1


def _through_a_fifo(tmp_path: Path, data: bytes, *args: str) -> tuple[int, str]:
    """Run ftlint with a FIFO among its paths, fed ``data``; paths under tmp_path shown as <tmp>."""
    with fed_fifo(tmp_path / "piped.jsonl", data) as fifo:
        result = run_cli("check", *args, str(fifo), "--format", "json")
    return result.exit_code, result.stdout.replace(str(tmp_path), "<tmp>")


@pytest.mark.usefixtures("tiny_ranges")
def test_pipes_and_standard_input_among_files_same_result_for_any_jobs(tmp_path: Path) -> None:
    """A pipe cannot be reopened or cut into byte ranges: the parent reads it once, like standard input
    (it used to be handed to a worker that seeked in it: "File or stream is not seekable", exit 2)."""
    data = (FIXTURES / "bad" / "role-order.jsonl").read_bytes()
    other = str(FIXTURES / "clean" / "support-chat.jsonl")
    one = _through_a_fifo(tmp_path, data, other, "--jobs", "1")
    many = _through_a_fifo(tmp_path, data, other, "--jobs", "3")
    assert one == many and one[0] == 1
    assert [f["path"] for f in json.loads(one[1])["files"]] == [other, "<tmp>/piped.jsonl"]
    assert len(json.loads(one[1])["files"][1]["violations"]) > 5
    mixed = [run_cli("check", other, "-", "--format", "json", "--jobs", jobs, input=data) for jobs in ("1", "3")]
    assert mixed[0].exit_code == mixed[1].exit_code == 1 and mixed[0].stdout == mixed[1].stdout


@pytest.mark.usefixtures("tiny_ranges")
def test_streams_not_read_ahead_yet_are_read_ahead_when_their_turn_comes() -> None:
    """A parallel run may be handed standard input or pipes that were not read ahead (it only takes as
    many as it needs to decide that a run goes parallel): each is read ahead when the run reaches it, so
    that one head at a time is held. The result is the same."""
    from ftlint.config import ConfigResolver
    from ftlint.engine import Engine
    from ftlint.registry import discover

    class Files:  # a sink: each file's findings, in order
        def __init__(self) -> None:
            self.found: list[list[tuple[str, int, int]]] = []

        def file_started(self, job: object) -> None:
            self.found.append([])

        def violation(self, violation: Violation) -> None:
            self.found[-1].append((violation.code, violation.line, violation.column))

        def file_finished(self, report: object) -> None:
            pass

    sources = [FIXTURES / "bad" / "role-order.jsonl", FIXTURES / "clean" / "support-chat.jsonl"]
    outcomes = []
    for read_ahead in (True, False):
        engine = Engine(discover(), ConfigResolver(None, {}))
        streams = [io.BytesIO(source.read_bytes()) for source in sources]
        targets = [ranges.Target(engine.job(source.name, None), None,
                                 ranges.read_ahead(stream, 0) if read_ahead else stream)
                   for source, stream in zip(sources, streams, strict=True)]
        files = Files()
        parallel.lint_in_parallel(engine, targets, 2, files)  # type: ignore[arg-type]
        outcomes.append(files.found)
    assert outcomes[0] == outcomes[1] and len(outcomes[0][0]) > 5
