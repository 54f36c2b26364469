"""GitLab Code Quality JSON: a list of issues with unique fingerprints and relative paths."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from ftlint.report import Reporter, Summary, display_location
from ftlint.sanitize import dumps
from ftlint.violation import Severity, Violation

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


class GitlabReporter(Reporter):
    def start(self) -> None:
        self._issues: list[dict[str, Any]] = []
        self._seen: Counter[str] = Counter()

    def violation(self, violation: Violation) -> None:
        path = display_location(violation.path)  # relative to the repository, as SARIF's URIs
        key = f"{path}\0{violation.code}\0{violation.fingerprint}"
        self._seen[key] += 1  # the same finding twice on one record still needs two fingerprints
        fingerprint = hashlib.md5(f"{key}\0{self._seen[key]}".encode("utf-8", "surrogatepass"),
                                  usedforsecurity=False).hexdigest()
        self._issues.append({
            "description": f"{violation.code}: {violation.message}",
            "check_name": f"{violation.code} {violation.name}",
            "fingerprint": fingerprint,
            "severity": SEVERITIES[violation.severity],
            "location": {"path": path, "lines": {"begin": violation.line}},
        })

    def finish(self, summary: Summary) -> None:
        self.out.write(dumps(self._issues, indent=2) + "\n")
