"""Device intelligence: fingerprints, fuzzy linking, integrity rules, IP table, velocity."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from openidv.behavior.device.fingerprint import fingerprint, normalise_webgl
from openidv.behavior.device.integrity import assess_device
from openidv.behavior.device.link_estimate import estimate_params
from openidv.behavior.device.link_index import DeviceIndex
from openidv.behavior.device.linking import posterior_log_odds
from openidv.behavior.device.network import IpTable, subnet
from openidv.behavior.device.population import new_device, new_population
from openidv.behavior.device.population_drift import drift
from openidv.behavior.device.ua import parse_ua
from openidv.behavior.device.velocity import Counts, RedisVelocity, exceeded

CHROME_WIN = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/131.0.0.0 Safari/537.36")


def chrome_windows(**over: object) -> dict:
    dev = {
        "user_agent": CHROME_WIN, "platform": "Win32", "timezone": "Europe/Paris", "timezone_offset_min": 60,
        "client_hints": {"brands": [{"brand": "Chromium", "version": "131"}], "mobile": False, "platform": "Windows"},
        "webgl": {"unmasked_renderer": "ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)"},
        "max_touch_points": 0, "screen": {"width": 1920, "height": 1080}, "plugins_count": 5,
        "automation": {"webdriver": False, "headless_ua": False, "chrome_object": True, "driver_globals": []},
    }
    dev.update(over)
    return dev


WINTER = datetime(2026, 1, 15, 12, tzinfo=UTC)


def test_user_agent_parsing() -> None:
    ua = parse_ua(CHROME_WIN)
    assert (ua.browser, ua.browser_major, ua.os, ua.mobile, ua.engine) == ("Chrome", 131, "Windows", False, "Blink")
    iphone = parse_ua("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
                      "Gecko) Version/17.4 Mobile/15E148 Safari/604.1")
    assert (iphone.browser, iphone.os, iphone.mobile, iphone.engine) == ("Safari", "iOS", True, "WebKit")
    assert iphone.os_version == "17.4.1"
    assert parse_ua("HeadlessChrome/120.0").browser == "HeadlessChrome"


def test_clean_device_has_no_findings() -> None:
    assert assess_device(chrome_windows(), {"country": "FR"}, now=WINTER).findings == []


@pytest.mark.parametrize(("over", "network", "code", "grade"), [
    ({"automation": {"webdriver": True}}, {}, "webdriver", "automation"),
    ({"user_agent": CHROME_WIN.replace("Chrome/", "HeadlessChrome/")}, {}, "headless_ua", "automation"),
    ({"platform": "MacIntel"}, {}, "ua_vs_platform", "inconsistent"),
    ({"client_hints": {"platform": "Linux", "mobile": False}}, {}, "ua_vs_client_hints", "inconsistent"),
    ({"webgl": {"unmasked_renderer": "ANGLE (Apple, ANGLE Metal Renderer: Apple M2)"}}, {}, "ua_vs_webgl",
     "inconsistent"),
    ({"webgl": {"unmasked_renderer": "Google SwiftShader"}}, {}, "software_gpu", "suspicious"),
    ({"timezone_offset_min": -300}, {}, "timezone_offset", "inconsistent"),
    ({}, {"country": "BR"}, "timezone_vs_ip", "inconsistent"),
    ({"user_agent": "Mozilla/5.0 (Linux; Android 14; sdk_gphone64_x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                    "Chrome/131.0.0.0 Mobile Safari/537.36", "platform": "Linux x86_64",
      "client_hints": {"platform": "Android", "mobile": True, "architecture": "x86"}, "max_touch_points": 5,
      "webgl": {"unmasked_renderer": "Android Emulator OpenGL ES Translator"}, "screen": {"width": 412, "height": 915}},
     {}, "emulator", "automation"),
])
def test_integrity_findings(over: dict, network: dict, code: str, grade: str) -> None:
    dev = chrome_windows(**over)
    findings = {f.code: f.grade for f in assess_device(dev, network, now=WINTER).findings}
    assert findings.get(code) == grade, findings


@pytest.mark.parametrize(("over", "code"), [
    ({"platform": "MacIntel"}, "client_hints_vs_platform"),
    ({"webgl": {"unmasked_renderer": "ANGLE (Apple, ANGLE Metal Renderer: Apple M2)"}}, "client_hints_vs_webgl"),
])
def test_client_hints_are_compared_when_the_user_agent_names_no_os(over: dict, code: str) -> None:
    """A user agent that names no OS leaves client hints, navigator.platform and the GPU to agree
    among themselves; they are compared directly."""
    dev = chrome_windows(user_agent="Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                         **over)
    assert not parse_ua(dev["user_agent"]).os
    findings = {f.code: f.grade for f in assess_device(dev, {}, now=WINTER).findings}
    assert findings.get(code) == "inconsistent", findings


def test_android_platform_string_agrees_with_android_client_hints() -> None:
    dev = chrome_windows(user_agent="Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
                                    "Chrome/131.0.0.0 Mobile Safari/537.36", platform="Linux armv81",
                         client_hints={"platform": "Android", "mobile": True}, max_touch_points=5,
                         webgl={"unmasked_renderer": "Adreno (TM) 740"}, screen={"width": 412, "height": 915})
    codes = {f.code for f in assess_device(dev, {"country": "FR"}, now=WINTER).findings}
    assert not codes & {"client_hints_vs_platform", "client_hints_vs_webgl", "ua_vs_platform"}, codes


def test_two_suspicious_signs_count_as_automation() -> None:
    dev = chrome_windows(webgl={"unmasked_renderer": "Google SwiftShader"}, plugins_count=0)
    integrity = assess_device(dev, {}, now=WINTER)
    assert integrity.automation and integrity.risk == 1.0


def test_webgl_driver_versions_are_ignored() -> None:
    base = "ANGLE (Intel, Intel(R) UHD Graphics 620 (0x00005917) Direct3D11 vs_5_0 ps_5_0, D3D11-"
    a, b = normalise_webgl(base + "27.20.100.8681)"), normalise_webgl(base + "31.0.101.2111)")
    assert a == b


def _population(seed: int, n: int) -> tuple[DeviceIndex, list]:
    rng = np.random.default_rng(seed)
    devices = new_population(rng, n)
    fps = [fingerprint(d.attributes(), d.network()) for d in devices]
    pairs = [(fingerprint((x := drift(d, rng)).attributes(), x.network()), fp) for d, fp in zip(devices, fps,
                                                                                            strict=True)]
    idx = DeviceIndex(estimate_params(pairs, fps, n_random=2000, seed=seed))
    for i, fp in enumerate(fps):
        idx.add(f"d{i}", fp)
    return idx, devices


def test_desktop_relinks_after_drift_and_strangers_do_not() -> None:
    idx, devices = _population(5, 500)
    rng = np.random.default_rng(6)
    desktops = [i for i, d in enumerate(devices) if not d.mobile][:40]
    linked = 0
    for i in desktops:
        later = drift(devices[i], rng)
        fp = fingerprint(later.attributes(), later.network())
        fp = type(fp)(fp.values, None)  # no storage id: fingerprint only
        r = idx.match(fp, threshold=3.0)
        linked += r.device_id == f"d{i}"
        assert r.device_id in (None, f"d{i}")
    assert linked >= 0.6 * len(desktops)  # the full-size figures come from train_device
    stranger = new_device(np.random.default_rng(99))
    fp = fingerprint(stranger.attributes(), stranger.network())
    assert idx.match(type(fp)(fp.values, None), threshold=3.0).device_id is None


def test_storage_id_links_outright() -> None:
    idx, devices = _population(8, 50)
    d = next(d for d in devices if d.storage_id)
    fp = fingerprint(d.attributes(), {})
    r = idx.match(fp, threshold=1e9)
    assert r.method == "storage_id" and r.device_id is not None


def test_identical_devices_share_the_posterior() -> None:
    assert posterior_log_odds([20.0], 1000) > posterior_log_odds([20.0, 20.0, 20.0], 1000) + 1.0


def test_ip_table_and_subnets(tmp_path: Path) -> None:
    table = tmp_path / "ip.csv"
    table.write_text("cidr,asn,as_org,country,datacenter,vpn,tor,proxy\n"
                     "203.0.113.0/24,64500,Example Cloud,US,1,0,0,0\n203.0.113.128/25,64501,VPN Co,NL,0,1,0,0\n"
                     "2001:db8::/32,64502,Example v6,DE,0,0,0,0\n", encoding="utf-8")
    t = IpTable.load(table)
    assert t.lookup("203.0.113.5").as_network() == {"datacenter": True, "vpn": False, "tor": False, "proxy": False,
                                                    "asn": 64500, "as_org": "Example Cloud", "country": "US"}
    assert t.lookup("203.0.113.200").asn == 64501  # the narrowest range wins
    assert t.lookup("2001:db8::1").country == "DE"
    assert t.lookup("198.51.100.1") is None and t.lookup("not an ip") is None
    assert subnet("198.51.100.77") == "198.51.100.0/24" and subnet("2001:db8:1:2::5") == "2001:db8:1::/48"


def test_limits_count_the_current_session() -> None:
    c = {"device": Counts({"24h": 2}, {"24h": 1})}
    assert exceeded(c, {"device.sessions.24h": 3.0, "device.accounts.24h": 2.0}) == []
    assert exceeded(c, {"device.sessions.24h": 2.0}) == ["device.sessions.24h"]


@pytest.fixture
def redis_url():  # type: ignore[no-untyped-def]
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 5
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.skip("redis-server did not start")
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=5)


def test_redis_sliding_windows(redis_url: str) -> None:
    r = RedisVelocity.from_url(redis_url)
    now = 1_000_000.0
    r.record("device", "k", "s1", "acct1", now - 2 * 86400)  # outside 24h, inside 7d
    r.record("device", "k", "s2", "acct2", now - 600)
    r.record("device", "k", "s3", "acct1", now - 60)
    c = r.counts("device", "k", now, account="acct1")
    assert c.sessions == {"1h": 2, "24h": 2, "7d": 3}
    assert c.accounts == {"1h": 1, "24h": 1, "7d": 1}  # acct2 only: the current account is not "other"


def test_an_erased_session_leaves_the_redis_windows(redis_url: str) -> None:
    r = RedisVelocity.from_url(redis_url)
    now = 1_000_000.0
    r.record("ip", "k", "s1", "acct1", now - 60)
    r.record("ip", "k", "s2", "acct2", now - 30)
    r.forget("ip", "k", "s2", "acct2")
    c = r.counts("ip", "k", now, account="acct1")
    assert c.sessions["1h"] == 1 and c.accounts["1h"] == 0
    assert r.r.zscore("openidv:bh:ip:k:a", "acct2") is None


def test_the_plugins_erasure_hook_takes_the_session_out_of_redis(redis_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from openidv.behavior.plugin import BehaviorPlugin
    from openidv.checks.base import Environment
    from openidv.config import Settings
    from openidv.store.signals import Signal

    env = Environment(settings=Settings(home=tmp_path, redis_url=redis_url))
    r = RedisVelocity.from_url(redis_url)
    now = 2_000_000.0
    r.record("subnet", "sk", "keep", "acct1", now - 60)
    r.record("subnet", "sk", "gone", "acct2", now - 30)
    rows = [Signal("gone", "bh_seen_subnet", "sk", None, {"account": "acct2"}),
            Signal("gone", "bh_other", "x", None, {})]
    BehaviorPlugin().on_erase("gone", env, rows)  # no device index built in this process: none is built
    c = r.counts("subnet", "sk", now, account="acct1")
    assert c.sessions["1h"] == 1 and c.accounts["1h"] == 0


def test_a_user_agent_no_browser_sends_is_inconsistent() -> None:
    from openidv.behavior.device.integrity import assess_device

    lookalike = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Headless\u0421hrome/131.0.0.0 Safari/537.36"
    assert "ua_not_ascii" in {f.code for f in assess_device({"user_agent": lookalike}).findings}
    assert "ua_not_ascii" in {f.code for f in assess_device({"user_agent": "Mozilla/5.0\u200b"}).findings}
    bare = assess_device({"platform": "Win32", "client_hints": {"platform": "Linux"}})
    assert "ua_missing" in {f.code for f in bare.findings} and bare.inconsistent
