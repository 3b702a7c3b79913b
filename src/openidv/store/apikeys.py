"""API keys: ``oidv_<id>_<secret>``; only a SHA-256 of the secret is stored.

Scopes: ``client`` (create and submit sessions), ``reviewer`` (work the review queue),
``admin`` (everything, erasure, metrics). Keys are looked up by id and compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from openidv.errors import Forbidden, NotFound, Unauthorized, ValidationFailed, shown
from openidv.store import audit
from openidv.store.db import Database
from openidv.store.models import ApiKeyRow

SCOPES = ("client", "reviewer", "admin")
PREFIX = "oidv"
_KEY_ID = re.compile(r"[A-Za-z0-9-]{1,64}")  # minted ids are 12 hex digits; bootstrap ids are chosen


@dataclass(frozen=True)
class Principal:
    key_id: str
    name: str
    scopes: tuple[str, ...]

    def require(self, scope: str) -> None:
        if scope not in self.scopes and "admin" not in self.scopes:
            raise Forbidden(f"this key lacks the {scope!r} scope")

    @property
    def actor(self) -> str:
        return f"key:{self.key_id}"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class ApiKeys:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(
        self, name: str, scopes: list[str], secret: str | None = None, actor: str = "system"
    ) -> tuple[str, ApiKeyRow]:
        bad = sorted(set(scopes) - set(SCOPES))
        if bad or not scopes:
            raise ValidationFailed(f"scopes must be a non-empty subset of {SCOPES}; got {scopes}")
        key_id = secrets.token_hex(6)
        secret = secret or secrets.token_urlsafe(24)
        row = ApiKeyRow(
            id=key_id,
            name=name,
            secret_hash=_digest(secret),
            scopes=sorted(scopes),
            created_at=datetime.now(UTC),
            revoked_at=None,
        )
        with self.db.transaction() as orm:
            orm.add(row)
            audit.append(
                orm,
                actor=actor,
                action="api_key.create",
                entity="api_key",
                entity_id=key_id,
                # the audit log is never erased: a key's free-text name (often a person's) stays out
                payload={"name_sha256": hashlib.sha256(name.encode()).hexdigest()[:16], "scopes": sorted(scopes)},
            )
        return f"{PREFIX}_{key_id}_{secret}", row

    def ensure(self, name: str, scopes: list[str], full_key: str) -> None:
        """Make sure a key with this exact value exists (bootstrap from settings)."""
        key_id, secret = _split(full_key)
        with self.db.transaction() as orm:
            if orm.get(ApiKeyRow, key_id) is None:
                orm.add(
                    ApiKeyRow(
                        id=key_id,
                        name=name,
                        secret_hash=_digest(secret),
                        scopes=sorted(scopes),
                        created_at=datetime.now(UTC),
                        revoked_at=None,
                    )
                )
                audit.append(
                    orm,
                    actor="system",
                    action="api_key.create",
                    entity="api_key",
                    entity_id=key_id,
                    payload={"name": name, "scopes": sorted(scopes), "bootstrap": True},
                )

    def authenticate(self, presented: str | None) -> Principal:
        if not presented:
            raise Unauthorized("send an API key in the X-API-Key header or as a Bearer token")
        try:
            key_id, secret = _split(presented)
        except Unauthorized:
            raise
        with self.db.session() as orm:
            row = orm.get(ApiKeyRow, key_id)
        if row is None or row.revoked_at is not None or not hmac.compare_digest(row.secret_hash, _digest(secret)):
            raise Unauthorized("the API key is not valid")
        return Principal(key_id=row.id, name=row.name, scopes=tuple(row.scopes))

    def list(self) -> list[dict[str, Any]]:
        with self.db.session() as orm:
            rows = orm.execute(select(ApiKeyRow).order_by(ApiKeyRow.created_at)).scalars().all()
        return [{"id": r.id, "name": r.name, "scopes": r.scopes, "revoked": r.revoked_at is not None} for r in rows]

    def revoke(self, key_id: str, actor: str = "system") -> None:
        with self.db.transaction() as orm:
            row = orm.get(ApiKeyRow, key_id)
            if row is None:
                raise NotFound(f"no API key {shown(key_id)}")
            row.revoked_at = datetime.now(UTC)
            audit.append(orm, actor=actor, action="api_key.revoke", entity="api_key", entity_id=key_id)


def _split(full_key: str) -> tuple[str, str]:
    parts = full_key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2] or len(full_key) > 200:
        raise Unauthorized("the API key is malformed")
    if not _KEY_ID.fullmatch(parts[1]) or "\x00" in parts[2]:  # a NUL would reach the database
        raise Unauthorized("the API key is malformed")
    return parts[1], parts[2]
