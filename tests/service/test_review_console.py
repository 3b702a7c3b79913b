"""A reviewer works a case in a real headless Chromium: connect, open a case, see images, decide."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

from openidv.demo import synthetic as syn
from openidv.imaging.decode import encode_jpeg

from .webdriver import CHROMEDRIVER, CHROMIUM, Browser, free_port

BIN = str(Path(sys.executable).parent / "openidv")
pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def server(tmp_path, database_url):
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.skip("Debian chromium and chromium-driver are not installed")
    policy = (Path(__file__).resolve().parents[2] / "src/openidv/policy/data/policy.yaml").read_text()
    (tmp_path / "policy.yaml").write_text(policy.replace("    fail: resubmit", "    fail: review"))
    env = dict(
        os.environ,
        OPENIDV_HOME=str(tmp_path),
        OPENIDV_DATABASE_URL=database_url,
        OPENIDV_LOG_LEVEL="WARNING",
        OPENIDV_ENABLED_PLUGINS='["core"]',
        OPENIDV_POLICY_FILE=str(tmp_path / "policy.yaml"),
    )
    keys = {}
    for scope in ("client", "reviewer"):
        out = subprocess.run(
            [BIN, "keys", "create", "--name", scope, "--scopes", scope],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        keys[scope] = json.loads(out.stdout.strip().splitlines()[-1])["key"]
    port = free_port()
    proc = subprocess.Popen(
        [BIN, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    yield base, keys
    proc.terminate()
    proc.wait(timeout=30)


def _review_case(base: str, key: str) -> str:
    rng = np.random.default_rng(2)
    blurry = encode_jpeg(syn.blur(syn.draw_face(rng, 480), 9.0))
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=60) as c:
        sid = c.post("/v1/sessions", json={"country": "GB"}).json()["id"]
        c.post(f"/v1/sessions/{sid}/captures", files={"file": ("s.jpg", blurry)}, data={"kind": "selfie"})
        decision = c.post(f"/v1/sessions/{sid}/submit", headers={"Idempotency-Key": sid}).json()
    assert decision["decision"] == "review"
    return str(sid)


def test_reviewer_works_a_case(server, tmp_path):
    base, keys = server
    sid = _review_case(base, keys["client"])
    browser = Browser()
    try:
        browser.get(base + "/review")
        browser.type("#api-key", keys["reviewer"])
        browser.click("#connect")
        browser.wait_for(f"#queue tr[data-session='{sid}']")
        browser.click(f"#queue tr[data-session='{sid}']")
        browser.wait_for("#captures img")
        assert browser.text("#auto-decision") == "review"
        assert "IMAGE_BLURRY" in browser.text("#reasons")
        assert browser.script("return document.querySelector('#captures img').complete") is True
        (tmp_path / "review-console.png").write_bytes(browser.screenshot())
        browser.script(
            "document.getElementById('decision').value = 'decline';document.getElementById('label').value = 'fraud';"
        )
        browser.click("#submit-decision")
        deadline = time.time() + 20
        while "recorded" not in browser.text("#status") and time.time() < deadline:
            time.sleep(0.2)
        assert "recorded decline (fraud)" in browser.text("#status")
    finally:
        browser.close()
    with httpx.Client(base_url=base, headers={"X-API-Key": keys["reviewer"]}) as c:
        labels = c.get("/v1/reviews/labels").json()["items"]
        page = c.get("/review")
    assert labels[0]["session_id"] == sid and labels[0]["label"] == "fraud"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert (tmp_path / "review-console.png").stat().st_size > 10_000
