"""HTTP: issuing challenges (rate-limited) and a full frame-sequence session through the pipeline."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator

import numpy as np
import pytest

from openidv.imaging.decode import encode_jpeg
from openidv.liveness.redteam.common import FaceRef


def H(key: str, **extra: str) -> dict[str, str]:
    return {"X-API-Key": key, **extra}


@pytest.fixture
def live_client(tmp_path, database_url, monkeypatch) -> Iterator[tuple[object, str]]:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from openidv.config import Settings
    from openidv.service.app import create_app
    from openidv.store.apikeys import ApiKeys
    from openidv.store.db import Database

    monkeypatch.setenv("OPENIDV_LIVENESS_MAX_ATTEMPTS_PER_APPLICANT", "2")
    settings = Settings(
        home=tmp_path, database_url=database_url, log_level="WARNING", enabled_plugins=["core", "liveness"]
    )
    db = Database(settings.resolved_database_url())
    db.upgrade()
    key = ApiKeys(db).create("test-client", ["client"])[0]
    other = ApiKeys(db).create("other-client", ["client"])[0]
    db.dispose()
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client, key, other


def test_challenge_issue_and_rate_limit(live_client) -> None:  # type: ignore[no-untyped-def]
    from openidv.liveness.challenge import N_COLOURS

    client, key, *_ = live_client
    sid = client.post("/v1/sessions", json={"external_ref": "user-42"}, headers=H(key)).json()["id"]
    r = client.post("/v1/liveness/challenges", json={"session_id": sid, "device_id": "d1"}, headers=H(key))
    assert r.status_code == 201, r.text
    body = r.json()
    # as many flashes as the operating points were tuned for (fewer makes guessing easier)
    assert body["session_id"] == sid and len(body["colours"]) == N_COLOURS and body["action"]
    assert client.post("/v1/liveness/challenges", json={"session_id": sid}, headers=H(key)).status_code == 201
    limited = client.post("/v1/liveness/challenges", json={"session_id": sid}, headers=H(key))
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) == limited.json()["retry_after_s"]
    missing = client.post("/v1/liveness/challenges", json={"session_id": "nope"}, headers=H(key))
    assert missing.status_code == 404
    assert client.post("/v1/liveness/challenges", json={"session_id": sid}).status_code == 401


def test_challenges_only_for_ones_own_live_sessions(live_client) -> None:  # type: ignore[no-untyped-def]
    client, key, other = live_client
    sid = client.post("/v1/sessions", json={}, headers=H(key)).json()["id"]
    theirs = client.post("/v1/liveness/challenges", json={"session_id": sid}, headers=H(other))
    assert theirs.status_code == 404  # as the session routes answer another client's session


@pytest.mark.slow
def test_frame_sequence_session_is_judged(live_client, hopper: FaceRef) -> None:  # type: ignore[no-untyped-def]
    from openidv.liveness import simulator as sim
    from openidv.liveness.challenge import Challenge, issue_challenge

    client, key, *_ = live_client
    sid = client.post("/v1/sessions", json={}, headers=H(key)).json()["id"]
    issued = client.post("/v1/liveness/challenges", json={"session_id": sid}, headers=H(key)).json()
    template = issue_challenge(sid, n_colours=len(issued["colours"]), rng=random.Random(0))
    ch = Challenge(
        issued["challenge_id"],
        sid,
        issued["action"],
        tuple(c["name"] for c in issued["colours"]),
        template.issued_at,
        template.expires_at,
        issued["baseline_ms"],
        issued["flash_ms"],
        issued["action_ms"],
    )
    # the service draws the colours and the action itself: a clear response (strong reflection, a
    # full head movement) keeps this wiring test independent of the draw
    clear = sim.SimConfig(fps=(10.0, 11.0), reflect=(0.1, 0.15), max_angle_deg=(28.0, 32.0))
    frames = sim.genuine(hopper, ch, np.random.default_rng(1), clear)
    for f in frames:
        meta = {
            "source": "camera",
            "frame_index": f.frame_index,
            "timestamp_ms": f.timestamp_ms,
            "challenge_id": f.challenge_id,
        }
        up = client.post(
            f"/v1/sessions/{sid}/captures",
            headers=H(key),
            files={"file": ("f.jpg", encode_jpeg(f.rgb))},
            data={"kind": "frame", "metadata": json.dumps(meta)},
        )
        assert up.status_code == 201, up.text
    d = client.post(f"/v1/sessions/{sid}/submit", headers=H(key, **{"Idempotency-Key": "x"})).json()
    checks = {c["check"]: c for c in d["checks"]}
    assert checks["liveness_active"]["outcome"] == "pass", checks["liveness_active"]["evidence"]
    assert checks["liveness_integrity"]["outcome"] in ("pass", "review")
    assert checks["liveness_replay"]["outcome"] == "pass"


def test_selfie_replayed_in_a_later_session_is_caught(live_client, hopper: FaceRef) -> None:  # type: ignore[no-untyped-def]
    from openidv.liveness.redteam.camera import jpeg_roundtrip

    client, key, *_ = live_client
    decisions = []
    for i, img in enumerate((hopper.rgb, jpeg_roundtrip(hopper.rgb, 70))):
        sid = client.post("/v1/sessions", json={}, headers=H(key)).json()["id"]
        up = client.post(
            f"/v1/sessions/{sid}/captures",
            headers=H(key),
            files={"file": ("s.jpg", encode_jpeg(img))},
            data={"kind": "selfie", "metadata": json.dumps({"source": "camera"})},
        )
        assert up.status_code == 201, up.text
        d = client.post(f"/v1/sessions/{sid}/submit", headers=H(key, **{"Idempotency-Key": f"r{i}"})).json()
        decisions.append({c["check"]: c for c in d["checks"]})
    assert decisions[0]["liveness_replay"]["outcome"] == "pass"
    second = decisions[1]["liveness_replay"]
    assert second["outcome"] == "fail" and second["reason_codes"] == ["REPLAYED_CAPTURE"]
    assert decisions[1]["liveness_passive"]["evidence"]["captures"][0]["species"]


def test_an_issued_challenge_left_unanswered_fails_the_session(live_client) -> None:  # type: ignore[no-untyped-def]
    """Skipping the challenge once it was issued must not look like a flow that never asked for one."""
    client, key, *_ = live_client
    rng = np.random.default_rng(3)
    selfie = encode_jpeg(rng.integers(0, 255, (240, 320, 3), dtype=np.uint8))
    results = {}
    for issued in (False, True):
        sid = client.post("/v1/sessions", json={}, headers=H(key)).json()["id"]
        if issued:
            assert client.post("/v1/liveness/challenges", json={"session_id": sid}, headers=H(key)).status_code == 201
        client.post(f"/v1/sessions/{sid}/captures", headers=H(key), files={"file": ("s.jpg", selfie)},
                    data={"kind": "selfie"})
        d = client.post(f"/v1/sessions/{sid}/submit", headers=H(key, **{"Idempotency-Key": sid})).json()
        results[issued] = next(c for c in d["checks"] if c["check"] == "liveness_active")
    assert results[False]["outcome"] == "not_applicable"
    assert results[True]["outcome"] == "fail" and results[True]["evidence"]["failures"] == ["challenge_not_answered"]
