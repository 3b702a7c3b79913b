"""Documents through the HTTP API: a readable passport, and a photo with no document in it."""

from __future__ import annotations

import numpy as np
import pytest

from openidv.imaging.decode import encode_jpeg


@pytest.fixture
def settings(tmp_path, database_url):  # type: ignore[no-untyped-def]
    from openidv.config import Settings

    return Settings(home=tmp_path, database_url=database_url, log_level="WARNING",
                    enabled_plugins=["core", "documents"])


def _submit(client, key: str, applicant: dict, image: np.ndarray, idem: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    h = {"X-API-Key": key}
    sid = client.post("/v1/sessions", json={"flow": "signup", "applicant": applicant}, headers=h).json()["id"]
    up = client.post(f"/v1/sessions/{sid}/captures", headers=h, files={"file": ("d.jpg", encode_jpeg(image))},
                     data={"kind": "document_front"})
    assert up.status_code == 201, up.text
    d = client.post(f"/v1/sessions/{sid}/submit", headers={**h, "Idempotency-Key": idem})
    assert d.status_code == 200, d.text
    return d.json()  # type: ignore[no-any-return]


def test_passport_session_and_no_document_session(app_client) -> None:  # type: ignore[no-untyped-def]
    from openidv.documents.synth.capture import CaptureParams, capture
    from openidv.documents.synth.dataset import side_boxes
    from openidv.documents.synth.document import make_document
    from openidv.documents.synth.templates import make_template

    client, keys = app_client
    doc = make_document(make_template("TD3", 3), seed=11, scale=10.0)
    p = CaptureParams("desk", canvas=(1280, 960), fill=0.85, noise_sigma=2.0, jpeg_quality=92, background="wood")
    img = capture(doc.front.image, p, np.random.default_rng(1), side_boxes(doc.front)).image
    i = doc.identity
    applicant = {"surname": i.surname, "given_names": i.given_names, "date_of_birth": i.date_of_birth.isoformat()}
    dec = _submit(client, keys["client"], applicant, img, "doc-1")
    checks = {c["check"]: c for c in dec["checks"]}
    assert checks["document_mrz"]["outcome"] == "pass"
    assert checks["document_mrz"]["evidence"]["captures"][0]["format"] == "TD3"
    assert checks["document_validity"]["outcome"] == "pass"
    assert dec["decision"] in ("approve", "review")
    blank = np.clip(np.random.default_rng(2).normal(128, 12, (720, 960, 3)), 0, 255).astype(np.uint8)
    dec2 = _submit(client, keys["client"], applicant, blank, "doc-2")
    assert dec2["decision"] == "resubmit"
    codes = [r["code"] for r in dec2["internal_reasons"]]
    assert "MRZ_NOT_FOUND" in codes
