"""The one record every rule produces and every reporter renders."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(str, enum.Enum):
    """How bad a violation is. Only ``error`` fails a run, unless ``--strict``."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.ERROR: 3, Severity.WARNING: 2, Severity.INFO: 1}


@dataclass(frozen=True)
class Finding:
    """What a rule says: a message and, where it knows better than the engine, a place.

    ``line`` defaults to the record's line; ``column`` to the column the engine
    can locate for ``pointer`` (a JSON pointer into the record, RFC 6901).
    """

    message: str
    pointer: str = ""
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True)
class Violation:
    """A finding stamped with its rule, effective severity and place. Immutable."""

    code: str
    name: str
    severity: Severity
    path: str
    line: int
    column: int
    pointer: str
    message: str
    fix: str = ""
    # Stable across inserted lines: a hash of the record's content (or of the file, for
    # file-level findings). Keys baselines, SARIF partialFingerprints and GitLab fingerprints.
    fingerprint: str = ""
    # Up to ~100 characters of the offending line around ``column`` (for the `full` format).
    snippet: str = ""
    snippet_column: int = 0
