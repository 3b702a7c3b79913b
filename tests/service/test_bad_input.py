"""Bad input of every kind gets a 4xx problem+json with a stable code, and writes nothing."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import func, select

from openidv.store.audit import verify_chain
from openidv.store.db import Database
from openidv.store.models import CaptureRow, DecisionRow, SessionRow

from ..imaging.badimages import cases as image_cases


@pytest.fixture
def settings(tmp_path, database_url):  # smaller limits keep the oversize cases fast
    from openidv.config import Settings

    return Settings(
        home=tmp_path,
        database_url=database_url,
        log_level="WARNING",
        enabled_plugins=["core"],
        max_upload_bytes=1_000_000,
        max_image_pixels=4_000_000,
        max_json_bytes=100_000,
    )


Case = Callable[[Any, dict[str, str], str], Any]


def _upload(data: bytes, kind: str = "selfie", **extra: Any) -> Case:
    def run(c, k, sid):
        return c.post(
            f"/v1/sessions/{sid}/captures",
            headers={"X-API-Key": k["client"]},
            files={"file": ("img", data, "image/jpeg")},
            data={"kind": kind, **extra},
        )

    return run


def _raw_upload(body: bytes, ctype: str) -> Case:
    def run(c, k, sid):
        headers = {"X-API-Key": k["client"], "content-type": ctype}
        return c.post(f"/v1/sessions/{sid}/captures", content=body, headers=headers)

    return run


def _create(
    body: Any = None,
    raw: bytes | None = None,
    ctype: str = "application/json",
    key: str = "client",
    headers: dict[str, str] | None = None,
) -> Case:
    def run(c, k, sid):
        h = {"X-API-Key": k[key]} if key in k else {}
        h.update(headers or {})
        h["content-type"] = ctype
        content = raw if raw is not None else json.dumps(body).encode()
        return c.post("/v1/sessions", content=content, headers=h)

    return run


def _png(w: int, h: int) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.zeros((h, w), np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def _submit(
    key_header: str | None = "k", body: bytes = b"", session: str | None = None, ctype: str = "application/json"
) -> Case:
    def run(c, k, sid):
        h = {"X-API-Key": k["client"]}
        if key_header is not None:
            h["Idempotency-Key"] = key_header
        return c.post(
            f"/v1/sessions/{session or sid}/submit",
            content=body,
            headers=h | ({"content-type": ctype} if body else {}),
        )

    return run


def _reused_key_other_session(c, k, sid):
    other = c.post("/v1/sessions", json={}, headers={"X-API-Key": k["client"]}).json()["id"]
    c.post(f"/v1/sessions/{other}/submit", headers={"X-API-Key": k["client"], "Idempotency-Key": "shared"})
    return c.post(f"/v1/sessions/{sid}/submit", headers={"X-API-Key": k["client"], "Idempotency-Key": "shared"})


def _reused_key_other_body(c, k, sid):
    c.post(f"/v1/sessions/{sid}/submit", headers={"X-API-Key": k["client"], "Idempotency-Key": "same"})
    return c.post(
        f"/v1/sessions/{sid}/submit",
        content=b"{}",
        headers={"X-API-Key": k["client"], "Idempotency-Key": "same", "content-type": "application/json"},
    )


def _second_submit_new_key(c, k, sid):
    c.post(f"/v1/sessions/{sid}/submit", headers={"X-API-Key": k["client"], "Idempotency-Key": "one"})
    return c.post(f"/v1/sessions/{sid}/submit", headers={"X-API-Key": k["client"], "Idempotency-Key": "two"})


def _upload_after_decision(c, k, sid):
    c.post(f"/v1/sessions/{sid}/submit", headers={"X-API-Key": k["client"], "Idempotency-Key": "d"})
    return _upload(_png(200, 200))(c, k, sid)


def _revoked(c, k, sid):
    from openidv.store.apikeys import ApiKeys

    db = Database(c.app.state.runtime.settings.resolved_database_url())
    full, row = ApiKeys(db).create("temp", ["client"])
    ApiKeys(db).revoke(row.id)
    return c.post("/v1/sessions", json={}, headers={"X-API-Key": full})


def _get(path: str, key: str | None = "client", header: str = "X-API-Key", prefix: str = "") -> Case:
    def run(c, k, sid):
        h = {header: prefix + (k.get(key, key) if key else "")} if key else {}
        return c.get(path.format(sid=sid), headers=h)

    return run


DEEP = b"[" * 5000 + b"]" * 5000
CASES: list[tuple[str, Case, int, str]] = [
    *[(f"image_{n}", _upload(d), 0, code) for n, d, code in image_cases()],
    ("image_too_many_bytes", _upload(b"\xff\xd8\xff" + b"\x00" * 1_100_000), 413, "payload_too_large"),
    ("image_too_many_pixels", _upload(_png(3000, 2000)), 413, "image_decompression_bomb"),
    (
        "upload_missing_kind",
        lambda c, k, s: c.post(
            f"/v1/sessions/{s}/captures", headers={"X-API-Key": k["client"]}, files={"file": ("i", _png(100, 100))}
        ),
        422,
        "validation_failed",
    ),
    ("upload_unknown_kind", _upload(_png(100, 100), kind="passport_scan"), 422, "validation_failed"),
    (
        "upload_missing_file",
        lambda c, k, s: c.post(
            f"/v1/sessions/{s}/captures",
            headers={"X-API-Key": k["client"]},
            data={"kind": "selfie"},
            files={"x": ("a", b"b")},
        ),
        422,
        "validation_failed",
    ),
    (
        "upload_as_json",
        lambda c, k, s: c.post(
            f"/v1/sessions/{s}/captures", headers={"X-API-Key": k["client"]}, json={"kind": "selfie"}
        ),
        422,
        "validation_failed",
    ),
    ("upload_multipart_no_boundary", _raw_upload(b"abc", "multipart/form-data"), 400, "malformed_multipart"),
    (
        "upload_multipart_part_without_name",
        _raw_upload(b"--x\r\nContent-Type: image/jpeg\r\n\r\nabc\r\n--x--\r\n", "multipart/form-data; boundary=x"),
        400,
        "malformed_multipart",
    ),
    (
        "upload_multipart_bad_part_header",
        _raw_upload(b"--x\r\nGarbage\r\n\r\nabc\r\n--x--\r\n", "multipart/form-data; boundary=x"),
        400,
        "malformed_multipart",
    ),
    ("upload_metadata_malformed", _upload(_png(100, 100), metadata="{not json"), 400, "malformed_json"),
    ("upload_metadata_array", _upload(_png(100, 100), metadata="[1,2]"), 422, "validation_failed"),
    ("upload_metadata_deep", _upload(_png(100, 100), metadata="[" * 50 + "]" * 50), 400, "json_too_deep"),
    ("upload_metadata_bad_type", _upload(_png(100, 100), metadata='{"frame_index": "abc"}'), 422, "validation_failed"),
    ("json_malformed", _create(raw=b'{"flow": '), 400, "malformed_json"),
    ("json_integer_too_long", _create(raw=b'{"x": ' + b"9" * 5000 + b"}"), 400, "malformed_json"),
    ("json_nul_in_text", _create(raw=b'{"external_ref": "a\\u0000b"}'), 400, "malformed_json"),
    ("upload_metadata_integer_too_long", _upload(_png(100, 100), metadata='{"timestamp_ms": ' + "9" * 5000 + "}"),
     400, "malformed_json"),
    ("json_not_utf8", _create(raw=b'{"flow": "\xff\xfe"}'), 400, "malformed_json"),
    ("json_deeply_nested", _create(raw=DEEP), 400, "json_too_deep"),
    ("json_oversized", _create(raw=b'{"external_ref": "' + b"a" * 150_000 + b'"}'), 413, "payload_too_large"),
    ("json_unknown_field", _create({"flow": "signup", "colour": "red"}), 422, "validation_failed"),
    ("json_unknown_nested_field", _create({"applicant": {"shoe_size": 42}}), 422, "validation_failed"),
    ("json_wrong_type", _create({"flow": 123}), 422, "validation_failed"),
    ("json_bad_enum", _create({"flow": "party"}), 422, "validation_failed"),
    ("json_bad_country", _create({"country": "U$"}), 422, "validation_failed"),
    ("json_bad_date", _create({"applicant": {"date_of_birth": "yesterday"}}), 422, "validation_failed"),
    ("json_array_body", _create([1, 2]), 422, "validation_failed"),
    ("json_null_body", _create(None), 422, "validation_failed"),
    ("json_huge_string_field", _create({"applicant": {"surname": "x" * 5000}}), 422, "validation_failed"),
    ("ctype_text_plain", _create(raw=b"flow=signup", ctype="text/plain"), 415, "unsupported_media_type"),
    ("ctype_xml", _create(raw=b"<session/>", ctype="application/xml"), 415, "unsupported_media_type"),
    (
        "ctype_form",
        _create(raw=b"flow=signup", ctype="application/x-www-form-urlencoded"),
        415,
        "unsupported_media_type",
    ),
    (
        "telemetry_malformed",
        lambda c, k, s: c.put(
            f"/v1/sessions/{s}/telemetry",
            content=b"{",
            headers={"X-API-Key": k["client"], "content-type": "application/json"},
        ),
        400,
        "malformed_json",
    ),
    (
        "telemetry_events_not_list",
        lambda c, k, s: c.put(f"/v1/sessions/{s}/telemetry", json={"events": 5}, headers={"X-API-Key": k["client"]}),
        422,
        "validation_failed",
    ),
    ("submit_with_options", _submit(body=b'{"fast": true}'), 422, "validation_failed"),
    ("submit_without_idempotency_key", _submit(key_header=None), 400, "idempotency_key_missing"),
    ("submit_overlong_idempotency_key", _submit(key_header="k" * 300), 400, "bad_request"),
    ("idempotency_key_reused_other_session", _reused_key_other_session, 422, "idempotency_key_reused"),
    ("idempotency_key_reused_other_body", _reused_key_other_body, 422, "idempotency_key_reused"),
    ("second_submit_new_key", _second_submit_new_key, 409, "session_state_conflict"),
    ("state_upload_after_decision", _upload_after_decision, 409, "session_state_conflict"),
    ("unknown_session", _get("/v1/sessions/nope"), 404, "session_not_found"),
    ("nul_in_path", _get("/v1/sessions/a%00b"), 400, "bad_request"),
    ("nul_in_query", _get("/v1/reviews?limit=5%00"), 400, "bad_request"),
    ("key_id_not_hex", _get("/v1/sessions/{sid}", key="oidv_zz'zz_secret"), 401, "unauthorized"),
    (
        "submit_multipart_not_json",
        _submit(body=b"--x\r\nnot json", ctype="multipart/form-data; boundary=x"),
        400,
        "malformed_json",
    ),
    ("unknown_route", _get("/v1/nothing-here"), 404, "not_found"),
    (
        "method_not_allowed",
        lambda c, k, s: c.patch("/v1/sessions", headers={"X-API-Key": k["client"]}),
        405,
        "method_not_allowed",
    ),
    ("no_key", _create({}, key="none"), 401, "unauthorized"),
    ("malformed_key", _get("/v1/sessions/{sid}", key="garbage"), 401, "unauthorized"),
    ("unknown_key", _get("/v1/sessions/{sid}", key="oidv_abcdef123456_secret"), 401, "unauthorized"),
    (
        "wrong_bearer",
        _get("/v1/sessions/{sid}", key="oidv_x_y", header="Authorization", prefix="Bearer "),
        401,
        "unauthorized",
    ),
    ("revoked_key", _revoked, 401, "unauthorized"),
    ("reviewer_creates_session", _create({}, key="reviewer"), 403, "forbidden"),
    ("client_reads_queue", _get("/v1/reviews"), 403, "forbidden"),
    ("client_reads_metrics", _get("/metrics"), 403, "forbidden"),
    (
        "client_erases",
        lambda c, k, s: c.delete(f"/v1/sessions/{s}", headers={"X-API-Key": k["client"]}),
        403,
        "forbidden",
    ),
    (
        "review_unknown_reason",
        lambda c, k, s: c.post(
            f"/v1/reviews/{s}/decision",
            headers={"X-API-Key": k["reviewer"]},
            json={"decision": "approve", "label": "genuine", "reason_codes": ["MADE_UP"]},
        ),
        422,
        "validation_failed",
    ),
]


def _counts(db: Database) -> tuple[int, int, int]:
    with db.session() as orm:
        return tuple(
            orm.execute(select(func.count()).select_from(t)).scalar_one()  # type: ignore[return-value]
            for t in (SessionRow, CaptureRow, DecisionRow)
        )


def test_suite_is_large_enough():
    assert len(CASES) >= 40


@pytest.mark.parametrize(("name", "case", "status", "code"), CASES, ids=[c[0] for c in CASES])
def test_bad_input(app_client, settings, name, case, status, code):
    client, keys = app_client
    sid = client.post("/v1/sessions", json={}, headers={"X-API-Key": keys["client"]}).json()["id"]
    db = Database(settings.resolved_database_url())
    before = _counts(db)
    r = case(client, keys, sid)
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    if status:
        assert r.status_code == status, r.text[:300]
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["code"] == code, problem
    assert {"type", "title", "status", "detail"} <= set(problem)
    assert "Traceback" not in r.text and 'File "' not in r.text
    if name.startswith(("image_", "upload_", "json_", "ctype_")):
        assert _counts(db) == before, "a refused request must not write anything"
    assert verify_chain(db).ok
    db.dispose()


def test_a_malformed_multipart_upload_says_what_was_wrong_in_our_words(app_client):
    client, keys = app_client
    sid = client.post("/v1/sessions", json={}, headers={"X-API-Key": keys["client"]}).json()["id"]
    for body, ctype, detail in (
        (b"abc", "multipart/form-data", "names no multipart boundary"),
        (b"abc", " multipart/form-data", "names no multipart boundary"),
    ):
        headers = {"X-API-Key": keys["client"], "content-type": ctype}
        r = client.post(f"/v1/sessions/{sid}/captures", content=body, headers=headers)
        assert r.status_code == 400 and r.json()["code"] == "malformed_multipart", r.text
        assert detail in r.json()["detail"] and "multipart." not in r.json()["detail"]
    from openidv.service.problems import _multipart_problem  # a field over Starlette's 1 MB (uploads here stop at 1 MB)

    assert "(1 MB)" in _multipart_problem("Part exceeded maximum size of 1024KB.").detail
    assert "could not be parsed" in _multipart_problem("Invalid multipart data.").detail


def test_error_details_never_echo_markup_or_long_ids(app_client):
    client, keys = app_client
    sid = client.post("/v1/sessions", json={}, headers={"X-API-Key": keys["client"]}).json()["id"]
    r = client.post(
        f"/v1/reviews/{sid}/decision",
        headers={"X-API-Key": keys["reviewer"]},
        json={"decision": "approve", "label": "genuine", "reason_codes": ["<img src=x onerror=alert(1)>"]},
    )
    assert r.status_code == 422 and "<img" not in r.text
    long_id = "a" * 3000
    r = client.get(f"/v1/sessions/{long_id}", headers={"X-API-Key": keys["client"]})
    assert r.status_code == 404 and long_id not in r.text and r.json()["detail"] == "no session (not a valid id)"
    r = client.get("/healthz", headers={"X-Request-Id": "<script>"})
    assert r.headers["x-request-id"] != "<script>" and len(r.headers["x-request-id"]) == 32
    assert client.get("/healthz", headers={"X-Request-Id": "req-42.a_b"}).headers["x-request-id"] == "req-42.a_b"
