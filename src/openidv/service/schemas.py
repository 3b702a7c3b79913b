"""Request and response bodies of the v1 API (strict: unknown fields are refused)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from openidv.domain import Applicant, Flow


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SessionCreate(Strict):
    flow: Flow = Flow.SIGNUP
    country: str | None = Field(default=None, min_length=2, max_length=3, pattern=r"^[A-Za-z]{2,3}$")
    applicant: Applicant = Field(default_factory=Applicant)
    external_ref: str | None = Field(default=None, max_length=128)


class CaptureOut(BaseModel):
    id: str
    kind: str
    content_type: str
    width: int
    height: int
    bytes: int
    purged: bool = False


class SessionOut(BaseModel):
    id: str
    status: str
    flow: str
    country: str | None
    external_ref: str | None
    created_at: datetime
    captures: list[CaptureOut] = Field(default_factory=list)
    decision: dict[str, Any] | None = None
    reviews: list[dict[str, Any]] = Field(default_factory=list)


class SubmitOptions(Strict):
    """Optional body of a submit; reserved for future options, strict so typos are caught."""


class ReviewDecisionIn(Strict):
    # a reviewer resolves the case: "review" would leave it reviewed yet unresolved
    decision: Literal["approve", "decline", "resubmit"]
    label: Literal["genuine", "fraud", "unsure"]
    reason_codes: list[str] = Field(default_factory=list, max_length=20)
    notes: str | None = Field(default=None, max_length=2000)
    revise: bool = Field(
        default=False,
        description="Required to review a session that was not waiting for review (decided automatically, or "
        "already reviewed): the new review supersedes the earlier one.",
    )


class ErasureOut(BaseModel):
    session_id: str
    erased: dict[str, int]
