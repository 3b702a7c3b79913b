from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from openidv import errors
from openidv.domain import Applicant, CaptureKind, CaptureMetadata, Session
from openidv.imaging.decode import decode_image
from openidv.runtime import Runtime
from openidv.store.models import CaptureRow, CheckResultRow, DecisionRow, SessionRow, SignalRow


@pytest.fixture
def runtime(settings):
    rt = Runtime.build(settings)
    yield rt
    rt.close()


def _session(rt: Runtime, images: dict[str, bytes]) -> Session:
    s = Session(applicant=Applicant(surname="DOE", given_names="JANE", email="jane@example.com"))
    rt.repo.create_session(s, actor="t")
    for kind, data in images.items():
        rt.repo.add_capture(s.id, CaptureKind(kind), data, decode_image(data), CaptureMetadata(), "t", 10)
    return s


def test_sensitive_data_is_sealed_at_rest(runtime, good_images):
    s = _session(runtime, good_images)
    with runtime.db.session() as orm:
        row = orm.get(SessionRow, s.id)
        caps = orm.execute(select(CaptureRow)).scalars().all()
    assert b"DOE" not in row.applicant_sealed and b"jane" not in row.applicant_sealed
    for c in caps:
        assert good_images[c.kind][:64] not in c.data_sealed
    loaded = runtime.repo.load_session(s.id)
    assert loaded.applicant.surname == "DOE" and len(loaded.captures) == 2


def test_decision_recorded_once_and_erasure_is_real(runtime, good_images):
    s = _session(runtime, good_images)
    full = runtime.repo.load_session(s.id)
    decision = runtime.pipeline.verify(full)

    def hook(session, dec, writer):
        writer.put("email", writer.blind(session.applicant.email), value=b"template-bytes")

    body = runtime.repo.record_decision(full, decision, actor="t", scope_key="k:1", request_hash="h", hooks=[hook])
    assert body["decision"] == decision.decision.value
    with pytest.raises(errors.SessionStateConflict):
        runtime.repo.record_decision(full, decision, actor="t", scope_key="k:2", request_hash="h")
    assert runtime.env.signals.count("email", runtime.keys.blind("JANE@example.com")) == 1

    counts = runtime.erase(s.id, "admin")
    assert counts["captures"] == 2 and counts["signals"] == 1
    with runtime.db.session() as orm:
        assert orm.execute(select(CaptureRow).where(CaptureRow.session_id == s.id)).first() is None
        assert orm.execute(select(SignalRow).where(SignalRow.session_id == s.id)).first() is None
        assert orm.execute(select(CheckResultRow).where(CheckResultRow.session_id == s.id)).first() is None
        assert orm.execute(select(DecisionRow.body_sealed).where(DecisionRow.session_id == s.id)).scalar() == b""
        assert orm.get(SessionRow, s.id).applicant_sealed == b""
    with pytest.raises(errors.SessionNotFound):
        runtime.repo.load_session(s.id)


def test_capture_limits_and_state(runtime, good_images):
    s = _session(runtime, {})
    data = good_images["selfie"]
    runtime.repo.add_capture(s.id, CaptureKind.SELFIE, data, decode_image(data), CaptureMetadata(), "t", 1)
    with pytest.raises(errors.TooManyCaptures):
        runtime.repo.add_capture(s.id, CaptureKind.SELFIE, data, decode_image(data), CaptureMetadata(), "t", 1)


def test_retention_purges_old_capture_bytes(runtime, good_images):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    s = _session(runtime, good_images)
    with runtime.db.transaction() as orm:
        orm.execute(update(CaptureRow).values(created_at=datetime.now(UTC) - timedelta(days=40)))
    assert runtime.repo.purge_expired_captures(30) == 2
    assert all(c["purged"] for c in runtime.repo.captures_summary(s.id))


def test_erasure_cancels_undelivered_webhooks_and_drops_the_label(runtime, good_images):
    from openidv.domain import DecisionKind
    from openidv.store.models import WebhookOutboxRow

    s = _session(runtime, good_images)
    full = runtime.repo.load_session(s.id)
    decision = runtime.pipeline.verify(full)
    runtime.repo.record_decision(full, decision, actor="t", scope_key="k:w", request_hash="h", webhook=True)
    runtime.repo.record_review(s.id, reviewer="r", decision=DecisionKind.DECLINE, label="fraud", reason_codes=[],
                               notes="looked at it", revise=True, webhook=True)
    assert [x["session_id"] for x in runtime.repo.labels()] == [s.id]
    runtime.erase(s.id, "admin")
    with runtime.db.session() as orm:
        rows = orm.execute(select(WebhookOutboxRow).where(WebhookOutboxRow.session_id == s.id)).scalars().all()
        assert sorted(r.event for r in rows) == ["decision.created", "review.decided"]
        assert all(r.status == "cancelled" and r.payload == {} for r in rows)
    assert runtime.repo.labels() == []


