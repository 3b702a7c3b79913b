"""Valid request bodies with a few values replaced by anything JSON can carry: never a 500.

`test_bad_input` lists the bad inputs someone thought of; this draws the ones nobody did. Each
example takes a valid body of one JSON endpoint, replaces, drops or adds up to three values at
any depth (strings far too long, control characters, huge or negative numbers, nested empties,
NaN), and sends it. The answer must be a success or a 4xx problem+json without a traceback.
The service runs on the embedded store (SQLite) in every test mode: what is asked here is how the
routes and schemas answer, which the store behind them does not change.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openidv.behavior.events import pointer_events

from ..behavior.conftest import bot

LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
    st.sampled_from(["x" * 5000, "\u0000", "2026-13-45", "1e999", "NaN", "../../etc/passwd"]),
)
VALUES = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                            max_size=3), max_leaves=6)


def _telemetry() -> dict[str, Any]:
    dev = {"user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                         "Chrome/131.0.0.0 Safari/537.36",
           "platform": "Win32", "timezone": "UTC", "timezone_offset_min": 0, "languages": ["en-GB", "en"],
           "hardware_concurrency": 8, "canvas_hash": "0123456789abcdef", "fonts": ["Arial", "Calibri"],
           "screen": {"width": 1920, "height": 1080, "pixel_ratio": 1, "color_depth": 24},
           "storage_id": "a1b2c3d4e5f60718", "automation": {"webdriver": False}}
    return {"version": "1", "device": dev, "network": {"ip": "198.51.100.7"},
            "events": pointer_events(bot("linear_constant", 1))[:40]}


SESSION = {"flow": "signup", "country": "FR", "external_ref": "ref-1",
           "applicant": {"given_names": "Anna", "surname": "Eriksson", "date_of_birth": "1974-08-12",
                         "nationality": "UTO", "document_number": "L898902C3", "document_type": "passport"}}
REVIEW = {"decision": "approve", "label": "genuine", "reason_codes": [], "note": "checked"}


def _paths(o: Any, p: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield p
    if isinstance(o, dict):
        for k, v in o.items():
            yield from _paths(v, (*p, k))
    elif isinstance(o, list):
        for i, v in enumerate(o[:4]):
            yield from _paths(v, (*p, i))


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    body = json.loads(json.dumps(base))
    paths = [p for p in _paths(body) if p]
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        parent: Any = body
        try:
            for k in path[:-1]:
                parent = parent[k]
            action = draw(st.sampled_from(["replace", "replace", "drop", "add"]))
            if action == "drop" and isinstance(parent, dict):
                parent.pop(path[-1], None)
            elif action == "add" and isinstance(parent, dict):
                parent[draw(st.text(max_size=8))] = draw(VALUES)
            else:
                parent[path[-1]] = draw(VALUES)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed the way there
    return body


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, str], str]]:
    from fastapi.testclient import TestClient

    from openidv.config import Settings
    from openidv.service.app import create_app
    from openidv.store.apikeys import ApiKeys
    from openidv.store.db import Database

    home: Path = tmp_path_factory.mktemp("fuzz")
    cfg = Settings(home=home, database_url=f"sqlite:///{home}/openidv.sqlite3", log_level="WARNING",
                   enabled_plugins=["core", "behavior", "liveness"])
    db = Database(cfg.resolved_database_url())
    db.upgrade()
    api = ApiKeys(db)
    keys = {scope: api.create(f"fuzz-{scope}", [scope])[0] for scope in ("client", "reviewer")}
    db.dispose()
    with TestClient(create_app(cfg), raise_server_exceptions=False) as client:
        sid = client.post("/v1/sessions", json={}, headers={"X-API-Key": keys["client"]}).json()["id"]
        yield client, keys, sid


def _send(service: tuple[Any, dict[str, str], str], method: str, url: str, scope: str, body: dict[str, Any]) -> None:
    client, keys, _ = service
    r = client.request(method, url, content=json.dumps(body, allow_nan=True),
                       headers={"X-API-Key": keys[scope], "content-type": "application/json"})
    assert r.status_code < 500, (r.status_code, r.text[:300])
    if r.status_code >= 400:
        assert r.headers["content-type"].startswith("application/problem+json"), r.text[:300]
        assert "code" in r.json() and "Traceback" not in r.text


FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@FUZZ
@given(body=mutated(_telemetry()))
def test_telemetry_and_behaviour_score(service: tuple[Any, dict[str, str], str], body: dict[str, Any]) -> None:
    _send(service, "POST", "/v1/behavior/score", "client", body)
    _send(service, "PUT", f"/v1/sessions/{service[2]}/telemetry", "client", body)


@FUZZ
@given(body=mutated(SESSION))
def test_session_create(service: tuple[Any, dict[str, str], str], body: dict[str, Any]) -> None:
    _send(service, "POST", "/v1/sessions", "client", body)


@FUZZ
@given(body=mutated(REVIEW))
def test_review_decision(service: tuple[Any, dict[str, str], str], body: dict[str, Any]) -> None:
    _send(service, "POST", f"/v1/reviews/{service[2]}/decision", "reviewer", body)


@FUZZ
@given(body=mutated({"session_id": "placeholder", "device_id": "device-1"}))
def test_liveness_challenge(service: tuple[Any, dict[str, str], str], body: dict[str, Any]) -> None:
    if body.get("session_id") == "placeholder":
        body["session_id"] = service[2]
    _send(service, "POST", "/v1/liveness/challenges", "client", body)
