"""Writing files whole or not at all: the one writer every command that writes data uses.

`AtomicFile` writes into the target folder under no name (Linux ``O_TMPFILE``; elsewhere a hidden
temporary name) and gives the data the target's name only on commit: flush, fsync, rename. So a
crash, a full disk or a kill leaves the target as it was, and (on Linux) no temporary file at all,
even after SIGKILL. The rename replaces the name itself: a symbolic link is replaced, never written
through (callers refuse links up front, see `ftlint.paths.check_output`).

Permissions: a new file gets ``mode_like`` (0666 unless the caller passes its input's mode, as `cp`
does) minus the umask. Replacing an existing file keeps its mode (and its owner and group, where the
process may set them), so `fix --in-place` changes the content of a file and nothing else.

Character devices and FIFOs (`-o /dev/null`, `-o /dev/stdout`, a pipe) cannot be replaced and need
not be: `open_output` writes to them as streams (`StreamFile`), as does `-` (standard output).
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType, TracebackType
from typing import IO, Any, Protocol, cast

from ftlint.paths import UnsafePath, is_stdout

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class Writer(Protocol):
    """Where a command's output goes: written in order, then committed (or aborted)."""

    def write(self, data: bytes) -> None: ...

    def commit(self) -> None: ...

    def abort(self) -> None: ...


class AtomicFile:
    """Write to a nameless (or hidden temporary) file beside ``path``; on commit, rename it to ``path``.

    Use as a context manager (commit on success, abort on any exception, signals included) or call
    ``commit``/``abort`` yourself. Writing errors (disk full, ``ulimit -f``) raise OSError; the
    caller aborts, which frees the space.
    """

    def __init__(self, path: Path, *, mode_like: int = 0o666) -> None:
        self.path = path
        self._folder = path.parent
        self._name: str | None = None  # the temporary name in the folder, once there is one
        self._dir: int | None = None  # the folder, held open while the file has no name
        existing = _regular(path)
        with _named(path):
            fd = self._nameless() if _has_nameless_files() else None
            if fd is None:
                fd = self._hidden()
            try:
                os.fchmod(fd, stat.S_IMODE(existing.st_mode) if existing else stat.S_IMODE(mode_like) & ~_umask())
                if existing is not None:
                    with contextlib.suppress(OSError):  # only root may give a file away: keep ours then
                        os.fchown(fd, existing.st_uid, existing.st_gid)
            except OSError:
                os.close(fd)
                self.abort()
                raise
        self._handle: IO[bytes] = os.fdopen(fd, "wb")

    def _nameless(self) -> int | None:
        try:
            self._dir = os.open(self._folder, os.O_RDONLY | os.O_DIRECTORY | _CLOEXEC)
            return os.open(".", os.O_TMPFILE | os.O_WRONLY | _CLOEXEC, 0o600, dir_fd=self._dir)
        except OSError:  # a file system without O_TMPFILE: fall back to a hidden name
            self._close_dir()
            return None

    def _hidden(self) -> int:
        while True:
            name = f".{self.path.name}.{os.urandom(4).hex()}.tmp"
            try:
                fd = os.open(self._folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC,
                             0o600)
            except FileExistsError:
                continue
            self._name = name
            return fd

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if kind is None:
            self.commit()
        else:
            self.abort()

    def write(self, data: bytes) -> None:
        try:
            self._handle.write(data)
        except OSError as exc:
            raise _about(exc, self.path) from exc

    def commit(self) -> None:
        """Make the data durable, then give it the target's name (atomically)."""
        try:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            if self._name is None:
                self._link()
            self._handle.close()
            os.replace(self._folder / str(self._name), self.path)
        except OSError as exc:
            self.abort()
            raise _about(exc, self.path) from exc
        except BaseException:
            self.abort()
            raise
        self._name = None
        self._close_dir()
        _sync_folder(self._folder)

    def _link(self) -> None:
        """Give the nameless file a temporary name in its folder (rename then moves it over the target)."""
        while True:
            name = f".{self.path.name}.{os.urandom(4).hex()}.tmp"
            try:
                os.link(f"/proc/self/fd/{self._handle.fileno()}", name, dst_dir_fd=self._dir,
                        follow_symlinks=True)
            except FileExistsError:
                continue
            self._name = name
            return

    def abort(self) -> None:
        """Forget the data: close and remove the temporary file. Never raises."""
        handle = getattr(self, "_handle", None)
        if handle is not None:
            with contextlib.suppress(OSError):
                handle.close()  # its flush may fail again on a full disk: the data is dropped anyway
        if self._name is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._folder / self._name)
            self._name = None
        self._close_dir()

    def _close_dir(self) -> None:
        if self._dir is not None:
            os.close(self._dir)
            self._dir = None


