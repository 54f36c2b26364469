"""The distributed recipe (README "Engines"): ftlint's map/merge API on a Dask cluster gives exactly the
result of one pass, for a JSONL file cut into partitions and for a Parquet dataset split across files.

The cluster is local and small: two worker processes on this machine. The rest of the suite blocks the
network (tests/conftest.py); Dask's scheduler, workers and client talk over TCP, so this test allows
connections to the loopback interface only, and nothing else (see `loopback_only`).
"""

from __future__ import annotations

import ipaddress
import itertools
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import ftlint
from conftest import chat

distributed = pytest.importorskip("distributed")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

pytestmark = [
    # Dask's own start-up and shutdown warnings (deprecations in its dependencies, sockets closed late)
    # are not ftlint's; every other test keeps warnings as errors.
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("ignore::UserWarning"),
]


# The real socket functions, taken when this module is imported: the suite's block is applied per test.
_REAL = (socket.socket.connect, socket.socket.connect_ex, socket.create_connection, socket.getaddrinfo)


def _is_loopback(host: Any) -> bool:
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Lift the suite's network block for loopback addresses only: a connection anywhere else still
    fails, as in every other test (the block is restored after the test with everything else)."""
    from conftest import NetworkBlocked

    real_connect, real_connect_ex, real_create, real_getaddrinfo = _REAL

    def connect(self: socket.socket, address: Any) -> Any:
        if self.family == socket.AF_UNIX or _is_loopback(address[0]):
            return real_connect(self, address)
        raise NetworkBlocked(f"connection to {address!r} refused: this test allows loopback only")

    def connect_ex(self: socket.socket, address: Any) -> Any:
        if self.family == socket.AF_UNIX or _is_loopback(address[0]):
            return real_connect_ex(self, address)
        raise NetworkBlocked(f"connection to {address!r} refused: this test allows loopback only")

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> Any:
        if _is_loopback(address[0]):
            return real_create(address, *args, **kwargs)
        raise NetworkBlocked(f"connection to {address!r} refused: this test allows loopback only")

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if _is_loopback(host):
            return real_getaddrinfo(host, *args, **kwargs)
        raise NetworkBlocked(f"name lookup of {host!r} refused: this test allows loopback only")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield


@pytest.fixture
def client(loopback_only: None, tmp_path: Path) -> Iterator[Any]:
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, local_directory=str(tmp_path / "dask"), silence_logs=40) as cluster, \
            Client(cluster) as dask_client:
        yield dask_client


def _records(count: int) -> list[dict[str, Any]]:
    rows = [chat(f"Question {n}: what is {n} + {n}?", f"{2 * n}.") for n in range(count)]
    for n in range(3, count, 17):
        rows[n]["messages"][1]["weight"] = 2  # FT106
    rows.append(rows[5])  # FT505: a duplicate across partitions
    return rows


def _lint_lines(lines: list[str], first_line: int, file_format: str | None) -> Any:
    """The map step, run on a worker: one partition's lines."""
    return ftlint.lint_partition(lines, first_line=first_line, file_format=file_format)


def _lint_parquet(path: str, first_line: int, file_format: str | None) -> Any:
    """The map step for one file of a Parquet dataset: its rows, numbered after the files before it."""
    from ftlint.parquet import rows

    return ftlint.lint_partition(rows(Path(path)), first_line=first_line, file_format=file_format)


def _key(result: Any) -> tuple[list[tuple[str, int, str, str]], int, int]:
    violations = [(v.code, v.line, v.pointer, v.message) for v in result.violations if v.code != "FT017"]
    return violations, result.report.totals.examples, result.report.totals.tokens


def test_partitions_of_a_jsonl_file_on_dask_give_one_pass(client: Any, tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in _records(400)), encoding="utf-8")
    lines = path.read_text(encoding="utf-8").splitlines()
    bounds = [0, 97, 211, 300, len(lines)]
    # The first partition detects the file's format; the others are told it, as a single pass knows it.
    first = client.submit(_lint_lines, lines[: bounds[1]], 1, None).result()
    rest = [client.submit(_lint_lines, lines[a:b], a + 1, first.file_format)
            for a, b in itertools.pairwise(bounds[1:])]
    merged = ftlint.merge_partitions([first, *client.gather(rest)])
    assert _key(merged) == _key(ftlint.lint_file(path))
    assert {v.code for v in merged.violations} >= {"FT106", "FT505"}


def test_a_parquet_dataset_split_across_files_on_dask_gives_one_pass(client: Any, tmp_path: Path) -> None:
    rows = _records(300)
    bounds = [0, 120, 180, len(rows)]
    files = []
    for index, (a, b) in enumerate(itertools.pairwise(bounds)):
        files.append(tmp_path / f"part-{index:05d}.parquet")
        pq.write_table(pa.Table.from_pylist(rows[a:b]), files[-1], row_group_size=50)
    # Row numbers continue across files: each file starts after the rows of the files before it.
    starts = list(itertools.accumulate([pq.ParquetFile(f).metadata.num_rows for f in files], initial=1))
    first = client.submit(_lint_parquet, str(files[0]), 1, None).result()
    rest = client.gather([client.submit(_lint_parquet, str(f), start, first.file_format)
                          for f, start in zip(files[1:], starts[1:], strict=False)])
    merged = ftlint.merge_partitions([first, *rest])
    whole = tmp_path / "all.jsonl"
    whole.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    assert _key(merged) == _key(ftlint.lint_file(whole))
