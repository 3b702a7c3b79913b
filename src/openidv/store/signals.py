"""Signals: keyed facts about a session that later sessions are matched against.

A signal is ``(session_id, kind, key, value, attrs)``:

- ``kind`` names what it is: ``face_template``, ``device_id``, ``ip``, ``selfie_phash``,
  ``email``, ``document_number`` ...
- ``key`` is the lookup value, indexed, stored in clear, so it must never be personal data in
  clear: blind it first (``SignalStore.blind``) unless it is already an opaque digest.
- ``value`` is an optional payload (a biometric template), sealed with AES-GCM.
- ``attrs`` is small non-personal JSON (a model version, a decision).

Checks read signals through :class:`SignalStore`; plugins write them in ``on_decision`` through
the transaction-bound :class:`SignalWriter`, so a signal exists only if its decision committed.
Erasing a session deletes its signals (``ON DELETE CASCADE`` and an explicit delete).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session as OrmSession

from openidv.store.crypto import KeyRing, Sealed
from openidv.store.db import Database
from openidv.store.models import SessionRow, SignalRow


@dataclass(frozen=True)
class Signal:
    session_id: str
    kind: str
    key: str
    value: bytes | None
    attrs: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    id: int | None = None


def _aad(kind: str, session_id: str) -> bytes:
    return f"signal:{kind}:{session_id}".encode()


def _as_utc(dt: datetime) -> datetime:
    """A bound for a created_at comparison, in UTC (naive values are taken as UTC): SQLite stores
    the column as naive UTC text and would compare another zone's wall time as if it were UTC."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _utc(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


class SignalWriter:
    """Writes signals inside an open transaction."""

    def __init__(self, orm: OrmSession, keys: KeyRing, session_id: str) -> None:
        self._orm = orm
        self._keys = keys
        self.session_id = session_id

    def blind(self, value: str) -> str:
        return self._keys.blind(value)

    def put(self, kind: str, key: str, *, value: bytes | None = None, attrs: dict[str, Any] | None = None) -> None:
        sealed = self._keys.seal(value, _aad(kind, self.session_id)) if value is not None else None
        self._orm.add(
            SignalRow(
                session_id=self.session_id,
                kind=kind,
                key=key[:128],
                key_id=sealed.key_id if sealed else None,
                value_sealed=sealed.blob if sealed else None,
                attrs=attrs or {},
                created_at=datetime.now(UTC),
            )
        )