class StreamFile:
    """An output that is a stream, not a file to replace: standard output, a character device, a FIFO."""

    def __init__(self, path: Path | None) -> None:
        self.path = path if path is not None else Path("-")
        if path is None:
            self._handle, self._owned = _binary_stdout(), False
            return
        # No O_CREAT and no O_TRUNC: this only opens what is there, and refuses a link put in its place.
        fd = os.open(path, os.O_WRONLY | _NOFOLLOW | _CLOEXEC)
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
            os.close(fd)
            raise UnsafePath(f"{path} changed while ftlint was about to write it; run again")
        self._handle, self._owned = os.fdopen(fd, "wb"), True

    def write(self, data: bytes) -> None:
        try:
            self._handle.write(data)
        except OSError as exc:
            raise _about(exc, self.path) from exc

    def commit(self) -> None:
        try:
            self._handle.flush()
            if self._owned:
                self._handle.close()
        except OSError as exc:
            raise _about(exc, self.path) from exc

    def abort(self) -> None:
        if self._owned:
            with contextlib.suppress(OSError):
                self._handle.close()


def open_output(path: Path, *, mode_like: int = 0o666) -> Writer:
    """The writer for an output path already vetted by `ftlint.paths.check_output` (``-``: stdout)."""
    if is_stdout(path):
        return StreamFile(None)
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return AtomicFile(path, mode_like=mode_like)
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return StreamFile(path)
    return AtomicFile(path, mode_like=mode_like)


def describe(error: OSError) -> str:
    """One line for a failed read or write: the file and the system's reason (disk full, too large...)."""
    where = "standard output" if error.filename == "-" else error.filename or "output"
    return f"{where}: {error.strerror or error}"


class Terminated(BaseException):
    """SIGTERM (or SIGHUP) arrived: unwinds like KeyboardInterrupt, so pending writes are aborted."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum  # the shell's convention: 143 for SIGTERM


_TERMINATING = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextlib.contextmanager
def signals_abort() -> Iterator[None]:
    """Inside, SIGTERM and SIGHUP raise `Terminated` (SIGINT already raises KeyboardInterrupt), so that
    every `AtomicFile` being written is aborted on the way out. Outside the main thread: no change."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _raise(signum: int, frame: FrameType | None) -> None:
        raise Terminated(signum)

    previous = {signum: signal.signal(signum, _raise) for signum in _TERMINATING}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Delay SIGINT/SIGTERM/SIGHUP until the block ends: several commits then happen all or none."""
    held = {signal.SIGINT, *_TERMINATING}
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _about(error: OSError, path: Path) -> OSError:
    """``error`` as it concerns ``path``: a nameless or temporary file's errors name the target."""
    if error.filename == str(path):
        return error
    return OSError(error.errno, error.strerror or str(error), str(path))


@contextlib.contextmanager
def _named(path: Path) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise _about(exc, path) from exc


def _binary_stdout() -> IO[bytes]:
    """Standard output for bytes. Data asked for with `-o -` is written exactly, so it goes under a
    `sanitize.CommandGuard` (which only guards ftlint's own text) to the stream it wraps."""
    stream: Any = sys.stdout
    while not hasattr(stream, "buffer") and hasattr(stream, "stream"):
        stream = stream.stream
    return cast(IO[bytes], stream.buffer)


def _regular(path: Path) -> os.stat_result | None:
    try:
        status = os.lstat(path)
    except OSError:
        return None
    return status if stat.S_ISREG(status.st_mode) else None


def _has_nameless_files() -> bool:
    return hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd")


def _umask() -> int:
    mask = os.umask(0o022)  # the only portable way to read it is to set it: put it straight back
    os.umask(mask)
    return mask


def _sync_folder(folder: Path) -> None:
    """Make the rename durable too (where folders can be opened and synced)."""
    try:
        fd = os.open(folder, os.O_RDONLY | _CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
