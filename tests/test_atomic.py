"""Where `ftlint fix` and `check` write: never over an input, never through a link, never a device node
replaced, permissions kept, and a full disk, a size limit or a signal leave no partial file behind.

Every refusal and every I/O failure is exit 2 with one line on stderr, never a traceback.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ROOT, many, run_cli

DATA = b"".join(json.dumps(record).encode() + b"\r\n" for record in many(10))  # fixable: CRLF
FIXED = DATA.replace(b"\r\n", b"\n")


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "data.jsonl"
    path.write_bytes(DATA)
    return path


def one_line_error(result: object, *words: str) -> None:
    """Exit 2, exactly one line on stderr, naming what went wrong."""
    assert getattr(result, "exit_code", getattr(result, "returncode", None)) == 2
    stderr = getattr(result, "stderr", "")
    stderr = stderr.decode() if isinstance(stderr, bytes) else stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ftlint: error: "), stderr
    for word in words:
        assert word in lines[0], (word, lines[0])


def listing(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


# ---- fix: outputs that are inputs, links, folders ---------------------------------------------------


@pytest.mark.parametrize("spelling", ["./data.jsonl", "sub/../data.jsonl", "link.jsonl", "hard.jsonl"])
def test_output_that_is_the_input_by_another_name_is_refused(source: Path, spelling: str) -> None:
    folder = source.parent
    (folder / "sub").mkdir()
    (folder / "link.jsonl").symlink_to(source)
    os.link(source, folder / "hard.jsonl")
    for option in ("-o", "--rejects"):
        args = ["-o", str(folder / "out.jsonl")] if option == "--rejects" else []
        result = run_cli("fix", str(source), *args, option, str(folder / spelling))
        one_line_error(result, spelling.rsplit("/", 1)[-1])
        assert source.read_bytes() == DATA


def test_output_and_rejects_on_one_file_are_refused(source: Path) -> None:
    folder = source.parent
    out = folder / "out.jsonl"
    result = run_cli("fix", str(source), "-o", str(out), "--rejects", f"{folder}/./out.jsonl")
    one_line_error(result, "same file")
    assert listing(folder) == ["data.jsonl"]


@pytest.mark.parametrize("where", ["missing/dir/out.jsonl", "folder", "file.txt/out.jsonl"])
def test_output_path_errors_are_one_line(source: Path, where: str) -> None:
    folder = source.parent
    (folder / "folder").mkdir()
    (folder / "file.txt").write_text("x")
    for option in ("-o", "--rejects"):
        args = ["-o", str(folder / "out.jsonl")] if option == "--rejects" else []
        result = run_cli("fix", str(source), *args, option, str(folder / where))
        one_line_error(result, option)
    assert listing(folder) == ["data.jsonl", "file.txt", "folder"]


@pytest.mark.parametrize("option", ["-o", "--rejects"])
def test_an_output_that_is_a_symlink_is_refused_and_left_alone(source: Path, option: str) -> None:
    folder = source.parent
    victim = folder / "victim.txt"
    victim.write_text("precious")
    (folder / "link.jsonl").symlink_to(victim)
    args = ["-o", str(folder / "out.jsonl")] if option == "--rejects" else []
    result = run_cli("fix", str(source), *args, option, str(folder / "link.jsonl"))
    one_line_error(result, "symbolic link")
    assert victim.read_text() == "precious" and (folder / "link.jsonl").is_symlink()


def test_a_backup_symlink_is_never_written_through(source: Path) -> None:
    victim = source.parent / "bashrc"
    victim.write_text("precious")
    (source.parent / "data.jsonl.bak").symlink_to(victim)
    result = run_cli("fix", str(source), "--in-place")
    one_line_error(result, "data.jsonl.bak", "symbolic link")
    assert victim.read_text() == "precious" and source.read_bytes() == DATA
    assert run_cli("fix", str(source), "--in-place", "--no-backup").exit_code == 0
    assert victim.read_text() == "precious" and source.read_bytes() == FIXED


def test_in_place_refuses_a_symlink_and_a_read_only_file(source: Path) -> None:
    link = source.parent / "link.jsonl"
    link.symlink_to(source)
    one_line_error(run_cli("fix", str(link), "--in-place"), "symbolic link")
    assert link.is_symlink() and source.read_bytes() == DATA
    source.chmod(0o444)
    one_line_error(run_cli("fix", str(source), "--in-place"), "read-only")
    assert source.read_bytes() == DATA and stat.S_IMODE(source.stat().st_mode) == 0o444


@pytest.mark.parametrize("options", [["--in-place", "-o", "out.jsonl"], ["--diff", "-o", "out.jsonl"],
                                     ["--diff", "--in-place"], ["--no-backup", "-o", "out.jsonl"],
                                     ["-o", "-", "--rejects", "-"]])
def test_contradictory_options_are_refused(source: Path, options: list[str]) -> None:
    one_line_error(run_cli("fix", str(source), *options))
    assert listing(source.parent) == ["data.jsonl"] and source.read_bytes() == DATA


def test_in_place_keeps_a_backup_and_the_mode(source: Path) -> None:
    source.chmod(0o604)
    result = run_cli("fix", str(source), "--in-place")
    assert result.exit_code == 0, result.stderr
    assert source.read_bytes() == FIXED and stat.S_IMODE(source.stat().st_mode) == 0o604
    backup = source.parent / "data.jsonl.bak"
    assert backup.read_bytes() == DATA and stat.S_IMODE(backup.stat().st_mode) == 0o604
    assert listing(source.parent) == ["data.jsonl", "data.jsonl.bak"]


@pytest.fixture
def umask() -> Iterator[None]:
    previous = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(previous)


def test_new_outputs_get_the_input_mode_minus_the_umask(source: Path, umask: None) -> None:
    source.chmod(0o664)
    out = source.parent / "out.jsonl"
    with source.open("ab") as handle:
        handle.write(b"not json\n")
    result = run_cli("fix", str(source), "-o", str(out))
    assert result.exit_code == 1, result.stderr
    for written in (out, source.parent / "out.jsonl.rejects.jsonl"):
        assert stat.S_IMODE(written.stat().st_mode) == 0o640, written  # 0664 & ~0027
    private = source.parent / "private.jsonl"
    private.write_bytes(DATA)
    private.chmod(0o600)
    assert run_cli("fix", str(private), "-o", str(source.parent / "p.jsonl")).exit_code == 0
    assert stat.S_IMODE((source.parent / "p.jsonl").stat().st_mode) == 0o600  # a private dataset stays so


def test_replacing_an_existing_output_keeps_its_mode(source: Path) -> None:
    out = source.parent / "out.jsonl"
    out.write_text("old")
    out.chmod(0o640)
    assert run_cli("fix", str(source), "-o", str(out)).exit_code == 0
    assert out.read_bytes() == FIXED and stat.S_IMODE(out.stat().st_mode) == 0o640


def _device(path: Path, minor: int) -> Path:
    """A character device node like /dev/null (minor 3) or /dev/full (minor 7), made for the test."""
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    except (PermissionError, AttributeError):
        pytest.skip("cannot create device nodes here")
    return path


def test_a_device_output_is_written_to_not_replaced(source: Path) -> None:
    null = _device(source.parent / "null", 3)
    result = run_cli("fix", str(source), "-o", str(null))
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert listing(source.parent) == ["data.jsonl", "null"]  # no rejects named after the device either


def test_a_full_disk_is_one_line_and_leaves_nothing(source: Path) -> None:
    full = _device(source.parent / "full", 7)
    one_line_error(run_cli("fix", str(source), "-o", str(full)), "No space left on device")
    assert stat.S_ISCHR(os.lstat(full).st_mode) and listing(source.parent) == ["data.jsonl", "full"]


def test_output_to_standard_output_is_not_a_file_named_dash(source: Path) -> None:
    result = run_cli("fix", str(source), "-o", "-")
    assert result.exit_code == 0 and result.stdout_bytes == FIXED
    assert listing(source.parent) == ["data.jsonl"]


# ---- fix in a subprocess: size limits, read-only folders, signals -----------------------------------


def _ftlint(*args: str, as_user: bool = False) -> list[str]:
    command = [sys.executable, "-m", "ftlint", *args]
    if as_user and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: permissions cannot be tested")
        # root without the capabilities that bypass file permissions: a read-only folder is read-only
        command = [setpriv, "--bounding-set", "-dac_override,-dac_read_search", *command]
    return command


def _run(command: list[str], limit_bytes: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if limit_bytes is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, preexec_fn=limit, timeout=300)


def test_a_file_size_limit_is_one_line_and_leaves_nothing(source: Path) -> None:
    big = source.parent / "big.jsonl"
    big.write_bytes(DATA * 400)  # ~400 KB, over the 64 KB limit
    out = source.parent / "out.jsonl"
    result = _run(_ftlint("fix", str(big), "-o", str(out)), limit_bytes=64 * 1024)
    one_line_error(result, str(out), "too large")
    assert listing(source.parent) == ["big.jsonl", "data.jsonl"]


def test_a_read_only_folder_is_one_line(source: Path) -> None:
    folder = source.parent / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = _run(_ftlint("fix", str(source), "-o", str(folder / "out.jsonl"), as_user=True))
        one_line_error(result, "not writable")
        assert listing(folder) == []
    finally:
        folder.chmod(0o755)


def _large_source(folder: Path) -> Path:
    path = folder / "large.jsonl"
    with path.open("wb") as handle:
        for chunk in range(12):
            handle.write(b"".join(json.dumps(record).encode() + b"\r\n" for record in many(2000)).replace(
                b"What is", f"Chunk {chunk}: what is".encode()))
    return path


def _writing(process: subprocess.Popen[bytes], folder: Path) -> bool:
    """Has ``process`` opened its output in ``folder`` (a nameless file, or a hidden temporary one)?"""
    try:
        targets = [os.readlink(f"/proc/{process.pid}/fd/{fd}") for fd in os.listdir(f"/proc/{process.pid}/fd")]
    except OSError:
        return False
    return any(target.startswith(str(folder)) and ("(deleted)" in target or target.endswith(".tmp"))
               for target in targets)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see when the output is open")
@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130), (signal.SIGKILL, -9)])
def test_a_signal_while_writing_leaves_no_partial_file(tmp_path: Path, signum: int, status: int) -> None:
    source = _large_source(tmp_path)
    command = _ftlint("fix", str(source), "-o", str(tmp_path / "out.jsonl"), "--rejects", str(tmp_path / "r.jsonl"))
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    deadline = time.monotonic() + 240
    while not _writing(process, tmp_path) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert process.poll() is None, "fix finished before it could be interrupted"
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == status, stderr
    if signum != signal.SIGKILL:
        assert stderr.decode().strip().splitlines()[-1] == "ftlint: fix interrupted; no partial file was left"
    assert listing(tmp_path) == ["large.jsonl"]


# ---- check: -o and --write-baseline never overwrite an input ----------------------------------------


@pytest.mark.parametrize("option", ["-o", "--write-baseline"])
@pytest.mark.parametrize("spelling", ["data.jsonl", "./data.jsonl", "link.jsonl", "hard.jsonl"])
def test_check_never_writes_over_a_file_it_reads(source: Path, option: str, spelling: str) -> None:
    (source.parent / "link.jsonl").symlink_to(source)
    os.link(source, source.parent / "hard.jsonl")
    result = run_cli("check", str(source), option, str(source.parent / spelling))
    one_line_error(result, "input")
    assert source.read_bytes() == DATA


def test_check_refuses_one_file_for_report_and_baseline(source: Path) -> None:
    report = source.parent / "report.txt"
    result = run_cli("check", str(source), "-o", str(report), "--write-baseline", str(report))
    one_line_error(result, "same file")


def test_a_configured_baseline_can_still_be_rewritten(source: Path, umask: None) -> None:
    folder = source.parent
    (folder / "ftlint.toml").write_text('baseline = "baseline.json"\n')
    (folder / "baseline.json").write_text('{"version": 1, "entries": []}\n')
    os.chdir(folder)
    result = run_cli("check", "data.jsonl", "--write-baseline", "baseline.json")
    assert result.exit_code == 0, result.stderr
    assert json.loads((folder / "baseline.json").read_text())["entries"]
    assert run_cli("check", "data.jsonl", "--write-baseline", "new-baseline.json").exit_code == 0
    assert stat.S_IMODE((folder / "new-baseline.json").stat().st_mode) == 0o640  # 0666 minus the umask
    assert listing(folder) == ["baseline.json", "data.jsonl", "ftlint.toml", "new-baseline.json"]
