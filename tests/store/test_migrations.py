"""The migrations are the only schema path: they must build exactly what the models declare."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from openidv.store.db import Database
from openidv.store.models import Base


def test_migrations_build_the_declared_schema(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    db.upgrade()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], diff


def test_signal_lookups_are_served_by_one_index(tmp_path: Path) -> None:
    """Filter on (kind, key) and newest-first order need one composite index (see migration 0003)."""
    db = Database(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    db.upgrade()
    indexes = {ix["name"]: ix["column_names"] for ix in inspect(db.engine).get_indexes("signals")}
    assert indexes.get("ix_signals_kind_key_created") == ["kind", "key", "created_at"]
    with db.engine.connect() as conn:
        plan = conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT * FROM signals WHERE kind = 'k' AND key = 'x' ORDER BY created_at DESC LIMIT 5"
        ).fetchall()
    text = " ".join(str(row[-1]) for row in plan)
    assert "ix_signals_kind_key_created" in text and "TEMP B-TREE" not in text, text
