"""The Python API behind ``ftlint.lint_file`` and ``ftlint.lint_records``."""

from __future__ import annotations

import dataclasses
import functools
import io
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from ftlint.config import Config, ConfigResolver, Settings
from ftlint.engine import Engine, FileJob, PassResult
from ftlint.filereport import FileReport
from ftlint.inputs import open_input
from ftlint.parquet import is_parquet
from ftlint.parquet import lint as parquet_lint
from ftlint.registry import discover
from ftlint.selection import Layer
from ftlint.violation import Severity, Violation


@dataclass(frozen=True)
class LintResult:
    violations: list[Violation]
    report: FileReport


class _Collect:
    """A sink that keeps everything, for callers in code (no baseline: everything is reported)."""

    def __init__(self) -> None:
        self.violations: list[Violation] = []
        self.counts: Counter[Severity] = Counter()
        self.report: FileReport | None = None

    def file_started(self, job: FileJob) -> None:
        pass

    def violation(self, violation: Violation) -> None:
        self.violations.append(violation)
        self.counts[violation.severity] += 1

    def file_finished(self, report: FileReport) -> None:
        self.report = dataclasses.replace(report, counts=self.counts)

    def result(self) -> LintResult:
        assert self.report is not None
        return LintResult(self.violations, self.report)


class _FixedResolver(ConfigResolver):
    def __init__(self, config: Config) -> None:
        self._config = config

    def for_path(self, file: Path | None) -> Config:
        return self._config


def _engine(settings: dict[str, Any], config_path: Path | None) -> Engine:
    """Settings given in code act like command-line options: selection is a layer over the config's."""
    from ftlint.config import load_config_file, parse_settings

    layer = Layer(select=settings.pop("select", None), extend_select=settings.pop("extend_select", ()),
                  ignore=settings.pop("ignore", ()))
    base = load_config_file(config_path) if config_path else Config(Settings(), None)
    merged = parse_settings({**base.settings.model_dump(by_alias=True, exclude_unset=True),
                             **{k.replace("_", "-"): v for k, v in settings.items()}}, "lint settings")
    return Engine(discover(), _FixedResolver(Config(merged, base.path)), layer)


def _alone(job: FileJob) -> FileJob:
    """The API lints one file at a time: a validation file is then a run without a training file (FT820
    and FT821 are said at it, as `ftlint check valid.jsonl` says them)."""
    job.run.has_training_file = job.kind != "validation"
    return job


def lint_file(path: str | Path, *, validation: bool = False, config: str | Path | None = None,
              **settings: Any) -> LintResult:
    """Lint one file. ``settings`` are the config keys (``model=``, ``select=[...]``...).

    Only ``config`` is read as a config file; nothing is discovered implicitly.
    """
    file = Path(path)
    job = _alone(_engine(settings, Path(config) if config else None).job(str(file), file, validation=validation))
    sink = _Collect()
    if is_parquet(file):
        parquet_lint(job, file, sink, jobs=1)
        return sink.result()
    with open_input(file) as stream:
        job.lint(stream, sink)
    return sink.result()


def lint_stream(stream: IO[bytes], *, name: str = "-", validation: bool = False, **settings: Any) -> LintResult:
    """Lint an open binary stream (standard input, a socket, a decompressor...) read to its end."""
    job = _alone(_engine(settings, None).job(name, None, validation=validation))
    sink = _Collect()
    job.lint(stream, sink)
    return sink.result()


def lint_records(records: Iterable[dict[str, Any] | str | bytes], *, name: str = "<records>",
                 validation: bool = False, **settings: Any) -> LintResult:
    """Lint records given in memory: dicts (serialized as JSON), or lines as str/bytes."""
    return lint_stream(cast(IO[bytes], _LineStream(records)), name=name, validation=validation, **settings)


def lint_partition(records: Iterable[dict[str, Any] | str | bytes], *, first_line: int = 1,
                   file_format: str | None = None, name: str = "<records>", validation: bool = False,
                   config: str | Path | None = None, **settings: Any) -> PassResult:
    """Map step for a distributed run: lint one partition of a file's lines.

    ``first_line`` is the partition's first line number in the whole file.
    Pass ``file_format`` for partitions after the first when the format is
    known (else each detects it from its own first record). The result is
    picklable; combine the partitions of one file with :func:`merge_partitions`.
    ``config`` is read as a config file, as by :func:`lint_file`.
    """
    job = _alone(_engine(settings, Path(config) if config else None).job(name, None, validation=validation))
    return job.lint_range(cast(IO[bytes], _LineStream(records)), 0, first_line, file_format)


def merge_partitions(parts: Iterable[PassResult], *, name: str = "<records>", validation: bool = False,
                     config: str | Path | None = None, **settings: Any) -> LintResult:
    """Reduce step: merge a file's partitions (in line order) and run the file-level rules."""
    job = _alone(_engine(settings, Path(config) if config else None).job(name, None, validation=validation))
    partitions = list(parts)
    merged = functools.reduce(job.merge, partitions) if partitions else PassResult()
    sink = _Collect()
    for violation in merged.violations:
        sink.violation(violation)
    sink.file_finished(job.finish(merged, sink.violation))
    return sink.result()


class _LineStream(io.RawIOBase):
    """Presents an iterable of records as a binary stream, one line each, lazily."""

    def __init__(self, records: Iterable[dict[str, Any] | str | bytes]) -> None:
        self._records = iter(records)
        self._pending = b""

    def readable(self) -> bool:
        return True

    def _next_line(self) -> bytes:
        record = next(self._records, None)
        if record is None:
            return b""
        if isinstance(record, dict):
            return json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"
        data = record.encode("utf-8") if isinstance(record, str) else record
        return data if data.endswith(b"\n") else data + b"\n"

    def readline(self, size: int | None = -1) -> bytes:
        if not self._pending:
            self._pending = self._next_line()
        limit = len(self._pending) if size is None or size < 0 else size
        line, self._pending = self._pending[:limit], self._pending[limit:]
        return line

    def read(self, size: int | None = -1) -> bytes:
        chunks = []
        while chunk := self.readline(size):
            chunks.append(chunk)
            if size is not None and size >= 0:
                break
        return b"".join(chunks)
