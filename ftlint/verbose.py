"""``-v``: which config and rules each file got, what was skipped and why, and how long it took.

Written to standard error, so that it never mixes with a report on standard output; nothing here
judges or changes a result.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from ftlint.sanitize import visible  # file names come from strangers: escape ESC, newlines, bidi


class Verbose:
    def __init__(self, err: IO[str]) -> None:
        self.err = err
        self.started = time.perf_counter()
        self._configs: dict[int, Any] = {}

    def say(self, text: str) -> None:
        self.err.write(f"ftlint: {visible(text)}\n")

    def skipped(self, paths: Iterable[tuple[Path, str]]) -> None:
        from ftlint.masking import mask_name

        for path, reason in paths:
            self.say(f"skipped {mask_name(str(path))}: {reason}")

    def file(self, job: Any) -> None:
        """One line per file: its config, kind (and why) and how many rules run on it."""
        config = job.plan.config
        reason = f" ({job.validation_reason})" if job.validation_reason else ""
        rules = job.rules
        count = len(rules.line) + len(rules.example) + len(rules.file) + len(rules.dataset)
        self.say(f"{job.display}: {job.kind}{reason}; config {config.describe()}; {count} rules")
        self._configs.setdefault(id(job.plan), job.plan)

    def finish(self, files: int) -> None:
        for plan in self._configs.values():
            self.say(f"rules of config {plan.config.describe()}: {', '.join(sorted(plan.rules))}")
        self.say(f"checked {files} file{'s' if files != 1 else ''} in {time.perf_counter() - self.started:.2f} s")
