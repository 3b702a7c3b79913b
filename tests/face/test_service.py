"""Duplicate identity through the HTTP API: enrol A, then B with A's face and other data."""

from __future__ import annotations

import numpy as np
import pytest

from openidv.imaging.decode import encode_jpeg


@pytest.fixture
def settings(tmp_path, database_url):
    from openidv.config import Settings

    return Settings(home=tmp_path, database_url=database_url, log_level="WARNING", enabled_plugins=["core", "face"])


def H(key: str, **extra: str) -> dict[str, str]:
    return {"X-API-Key": key, **extra}


def _session(client, key, applicant, selfie: bytes, idem: str) -> tuple[str, dict]:
    sid = client.post("/v1/sessions", json={"flow": "signup", "applicant": applicant}, headers=H(key)).json()["id"]
    up = client.post(
        f"/v1/sessions/{sid}/captures", headers=H(key), files={"file": ("s.jpg", selfie)}, data={"kind": "selfie"}
    )
    assert up.status_code == 201, up.text
    # the policy approves only a selfie matched to a portrait: here the portrait a chip read would give
    up = client.post(
        f"/v1/sessions/{sid}/captures", headers=H(key), files={"file": ("p.jpg", selfie)}, data={"kind": "portrait"}
    )
    assert up.status_code == 201, up.text
    d = client.post(f"/v1/sessions/{sid}/submit", headers=H(key, **{"Idempotency-Key": idem}))
    assert d.status_code == 200, d.text
    return sid, d.json()


def test_same_face_other_identity_is_a_duplicate_with_the_enrolled_session(app_client, hopper):
    client, keys = app_client
    a_face = encode_jpeg(hopper)
    b_face = encode_jpeg(np.ascontiguousarray(hopper[10:, 8:-8]), quality=85)  # re-cropped, recompressed
    anna = {"surname": "Eriksson", "given_names": "Anna", "date_of_birth": "1974-08-12"}
    sid_a, dec_a = _session(client, keys["client"], anna, a_face, "a")
    assert dec_a["decision"] == "approve", dec_a
    other = {"surname": "Smith", "given_names": "Jane", "date_of_birth": "1990-01-01"}
    sid_b, dec_b = _session(client, keys["client"], other, b_face, "b")
    assert dec_b["decision"] == "review"
    assert "DUPLICATE_IDENTITY" in [r["code"] for r in dec_b["internal_reasons"]]
    dup = next(c for c in dec_b["checks"] if c["check"] == "face_duplicate")
    assert dup["evidence"]["matching_session_ids"] == [sid_a]
    # The same person declaring the same identity again is a returning applicant, not a duplicate.
    sid_c, dec_c = _session(client, keys["client"], anna, b_face, "c")
    dup_c = next(c for c in dec_c["checks"] if c["check"] == "face_duplicate")
    assert dup_c["outcome"] == "pass"
    assert dup_c["evidence"]["matches"][0]["same_declared_identity"] is True
    # Erasing A removes its template: B's face no longer matches anyone with another identity.
    assert client.delete(f"/v1/sessions/{sid_a}", headers=H(keys["admin"])).status_code == 200
    _, dec_d = _session(client, keys["client"], other, b_face, "d")
    dup_d = next(c for c in dec_d["checks"] if c["check"] == "face_duplicate")
    assert sid_a not in [m["session_id"] for m in dup_d["evidence"]["matches"]]
    assert sid_b != sid_c
