"""Session persistence: the only module that turns domain objects into rows and back.

Every write happens in one transaction together with its audit entry, so the store never holds a
change the audit log does not record, or half of a change. Personal data (applicant data,
telemetry, image bytes, templates) is sealed before it reaches a row.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as OrmSession

from openidv import errors
from openidv.domain import (
    Applicant,
    Capture,
    CaptureKind,
    CaptureMetadata,
    CheckResult,
    Decision,
    DecisionKind,
    Flow,
    Session,
    Telemetry,
)
from openidv.imaging.decode import DecodedImage, DecodeLimits, decode_image
from openidv.store import audit
from openidv.store.crypto import KeyRing, Sealed
from openidv.store.db import Database
from openidv.store.models import (
    CaptureRow,
    CheckResultRow,
    DecisionRow,
    IdempotencyRow,
    ReviewActionRow,
    SessionRow,
    SignalRow,
    WebhookOutboxRow,
)
from openidv.store.signals import SignalWriter

OPEN, DECIDED, IN_REVIEW, REVIEWED, ERASED = "open", "decided", "in_review", "reviewed", "erased"

# Called inside the decision transaction (plugins write signals here).
DecisionHook = Callable[[Session, Decision, SignalWriter], None]

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


def _aad(table: str, row_id: str, column: str) -> bytes:
    return f"{table}:{row_id}:{column}".encode()


class SessionRepository:
    def __init__(self, db: Database, keys: KeyRing, limits: DecodeLimits | None = None) -> None:
        self.db = db
        self.keys = keys
        self.limits = limits or DecodeLimits()

    # --- sealing helpers -------------------------------------------------------------------
    def _seal_json(self, data: dict[str, Any], table: str, row_id: str, column: str) -> tuple[str, bytes]:
        sealed = self.keys.seal(json.dumps(data, default=str).encode(), _aad(table, row_id, column))
        return sealed.key_id, sealed.blob

    def _open_json(self, key_id: str, blob: bytes, table: str, row_id: str, column: str) -> dict[str, Any]:
        raw = self.keys.open(Sealed(key_id, blob), _aad(table, row_id, column))
        return dict(json.loads(raw))

    # --- sessions --------------------------------------------------------------------------
    def create_session(self, session: Session, actor: str, client_key_id: str | None = None) -> None:
        now = _now()
        key_id, blob = self._seal_json(session.applicant.model_dump(mode="json"), "sessions", session.id, "applicant")
        with self.db.transaction() as orm:
            orm.add(
                SessionRow(
                    id=session.id,
                    external_ref=session.external_ref,
                    client_key_id=client_key_id,
                    flow=session.flow.value,
                    country=session.country,
                    status=OPEN,
                    key_id=key_id,
                    applicant_sealed=blob,
                    telemetry_sealed=None,
                    created_at=now,
                    updated_at=now,
                )
            )
            audit.append(
                orm,
                actor=actor,
                action="session.create",
                entity="session",
                entity_id=session.id,
                payload={"flow": session.flow.value, "country": session.country},
            )

    def _row(self, orm: OrmSession, session_id: str, for_update: bool = False) -> SessionRow:
        stmt = select(SessionRow).where(SessionRow.id == session_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = orm.execute(stmt).scalar_one_or_none()
        if row is None or row.status == ERASED:
            raise errors.SessionNotFound(f"no session {errors.shown(session_id)}")
        return row

    def session_row(self, session_id: str) -> SessionRow:
        with self.db.session() as orm:
            return self._row(orm, session_id)

    def add_capture(
        self,
        session_id: str,
        kind: CaptureKind,
        data: bytes,
        decoded: DecodedImage,
        metadata: CaptureMetadata,
        actor: str,
        max_captures: int,
        max_pixels: int | None = None,
    ) -> CaptureRow:
        capture = Capture(kind=kind, data=data, image=decoded.rgb, content_type=decoded.content_type, metadata=metadata)
        sealed = self.keys.seal(data, _aad("captures", capture.id, "data"))
        digest = hmac.new(self.keys.blind("capture-digest").encode(), data, hashlib.sha256).hexdigest()
        meta = metadata.model_dump(mode="json", exclude_none=True)
        # The EXIF the server read from the bytes is the only one the checks see: a client-declared
        # `exif` (untrusted, like all metadata) is kept aside as `client_exif`, never in its place -
        # otherwise `{"exif": {}}` would hide an editor's name or an old capture date from the
        # integrity check.
        declared = meta.pop("exif", None)
        if declared:
            meta["client_exif"] = declared
        meta["exif"] = decoded.exif  # empty when the bytes carry none (the integrity check reads that too)
        row = CaptureRow(
            id=capture.id,
            session_id=session_id,
            kind=kind.value,
            content_type=decoded.content_type,
            width=decoded.width,
            height=decoded.height,
            byte_size=len(data),
            digest=digest,
            metadata_json=meta,
            key_id=sealed.key_id,
            data_sealed=sealed.blob,
            created_at=_now(),
        )
        with self.db.transaction() as orm:
            srow = self._row(orm, session_id, for_update=True)
            if srow.status != OPEN:
                raise errors.SessionStateConflict(f"session is {srow.status}; captures can only be added while open")
            count, pixels = orm.execute(
                select(func.count(), func.coalesce(func.sum(CaptureRow.width * CaptureRow.height), 0)).where(
                    CaptureRow.session_id == session_id
                )
            ).one()
            if count >= max_captures:
                raise errors.TooManyCaptures(f"a session holds at most {max_captures} captures")
            if max_pixels is not None and int(pixels) + decoded.width * decoded.height > max_pixels:
                raise errors.TooManyCaptures(
                    f"a session's images hold at most {max_pixels:,} pixels in all (decoded together at submit)"
                )
            orm.add(row)
            srow.updated_at = _now()
            audit.append(
                orm,
                actor=actor,
                action="capture.add",
                entity="session",
                entity_id=session_id,
                payload={
                    "capture_id": capture.id,
                    "kind": kind.value,
                    "bytes": len(data),
                    "width": decoded.width,
                    "height": decoded.height,
                },
            )
        return row

    def set_telemetry(self, session_id: str, telemetry: Telemetry, actor: str) -> None:
        key_id, blob = self._seal_json(telemetry.model_dump(mode="json"), "sessions", session_id, "telemetry")
        with self.db.transaction() as orm:
            srow = self._row(orm, session_id, for_update=True)
            if srow.status != OPEN:
                raise errors.SessionStateConflict(f"session is {srow.status}; telemetry can only be set while open")
            if key_id != srow.key_id:  # one key id per row: re-seal the applicant under the active key
                applicant = self._open_json(srow.key_id, srow.applicant_sealed, "sessions", session_id, "applicant")
                srow.key_id, srow.applicant_sealed = self._seal_json(applicant, "sessions", session_id, "applicant")
            srow.telemetry_sealed = blob
            srow.updated_at = _now()
            audit.append(
                orm,
                actor=actor,
                action="telemetry.set",
                entity="session",
                entity_id=session_id,
                payload={"events": len(telemetry.events)},
            )

    def load_session(self, session_id: str) -> Session:
        """The full domain session, decrypted, images decoded again from their stored bytes."""
        with self.db.session() as orm:
            row = self._row(orm, session_id)
            caps = (
                orm.execute(
                    select(CaptureRow).where(CaptureRow.session_id == session_id).order_by(CaptureRow.created_at)
                )
                .scalars()
                .all()
            )
        applicant = Applicant.model_validate(
            self._open_json(row.key_id, row.applicant_sealed, "sessions", row.id, "applicant")
        )
        telemetry = None
        if row.telemetry_sealed is not None:
            telemetry = Telemetry.model_validate(
                self._open_json(row.key_id, row.telemetry_sealed, "sessions", row.id, "telemetry")
            )
        captures = [self._capture(c) for c in caps if c.data_sealed is not None]
        return Session(
            id=row.id,
            flow=Flow(row.flow),
            country=row.country,
            applicant=applicant,
            captures=captures,
            telemetry=telemetry,
            external_ref=row.external_ref,
            created_at=row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC),
        )

    def _capture(self, c: CaptureRow) -> Capture:
        assert c.data_sealed is not None
        data = self.keys.open(Sealed(c.key_id, c.data_sealed), _aad("captures", c.id, "data"))
        decoded = decode_image(data, self.limits)
        return Capture(
            id=c.id,
            kind=CaptureKind(c.kind),
            data=data,
            image=decoded.rgb,
            content_type=c.content_type,
            metadata=CaptureMetadata.model_validate(c.metadata_json),
        )

    def capture_bytes(self, session_id: str, capture_id: str) -> tuple[str, bytes]:
        with self.db.session() as orm:
            self._row(orm, session_id)
            c = orm.get(CaptureRow, capture_id)
        if c is None or c.session_id != session_id or c.data_sealed is None:
            raise errors.NotFound(f"no capture {errors.shown(capture_id)} in session {errors.shown(session_id)}")
        return c.content_type, self.keys.open(Sealed(c.key_id, c.data_sealed), _aad("captures", c.id, "data"))

    def captures_summary(self, session_id: str) -> list[dict[str, Any]]:
        with self.db.session() as orm:
            rows = (
                orm.execute(
                    select(CaptureRow).where(CaptureRow.session_id == session_id).order_by(CaptureRow.created_at)
                )
                .scalars()
                .all()
            )
        return [
            {
                "id": r.id,
                "kind": r.kind,
                "content_type": r.content_type,
                "width": r.width,
                "height": r.height,
                "bytes": r.byte_size,
                "purged": r.data_sealed is None,
            }
            for r in rows
        ]

    # --- decisions -------------------------------------------------------------------------
    def find_idempotent(self, scope_key: str) -> IdempotencyRow | None:
        with self.db.session() as orm:
            return orm.get(IdempotencyRow, scope_key)

    def _open_body(self, row: DecisionRow) -> dict[str, Any]:
        return self._open_json(row.key_id, row.body_sealed, "decisions", row.session_id, "body")

    def decision(self, session_id: str) -> dict[str, Any] | None:
        with self.db.session() as orm:
            row = orm.execute(select(DecisionRow).where(DecisionRow.session_id == session_id)).scalar_one_or_none()
        return self._open_body(row) if row else None

    def record_decision(
        self,
        session: Session,
        decision: Decision,
        *,
        actor: str,
        scope_key: str,
        request_hash: str,
        hooks: Iterable[DecisionHook] = (),
        webhook: bool = False,
        unchanged_since: datetime | None = None,
    ) -> dict[str, Any]:
        """Store a decision exactly once. Returns the stored body (the earlier one on a replay).

        ``unchanged_since``: the session's ``updated_at`` when it was loaded for this decision; a
        capture or telemetry stored after that (during the checks) makes this a conflict, so that no
        decision stands on a session it did not see - the client submits again and the new data is
        judged too."""
        body = decision.model_dump(mode="json")
        try:
            with self.db.transaction() as orm:
                srow = self._row(orm, session.id, for_update=True)
                if srow.status != OPEN:
                    raise errors.SessionStateConflict(f"session is already {srow.status}")
                if unchanged_since is not None and not _same_instant(srow.updated_at, unchanged_since):
                    raise errors.SessionStateConflict(
                        "the session changed while it was being decided (a capture or telemetry arrived); "
                        "submit again"
                    )
                orm.add(
                    IdempotencyRow(key=scope_key, session_id=session.id, request_hash=request_hash, created_at=_now())
                )
                key_id, sealed = self._seal_json(body, "decisions", session.id, "body")
                orm.add(
                    DecisionRow(
                        session_id=session.id,
                        decision=decision.decision.value,
                        policy=decision.policy,
                        policy_version=decision.policy_version,
                        reason_codes=decision.reason_codes,
                        key_id=key_id,
                        body_sealed=sealed,
                        created_at=_now(),
                    )
                )
                for r in decision.checks:
                    orm.add(self._result_row(session.id, r))
                srow.status = IN_REVIEW if decision.decision is DecisionKind.REVIEW else DECIDED
                srow.updated_at = _now()
                orm.flush()  # the decision's own rows first: their errors must not pass for a hook's
                writer = SignalWriter(orm, self.keys, session.id)
                for hook in hooks:
                    # A plugin's memory of this session (capture hashes, device links ...) is kept in
                    # a savepoint of its own: one that fails is rolled back and logged, and neither
                    # the decision already made nor the other plugins' rows are lost with it.
                    try:
                        with orm.begin_nested():
                            hook(session, decision, writer)
                    except Exception:
                        log.error("a decision hook failed for session %s", session.id, exc_info=True)
                if webhook:  # the notification carries no personal data; the client fetches details
                    note = {
                        "session_id": session.id,
                        "external_ref": session.external_ref,
                        "decision": decision.decision.value,
                        "reason_codes": decision.reason_codes,
                        "policy_version": decision.policy_version,
                    }
                    orm.add(
                        WebhookOutboxRow(
                            session_id=session.id,
                            event="decision.created",
                            payload=note,
                            status="pending",
                            attempts=0,
                            next_attempt_at=_now(),
                            created_at=_now(),
                        )
                    )
                audit.append(
                    orm,
                    actor=actor,
                    action="decision.create",
                    entity="session",
                    entity_id=session.id,
                    payload={
                        "decision": decision.decision.value,
                        "policy_version": decision.policy_version,
                        "reason_codes": decision.reason_codes,
                    },
                )
        except IntegrityError:
            # A concurrent or replayed submit won the race; its stored decision is the answer.
            stored = self.decision(session.id)
            if stored is None:
                raise
            return stored
        return body

    def _result_row(self, session_id: str, r: CheckResult) -> CheckResultRow:
        key_id, sealed = self._seal_json(r.evidence, "check_results", f"{session_id}:{r.check}", "evidence")
        return CheckResultRow(
            session_id=session_id,
            check=r.check,
            version=r.version,
            outcome=r.outcome.value,
            score=r.score,
            reason_codes=list(r.reason_codes),
            key_id=key_id,
            evidence_sealed=sealed,
            latency_ms=r.latency_ms,
            # in clear: only the kind of error ("ValueError"); its message may quote personal data and
            # is kept whole in the sealed decision body
            error=r.error.split(":", 1)[0][:200] if r.error else None,
        )

    # --- review ----------------------------------------------------------------------------
    def review_queue(self, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        stmt = (
            select(SessionRow, DecisionRow)
            .join(DecisionRow, DecisionRow.session_id == SessionRow.id)
            .where(SessionRow.status == IN_REVIEW)
            .order_by(SessionRow.created_at)
            .limit(limit)
            .offset(offset)
        )
        with self.db.session() as orm:
            rows = orm.execute(stmt).all()
        return [
            {
                "session_id": s.id,
                "flow": s.flow,
                "country": s.country,
                "created_at": s.created_at.isoformat(),
                "decision": d.decision,
                "reason_codes": list(d.reason_codes),
            }
            for s, d in rows
        ]

    def record_review(
        self,
        session_id: str,
        *,
        reviewer: str,
        decision: DecisionKind,
        label: str,
        reason_codes: list[str],
        notes: str | None,
        revise: bool = False,
        webhook: bool = False,
    ) -> dict[str, Any]:
        """A reviewer's decision and label. A session waiting for review takes one; a session decided
        automatically or already reviewed only with ``revise`` (sampling, a correction), and the new
        review supersedes the earlier one in the labels. With ``webhook`` a ``review.decided`` event
        (no personal data, like ``decision.created``) tells the client the outcome."""
        with self.db.transaction() as orm:
            srow = self._row(orm, session_id, for_update=True)
            if srow.status not in (IN_REVIEW, DECIDED, REVIEWED):
                raise errors.SessionStateConflict(f"session is {srow.status}; only decided sessions can be reviewed")
            if srow.status != IN_REVIEW and not revise:
                raise errors.SessionStateConflict(
                    f"session is {srow.status}, not waiting for review; send revise: true to record a revision"
                )
            previous = srow.status
            notes_key, notes_blob = (
                self._seal_json({"notes": notes}, "review_actions", session_id, "notes") if notes else (None, None)
            )
            row = ReviewActionRow(
                session_id=session_id,
                reviewer=reviewer,
                decision=decision.value,
                label=label,
                reason_codes=reason_codes,
                notes=None,
                notes_key_id=notes_key,
                notes_sealed=notes_blob,
                created_at=_now(),
            )
            orm.add(row)
            srow.status = REVIEWED
            srow.updated_at = _now()
            audit.append(
                orm,
                actor=reviewer,
                action="review.decide",
                entity="session",
                entity_id=session_id,
                payload={"decision": decision.value, "label": label, "reason_codes": reason_codes,
                         "revises": previous if previous != IN_REVIEW else None},
            )
            if webhook:
                orm.add(
                    WebhookOutboxRow(
                        session_id=session_id,
                        event="review.decided",
                        payload={"session_id": session_id, "external_ref": srow.external_ref,
                                 "decision": decision.value, "revision": previous != IN_REVIEW},
                        status="pending",
                        attempts=0,
                        next_attempt_at=_now(),
                        created_at=_now(),
                    )
                )
        return {
            "session_id": session_id,
            "decision": decision.value,
            "label": label,
            "reviewer": reviewer,
            "reason_codes": reason_codes,
            "created_at": row.created_at.isoformat(),
        }

    def reviews(self, session_id: str) -> list[dict[str, Any]]:
        with self.db.session() as orm:
            rows = (
                orm.execute(
                    select(ReviewActionRow).where(ReviewActionRow.session_id == session_id).order_by(ReviewActionRow.id)
                )
                .scalars()
                .all()
            )
        return [
            {
                "decision": r.decision,
                "label": r.label,
                "reviewer": r.reviewer,
                "reason_codes": r.reason_codes,
                "notes": self._review_notes(r),
                "created_at": r.created_at.isoformat(),
            }
            for r in rows
        ]

    def audit_read(
        self, actor: str, action: str, session_id: str | None, payload: dict[str, Any] | None = None
    ) -> None:
        """Record that staff read personal data (a session, an image, the labels): reviewers may read
        any client's sessions, so compliance must be able to say who looked at what, and when."""
        with self.db.transaction() as orm:
            audit.append(
                orm,
                actor=actor,
                action=action,
                entity="session" if session_id else "labels",
                entity_id=session_id or "-",
                payload=payload or {},
            )

    def _review_notes(self, r: ReviewActionRow) -> str | None:
        if r.notes_sealed and r.notes_key_id:
            return self._open_json(r.notes_key_id, r.notes_sealed, "review_actions", r.session_id, "notes")["notes"]
        return r.notes  # written before notes were sealed (migration 0004)

    def labels(self) -> list[dict[str, Any]]:
        """Reviewer labels joined with the automatic decision: the feedback set for evaluation."""
        stmt = (
            select(ReviewActionRow, DecisionRow)
            .join(DecisionRow, DecisionRow.session_id == ReviewActionRow.session_id)
            .join(SessionRow, SessionRow.id == ReviewActionRow.session_id)
            .where(SessionRow.status != ERASED)  # an erased session's label is not kept for evaluation
        )
        with self.db.session() as orm:
            rows = orm.execute(stmt.order_by(ReviewActionRow.id)).all()
        latest = {r.session_id: (r, d) for r, d in rows}  # a revision supersedes the earlier review
        out = []
        for r, d in latest.values():
            body = self._open_body(d) if d.body_sealed else {}
            scores = {c["check"]: c.get("score") for c in body.get("checks", [])}
            out.append(
                {
                    "session_id": r.session_id,
                    "label": r.label,
                    "review_decision": r.decision,
                    "auto_decision": d.decision,
                    "policy_version": d.policy_version,
                    "scores": scores,
                }
            )
        return out

    # --- privacy ---------------------------------------------------------------------------
    def erase(
        self, session_id: str, actor: str, collect: Callable[[OrmSession], None] | None = None
    ) -> dict[str, int]:
        """Right to erasure: delete every personal datum of the session; keep a non-personal audit trace.
        `collect` runs inside the transaction after the session is locked and before anything is
        deleted (the runtime reads the session's signal rows there for the plugins' hooks)."""
        with self.db.transaction() as orm:
            srow = self._row(orm, session_id, for_update=True)
            if collect is not None:
                collect(orm)
            counts = {
                "captures": _rowcount(orm.execute(delete(CaptureRow).where(CaptureRow.session_id == session_id))),
                "signals": _rowcount(orm.execute(delete(SignalRow).where(SignalRow.session_id == session_id))),
                "check_results": _rowcount(
                    orm.execute(delete(CheckResultRow).where(CheckResultRow.session_id == session_id))
                ),
            }
            orm.execute(update(DecisionRow).where(DecisionRow.session_id == session_id).values(body_sealed=b""))
            orm.execute(update(WebhookOutboxRow).where(WebhookOutboxRow.session_id == session_id).values(payload={}))
            orm.execute(  # undelivered events about an erased session are not sent
                update(WebhookOutboxRow)
                .where(WebhookOutboxRow.session_id == session_id, WebhookOutboxRow.status == "pending")
                .values(status="cancelled")
            )
            orm.execute(
                update(ReviewActionRow)
                .where(ReviewActionRow.session_id == session_id)
                .values(notes=None, notes_key_id=None, notes_sealed=None)
            )
            srow.applicant_sealed = b""
            srow.telemetry_sealed = None
            srow.external_ref = None
            srow.status = ERASED
            srow.updated_at = _now()
            audit.append(
                orm, actor=actor, action="session.erase", entity="session", entity_id=session_id, payload=counts
            )
        return counts

    def purge_expired_captures(self, older_than_days: int, actor: str = "retention") -> int:
        """Drop image bytes past the retention period (rows stay, marked purged)."""
        if older_than_days <= 0:
            return 0
        cutoff = _now() - timedelta(days=older_than_days)
        with self.db.transaction() as orm:
            n = _rowcount(
                orm.execute(
                    update(CaptureRow)
                    .where(CaptureRow.created_at < cutoff, CaptureRow.data_sealed.is_not(None))
                    .values(data_sealed=None)
                )
            )
            if n:
                audit.append(
                    orm,
                    actor=actor,
                    action="retention.purge_captures",
                    entity="captures",
                    entity_id="*",
                    payload={"purged": n, "older_than_days": older_than_days},
                )
        return n


def _same_instant(a: datetime | None, b: datetime | None) -> bool:
    """Equal timestamps, whether or not the store returned them with a time zone (SQLite does not)."""
    if a is None or b is None:
        return a is b
    return a.replace(tzinfo=None) == b.replace(tzinfo=None) if (a.tzinfo is None) != (b.tzinfo is None) else a == b


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
