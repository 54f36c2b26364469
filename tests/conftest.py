"""Shared test helpers. Every test runs with the network blocked: ftlint must never need it."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from ftlint import lint_records
from ftlint.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus" / "real"


class NetworkBlocked(RuntimeError):
    pass


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise NetworkBlocked("ftlint tried to use the network")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(socket.socket, "connect", _refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse)
    monkeypatch.setattr(socket, "create_connection", _refuse)
    monkeypatch.setattr(socket, "getaddrinfo", _refuse)
    yield


@pytest.fixture(autouse=True)
def isolated_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Run from an empty folder so no stray ftlint.toml or pyproject.toml is discovered."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FTLINT_FORMAT", raising=False)


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test depends on today's date: the clock is pinned (tests that need another day set their own)."""
    monkeypatch.setenv("FTLINT_TODAY", "2026-11-24")


def findings(records: list[Any], **settings: Any) -> list[tuple[str, int]]:
    """(code, line) of every violation of ``records`` linted in memory.

    The rule cases were written for OpenAI's format and limits: they run under the openai target
    unless they name another (``provider=...``); other targets' cases say which.
    """
    settings.setdefault("provider", "openai")
    result = lint_records(records, **settings)
    return [(v.code, v.line) for v in result.violations]


def codes(records: list[Any], **settings: Any) -> list[str]:
    return [code for code, _ in findings(records, **settings)]


OPENAI = ("--provider", "openai")  # for checks of OpenAI's own rules and limits (the default target is generic)




def data_values() -> Iterator[Any]:
    """Every line of the fixtures and of the real corpus (when it is beside the project) that parses as JSON."""
    files = sorted(FIXTURES.rglob("*.jsonl")) + (sorted(CORPUS.glob("*.jsonl")) if CORPUS.is_dir() else [])
    for path in files:
        for line in path.read_bytes().splitlines():
            try:
                yield json.loads(line)
            except ValueError:
                continue

@contextlib.contextmanager
def switched(name: str, on: bool) -> Iterator[None]:
    """An internal switch of ftlint (an environment variable: FTLINT_PREFILTER, FTLINT_REQUIRES,
    FTLINT_PLACE_ALL) set to "1" or "0" inside the block, as it was after it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(name, "1" if on else "0")
        yield


def run_cli(*args: str, input: bytes | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def chat(user: str = "What is 2 + 2?", answer: str = "4.", **extra: Any) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": answer}], **extra}


def conversation(*messages: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"messages": list(messages), **extra}


def user(content: Any = "hi", **extra: Any) -> dict[str, Any]:
    return {"role": "user", "content": content, **extra}


def assistant(content: Any = "Hello!", **extra: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": content, **extra}


def system(content: Any = "Be brief.", **extra: Any) -> dict[str, Any]:
    return {"role": "system", "content": content, **extra}


def many(count: int) -> list[dict[str, Any]]:
    """``count`` distinct, clean chat examples (copies would be duplicates, FT505)."""
    return [chat(f"What is {index} + {index}?", f"{2 * index}.") for index in range(count)]


@contextlib.contextmanager
def fed_fifo(path: Path, data: bytes) -> Iterator[Path]:
    """A FIFO at ``path`` (as `<(zcat x.gz)` gives a program) that a thread fills with ``data`` once."""
    if not path.exists():
        os.mkfifo(path)

    def write() -> None:
        with path.open("wb") as pipe:
            pipe.write(data)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        yield path
    finally:
        writer.join(timeout=30)


# --- Peak memory of a command ---------------------------------------------------------------------

# Linux carries a process's peak RSS into the children it forks: a child of this test process reports
# at least the test process's own peak (hundreds of MB once transformers is imported), whatever it uses
# itself, and a comparison of two such peaks is vacuous. A small launcher, exec'd fresh, runs the
# command and reports its child's peak (the waited-for tree, workers included) from wait4.
_LAUNCHER = ("import os, subprocess, sys\n"
             "child = subprocess.Popen(sys.argv[1:])\n"
             "_, status, usage = os.wait4(child.pid, 0)\n"
             "sys.stderr.write(f'\\n@peak {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}\\n')\n")


def peak_run(command: list[str], *, cwd: Path | None = None,
             feed: Any = None) -> tuple[int, int, bytes]:
    """(exit code, peak resident bytes, stderr) of ``command``; ``feed(stdin)`` writes its standard input
    from a thread when given."""
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-c", _LAUNCHER, *command], cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, stdin=subprocess.PIPE if feed is not None else None)
    writer = None
    if feed is not None:
        writer = threading.Thread(target=feed, args=(process.stdin,), daemon=True)
        writer.start()
    assert process.stderr is not None
    with process.stderr:
        stderr = process.stderr.read()  # the feeding thread owns standard input: no communicate()
    process.wait()
    if writer is not None:
        writer.join(timeout=60)
    body, _, trailer = stderr.rpartition(b"\n@peak ")
    peak_kb, code = (int(part) for part in trailer.split())
    return code, peak_kb * 1024, body
