"""Memory stays flat whatever the input, at any --jobs: degenerate inputs (a file of blank lines, endless
junk on standard input) make a finding per line, and none of them may wait in memory for the others.

Each run is a fresh process; its peak is the largest resident set of the process and of its workers
(``ru_maxrss`` of the waited-for tree), compared with a baseline measured in the same test.
"""

from __future__ import annotations

import random
import sys
from contextlib import suppress
from pathlib import Path
from typing import IO

from conftest import peak_run

# The run as `ftlint check` runs it, with the 8 MB threshold for parallel runs lifted, so that small
# generated inputs go through the workers.
DRIVER = ("import sys; from ftlint import workers; workers.MIN_PARALLEL_BYTES = 0; "
          "from ftlint.cli import main; main()")
MB = 1024 * 1024


def peak(*args: str, feed: bytes | None = None, junk_mb: int = 0) -> tuple[int, float]:
    """(exit code, peak resident MB) of a run; standard input gets ``feed``, or ``junk_mb`` of random
    bytes written as they are made (a pipe from a generator: the test never holds them)."""
    code, peak_bytes, errors = peak_run([sys.executable, "-c", DRIVER, *args],
                                        feed=lambda stdin: _feed(stdin, feed, junk_mb))
    assert code in (0, 1), errors.decode(errors="replace")
    return code, peak_bytes / MB


def _feed(stdin: IO[bytes], feed: bytes | None, junk_mb: int) -> None:
    generator = random.Random(13)
    try:
        if feed is not None:
            stdin.write(feed)
        for _ in range(junk_mb):
            stdin.write(generator.randbytes(MB))
    except BrokenPipeError:
        pass
    finally:
        with suppress(BrokenPipeError):
            stdin.close()


def test_a_file_of_blank_lines_at_jobs_2_takes_the_memory_of_jobs_1(tmp_path: Path) -> None:
    """200,000 blank lines are 200,000 findings (FT011) in one range. A worker used to collect them all
    before sending them (10 MB of newlines passed 5 GB); now they stream back in batches."""
    path = tmp_path / "blank.jsonl"
    path.write_bytes(b"\n" * 200_000)
    options = ("check", str(path), "--no-tokens", "--format", "concise")
    code, one = peak(*options, "--jobs", "1")
    assert code == 1
    _, two = peak(*options, "--jobs", "2")
    assert two < one + 25, f"--jobs 2 peaked at {two:.0f} MB, --jobs 1 at {one:.0f} MB"


def test_endless_junk_on_standard_input_runs_in_flat_memory() -> None:
    """Random bytes on standard input (`ftlint check - < /dev/urandom`) have no format: the parent reads
    them on itself, in one pass. It used to keep that pass's findings in a list (~45 MB/s of growth)."""
    options = ("check", "-", "--no-tokens", "--format", "concise", "--jobs", "2")
    _, short = peak(*options, junk_mb=4)
    _, long = peak(*options, junk_mb=32)  # ~125,000 findings more
    assert long < short + 25, f"32 MB of junk peaked at {long:.0f} MB, 4 MB at {short:.0f} MB"


def test_a_stream_of_blank_lines_handed_out_in_chunks_runs_in_flat_memory() -> None:
    """A stream whose format is settled early is handed to the workers in chunks; a chunk of blank
    lines is a chunk of findings, and they stream back too."""
    head = b'{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "Hello!"}]}\n'
    options = ("check", "-", "--no-tokens", "--format", "concise")
    _, one = peak(*options, "--jobs", "1", feed=head + b"\n" * 200_000)
    _, two = peak(*options, "--jobs", "2", feed=head + b"\n" * 200_000)
    assert two < one + 25, f"--jobs 2 peaked at {two:.0f} MB, --jobs 1 at {one:.0f} MB"
