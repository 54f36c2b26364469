"""Today's date, the one clock ftlint reads (sunset rules, deadline notices).

``FTLINT_TODAY=YYYY-MM-DD`` pins it, for reproducible runs, golden files and tests.
"""

from __future__ import annotations

import datetime as dt
import os

ENVIRONMENT_VARIABLE = "FTLINT_TODAY"


class ClockError(ValueError):
    """FTLINT_TODAY is set but is not a date."""


def today() -> dt.date:
    pinned = os.environ.get(ENVIRONMENT_VARIABLE)
    if not pinned:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(pinned.strip())
    except ValueError:
        raise ClockError(f"{ENVIRONMENT_VARIABLE}={pinned!r} is not a date; use YYYY-MM-DD") from None
