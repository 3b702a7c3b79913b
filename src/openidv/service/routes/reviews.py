"""The human review queue: list cases, read one, record a decision (which becomes a label)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from openidv import errors
from openidv.domain import DecisionKind
from openidv.service.deps import RepoDep, ReviewerDep, RuntimeDep
from openidv.service.schemas import ReviewDecisionIn

router = APIRouter(prefix="/reviews", tags=["review"])


@router.get("")
def review_queue(
    principal: ReviewerDep,
    repo: RepoDep,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> dict[str, Any]:
    return {"items": repo.review_queue(limit=limit, offset=offset), "limit": limit, "offset": offset}


@router.post("/{session_id}/decision")
def review_decide(
    session_id: str, body: ReviewDecisionIn, principal: ReviewerDep, repo: RepoDep, runtime: RuntimeDep
) -> dict[str, Any]:
    unknown = runtime.engine.catalogue.missing(body.reason_codes)
    if unknown:
        raise errors.ValidationFailed(f"unknown reason codes: {sorted({errors.shown(c) for c in unknown})}")
    return repo.record_review(
        session_id,
        reviewer=principal.actor,
        decision=DecisionKind(body.decision),
        label=body.label,
        reason_codes=body.reason_codes,
        notes=body.notes,
        revise=body.revise,
        webhook=runtime.settings.webhook_url is not None,
    )


@router.get("/labels")
def review_labels(principal: ReviewerDep, repo: RepoDep) -> dict[str, Any]:
    """Reviewer labels with the automatic decision and check scores: feedback for the evaluation layer."""
    items = repo.labels()
    repo.audit_read(principal.actor, "labels.read", None, {"items": len(items)})
    return {"items": items}
