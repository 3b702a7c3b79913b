"""What checks return and what the decision engine produces."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr


class Outcome(StrEnum):
    """A check's verdict on its own question.

    ``error`` means the check could not run (exception, timeout, missing model); the decision engine
    never treats it as a pass. ``not_applicable`` means the session has nothing for it to look at.
    """

    PASS = "pass"
    FAIL = "fail"
    REVIEW = "review"
    NOT_APPLICABLE = "not_applicable"
    ERROR = "error"


class CheckResult(BaseModel):
    """The result of one check on one session.

    ``score`` is in [0, 1] where the check defines one, and always reads "higher = more likely
    genuine / acceptable" so that it can go straight into the evaluation layer; each check documents
    its exact meaning in ``Check.score_meaning``.
    """

    model_config = ConfigDict(extra="forbid")

    check: str
    version: str
    outcome: Outcome
    score: float | None = None
    reason_codes: list[str] = Field(default_factory=list)
    evidence: dict[str, Any] = Field(default_factory=dict)
    latency_ms: float = 0.0
    error: str | None = Field(default=None, description="Internal error summary when outcome is error.")

    # In-memory artefacts a plugin may need after the decision (an embedding to enrol, say). They are
    # never serialised, stored or returned to a client.
    _artifacts: dict[str, Any] = PrivateAttr(default_factory=dict)

    @property
    def artifacts(self) -> dict[str, Any]:
        return self._artifacts


class DecisionKind(StrEnum):
    APPROVE = "approve"
    REVIEW = "review"
    DECLINE = "decline"
    RESUBMIT = "resubmit"


class Reason(BaseModel):
    """A reason code with the text for its audience."""

    code: str
    severity: str
    text: str


class Decision(BaseModel):
    """The engine's answer for a session, with everything needed to explain and audit it."""

    session_id: str
    decision: DecisionKind
    user_reasons: list[Reason] = Field(default_factory=list)
    internal_reasons: list[Reason] = Field(default_factory=list)
    policy: str
    policy_version: str
    threshold_versions: dict[str, str] = Field(default_factory=dict)
    checks: list[CheckResult] = Field(default_factory=list)
    decided_at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @property
    def reason_codes(self) -> list[str]:
        return [r.code for r in self.internal_reasons]
