"""HTTP: ``POST /v1/liveness/challenges`` issues an active-liveness challenge for a session."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from openidv import errors
from openidv.liveness.challenge import issue_challenge
from openidv.liveness.ratelimit import LivenessLimits, enforce
from openidv.liveness.services import challenge_store
from openidv.service.deps import ClientDep, RuntimeDep  # imported with the router, never by the checks


class ChallengeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: str = Field(min_length=1, max_length=64)
    device_id: str | None = Field(default=None, max_length=256, description="The client's device identifier.")


def applicant_ref(session: Any) -> str | None:
    """A stable reference to the applicant: the client's reference, else a declared identifier."""
    a = session.applicant
    for value in (session.external_ref, a.document_number, a.email, a.phone):
        if value:
            return str(value).strip().lower()
    return None


def device_ref(body: ChallengeRequest, session: Any) -> str | None:
    if body.device_id:
        return body.device_id
    device = session.telemetry.device if session.telemetry is not None else {}
    for key in ("device_id", "id", "fingerprint", "visitor_id"):
        if device.get(key):
            return str(device[key])
    return None


def build_router() -> APIRouter:
    router = APIRouter(prefix="/liveness", tags=["liveness"])

    @router.post("/challenges", status_code=status.HTTP_201_CREATED)
    def create_challenge(body: ChallengeRequest, principal: ClientDep, runtime: RuntimeDep) -> dict[str, Any]:
        """Issue a single-use challenge: a head action and a colour-flash sequence to show on screen."""
        if runtime.repo is None:
            raise errors.ServiceUnavailable("no store configured")
        row = runtime.repo.session_row(body.session_id)  # an unknown or erased session: 404
        staff = "reviewer" in principal.scopes or "admin" in principal.scopes
        if not staff and row.client_key_id != principal.key_id:  # as the session routes: only one's own
            raise errors.SessionNotFound(f"no session {errors.shown(body.session_id)}")
        session = runtime.repo.load_session(body.session_id)
        limits = LivenessLimits()
        enforce(runtime.env, session.id, device_ref(body, session), applicant_ref(session), limits,
                tenant=row.client_key_id)
        ch = issue_challenge(session.id, ttl_s=limits.challenge_ttl_s)
        challenge_store(runtime.env).save(ch)
        return {"session_id": session.id, **ch.to_client()}

    return router
