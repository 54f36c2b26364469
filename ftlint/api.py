"""The Python API behind ``ftlint.lint_file`` and ``ftlint.lint_records``."""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ftlint.config import Config, ConfigResolver, Settings
from ftlint.engine import Engine, FileReport, PassResult
from ftlint.inputs import open_input
from ftlint.parquet import is_parquet
from ftlint.parquet import violations as parquet_violations
from ftlint.registry import discover
from ftlint.selection import Layer
from ftlint.violation import Violation


@dataclass(frozen=True)
class LintResult:
    violations: list[Violation]
    report: FileReport


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


def lint_file(path: str | Path, *, validation: bool = False, config: str | Path | None = None,
              **settings: Any) -> LintResult:
    """Lint one file. ``settings`` are the config keys (``model=``, ``select=[...]``...).

    Only ``config`` is read as a config file; nothing is discovered implicitly.
    """
    file = Path(path)
    engine = _engine(settings, Path(config) if config else None)
    if is_parquet(file):
        run = engine.lint(None, str(file), file, validation=validation)
        violations = list(parquet_violations(run, file, jobs=1))
        assert run.report is not None
        return LintResult(violations, run.report)
    with open_input(file) as stream:
        run = engine.lint(stream, str(file), file, validation=validation)
        violations = list(run)
    assert run.report is not None
    return LintResult(violations, run.report)


def lint_records(records: Iterable[dict[str, Any] | str | bytes], *, name: str = "<records>",
                 validation: bool = False, **settings: Any) -> LintResult:
    """Lint records given in memory: dicts (serialized as JSON), or lines as str/bytes."""
    engine = _engine(settings, None)
    stream = _LineStream(records)
    run = engine.lint(stream, name, None, validation=validation)  # type: ignore[arg-type]
    violations = list(run)
    assert run.report is not None
    return LintResult(violations, run.report)


def lint_partition(records: Iterable[dict[str, Any] | str | bytes], *, first_line: int = 1,
                   file_format: str | None = None, name: str = "<records>", validation: bool = False,
                   **settings: Any) -> PassResult:
    """Map step for a distributed run: lint one partition of a file's lines.

    ``first_line`` is the partition's first line number in the whole file.
    Pass ``file_format`` for partitions after the first when the format is
    known (else each detects it from its own first record). The result is
    picklable; combine the partitions of one file with :func:`merge_partitions`.
    """
    lint = _engine(settings, None).lint(None, name, None, validation=validation)
    return lint.lint_range(_LineStream(records), 0, first_line, file_format)  # type: ignore[arg-type]


def merge_partitions(parts: Iterable[PassResult], *, name: str = "<records>", validation: bool = False,
                     **settings: Any) -> LintResult:
    """Reduce step: merge a file's partitions (in line order) and run the file-level rules."""
    lint = _engine(settings, None).lint(None, name, None, validation=validation)
    merged = lint.merge(list(parts) or [PassResult()])
    records = merged.violations
    violations = list(lint.final(itertools.chain(records, lint.finish(_without_violations(merged)))))
    assert lint.report is not None
    return LintResult(violations, lint.report)


def _without_violations(result: PassResult) -> PassResult:
    result.violations = []
    return result


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