def test_a_failing_erasure_hook_does_not_stop_the_others(runtime, good_images, monkeypatch, caplog):
    s = _session(runtime, good_images)
    seen: list[tuple[str, int]] = []

    class Broken:
        name = "broken"

        def on_erase(self, session_id, env, signals=()):
            raise RuntimeError("boom")

    class Recorder:
        name = "recorder"

        def on_erase(self, session_id, env, signals=()):
            seen.append((session_id, len(signals)))

    monkeypatch.setattr(runtime, "plugins", [Broken(), Recorder()])
    counts = runtime.erase(s.id, "admin")
    assert counts["plugin_hooks_failed"] == 1 and seen == [(s.id, 0)]
    assert "erasure hook of plugin broken failed" in caplog.text


def _jpeg_with_exif(data: bytes, software: str) -> bytes:
    import io

    from PIL import Image

    exif = Image.Exif()
    exif[305] = software
    buf = io.BytesIO()
    Image.open(io.BytesIO(data)).convert("RGB").save(buf, format="JPEG", exif=exif.tobytes(), quality=90)
    return buf.getvalue()


def test_the_exif_the_checks_see_is_the_one_read_from_the_bytes(runtime, good_images):
    """A client declaring `exif: {}` must not hide an editor's name from the integrity check."""
    s = _session(runtime, {})
    data = _jpeg_with_exif(good_images["selfie"], "Adobe Photoshop 25.0")
    declared = CaptureMetadata(exif={"software": "Camera"})
    runtime.repo.add_capture(s.id, CaptureKind.SELFIE, data, decode_image(data), declared, "t", 10)
    runtime.repo.add_capture(s.id, CaptureKind.SELFIE, data, decode_image(data), CaptureMetadata(exif={}), "t", 10)
    caps = runtime.repo.load_session(s.id).captures
    assert [c.metadata.exif["software"] for c in caps] == ["Adobe Photoshop 25.0"] * 2
    assert caps[0].metadata.model_extra == {"client_exif": {"software": "Camera"}}


def test_a_failing_decision_hook_loses_neither_the_decision_nor_other_plugins_rows(runtime, good_images, caplog):
    s = _session(runtime, good_images)
    full = runtime.repo.load_session(s.id)
    decision = runtime.pipeline.verify(full)

    def broken(session, dec, writer):
        writer.put("email", writer.blind("half-written"), value=b"x")
        raise ValueError("a plugin bug")

    def fine(session, dec, writer):
        writer.put("email", writer.blind(session.applicant.email), value=b"template-bytes")

    body = runtime.repo.record_decision(full, decision, actor="t", scope_key="k:1", request_hash="h",
                                        hooks=[broken, fine])
    assert body["decision"] == decision.decision.value
    assert runtime.repo.decision(s.id) is not None
    assert runtime.env.signals.count("email", runtime.keys.blind("JANE@example.com")) == 1
    assert runtime.env.signals.count("email", runtime.keys.blind("half-written")) == 0  # rolled back
    assert "decision hook failed" in caplog.text


def test_a_session_changed_during_its_checks_is_not_decided_on_stale_data(runtime, good_images):
    s = _session(runtime, good_images)
    before = runtime.repo.session_row(s.id).updated_at
    full = runtime.repo.load_session(s.id)
    decision = runtime.pipeline.verify(full)
    data = good_images["selfie"]
    runtime.repo.add_capture(s.id, CaptureKind.SELFIE, data, decode_image(data), CaptureMetadata(), "t", 10)
    with pytest.raises(errors.SessionStateConflict, match="changed while"):
        runtime.repo.record_decision(full, decision, actor="t", scope_key="k:1", request_hash="h",
                                     unchanged_since=before)
    now = runtime.repo.session_row(s.id).updated_at
    again = runtime.pipeline.verify(runtime.repo.load_session(s.id))
    runtime.repo.record_decision(runtime.repo.load_session(s.id), again, actor="t", scope_key="k:1",
                                 request_hash="h", unchanged_since=now)
    assert runtime.repo.decision(s.id) is not None


def test_a_sessions_images_are_bounded_in_pixels_too(runtime, good_images):
    s = _session(runtime, {})
    data = good_images["selfie"]
    img = decode_image(data)
    limit = 2 * img.width * img.height + 1
    for _ in range(2):
        runtime.repo.add_capture(s.id, CaptureKind.SELFIE, data, img, CaptureMetadata(), "t", 10, max_pixels=limit)
    with pytest.raises(errors.TooManyCaptures, match="pixels"):
        runtime.repo.add_capture(s.id, CaptureKind.SELFIE, data, img, CaptureMetadata(), "t", 10, max_pixels=limit)


