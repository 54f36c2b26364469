"""Ctrl-C and SIGTERM stop a run at once: the workers are killed, none survives, no traceback, and the
exit code is the shell's (130, 143).

Real signals, to a real `ftlint check` process in a session of its own, reading an endless stream of
examples on standard input: the run can only end because of the signal. Time limits are hang guards.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

import pytest

from conftest import chat

HANG_GUARD = 60  # seconds: far more than any of these runs needs


class Fed:
    """How many bytes the feeder wrote: past the pipe's 64 KB, ftlint is reading."""

    written = 0

    def reading(self, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + HANG_GUARD
        while self.written < 1024 * 1024:
            assert process.poll() is None and time.monotonic() < deadline, "ftlint never read its input"
            time.sleep(0.05)


@contextmanager
def endless_run(tmp_path: Path, *args: str) -> Iterator[tuple[subprocess.Popen[bytes], Path, Fed]]:
    """`ftlint check - ARGS` fed distinct examples until it stops reading; its stderr goes to a file (an
    orphaned worker would hold a pipe open)."""
    errors = tmp_path / "stderr.txt"
    with errors.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "ftlint", "check", "-", "--format", "concise", *args],
                                   stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=sink,
                                   start_new_session=True)
    assert process.stdin is not None
    fed = Fed()
    feeder = threading.Thread(target=_feed, args=(process.stdin, fed), daemon=True)
    feeder.start()
    try:
        yield process, errors, fed
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        feeder.join(timeout=HANG_GUARD)  # it stops at the broken pipe
        with suppress(BrokenPipeError):
            process.stdin.close()


def _feed(stdin: IO[bytes], fed: Fed) -> None:
    index = 0
    try:
        while True:
            block = "".join(json.dumps(chat(f"question {index + i}", f"answer {index + i}")) + "\n"
                            for i in range(1000))
            stdin.write(block.encode())
            fed.written += len(block)
            index += 1000
    except (BrokenPipeError, ValueError):  # ftlint stopped reading
        pass


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(child) for child in (task / "children").read_text().split())
    return found


def running(pid: int) -> bool:
    """The process exists and is not a zombie (an orphan's corpse, waiting for init to reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def wait_for_workers(process: subprocess.Popen[bytes], count: int) -> set[int]:
    deadline = time.monotonic() + HANG_GUARD
    while time.monotonic() < deadline:
        assert process.poll() is None, "ftlint ended before it was interrupted"
        workers = children(process.pid)
        if len(workers) >= count:
            time.sleep(0.5)  # busy with their first chunks
            return workers
        time.sleep(0.05)
    raise AssertionError("the workers never started")


def stopped(process: subprocess.Popen[bytes], workers: set[int], errors: Path) -> tuple[int, str]:
    """The exit code and stderr, once the process ended; asserts that no worker survived it."""
    code = process.wait(timeout=HANG_GUARD)
    deadline = time.monotonic() + HANG_GUARD
    while any(running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)  # a worker killed by the parent may take a moment to be gone
    survivors = [pid for pid in workers if running(pid)]
    assert not survivors, f"workers {survivors} outlived ftlint"
    text = errors.read_text(errors="replace")
    assert "Traceback" not in text, text
    return code, text


pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")


@pytest.mark.parametrize(("signum", "whole_group", "code", "said"), [
    (signal.SIGINT, True, 130, "interrupted"),  # Ctrl-C: the terminal signals the whole process group
    (signal.SIGTERM, False, 143, "terminated"),  # kill PID: only the parent hears it
    (signal.SIGTERM, True, 143, "terminated"),  # a CI runner or `timeout` cancelling the job
], ids=["ctrl-c", "sigterm", "sigterm-group"])
def test_a_signal_stops_the_workers_and_the_run(tmp_path: Path, signum: int, whole_group: bool, code: int,
                                                said: str) -> None:
    with endless_run(tmp_path, "--jobs", "2") as (process, errors, _):
        workers = wait_for_workers(process, 2)
        (os.killpg if whole_group else os.kill)(process.pid, signum)
        exit_code, text = stopped(process, workers, errors)
    assert exit_code == code and said in text


def test_a_second_ctrl_c_changes_nothing(tmp_path: Path) -> None:
    with endless_run(tmp_path, "--jobs", "2") as (process, errors, _):
        workers = wait_for_workers(process, 2)
        os.killpg(process.pid, signal.SIGINT)
        time.sleep(0.01)
        os.killpg(process.pid, signal.SIGINT)
        exit_code, text = stopped(process, workers, errors)
    assert exit_code == 130 and text.count("interrupted") == 1


def test_workers_die_with_a_killed_parent(tmp_path: Path) -> None:
    """SIGKILL cannot be handled: the kernel ends the workers (Linux), or their pipes do."""
    with endless_run(tmp_path, "--jobs", "2") as (process, _, _):
        workers = wait_for_workers(process, 2)
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=HANG_GUARD) == -signal.SIGKILL
        deadline = time.monotonic() + HANG_GUARD
        while any(running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(running(pid) for pid in workers)


def test_sigterm_in_one_process_exits_143(tmp_path: Path) -> None:
    with endless_run(tmp_path, "--jobs", "1") as (process, errors, fed):
        fed.reading(process)
        os.kill(process.pid, signal.SIGTERM)
        exit_code, text = stopped(process, set(), errors)
    assert exit_code == 143 and "terminated" in text
