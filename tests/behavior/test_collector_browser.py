"""The JavaScript collector in a real headless Chromium: its payload validates against the schema.

Driven over the W3C WebDriver protocol (chromedriver) with trusted input: pointer moves, clicks and
key strokes. A second page dispatches events from script (isTrusted false), which the collector
must mark and the scorer must call automation.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from openidv.behavior.device.integrity import assess_device
from openidv.behavior.events import parse_events
from openidv.behavior.schema import validate_telemetry

from .webdriver import WebDriver, available

pytestmark = [pytest.mark.browser]

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>capture</title></head><body>
<form><input id="given_name" name="given_name" style="position:absolute;left:100px;top:100px;width:200px">
<button id="go" type="button" style="position:absolute;left:400px;top:300px">Continue</button></form>
<script src="{src}"></script>
<script>window.__c = OpenIDVCollector.start(); window.__c.step("form"); {extra}</script>
</body></html>"""

SYNTHETIC = """
for (let i = 0; i < 5; i++) {
  document.dispatchEvent(new PointerEvent("pointermove", {clientX: 10 + i * 40, clientY: 50, pointerType: "mouse"}));
}
document.dispatchEvent(new PointerEvent("pointerdown", {clientX: 170, clientY: 50, pointerType: "mouse"}));
document.dispatchEvent(new PointerEvent("pointerup", {clientX: 170, clientY: 50, pointerType: "mouse"}));
"""
FINISH = "const done = arguments[arguments.length - 1]; window.__c.finish().then(done, e => done(String(e)));"


def _collector() -> str:
    path = resources.files("openidv.behavior").joinpath("static/openidv-collector.js")
    return Path(str(path)).as_uri()


def _page(tmp_path: Path, name: str, extra: str = "") -> str:
    page = tmp_path / name
    page.write_text(PAGE.replace("{src}", _collector()).replace("{extra}", extra), encoding="utf-8")
    return page.as_uri()


def _mouse(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}, "actions": actions}]


def _path(points: list[tuple[int, int]]) -> list[dict[str, Any]]:
    return [{"type": "pointerMove", "duration": 20, "x": x, "y": y} for x, y in points]


@pytest.fixture(scope="module")
def driver():  # type: ignore[no-untyped-def]
    why = available()
    if why:
        pytest.skip(why)
    with WebDriver() as wd:
        yield wd


def test_collector_payload_validates_in_chromium(driver: WebDriver, tmp_path: Path) -> None:
    driver.get(_page(tmp_path, "capture.html"))
    approach = [(20 + 13 * i, 20 + 9 * i) for i in range(10)] + [(150, 110)]
    driver.actions(_mouse([*_path(approach), {"type": "pointerDown", "button": 0}, {"type": "pause", "duration": 90},
                           {"type": "pointerUp", "button": 0}]))
    keys: list[dict[str, Any]] = []
    for ch in "hello":
        keys += [{"type": "keyDown", "value": ch}, {"type": "pause", "duration": 70}, {"type": "keyUp", "value": ch},
                 {"type": "pause", "duration": 50}]
    driver.actions([{"type": "key", "id": "kb", "actions": keys}])
    to_button = [(150 + 27 * i, 110 + 20 * i) for i in range(1, 10)] + [(420, 310)]
    click = [{"type": "pointerDown", "button": 0}, {"type": "pointerUp", "button": 0}]
    driver.actions(_mouse([*_path(to_button), *click]))
    payload = driver.execute_async(FINISH)

    assert isinstance(payload, dict), payload
    assert validate_telemetry(payload) == []
    assert "hello" not in json.dumps(payload)  # key values are never collected
    kinds = [e["type"] for e in payload["events"]]
    assert {"step", "move", "down", "up", "key", "focus"} <= set(kinds)
    inter = parse_events(payload["events"])
    assert inter.keys.n == 5 and inter.mouse.n >= 15 and inter.mouse.down_t.size == 2
    assert inter.untrusted == 0
    device = payload["device"]
    assert device["automation"]["webdriver"] is True and device["canvas_hash"] and device["fonts"]
    integrity = assess_device(device, payload.get("network"))
    assert integrity.automation  # chromedriver sets navigator.webdriver; HeadlessChrome says so too
    assert {"webdriver", "headless_ua"} <= {f.code for f in integrity.findings}


def test_script_dispatched_events_are_marked_untrusted(driver: WebDriver, tmp_path: Path) -> None:
    from openidv.behavior.scoring import assess, packaged_thresholds

    driver.get(_page(tmp_path, "synthetic.html", SYNTHETIC))
    payload = driver.execute_async(FINISH)
    assert validate_telemetry(payload) == []
    inter = parse_events(payload["events"])
    assert inter.untrusted == 7
    result = assess(inter, packaged_thresholds())
    assert result.decision == "bot" and "AUTOMATION_DETECTED" in result.reason_codes
    assert "synthetic_events" in result.signatures
