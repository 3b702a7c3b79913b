"""Submitting a session for decision, exactly once.

The client sends an ``Idempotency-Key``. The decision, its check results, the idempotency record,
signals written by plugins, the webhook outbox entry and the audit entry commit in ONE transaction
before the response is sent: an acknowledged decision is durable, and a retry with the same key
(after a timeout, a crash, a restart) returns the same decision instead of deciding twice.
"""

from __future__ import annotations

import hashlib
from typing import Any

from openidv import errors
from openidv.runtime import Runtime
from openidv.service.metrics import Metrics
from openidv.store.apikeys import Principal
from openidv.store.repository import OPEN, SessionRepository

MAX_KEY_LENGTH = 128


def _scope_key(principal: Principal, key: str) -> str:
    return f"{principal.key_id}:{key}"


def _replayed(repo: SessionRepository, scope_key: str, session_id: str, request_hash: str) -> dict[str, Any] | None:
    seen = repo.find_idempotent(scope_key)
    if seen is None:
        return None
    if seen.session_id != session_id or seen.request_hash != request_hash:
        raise errors.IdempotencyKeyReused("this Idempotency-Key was used for a different request")
    return repo.decision(session_id)


def submit(
    runtime: Runtime, metrics: Metrics, principal: Principal, session_id: str, key: str | None, body: bytes
) -> tuple[dict[str, Any], bool]:
    """Returns (decision body, replayed?)."""
    if not key:
        raise errors.IdempotencyKeyMissing("send an Idempotency-Key header (any unique string per submit)")
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise errors.BadRequest(f"Idempotency-Key must be printable and at most {MAX_KEY_LENGTH} characters")
    repo = runtime.repo
    assert repo is not None
    request_hash = hashlib.sha256(session_id.encode() + b"\x00" + body).hexdigest()
    scope_key = _scope_key(principal, key)
    stored = _replayed(repo, scope_key, session_id, request_hash)
    if stored is not None:
        return stored, True
    row = repo.session_row(session_id)
    if row.status != OPEN:
        # a concurrent retry with this key may have decided it since the first look: replay it
        stored = _replayed(repo, scope_key, session_id, request_hash)
        if stored is not None:
            return stored, True
        raise errors.SessionStateConflict(f"session is already {row.status}; fetch its decision instead")
    snapshot = row.updated_at  # a capture or telemetry arriving from here on would go unseen
    session = repo.load_session(session_id)
    decision = runtime.pipeline.verify(session)
    try:
        result = repo.record_decision(
            session,
            decision,
            actor=principal.actor,
            scope_key=scope_key,
            request_hash=request_hash,
            hooks=runtime.decision_hooks(),
            webhook=runtime.settings.webhook_url is not None,
            unchanged_since=snapshot,
        )
    except errors.SessionStateConflict:
        # A concurrent submit with the same key may have committed first: answer with its decision.
        stored = _replayed(repo, scope_key, session_id, request_hash)
        if stored is None:
            raise
        return stored, True
    metrics.observe_decision(decision)
    return result, False
