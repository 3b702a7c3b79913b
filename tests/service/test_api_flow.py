"""The scripted-client flow of the acceptance: create, upload, submit, decision with reasons."""

from __future__ import annotations

import json

from openidv.store.audit import verify_chain
from openidv.store.db import Database


def H(key: str, **extra: str) -> dict[str, str]:
    return {"X-API-Key": key, **extra}


def test_full_flow(app_client, good_images, settings):
    client, keys = app_client
    r = client.post(
        "/v1/sessions",
        json={"flow": "signup", "country": "gb", "applicant": {"surname": "DOE", "given_names": "JANE"}},
        headers=H(keys["client"]),
    )
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    assert r.json()["country"] == "GB"
    for kind in ("document_front", "selfie"):
        up = client.post(
            f"/v1/sessions/{sid}/captures",
            headers=H(keys["client"]),
            files={"file": ("x.bin", good_images[kind], "application/octet-stream")},
            data={"kind": kind, "metadata": json.dumps({"source": "camera"})},
        )
        assert up.status_code == 201, up.text
        assert up.json()["content_type"] == "image/jpeg"
    tel = client.put(
        f"/v1/sessions/{sid}/telemetry",
        headers=H(keys["client"]),
        json={"device": {"platform": "test"}, "events": [{"type": "click", "t": 1}]},
    )
    assert tel.status_code == 204
    sub = client.post(f"/v1/sessions/{sid}/submit", headers=H(keys["client"], **{"Idempotency-Key": "k1"}))
    assert sub.status_code == 200, sub.text
    decision = sub.json()
    assert decision["decision"] in ("approve", "review", "decline", "resubmit")
    assert decision["checks"][0]["check"] == "image_usability"
    assert "internal_reasons" in decision and "user_reasons" in decision
    again = client.post(f"/v1/sessions/{sid}/submit", headers=H(keys["client"], **{"Idempotency-Key": "k1"}))
    assert again.status_code == 200 and again.json() == decision
    assert again.headers.get("Idempotent-Replayed") == "true"
    got = client.get(f"/v1/sessions/{sid}", headers=H(keys["client"])).json()
    assert got["decision"] == decision and len(got["captures"]) == 2
    db = Database(settings.resolved_database_url())
    assert verify_chain(db).ok
    db.dispose()


def test_blurry_document_gets_resubmit_with_reason(app_client, good_images, rng):
    from openidv.demo import synthetic as syn
    from openidv.imaging.decode import decode_image, encode_jpeg

    client, keys = app_client
    sid = client.post("/v1/sessions", json={}, headers=H(keys["client"])).json()["id"]
    blurry = encode_jpeg(syn.blur(decode_image(good_images["document_front"]).rgb, 8.0))
    client.post(
        f"/v1/sessions/{sid}/captures",
        headers=H(keys["client"]),
        files={"file": ("d.jpg", blurry)},
        data={"kind": "document_front"},
    )
    d = client.post(f"/v1/sessions/{sid}/submit", headers=H(keys["client"], **{"Idempotency-Key": "b"})).json()
    assert d["decision"] == "resubmit"
    assert "IMAGE_BLURRY" in [r["code"] for r in d["internal_reasons"]]
    assert d["user_reasons"][0]["code"] == "IMAGE_QUALITY"


