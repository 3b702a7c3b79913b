"""Sessions: create, upload captures, attach telemetry, submit, read, erase."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Header, Request, Response, UploadFile, status
from starlette.concurrency import run_in_threadpool

from openidv import errors
from openidv.domain import CaptureKind, CaptureMetadata, Session, Telemetry
from openidv.imaging.decode import browser_viewable, decode_image
from openidv.runtime import decode_limits
from openidv.service import submission
from openidv.service.deps import AdminDep, AnyKeyDep, ClientDep, MetricsDep, RepoDep, RuntimeDep
from openidv.service.jsonguard import parse_json
from openidv.service.schemas import CaptureOut, ErasureOut, SessionCreate, SessionOut
from openidv.store.apikeys import Principal
from openidv.store.repository import SessionRepository

router = APIRouter(prefix="/sessions", tags=["sessions"])


def _owned(repo: SessionRepository, principal: Principal, session_id: str) -> None:
    """Clients see only their own sessions; reviewers and admins see all."""
    row = repo.session_row(session_id)
    if "reviewer" in principal.scopes or "admin" in principal.scopes:
        return
    if row.client_key_id != principal.key_id:
        raise errors.SessionNotFound(f"no session {errors.shown(session_id)}")


def _staff(principal: Principal) -> bool:
    return "reviewer" in principal.scopes or "admin" in principal.scopes


def _reviews_for(repo: SessionRepository, session_id: str, staff: bool) -> list[dict[str, Any]]:
    """Reviews as the caller may see them: a client learns each outcome and when, never the
    reviewer, the fraud label, the reasons or the notes (internal review data)."""
    reviews = repo.reviews(session_id)
    if staff:
        return reviews
    return [{"decision": r["decision"], "created_at": r["created_at"]} for r in reviews]


def _session_out(repo: SessionRepository, session_id: str, staff: bool = False) -> SessionOut:
    row = repo.session_row(session_id)
    return SessionOut(
        id=row.id,
        status=row.status,
        flow=row.flow,
        country=row.country,
        external_ref=row.external_ref,
        created_at=row.created_at,
        captures=[CaptureOut(**c) for c in repo.captures_summary(session_id)],
        decision=repo.decision(session_id),
        reviews=_reviews_for(repo, session_id, staff),
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SessionOut)
def create_session(body: SessionCreate, principal: ClientDep, repo: RepoDep) -> SessionOut:
    session = Session(
        flow=body.flow,
        country=body.country.upper() if body.country else None,
        applicant=body.applicant,
        external_ref=body.external_ref,
    )
    repo.create_session(session, actor=principal.actor, client_key_id=principal.key_id)
    return _session_out(repo, session.id)


@router.get("/{session_id}", response_model=SessionOut)
def read_session(session_id: str, principal: AnyKeyDep, repo: RepoDep) -> SessionOut:
    _owned(repo, principal, session_id)
    if _staff(principal):  # staff may read any client's session: each read is on the record
        repo.audit_read(principal.actor, "session.read", session_id)
    return _session_out(repo, session_id, staff=_staff(principal))


def _metadata(raw: str | None) -> CaptureMetadata:
    if not raw:
        return CaptureMetadata()
    parsed = parse_json(raw.encode("utf-8"), max_nesting=8)
    if not isinstance(parsed, dict):
        raise errors.ValidationFailed("metadata must be a JSON object")
    try:
        return CaptureMetadata.model_validate(parsed)
    except ValueError as exc:
        raise errors.ValidationFailed(f"metadata is invalid: {str(exc).splitlines()[0]}") from None


@router.post("/{session_id}/captures", status_code=status.HTTP_201_CREATED, response_model=CaptureOut)
async def upload_capture(
    session_id: str,
    principal: ClientDep,
    runtime: RuntimeDep,
    repo: RepoDep,
    file: Annotated[
        UploadFile, File(description="JPEG, PNG, WebP or HEIF/HEIC; the bytes are sniffed, not the declared type")
    ],
    kind: Annotated[CaptureKind, Form()],
    metadata: Annotated[str | None, Form(max_length=8192, description="JSON object (CaptureMetadata)")] = None,
) -> CaptureOut:
    _owned(repo, principal, session_id)
    settings = runtime.settings
    data = await file.read(settings.max_upload_bytes + 1)
    meta = _metadata(metadata)
    # decoding is CPU work (HEIF: a child process): off the event loop, so one upload never stalls the others
    decoded = await run_in_threadpool(decode_image, data, decode_limits(settings))
    row = repo.add_capture(
        session_id,
        kind,
        data,
        decoded,
        meta,
        principal.actor,
        settings.max_captures_per_session,
        max_pixels=settings.max_session_pixels,
    )
    return CaptureOut(
        id=row.id, kind=row.kind, content_type=row.content_type, width=row.width, height=row.height, bytes=row.byte_size
    )


@router.put("/{session_id}/telemetry", status_code=status.HTTP_204_NO_CONTENT)
def set_telemetry(session_id: str, body: Telemetry, principal: ClientDep, repo: RepoDep) -> Response:
    """Attach capture-session telemetry.

    The API is called server to server (API keys), so the connection's address is the integrator's
    backend, not the applicant's: ``network.ip`` must be set by the integrator from the applicant's
    own request (the browser cannot know its public address). It is trusted as far as the key is.
    """
    _owned(repo, principal, session_id)
    repo.set_telemetry(session_id, body, principal.actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{session_id}/submit", responses={200: {"description": "The decision (replayed on a retry)."}})
async def submit_session(
    session_id: str,
    request: Request,
    principal: ClientDep,
    runtime: RuntimeDep,
    repo: RepoDep,
    metrics: MetricsDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Response:
    _owned(repo, principal, session_id)
    body = await request.body()
    if body.strip():
        # parsed here too: the body guard checks JSON content types only, and a submit sent as
        # multipart or without a content type must still get a 400, not a parser traceback
        options = parse_json(body, runtime.settings.max_json_depth)
        if not isinstance(options, dict) or options:
            raise errors.ValidationFailed("submit takes no options yet; send an empty body or {}")
    from starlette.concurrency import run_in_threadpool

    decision, replayed = await run_in_threadpool(
        submission.submit, runtime, metrics, principal, session_id, idempotency_key, body
    )
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    return Response(json.dumps(decision), media_type="application/json", headers=headers)


@router.get("/{session_id}/decision")
def read_decision(session_id: str, principal: AnyKeyDep, repo: RepoDep) -> dict[str, Any]:
    _owned(repo, principal, session_id)
    decision = repo.decision(session_id)
    if decision is None:
        raise errors.NotFound("this session has no decision yet")
    reviews = _reviews_for(repo, session_id, _staff(principal))
    if reviews:  # the automatic decision as made, and the human one that now stands
        decision = {**decision, "review": reviews[-1]}
    return decision


@router.get("/{session_id}/captures/{capture_id}", response_class=Response)
def read_capture(
    session_id: str, capture_id: str, principal: AnyKeyDep, repo: RepoDep, runtime: RuntimeDep
) -> Response:
    """The original image bytes (reviewers and admins only: clients never read images back)."""
    if "reviewer" not in principal.scopes and "admin" not in principal.scopes:
        raise errors.Forbidden("only reviewers can read images")
    stored_type, stored = repo.capture_bytes(session_id, capture_id)
    repo.audit_read(principal.actor, "capture.read", session_id, {"capture_id": capture_id})
    ctype, data = browser_viewable(stored_type, stored, decode_limits(runtime.settings))
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    if ctype != stored_type:
        headers["X-OpenIDV-Stored-Type"] = stored_type  # the original is kept; this is a JPEG of it
    return Response(data, media_type=ctype, headers=headers)


@router.delete("/{session_id}", response_model=ErasureOut)
def erase_session(session_id: str, principal: AdminDep, runtime: RuntimeDep) -> ErasureOut:
    """Right to erasure: every personal datum of the session is deleted; the audit log records it."""
    return ErasureOut(session_id=session_id, erased=runtime.erase(session_id, principal.actor))
