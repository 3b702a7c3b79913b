"""Decisions are delivered as signed webhooks from the outbox."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from openidv.service.webhooks import sign, verify_signature


class Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []
    fail_first = 0

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        if Receiver.fail_first > 0:
            Receiver.fail_first -= 1
            self.send_response(503)
        else:
            Receiver.received.append((dict(self.headers), body))
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver():
    Receiver.received = []
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


@pytest.fixture
def settings(tmp_path, database_url, receiver):
    from openidv.config import Settings

    return Settings(
        home=tmp_path,
        database_url=database_url,
        log_level="WARNING",
        enabled_plugins=["core"],
        webhook_url=receiver,
        webhook_secret="s3cret",
    )


def test_decision_webhook_is_signed_and_carries_no_personal_data(app_client, good_images):
    client, keys = app_client
    h = {"X-API-Key": keys["client"]}
    sid = client.post("/v1/sessions", json={"applicant": {"surname": "SECRETNAME"}}, headers=h).json()["id"]
    client.post(
        f"/v1/sessions/{sid}/captures",
        headers=h,
        files={"file": ("s.jpg", good_images["selfie"])},
        data={"kind": "selfie"},
    )
    decision = client.post(f"/v1/sessions/{sid}/submit", headers=h | {"Idempotency-Key": "w"}).json()
    deadline = time.time() + 15
    while not Receiver.received and time.time() < deadline:
        time.sleep(0.1)
    assert Receiver.received, "webhook not delivered"
    headers, body = Receiver.received[0]
    assert verify_signature(b"s3cret", body, headers["OpenIDV-Signature"])
    assert not verify_signature(b"wrong", body, headers["OpenIDV-Signature"])
    payload = json.loads(body)
    assert payload["event"] == "decision.created"
    assert payload["data"]["session_id"] == sid and payload["data"]["decision"] == decision["decision"]
    assert b"SECRETNAME" not in body


def test_signature_rejects_stale_and_tampered():
    header = sign(b"k", b"body", 1000)
    assert verify_signature(b"k", b"body", header, now=1100)
    assert not verify_signature(b"k", b"body", header, now=5000)
    assert not verify_signature(b"k", b"bodY", header, now=1100)
    assert not verify_signature(b"k", b"body", "garbage", now=1100)


def test_failed_delivery_is_retried(app_client, good_images):
    client, keys = app_client
    Receiver.fail_first = 1
    h = {"X-API-Key": keys["client"]}
    sid = client.post("/v1/sessions", json={}, headers=h).json()["id"]
    client.post(f"/v1/sessions/{sid}/submit", headers=h | {"Idempotency-Key": "r"})
    deadline = time.time() + 20
    while not Receiver.received and time.time() < deadline:
        time.sleep(0.2)
    assert Receiver.fail_first == 0 and len(Receiver.received) == 1


def test_a_row_cancelled_after_the_batch_was_read_is_not_sent(settings):
    """Erasure cancels undelivered events; a worker holding the row from an earlier read must not
    post it."""
    from datetime import UTC, datetime

    import httpx

    from openidv.domain import Session
    from openidv.service.webhooks import WebhookWorker
    from openidv.store.crypto import KeyRing
    from openidv.store.db import Database
    from openidv.store.models import WebhookOutboxRow
    from openidv.store.repository import SessionRepository

    db = Database(settings.resolved_database_url())
    db.upgrade()
    s = Session()
    SessionRepository(db, KeyRing.from_b64({"k": KeyRing.generate_key()}, "k", KeyRing.generate_key())).create_session(
        s, actor="t")
    now = datetime.now(UTC)
    with db.transaction() as orm:
        orm.add(WebhookOutboxRow(session_id=s.id, event="decision.created", payload={"session_id": s.id},
                                 status="pending", attempts=0, next_attempt_at=now, created_at=now))
    worker = WebhookWorker(db, settings)
    with db.session() as orm:
        stale = orm.query(WebhookOutboxRow).one()  # read while pending
    with db.transaction() as orm:
        orm.query(WebhookOutboxRow).update({"status": "cancelled", "payload": {}})
    with httpx.Client() as client:
        worker._deliver(client, stale)
    assert Receiver.received == []
    db.dispose()
