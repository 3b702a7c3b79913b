"""Signed webhook delivery from the outbox.

Decisions are written to ``webhook_outbox`` in the same transaction as the decision, so a crash
cannot lose a notification; this worker delivers them at least once, with exponential back-off.

Signature (verify on the receiving side with :func:`verify_signature`)::

    OpenIDV-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

Receivers must reject timestamps older than a few minutes (replay) and de-duplicate on the
``OpenIDV-Delivery`` id (at-least-once delivery).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select

from openidv.config import Settings
from openidv.service.worker import BackgroundWorker
from openidv.store.db import Database
from openidv.store.models import WebhookOutboxRow

log = logging.getLogger(__name__)


def sign(secret: bytes, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(secret: bytes, body: bytes, header: str, tolerance_s: int = 300, now: float | None = None) -> bool:
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        ts = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((now or time.time()) - ts) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, body, ts), header)


class WebhookWorker(BackgroundWorker):
    thread_name = "openidv-webhooks"

    def __init__(self, db: Database, settings: Settings, poll_s: float = 0.5) -> None:
        assert settings.webhook_url and settings.webhook_secret
        super().__init__()
        self.db = db
        self.url = settings.webhook_url
        self.secret = settings.webhook_secret.get_secret_value().encode()
        self.timeout = settings.webhook_timeout_s
        self.max_attempts = settings.webhook_max_attempts
        self.poll_s = poll_s

    def _loop(self) -> None:
        with httpx.Client(timeout=self.timeout) as client:
            while not self._stop.is_set():
                try:
                    delivered = self.deliver_due(client)
                except Exception:
                    log.exception("webhook delivery pass failed")
                    delivered = 0
                if not delivered:
                    self._stop.wait(self.poll_s)

    def deliver_due(self, client: httpx.Client, batch: int = 20) -> int:
        now = datetime.now(UTC)
        with self.db.session() as orm:
            rows = (
                orm.execute(
                    select(WebhookOutboxRow)
                    .where(WebhookOutboxRow.status == "pending", WebhookOutboxRow.next_attempt_at <= now)
                    .order_by(WebhookOutboxRow.id)
                    .limit(batch)
                )
                .scalars()
                .all()
            )
        for row in rows:
            self._deliver(client, row)
        return len(rows)

    def _deliver(self, client: httpx.Client, row: WebhookOutboxRow) -> None:
        with self.db.session() as orm:  # read again: the session may have been erased since the batch was read
            fresh = orm.get(WebhookOutboxRow, row.id)
            if fresh is None or fresh.status != "pending":
                return
            row = fresh
        body = json.dumps({"id": row.id, "event": row.event, "data": row.payload}, sort_keys=True).encode()
        headers = {
            "content-type": "application/json",
            "OpenIDV-Event": row.event,
            "OpenIDV-Delivery": str(row.id),
            "OpenIDV-Signature": sign(self.secret, body, int(time.time())),
        }
        error = None
        try:
            response = client.post(self.url, content=body, headers=headers)
            ok = 200 <= response.status_code < 300
            error = None if ok else f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            ok, error = False, type(exc).__name__
        with self.db.transaction() as orm:
            current = orm.get(WebhookOutboxRow, row.id)
            if current is None or current.status != "pending":  # cancelled by an erasure meanwhile
                return
            current.attempts += 1
            if ok:
                current.status = "delivered"
            else:
                current.last_error = error
                current.status = "failed" if current.attempts >= self.max_attempts else "pending"
                current.next_attempt_at = datetime.now(UTC) + timedelta(seconds=min(3600, 2**current.attempts))
