"""The append-only, hash-chained audit log.

Each entry's hash is SHA-256 over the previous hash and the entry's canonical fields, so editing
any stored field, inserting a row or deleting one breaks the chain from that point on. The
``audit_head`` row holds the last sequence number and hash, so deleting the newest entries is
caught too. For protection against someone who rewrites the whole table *and* the head, publish
the head hash elsewhere (``openidv audit verify`` prints it) — that is what anchoring means.

Appends are serialised by locking the head row (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's
BEGIN IMMEDIATE already serialises writers).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from openidv.store.db import Database
from openidv.store.models import AuditHeadRow, AuditRow

GENESIS = "0" * 64


def canonical(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)


def entry_hash(
    prev_hash: str, seq: int, ts: str, actor: str, action: str, entity: str, entity_id: str, payload: str
) -> str:
    material = "\x1f".join([prev_hash, str(seq), ts, actor, action, entity, entity_id, payload])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def append(
    orm: OrmSession, *, actor: str, action: str, entity: str, entity_id: str, payload: dict[str, Any] | None = None
) -> AuditRow:
    """Append one entry inside the caller's transaction (so it commits with the change it records)."""
    head = orm.execute(select(AuditHeadRow).where(AuditHeadRow.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        head = AuditHeadRow(id=1, seq=0, hash=GENESIS)
        orm.add(head)
        orm.flush()
    seq = head.seq + 1
    ts = datetime.now(UTC).isoformat()
    text = canonical(payload or {})
    digest = entry_hash(head.hash, seq, ts, actor, action, entity, entity_id, text)
    row = AuditRow(
        seq=seq,
        ts=ts,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        payload=text,
        prev_hash=head.hash,
        hash=digest,
    )
    orm.add(row)
    head.seq, head.hash = seq, digest
    orm.flush()
    return row


@dataclass
class ChainReport:
    ok: bool
    entries: int
    head_hash: str
    problems: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def verify_chain(db: Database, max_problems: int = 50) -> ChainReport:
    """Walk the chain in sequence order; report every break (edited, inserted, removed, truncated)."""
    problems: list[dict[str, Any]] = []
    prev, expected_seq, count = GENESIS, 1, 0
    with db.session() as orm:
        for row in orm.execute(select(AuditRow).order_by(AuditRow.seq)).scalars().yield_per(5000):
            count += 1
            if row.seq != expected_seq:
                problems.append({"seq": row.seq, "problem": "sequence gap", "expected_seq": expected_seq})
            if row.prev_hash != prev:
                problems.append({"seq": row.seq, "problem": "prev_hash does not link to the previous entry"})
            recomputed = entry_hash(
                row.prev_hash, row.seq, row.ts, row.actor, row.action, row.entity, row.entity_id, row.payload
            )
            if recomputed != row.hash:
                problems.append({"seq": row.seq, "problem": "entry content does not match its hash"})
            prev, expected_seq = row.hash, row.seq + 1
            if len(problems) >= max_problems:
                break
        head = orm.get(AuditHeadRow, 1)
    if head is not None and (head.seq != expected_seq - 1 or head.hash != prev) and len(problems) < max_problems:
        problems.append(
            {
                "problem": "head does not match the last entry (entries removed from the end?)",
                "head_seq": head.seq,
                "last_seq": expected_seq - 1,
            }
        )
    if head is None and count:
        problems.append({"problem": "audit head row is missing"})
    return ChainReport(ok=not problems, entries=count, head_hash=prev, problems=problems)
