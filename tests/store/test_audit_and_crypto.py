from __future__ import annotations

import pytest
from sqlalchemy import text

from openidv.errors import DecryptionError
from openidv.store import audit
from openidv.store.crypto import KeyRing, Sealed
from openidv.store.db import Database


@pytest.fixture
def db(settings):
    d = Database(settings.resolved_database_url())
    d.upgrade()
    yield d
    d.dispose()


def _fill(db: Database, n: int = 5) -> None:
    for i in range(n):
        with db.transaction() as orm:
            audit.append(orm, actor="t", action="act", entity="session", entity_id=str(i), payload={"i": i})


def _raw(db: Database, sql: str) -> None:
    """Tamper as a person with database access would: drop the guard trigger, then edit."""
    with db.engine.begin() as conn:
        if db.dialect == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_update")
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_delete")
        else:
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        conn.exec_driver_sql(sql)


def test_chain_verifies(db):
    _fill(db)
    report = audit.verify_chain(db)
    assert report.ok and report.entries == 5


def test_triggers_refuse_edits(db):
    _fill(db, 2)
    with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor='x' WHERE seq=1"))


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        ("UPDATE audit_log SET payload='{\"i\":99}' WHERE seq=3", "content"),
        ("DELETE FROM audit_log WHERE seq=2", "gap"),
        ("DELETE FROM audit_log WHERE seq=5", "head"),
        (
            "INSERT INTO audit_log (seq, ts, actor, action, entity, entity_id, payload, prev_hash, hash) "
            "SELECT 6, ts, actor, action, entity, entity_id, payload, hash, hash FROM audit_log WHERE seq=5",
            "head",
        ),
    ],
)
def test_tampering_detected(db, sql, problem):
    _fill(db)
    _raw(db, sql)
    report = audit.verify_chain(db)
    assert not report.ok
    assert any(problem in p["problem"] for p in report.problems), report.problems


def test_keyring_roundtrip_rotation_and_binding():
    old = KeyRing.from_b64({"k1": KeyRing.generate_key()}, "k1", KeyRing.generate_key())
    sealed = old.seal(b"secret", b"row:1")
    assert sealed.blob[12:] != b"secret"
    assert old.open(sealed, b"row:1") == b"secret"
    with pytest.raises(DecryptionError):
        old.open(sealed, b"row:2")  # a blob moved to another row does not open
    rotated = KeyRing({"k1": old._keys["k1"], "k2": b"\x01" * 32}, "k2", b"\x02" * 32)
    assert rotated.open(sealed, b"row:1") == b"secret"
    assert rotated.seal(b"x", b"a").key_id == "k2"
    with pytest.raises(DecryptionError):
        rotated.open(Sealed("k9", sealed.blob), b"row:1")
    assert old.blind(" Jane@Example.com ") == old.blind("jane@example.com")
