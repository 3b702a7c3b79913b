"""Shared fixtures: isolated settings, a live app with keys, image factories."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("OMP_NUM_THREADS", "1")

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_path(*parts: str) -> Path:
    """A path under ../shared/data, skipping the test when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (real development data is optional)")
    return path


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """SQLite in the test's folder; or, with OPENIDV_TEST_POSTGRES_URL set, a fresh PostgreSQL database."""
    admin_url = os.environ.get("OPENIDV_TEST_POSTGRES_URL")
    if not admin_url:
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"openidv_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    from openidv.config import Settings

    return Settings(home=tmp_path, database_url=database_url, log_level="WARNING", enabled_plugins=["core"])


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


@pytest.fixture
def good_images(rng: np.random.Generator) -> dict[str, bytes]:
    from openidv.demo import synthetic as syn
    from openidv.imaging.decode import encode_jpeg

    card = syn.draw_id_card(rng, syn.CardText("DOE", "JANE", "X1234567", "1990-01-01", "2031-01-01", "UTO"))
    return {
        "document_front": encode_jpeg(syn.place_on_background(rng, card)),
        "selfie": encode_jpeg(syn.draw_face(rng, size=640)),
    }


@pytest.fixture
def app_client(settings) -> Iterator[tuple[object, dict[str, str]]]:  # type: ignore[no-untyped-def]
    """A TestClient on a fresh store, with one key per scope."""
    from fastapi.testclient import TestClient

    from openidv.service.app import create_app
    from openidv.store.apikeys import ApiKeys
    from openidv.store.db import Database

    db = Database(settings.resolved_database_url())
    db.upgrade()
    api = ApiKeys(db)
    keys = {scope: api.create(f"test-{scope}", [scope])[0] for scope in ("client", "reviewer", "admin")}
    db.dispose()
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client, keys
