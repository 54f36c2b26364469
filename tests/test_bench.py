"""bench/run.py, the benchmark the speed targets are measured with, on small files: every row runs, the
counters agree, and the cookbook row does what the notebook does."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES, ROOT, chat, conversation, user

BENCH = ROOT / "bench" / "run.py"
MODEL = "gpt-4o-mini-2024-07-18"
SAMPLE = FIXTURES / "clean" / "support-chat.jsonl"


def stage(*args: str) -> str:
    done = subprocess.run([sys.executable, str(BENCH), "--stage", *args], capture_output=True, text=True,
                          check=True, timeout=120)
    return done.stdout.strip()


def test_every_tokenize_row_counts_the_same_tokens() -> None:
    counts = {stage("tokenize", str(SAMPLE), MODEL, "1"), stage("tokenize", str(SAMPLE), MODEL, "2"),
              stage("tokenize", str(SAMPLE), MODEL, "2", "bpe-openai")}
    assert len(counts) == 1 and int(counts.pop()) > 500


def test_cookbook_row_runs_the_notebooks_checks_and_counts(tmp_path: Path) -> None:
    lines = [
        chat("What is 2 + 2?", "4."),
        [1],  # data_type
        {"prompt": "x"},  # missing_messages_list
        conversation(user("hi", timestamp=1)),  # message_unrecognized_key, example_missing_assistant_message
        conversation({"role": "robot", "content": "beep"}, {"role": "assistant", "content": ""}),
    ]
    path = tmp_path / "data.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    output = stage("cookbook", str(path), MODEL)
    errors = ast.literal_eval(output[: output.index("}") + 1])
    assert errors == {"data_type": 1, "missing_messages_list": 1, "message_unrecognized_key": 1,
                      "example_missing_assistant_message": 1, "unrecognized_role": 1, "missing_content": 1}


def test_the_table_has_every_row(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(BENCH), "--file", str(SAMPLE), "--jobs", "2"], capture_output=True,
                          text=True, check=True, timeout=300, cwd=tmp_path)
    rows = [line.split()[0:3] for line in done.stdout.splitlines()]
    names = {" ".join(row[:2]) for row in rows if row}
    for name in ("ftlint -j2", "ftlint -j1", "cookbook", "tokenize x1", "tokenize x2", "bpe-openai x2"):
        assert any(n.startswith(name) for n in names), name
    assert "faster than the cookbook" in done.stdout


def test_every_row_reports_its_process_trees_cpu_time(tmp_path: Path) -> None:
    """On a busy machine wall time stretches; the CPU column (wait4 of the whole tree) is what compares.
    A parallel row's CPU includes its workers': a tree that forks, reaped, is counted in full."""
    done = subprocess.run([sys.executable, str(BENCH), "--file", str(SAMPLE), "--jobs", "2"], capture_output=True,
                          text=True, check=True, timeout=300, cwd=tmp_path)
    lines = done.stdout.splitlines()
    header = next(line for line in lines if line.startswith("run "))
    assert "CPU s" in header and "MB/CPU-s" in header
    rows = {line[:17].strip(): line[17:].split() for line in lines[lines.index(header) + 1:] if line[:1] != " "
            and len(line[17:].split()) == 8}
    assert {"ftlint -j2", "ftlint -j1", "cookbook", "tokenize x2"} <= set(rows)
    for name, (_wall, cpu, *_) in rows.items():
        assert float(cpu) > 0.05, name  # at least an interpreter's start-up, in every row
    assert "faster than the cookbook (CPU: " in done.stdout and "the time of FT0-3 (CPU: " in done.stdout


def test_trainer_row_counts_what_ftlint_counts(tmp_path: Path) -> None:
    """The open-model rows compare like with like: the trainer's loop and ftlint agree on the token total."""
    import pytest

    pytest.importorskip("transformers")
    from ftlint import lint_file
    from hf_models import model_folder, template_text, train_tokenizer

    folder = model_folder(tmp_path / "model", train_tokenizer(tmp_path / "tok.json"), template_text("qwen3"), "chatml")
    tokens, failed = stage("trainer", str(SAMPLE), str(folder)).split()
    model = "bench/qwen3-like"
    result = lint_file(SAMPLE, model=model, provider="generic", tokenizer=str(folder),
                       models={model: {"encoding": "o200k_base", "training_context": 32768}})
    assert (int(tokens), int(failed)) == (result.report.totals.tokens, 0)


# bpe-openai 0.1.4's wheels on PyPI (cp39-abi3), checked with `pip download --only-binary=:all: --platform P`:
# manylinux x86_64 and aarch64, macOS arm64, Windows x64; none for macOS x86_64, musllinux, Windows arm64, i686.
WHEELS = [("linux", "x86_64"), ("linux", "aarch64"), ("darwin", "arm64"), ("win32", "AMD64")]
NO_WHEELS = [("darwin", "x86_64"), ("win32", "ARM64"), ("linux", "i686"), ("linux", "armv7l"), ("linux", "ppc64le")]


def test_a_default_install_gets_the_fast_counter_where_it_has_wheels() -> None:
    """The benchmark's headline rows are what `pip install ftlint` runs: bpe-openai wherever a wheel exists,
    and nowhere pip would have to build it with Rust (tiktoken counts there, identically)."""
    import tomllib
    from packaging.requirements import Requirement

    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    bpe = next(Requirement(d) for d in dependencies if Requirement(d).name == "bpe-openai")
    assert bpe.marker is not None
    cpython = {"platform_python_implementation": "CPython"}
    assert all(bpe.marker.evaluate({**cpython, "sys_platform": s, "platform_machine": m}) for s, m in WHEELS)
    assert not any(bpe.marker.evaluate({**cpython, "sys_platform": s, "platform_machine": m}) for s, m in NO_WHEELS)
    assert not bpe.marker.evaluate({"platform_python_implementation": "PyPy", "sys_platform": "linux",
                                    "platform_machine": "x86_64"})  # abi3 wheels are CPython's


def test_a_row_that_forks_says_where_its_cpu_went(tmp_path: Path) -> None:
    """The parent's CPU before, during and after its workers, and each worker's: on a busy machine the
    wall time of an idle one can be read off (the parts add up to the tree's CPU from wait4)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_run", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    path = tmp_path / "big.jsonl"
    # ~0.4 s of CPU per worker: several samples each (one worker's last 50 ms are counted as the parent's)
    path.write_bytes(SAMPLE.read_bytes() * max(1, 10_000_000 // SAMPLE.stat().st_size))
    _wall, _rss, _pss, cpu, split = bench._measure([sys.executable, str(BENCH), "--stage", "tokenize", str(path),
                                                    MODEL, "2"])
    assert split is not None and len(split.workers) == 2 and min(split.workers) > 0
    assert abs(split.before + split.during + split.after + sum(split.workers) - cpu) < 0.01
    assert split.ideal_wall(2) < cpu  # two cores share the workers' part
    _wall, _rss, _pss, _cpu, alone = bench._measure([sys.executable, str(BENCH), "--stage", "tokenize", str(path),
                                                     MODEL, "1"])
    assert alone is None  # no workers, no split