def test_review_queue_and_labels(app_client, good_images):
    client, keys = app_client
    sid = client.post("/v1/sessions", json={}, headers=H(keys["client"])).json()["id"]
    client.post(
        f"/v1/sessions/{sid}/captures",
        headers=H(keys["client"]),
        files={"file": ("s.jpg", good_images["selfie"])},
        data={"kind": "selfie"},
    )
    client.post(f"/v1/sessions/{sid}/submit", headers=H(keys["client"], **{"Idempotency-Key": "r"}))
    queue = client.get("/v1/reviews", headers=H(keys["reviewer"]))
    assert queue.status_code == 200
    waiting = client.get(f"/v1/sessions/{sid}", headers=H(keys["client"])).json()["status"] == "in_review"
    body = {"decision": "decline", "label": "fraud", "reason_codes": ["SPOOF_SUSPECTED"], "notes": "mask edge"}
    r = client.post(f"/v1/reviews/{sid}/decision", headers=H(keys["reviewer"]), json=body)
    if not waiting:  # decided automatically: a review is then a revision, and must say so
        assert r.status_code == 409 and r.json()["code"] == "session_state_conflict"
        r = client.post(f"/v1/reviews/{sid}/decision", headers=H(keys["reviewer"]), json=body | {"revise": True})
    assert r.status_code == 200, r.text
    # a second review is a revision too; the labels keep the latest review only
    again = {"decision": "approve", "label": "genuine", "reason_codes": []}
    assert client.post(f"/v1/reviews/{sid}/decision", headers=H(keys["reviewer"]), json=again).status_code == 409
    revised = client.post(f"/v1/reviews/{sid}/decision", headers=H(keys["reviewer"]), json=again | {"revise": True})
    assert revised.status_code == 200
    labels = client.get("/v1/reviews/labels", headers=H(keys["reviewer"])).json()["items"]
    assert [(x["session_id"], x["label"]) for x in labels] == [(sid, "genuine")]
    seen = client.get(f"/v1/sessions/{sid}", headers=H(keys["client"])).json()
    assert seen["status"] == "reviewed"
    assert [set(x) for x in seen["reviews"]] == [{"decision", "created_at"}] * 2  # no notes, label, reviewer
    staff = client.get(f"/v1/sessions/{sid}", headers=H(keys["reviewer"])).json()
    assert staff["reviews"][0]["notes"] == "mask edge"
    decision = client.get(f"/v1/sessions/{sid}/decision", headers=H(keys["client"])).json()
    assert decision["review"]["decision"] == "approve"
    unresolved = {"decision": "review", "label": "unsure", "reason_codes": [], "revise": True}
    assert client.post(f"/v1/reviews/{sid}/decision", headers=H(keys["reviewer"]), json=unresolved).status_code == 422


def test_client_isolation_and_erasure(app_client, good_images, settings):
    client, keys = app_client
    from openidv.store.apikeys import ApiKeys

    db = Database(settings.resolved_database_url())
    other = ApiKeys(db).create("other", ["client"])[0]
    sid = client.post("/v1/sessions", json={}, headers=H(keys["client"])).json()["id"]
    assert client.get(f"/v1/sessions/{sid}", headers=H(other)).status_code == 404
    cap = client.post(
        f"/v1/sessions/{sid}/captures",
        headers=H(keys["client"]),
        files={"file": ("s.jpg", good_images["selfie"])},
        data={"kind": "selfie"},
    ).json()
    assert client.get(f"/v1/sessions/{sid}/captures/{cap['id']}", headers=H(keys["client"])).status_code == 403
    img = client.get(f"/v1/sessions/{sid}/captures/{cap['id']}", headers=H(keys["reviewer"]))
    assert img.status_code == 200 and img.content == good_images["selfie"]
    assert client.delete(f"/v1/sessions/{sid}", headers=H(keys["client"])).status_code == 403
    er = client.delete(f"/v1/sessions/{sid}", headers=H(keys["admin"]))
    assert er.status_code == 200 and er.json()["erased"]["captures"] == 1
    assert client.get(f"/v1/sessions/{sid}", headers=H(keys["admin"])).status_code == 404
    assert verify_chain(db).ok
    db.dispose()


def test_operations_endpoints(app_client):
    client, keys = app_client
    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}  # nothing about the deployment
    head = client.head("/readyz")
    assert head.status_code == 200 and head.content == b""  # HEAD mirrors GET without the body
    assert client.get("/metrics").status_code == 401
    m = client.get("/metrics", headers=H(keys["admin"]))
    assert m.status_code == 200 and "openidv_http_requests_total" in m.text
    assert client.get("/openapi.json").status_code == 200
    checks = client.get("/v1/checks", headers=H(keys["client"])).json()["checks"]
    assert checks[0]["name"] == "image_usability"
    r = client.get("/healthz", headers={"X-Request-ID": "abc"})
    assert r.headers["x-request-id"] == "abc"


def test_a_heic_upload_is_accepted_and_shown_to_reviewers_as_jpeg(app_client):
    """Phones photograph in HEIF by default; most reviewers' browsers cannot display it."""
    from pathlib import Path

    client, keys = app_client
    heic = (Path(__file__).resolve().parents[1] / "imaging/data/photo.heic").read_bytes()
    sid = client.post("/v1/sessions", json={}, headers=H(keys["client"])).json()["id"]
    up = client.post(f"/v1/sessions/{sid}/captures", headers=H(keys["client"]),
                     files={"file": ("IMG_0001.HEIC", heic, "image/heic")}, data={"kind": "document_front"})
    assert up.status_code == 201, up.text
    img = client.get(f"/v1/sessions/{sid}/captures/{up.json()['id']}", headers=H(keys["reviewer"]))
    assert img.status_code == 200 and img.headers["content-type"] == "image/jpeg"
    assert img.headers["x-openidv-stored-type"] == "image/heif" and img.content[:3] == b"\xff\xd8\xff"
