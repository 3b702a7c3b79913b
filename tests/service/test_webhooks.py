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
