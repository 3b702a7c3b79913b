"""The verification domain: sessions, captures, telemetry, check results and decisions."""

from openidv.domain.results import CheckResult, Decision, DecisionKind, Outcome, Reason
from openidv.domain.session import (
    Applicant,
    Capture,
    CaptureKind,
    CaptureMetadata,
    Flow,
    Session,
    Telemetry,
)

__all__ = [
    "Applicant",
    "Capture",
    "CaptureKind",
    "CaptureMetadata",
    "CheckResult",
    "Decision",
    "DecisionKind",
    "Flow",
    "Outcome",
    "Reason",
    "Session",
    "Telemetry",
]
