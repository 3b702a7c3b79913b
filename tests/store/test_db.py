"""Database sessions: writers serialise, readers never wait for a writer (SQLite WAL)."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import text

from openidv.store.db import Database


def test_a_read_inside_an_open_write_transaction_does_not_wait(tmp_path: Path) -> None:
    """A plugin's on_decision hook reads signals while the decision transaction holds the write
    lock; the read must see the committed snapshot at once, not wait for (its own) writer."""
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    db.upgrade()
    with db.transaction() as orm:
        orm.execute(text("CREATE TABLE scratch (x INTEGER)"))
    with db.transaction() as writer:
        writer.execute(text("INSERT INTO scratch VALUES (1)"))  # the write lock is held until commit
        started = time.monotonic()
        with db.session() as reader:
            seen = reader.execute(text("SELECT count(*) FROM scratch")).scalar_one()
        assert time.monotonic() - started < 2.0
        assert seen == 0  # the snapshot before this transaction
    with db.session() as reader:
        assert reader.execute(text("SELECT count(*) FROM scratch")).scalar_one() == 1