def test_review_notes_are_sealed_at_rest_and_erased(runtime, good_images):
    from openidv.domain import DecisionKind
    from openidv.store.models import ReviewActionRow

    s = _session(runtime, good_images)
    full = runtime.repo.load_session(s.id)
    runtime.repo.record_decision(full, runtime.pipeline.verify(full), actor="t", scope_key="k:n", request_hash="h")
    runtime.repo.record_review(s.id, reviewer="r", decision=DecisionKind.APPROVE, label="genuine", reason_codes=[],
                               notes="DOB on card 1990-01-01, name DOE matches", revise=True)
    with runtime.db.session() as orm:
        row = orm.execute(select(ReviewActionRow).where(ReviewActionRow.session_id == s.id)).scalar_one()
        assert row.notes is None and row.notes_sealed and b"DOE" not in row.notes_sealed
    assert runtime.repo.reviews(s.id)[0]["notes"] == "DOB on card 1990-01-01, name DOE matches"
    runtime.erase(s.id, "admin")
    with runtime.db.session() as orm:
        row = orm.execute(select(ReviewActionRow).where(ReviewActionRow.session_id == s.id)).scalar_one()
        assert row.notes is None and row.notes_sealed is None


def test_staff_reads_and_plugin_purges_are_on_the_audit_record(app_client, good_images):
    from openidv.store.models import AuditRow

    client, keys = app_client
    sid = client.post("/v1/sessions", json={}, headers={"X-API-Key": keys["client"]}).json()["id"]
    cap = client.post(f"/v1/sessions/{sid}/captures", headers={"X-API-Key": keys["client"]},
                      files={"file": ("s.jpg", good_images["selfie"])}, data={"kind": "selfie"}).json()
    client.get(f"/v1/sessions/{sid}", headers={"X-API-Key": keys["client"]})  # a client's own read: not audited
    client.get(f"/v1/sessions/{sid}", headers={"X-API-Key": keys["reviewer"]})
    img = client.get(f"/v1/sessions/{sid}/captures/{cap['id']}", headers={"X-API-Key": keys["reviewer"]})
    assert img.headers["x-content-type-options"] == "nosniff"
    client.get("/v1/reviews/labels", headers={"X-API-Key": keys["reviewer"]})
    rt = client.app.state.runtime
    with rt.db.session() as orm:
        rows = orm.execute(select(AuditRow).order_by(AuditRow.seq)).scalars().all()
    reads = [(r.action, r.entity_id) for r in rows if r.action.endswith(".read")]
    assert reads == [("session.read", sid), ("capture.read", sid), ("labels.read", "-")]
    assert all(r.actor != "system" for r in rows if r.action.endswith(".read"))
    created = [json.loads(r.payload) for r in rows if r.action == "api_key.create"]
    assert created and all(set(p) == {"name_sha256", "scopes"} for p in created)  # no free-text name


def test_a_chosen_bootstrap_key_still_works(settings):
    """Operators choose the bootstrap admin key's id; only minted ids are 12 hex digits."""
    from openidv.store.apikeys import ApiKeys
    from openidv.store.db import Database

    db = Database(settings.resolved_database_url())
    db.upgrade()
    keys = ApiKeys(db)
    keys.ensure("bootstrap", ["admin"], "oidv_admin_changeme")
    assert keys.authenticate("oidv_admin_changeme").key_id == "admin"
    db.dispose()


def test_a_hook_never_hides_the_decisions_own_conflict(runtime, good_images):
    """A duplicate idempotency key is the decision's own error (a replay), not a hook failure."""
    s = _session(runtime, good_images)
    other = _session(runtime, good_images)
    full, full2 = runtime.repo.load_session(s.id), runtime.repo.load_session(other.id)
    runtime.repo.record_decision(full, runtime.pipeline.verify(full), actor="t", scope_key="k:dup", request_hash="h")
    from sqlalchemy.exc import IntegrityError

    for hooks in ([], [lambda *a: None]):  # the same error with a hook as without (it was swallowed by it)
        with pytest.raises(IntegrityError):
            runtime.repo.record_decision(full2, runtime.pipeline.verify(full2), actor="t", scope_key="k:dup",
                                         request_hash="h", hooks=hooks)


def test_a_native_camera_capture_without_exif_is_seen_as_such(runtime, good_images):
    s = _session(runtime, {})
    data = good_images["selfie"]  # no EXIF in these bytes
    runtime.repo.add_capture(s.id, CaptureKind.SELFIE, data, decode_image(data),
                             CaptureMetadata(source="native_camera", exif={"model": "Pixel 8"}), "t", 10)
    (cap,) = runtime.repo.load_session(s.id).captures
    assert cap.metadata.exif == {} and cap.metadata.model_extra == {"client_exif": {"model": "Pixel 8"}}
