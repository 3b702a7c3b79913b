"""Age in whole years, as identity rules count it (a birthday not yet reached this year does not count)."""

from __future__ import annotations

from datetime import date


def age_on(dob: date, on: date) -> int:
    """Completed years between `dob` and `on`."""
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
