"""Database connection: one engine per URL, SQLite tuned for concurrent use, Alembic migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import sessionmaker

from openidv.store.models import Base


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cur.execute("PRAGMA synchronous=FULL")  # an acknowledged commit survives a crash or power loss
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


_READ_ONLY = "openidv_read_only"


def _begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(_READ_ONLY) else "BEGIN IMMEDIATE")


class Database:
    """Owns the engine and the session factory for one database URL."""

    def __init__(self, url: str, echo: bool = False) -> None:
        self.url = url
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        if self.dialect == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs.update(pool_pre_ping=True, pool_size=10, max_overflow=10)
        self.engine: Engine = create_engine(url, **kwargs)
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            # Writers take the write lock at BEGIN so two writers never deadlock on lock upgrade;
            # readers begin deferred, so in WAL mode they read a snapshot and never wait for a writer
            # (a plugin hook that reads while the decision transaction is open must not deadlock).
            event.listen(self.engine, "begin", _begin)
            event.listen(self.engine, "connect", lambda c, r: setattr(c, "isolation_level", None))
        self._factory = sessionmaker(self.engine, expire_on_commit=False)
        self._read_factory = sessionmaker(self.engine.execution_options(**{_READ_ONLY: True}), expire_on_commit=False)

    @property
    def safe_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def transaction(self) -> Iterator[OrmSession]:
        """One unit of work: committed on success, rolled back on any exception."""
        with self._factory() as session, session.begin():
            yield session

    def session(self) -> OrmSession:
        """A session for reads only: never takes the write lock (SQLite), never commits."""
        return self._read_factory()

    def create_all(self) -> None:
        """Create tables through the migrations (the only schema path, so tests exercise it)."""
        self.upgrade()

    def _alembic_config(self) -> Any:
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(resources.files("openidv.store").joinpath("migrations")))
        cfg.attributes["connection_url"] = self.url
        return cfg

    def upgrade(self, revision: str = "head") -> None:
        from alembic import command

        cfg = self._alembic_config()
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def dispose(self) -> None:
        self.engine.dispose()


def metadata() -> Any:
    return Base.metadata