class SignalStore:
    """Read access to signals (and writes outside a decision, e.g. a liveness nonce)."""

    def __init__(self, db: Database, keys: KeyRing) -> None:
        self.db = db
        self.keys = keys

    def blind(self, value: str) -> str:
        return self.keys.blind(value)

    def _to_signal(self, row: SignalRow, with_value: bool = True) -> Signal:
        value = None
        if with_value and row.value_sealed is not None and row.key_id is not None:
            value = self.keys.open(Sealed(row.key_id, row.value_sealed), _aad(row.kind, row.session_id))
        return Signal(row.session_id, row.kind, row.key, value, dict(row.attrs or {}), _utc(row.created_at), row.id)

    def find(
        self, kind: str, key: str, since: datetime | None = None, limit: int = 1000, with_values: bool = False
    ) -> list[Signal]:
        stmt = select(SignalRow).where(SignalRow.kind == kind, SignalRow.key == key)
        if since is not None:
            stmt = stmt.where(SignalRow.created_at >= _as_utc(since))
        stmt = stmt.order_by(SignalRow.created_at.desc(), SignalRow.id.desc()).limit(limit)  # newest first, ties by id
        with self.db.session() as orm:
            return [self._to_signal(r, with_values) for r in orm.execute(stmt).scalars()]

    def count(self, kind: str, key: str, since: datetime | None = None, distinct_sessions: bool = True) -> int:
        target = func.count(func.distinct(SignalRow.session_id)) if distinct_sessions else func.count()
        stmt = select(target).where(SignalRow.kind == kind, SignalRow.key == key)
        if since is not None:
            stmt = stmt.where(SignalRow.created_at >= _as_utc(since))
        with self.db.session() as orm:
            return int(orm.execute(stmt).scalar_one())

    def for_erasure(self, session_id: str, orm: OrmSession) -> list[Signal]:
        """A session's signal rows read inside the erasure's transaction (after its lock), for the
        plugins' erasure hooks; a value that cannot be opened is handed on as None, so erasure
        never fails on it."""
        out = []
        for row in orm.execute(select(SignalRow).where(SignalRow.session_id == session_id)).scalars():
            try:
                out.append(self._to_signal(row))
            except Exception:  # a value sealed under a retired key: the hook still learns kind and key
                out.append(self._to_signal(row, with_value=False))
        return out

    def erased_or_missing(self, session_ids: Iterable[str]) -> set[str]:
        """Which of these sessions are erased or unknown (one query; nothing decrypted)."""
        wanted = set(session_ids)
        if not wanted:
            return set()
        stmt = select(SessionRow.id).where(SessionRow.id.in_(wanted), SessionRow.status != "erased")
        with self.db.session() as orm:
            live = set(orm.execute(stmt).scalars())
        return wanted - live

    def for_session(self, session_id: str, kind: str | None = None) -> list[Signal]:
        stmt = select(SignalRow).where(SignalRow.session_id == session_id)
        if kind is not None:
            stmt = stmt.where(SignalRow.kind == kind)
        with self.db.session() as orm:
            return [self._to_signal(r) for r in orm.execute(stmt).scalars()]

    def iter_kind(self, kind: str, batch: int = 5000) -> Iterator[Signal]:
        """Every signal of a kind, values decrypted (to rebuild an in-memory index at start)."""
        last_id = 0
        while True:
            stmt = select(SignalRow).where(SignalRow.kind == kind, SignalRow.id > last_id)
            with self.db.session() as orm:
                rows = orm.execute(stmt.order_by(SignalRow.id).limit(batch)).scalars().all()
            if not rows:
                return
            for r in rows:
                yield self._to_signal(r)
            last_id = rows[-1].id

    def put(
        self, session_id: str, kind: str, key: str, *, value: bytes | None = None, attrs: dict[str, Any] | None = None
    ) -> None:
        with self.db.transaction() as orm:
            SignalWriter(orm, self.keys, session_id).put(kind, key, value=value, attrs=attrs)

    def admit(
        self,
        session_id: str,
        kind: str,
        caps: Sequence[tuple[str, int]],
        since: datetime,
        attrs: Sequence[dict[str, Any]] | None = None,
    ) -> str | None:
        """Count-and-record as one step: the first key already holding ``cap`` rows of ``kind`` since
        ``since`` (nothing written), else one row per key (returns None).

        Concurrent callers must not all read "under the cap" and all write: on SQLite writers are
        serialised (``BEGIN IMMEDIATE``); on PostgreSQL each key's transaction-scoped advisory lock
        is taken first, in a fixed order, so two attempts on one key count one after the other."""
        cutoff = _as_utc(since)
        with self.db.transaction() as orm:
            if orm.get_bind().dialect.name == "postgresql":
                for key, _ in sorted(caps):
                    orm.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"{kind}:{key}"})
            for key, cap in caps:
                stmt = select(func.count()).where(
                    SignalRow.kind == kind, SignalRow.key == key, SignalRow.created_at >= cutoff
                )
                if int(orm.execute(stmt).scalar_one()) >= cap:
                    return key
            writer = SignalWriter(orm, self.keys, session_id)
            for i, (key, _) in enumerate(caps):
                writer.put(kind, key, attrs=attrs[i] if attrs else None)
        return None

    def session_has(self, session_id: str, kind: str) -> bool:
        """Whether the session holds any signal of ``kind`` (e.g. a challenge issued for it)."""
        stmt = select(SignalRow.id).where(SignalRow.session_id == session_id, SignalRow.kind == kind).limit(1)
        with self.db.session() as orm:
            return orm.execute(stmt).first() is not None

    def purge(self, kind: str, older_than: datetime, batch: int = 5000) -> int:
        """Delete every signal of `kind` created before `older_than` (retention), `batch` rows per
        transaction so that a long backlog never holds the write lock for long; returns the count."""
        cutoff, total = _as_utc(older_than), 0
        while True:
            ids = select(SignalRow.id).where(SignalRow.kind == kind, SignalRow.created_at < cutoff).limit(batch)
            with self.db.transaction() as tx:
                n = int(tx.execute(delete(SignalRow).where(SignalRow.id.in_(ids.scalar_subquery()))).rowcount or 0)  # type: ignore[attr-defined]
            total += n
            if n < batch:
                return total

    def delete_session(self, session_id: str, orm: OrmSession | None = None) -> int:
        stmt = delete(SignalRow).where(SignalRow.session_id == session_id)
        if orm is not None:
            return int(orm.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]
        with self.db.transaction() as tx:
            return int(tx.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]
