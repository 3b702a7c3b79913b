"""Through the service: the standalone scoring endpoint, and the checks inside a verification.

Two sessions from the same browser: the first is recorded in on_decision (device, blocks, seen
signals), the second links to the same device and counts the first.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from openidv.behavior.events import pointer_events

from .conftest import bot

CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/131.0.0.0 Safari/537.36")


def H(key: str, **extra: str) -> dict[str, str]:
    return {"X-API-Key": key, **extra}


def telemetry(family: str, seed: int, storage_id: str = "a1b2c3d4e5f60718", **device: object) -> dict:
    dev = {"user_agent": CHROME, "platform": "Win32", "timezone": "UTC", "timezone_offset_min": 0,
           "languages": ["en-GB", "en"], "hardware_concurrency": 8, "canvas_hash": "0123456789abcdef",
           "audio_hash": "fedcba9876543210", "fonts": ["Arial", "Calibri", "Segoe UI"],
           "screen": {"width": 1920, "height": 1080, "pixel_ratio": 1, "color_depth": 24},
           "webgl": {"unmasked_renderer": "ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)"},
           "storage_id": storage_id, "automation": {"webdriver": False, "chrome_object": True}, **device}
    return {"version": "1", "device": dev, "network": {"ip": "198.51.100.7"},
            "events": pointer_events(bot(family, seed))}


@pytest.fixture
def client(tmp_path: Path, database_url: str) -> Iterator[tuple[object, str]]:
    from fastapi.testclient import TestClient

    from openidv.config import Settings
    from openidv.service.app import create_app
    from openidv.store.apikeys import ApiKeys
    from openidv.store.db import Database

    settings = Settings(home=tmp_path, database_url=database_url, log_level="WARNING",
                        enabled_plugins=["core", "behavior"])
    db = Database(settings.resolved_database_url())
    db.upgrade()
    key = ApiKeys(db).create("test-client", ["client"])[0]
    db.dispose()
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c, key


def test_score_endpoint(client) -> None:  # type: ignore[no-untyped-def]
    c, key = client
    r = c.post("/v1/behavior/score", json=telemetry("linear_constant", 1), headers=H(key))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["decision"] == "bot" and body["bot_score"] > 0.9 and "BOT_SUSPECTED" in body["reason_codes"]
    assert body["device"]["risk"] == 0.0 and body["latency_ms"] > 0
    assert c.post("/v1/behavior/score", json=telemetry("bezier", 1)).status_code == 401
    bad = c.post("/v1/behavior/score", json={"events": [{"type": "key", "ts": 1, "class": "char", "key": "a"}]},
                 headers=H(key))
    assert bad.status_code == 422 and bad.json()["errors"]


def _verify(c, key: str, tel: dict, ref: str) -> dict:  # type: ignore[no-untyped-def]
    sid = c.post("/v1/sessions", json={"external_ref": ref}, headers=H(key)).json()["id"]
    assert c.put(f"/v1/sessions/{sid}/telemetry", json=tel, headers=H(key)).status_code == 204
    r = c.post(f"/v1/sessions/{sid}/submit", headers=H(key, **{"Idempotency-Key": sid}))
    assert r.status_code == 200, r.text
    return {chk["check"]: chk for chk in r.json()["checks"]}


def test_checks_in_a_verification_link_devices_and_count(client) -> None:  # type: ignore[no-untyped-def]
    c, key = client
    first = _verify(c, key, telemetry("linear_constant", 2), "acct-1")
    assert first["behavior_bot"]["outcome"] == "fail" and "BOT_SUSPECTED" in first["behavior_bot"]["reason_codes"]
    assert first["behavior_device"]["outcome"] == "pass"
    v1 = first["behavior_velocity"]
    assert v1["outcome"] == "pass" and v1["evidence"]["link"]["method"] == "new"
    second = _verify(c, key, telemetry("linear_constant", 3), "acct-2")
    v2 = second["behavior_velocity"]["evidence"]
    assert v2["device_id"] == v1["evidence"]["device_id"] and v2["link"]["method"] == "storage_id"
    assert v2["counts"]["device"]["sessions"]["24h"] == 1 and v2["counts"]["device"]["other_accounts"]["24h"] == 1
    # Storage cleared: the fingerprint alone links it back.
    third = _verify(c, key, telemetry("linear_constant", 4, storage_id="ffffffffffffffff"), "acct-3")
    v3 = third["behavior_velocity"]
    assert v3["evidence"]["device_id"] == v1["evidence"]["device_id"] and v3["evidence"]["link"]["method"] == "fuzzy"
    assert v3["outcome"] == "fail" and "DEVICE_VELOCITY" in v3["reason_codes"]  # a third account on one device


def test_invalid_telemetry_is_a_finding(client) -> None:  # type: ignore[no-untyped-def]
    c, key = client
    tel = telemetry("bezier", 5)
    tel["device"]["automation"]["webdriver"] = True
    tel["events"].append({"type": "move", "ts": 1.0, "x": 1, "y": 1, "pointer": "stylus"})
    checks = _verify(c, key, tel, "acct-9")
    assert checks["behavior_bot"]["outcome"] == "review"
    assert checks["behavior_bot"]["reason_codes"] == ["TELEMETRY_INVALID"]


def test_replayed_movement_is_found_across_sessions(client) -> None:  # type: ignore[no-untyped-def]
    from .test_replay import moved

    # seed 29: a replay bot whose session does not reuse one of its pool strokes (that is a loop, caught alone)
    c, key = client
    first = _verify(c, key, telemetry("replay", 29), "acct-r1")
    assert first["behavior_replay"]["outcome"] == "pass" and first["behavior_replay"]["evidence"]["strokes"] >= 5
    tel = telemetry("replay", 29, storage_id="0f0f0f0f0f0f0f0f")
    tel["events"] = pointer_events(moved(bot("replay", 29), noise=0.3))
    second = _verify(c, key, tel, "acct-r2")["behavior_replay"]
    assert second["outcome"] == "fail" and second["reason_codes"] == ["MOVEMENT_REPLAYED"]
    assert second["evidence"]["matched_strokes"] >= second["evidence"]["min_strokes"]


def test_touch_only_movement_is_not_checked_for_replay_and_says_why(client) -> None:  # type: ignore[no-untyped-def]
    c, key = client
    tel = telemetry("replay", 22)
    tel["events"] = pointer_events(bot("replay", 22), pointer="touch")
    checks = _verify(c, key, tel, "acct-t1")
    assert checks["behavior_replay"]["outcome"] == "not_applicable"
    assert checks["behavior_replay"]["evidence"]["reason"].startswith("touch only")


def test_many_pointer_events_that_make_no_movement_are_reviewed_not_passed(client) -> None:  # type: ignore[no-untyped-def]
    """Timestamps collapsed to one instant: the model cannot judge, and that is itself a finding."""
    c, key = client
    tel = telemetry("bezier", 6)
    for e in tel["events"]:
        e["ts"] = 0.0
    checks = _verify(c, key, tel, "acct-collapsed")
    assert checks["behavior_bot"]["outcome"] == "review"
    assert checks["behavior_bot"]["reason_codes"] == ["BEHAVIOR_UNSCORABLE"]


def test_the_endpoint_decision_counts_the_device(client) -> None:  # type: ignore[no-untyped-def]
    c, key = client
    tel = telemetry("bezier", 7, user_agent="Mozilla/5.0 HeadlessChrome/131.0.0.0")
    out = c.post("/v1/behavior/score", json=tel, headers=H(key)).json()
    assert out["decision"] == "bot" and "AUTOMATION_DETECTED" in out["reason_codes"]
