"""SQLAlchemy 2 models. Sensitive columns hold AES-GCM blobs (see crypto.py), never clear data.

Tables:
- ``sessions``: one verification attempt; applicant data and telemetry sealed.
- ``captures``: uploaded images, sealed; only dimensions, type and a keyed digest in clear.
- ``check_results`` / ``decisions``: what the pipeline found and decided; evidence and the full
  decision body are sealed (they can hold values read from a document), codes stay in clear.
- ``review_actions``: a reviewer's decision, which becomes an evaluation label.
- ``signals``: keyed facts other sessions are matched against (face templates, device ids,
  perceptual hashes, blinded emails); the graph and 1:N search read them.
- ``idempotency``: submit requests seen, by key, with the hash of their body.
- ``audit_log`` / ``audit_head``: the append-only, hash-chained audit trail.
- ``api_keys``: hashed API keys with scopes.
- ``webhook_outbox``: decisions waiting to be delivered, so a crash loses none.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: DateTime(timezone=True)}


class SessionRow(Base):
    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    external_ref: Mapped[str | None] = mapped_column(String(128), index=True)
    client_key_id: Mapped[str | None] = mapped_column(String(32), index=True)
    flow: Mapped[str] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), index=True)  # open, decided, in_review, reviewed, erased
    key_id: Mapped[str] = mapped_column(String(64))
    applicant_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    telemetry_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CaptureRow(Base):
    __tablename__ = "captures"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    content_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    byte_size: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))  # keyed HMAC of the bytes, not a plain hash
    metadata_json: Mapped[dict[str, Any]] = mapped_column(JSON)
    key_id: Mapped[str] = mapped_column(String(64))
    data_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)  # None once purged by retention
    created_at: Mapped[datetime]


class CheckResultRow(Base):
    __tablename__ = "check_results"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    check: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(16))
    score: Mapped[float | None] = mapped_column(Float)
    reason_codes: Mapped[list[Any]] = mapped_column(JSON)
    key_id: Mapped[str] = mapped_column(String(64))
    evidence_sealed: Mapped[bytes] = mapped_column(LargeBinary)  # evidence may hold values read from documents
    latency_ms: Mapped[float] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(Text)


class DecisionRow(Base):
    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("session_id", name="uq_decisions_session"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    decision: Mapped[str] = mapped_column(String(16), index=True)
    policy: Mapped[str] = mapped_column(String(64))
    policy_version: Mapped[str] = mapped_column(String(32))
    reason_codes: Mapped[list[Any]] = mapped_column(JSON)  # internal codes, in clear for queues and stats
    key_id: Mapped[str] = mapped_column(String(64))
    body_sealed: Mapped[bytes] = mapped_column(LargeBinary)  # the full Decision as returned to the client
    created_at: Mapped[datetime]


class ReviewActionRow(Base):
    __tablename__ = "review_actions"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    reviewer: Mapped[str] = mapped_column(String(128))
    decision: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(32))  # genuine / fraud, for evaluation
    reason_codes: Mapped[list[Any]] = mapped_column(JSON)
    notes: Mapped[str | None] = mapped_column(Text)  # notes written before migration 0004 only
    notes_key_id: Mapped[str | None] = mapped_column(String(64))
    notes_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)  # AES-GCM, bound to the session
    created_at: Mapped[datetime]


class SignalRow(Base):
    __tablename__ = "signals"
    __table_args__ = (
        Index("ix_signals_kind_key_created", "kind", "key", "created_at"),
        Index("ix_signals_kind_created", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(48))
    key: Mapped[str] = mapped_column(String(128))
    key_id: Mapped[str | None] = mapped_column(String(64))
    value_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    attrs: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]


class IdempotencyRow(Base):
    __tablename__ = "idempotency"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # client key id + ":" + header value
    session_id: Mapped[str] = mapped_column(String(32))
    request_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class AuditRow(Base):
    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    ts: Mapped[str] = mapped_column(String(40))  # ISO-8601 text: hashed exactly as stored
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON text, hashed exactly as stored
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(Base):
    """A single row holding the last sequence number and hash: detects a truncated tail."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    hash: Mapped[str] = mapped_column(String(64))


class ApiKeyRow(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class WebhookOutboxRow(Base):
    __tablename__ = "webhook_outbox"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(String(32), index=True)
    event: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # pending, delivered, failed, cancelled (the session was erased before delivery)
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
