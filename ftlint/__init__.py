"""ftlint: a fast, offline linter for LLM fine-tuning JSONL files.

The public API lives here, and only here::

    from ftlint import lint_file, lint_records, Rule, Violation, Severity

Names are imported lazily so that ``import ftlint`` (and ``ftlint --version``)
stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "DatasetRule",
    "ExampleContext",
    "FileContext",
    "FileReport",
    "Finding",
    "LineContext",
    "LintResult",
    "Options",
    "Record",
    "Rule",
    "RunContext",
    "Scope",
    "Severity",
    "Violation",
    "__version__",
    "lint_file",
    "lint_partition",
    "lint_records",
    "lint_stream",
    "merge_partitions",
]

_LAZY = {
    "DatasetRule": "ftlint.rule",
    "ExampleContext": "ftlint.rule",
    "FileContext": "ftlint.rule",
    "LineContext": "ftlint.rule",
    "Options": "ftlint.rule",
    "Rule": "ftlint.rule",
    "RunContext": "ftlint.rule",
    "Scope": "ftlint.rule",
    "Finding": "ftlint.violation",
    "Severity": "ftlint.violation",
    "Violation": "ftlint.violation",
    "Record": "ftlint.records",
    "FileReport": "ftlint.filereport",
    "LintResult": "ftlint.api",
    "lint_file": "ftlint.api",
    "lint_records": "ftlint.api",
    "lint_stream": "ftlint.api",
    "lint_partition": "ftlint.api",
    "merge_partitions": "ftlint.api",
}

if TYPE_CHECKING:
    from ftlint.api import LintResult, lint_file, lint_partition, lint_records, lint_stream, merge_partitions
    from ftlint.filereport import FileReport
    from ftlint.records import Record
    from ftlint.rule import (
        DatasetRule,
        ExampleContext,
        FileContext,
        LineContext,
        Options,
        Rule,
        RunContext,
        Scope,
    )
    from ftlint.violation import Finding, Severity, Violation


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ftlint' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
