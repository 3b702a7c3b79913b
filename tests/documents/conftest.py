"""Fixtures for the documents tests."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import datetime as _dt

import pytest

# Generated identities are dated relative to "today" (documents valid on the day they are made).
# The tests pin that day, so each seed gives the same document on every day the suite runs; a
# day-dependent document once read a visual-zone date differently and failed a pass assertion.
# Expiry dates of the pinned documents lie years after it, and the checks still judge validity
# against the real date. Module- and session-scoped fixtures are built before this function-scoped
# pin and pass the reference day themselves (`today=`).
REFERENCE_DAY = _dt.date(2026, 11, 28)


class _PinnedDate(_dt.date):
    @classmethod
    def today(cls) -> _dt.date:  # type: ignore[override]
        return REFERENCE_DAY


@pytest.fixture(autouse=True)
def _pinned_generation_day(monkeypatch: pytest.MonkeyPatch) -> None:
    import openidv.documents.synth.identity as identity

    monkeypatch.setattr(identity, "date", _PinnedDate)
