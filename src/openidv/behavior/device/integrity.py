"""Device integrity: do the device's attributes agree with each other, and does it betray automation?

Each finding is a fact about the attributes with a short reason, in three grades:

- ``automation``: the browser says it is driven (navigator.webdriver, a HeadlessChrome user agent,
  driver globals) or the device is an emulator (a phone user agent on a desktop or software GPU);
- ``suspicious``: signs that are individually explainable (software rendering, a DevTools client,
  headless-typical permission states, a Chrome user agent without ``window.chrome``); two or more
  together count as automation;
- ``inconsistent``: attributes that contradict each other (user agent vs client hints vs platform
  vs WebGL renderer, a phone without touch, the reported UTC offset vs the reported time zone,
  the time zone vs the IP's country).

Spoofing tools change one attribute and forget another, so contradictions are the signal; none of
these rules is a tuned threshold, each is a mismatch between two things that must match.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from openidv.behavior.device.ua import UserAgent, parse_ua

AUTOMATION, SUSPICIOUS, INCONSISTENT = "automation", "suspicious", "inconsistent"
_CH_PLATFORM = {"Windows": "Windows", "macOS": "macOS", "Linux": "Linux", "Android": "Android",
                "Chrome OS": "ChromeOS", "Chromium OS": "ChromeOS", "iOS": "iOS"}
_NAV_PLATFORM = (  # navigator.platform prefix -> OS families it may come with
    ("Win", {"Windows"}), ("Mac", {"macOS", "iOS"}), ("iPhone", {"iOS"}), ("iPad", {"iOS"}), ("iPod", {"iOS"}),
    ("Linux", {"Linux", "Android", "ChromeOS"}), ("Android", {"Android"}), ("CrOS", {"ChromeOS"}),
)
_GPU_OS = (  # renderer substring -> OS families it can appear on
    ("direct3d", {"Windows"}), ("d3d11", {"Windows"}), ("d3d9", {"Windows"}),
    ("apple m", {"macOS", "iOS"}), ("apple gpu", {"macOS", "iOS"}), ("metal renderer", {"macOS", "iOS"}),
    ("adreno", {"Android", "Windows", "ChromeOS"}), ("mali", {"Android", "ChromeOS", "Linux"}),
    ("powervr", {"Android", "iOS"}),
)
_SOFTWARE_GPU = ("swiftshader", "llvmpipe", "softpipe", "microsoft basic render", "vmware svga", "virtualbox")
_EMULATOR_GPU = ("android emulator", "google (intel", "translator", "bluestacks")


@dataclass(frozen=True)
class Finding:
    grade: str
    code: str
    detail: str


@dataclass
class Integrity:
    findings: list[Finding] = field(default_factory=list)

    def add(self, grade: str, code: str, detail: str) -> None:
        self.findings.append(Finding(grade, code, detail))

    def of(self, grade: str) -> list[Finding]:
        return [f for f in self.findings if f.grade == grade]

    @property
    def automation(self) -> bool:
        return bool(self.of(AUTOMATION)) or len(self.of(SUSPICIOUS)) >= 2

    @property
    def inconsistent(self) -> bool:
        return bool(self.of(INCONSISTENT)) or len(self.of(SUSPICIOUS)) == 1

    @property
    def risk(self) -> float:
        """Ordinal device risk: 1 automation, 0.5 inconsistent, 0 clean (a grade, not a probability)."""
        return 1.0 if self.automation else 0.5 if self.inconsistent else 0.0


@lru_cache(maxsize=1)
def tz_countries() -> dict[str, list[str]]:
    """IANA zone -> ISO countries using it (from tzdata's zone.tab, public domain)."""
    text = resources.files("openidv.behavior").joinpath("data/tz_countries.json").read_text("utf-8")
    data: dict[str, list[str]] = json.loads(text)
    return data


def _get(d: Mapping[str, Any], *path: str) -> Any:
    cur: Any = d
    for p in path:
        cur = cur.get(p) if isinstance(cur, Mapping) else None
    return cur


def check_automation(dev: Mapping[str, Any], ua: UserAgent, out: Integrity) -> None:
    auto = _get(dev, "automation") or {}
    if auto.get("webdriver") is True:
        out.add(AUTOMATION, "webdriver", "navigator.webdriver is true")
    if auto.get("headless_ua") is True or ua.browser == "HeadlessChrome":
        out.add(AUTOMATION, "headless_ua", "the user agent is HeadlessChrome")
    if auto.get("driver_globals"):
        out.add(AUTOMATION, "driver_globals", f"automation globals present: {auto['driver_globals'][:3]}")
    if auto.get("cdp_runtime") is True:
        out.add(SUSPICIOUS, "devtools_protocol", "a DevTools-protocol client is attached")
    if ua.chromium and ua.os not in ("iOS",) and auto.get("chrome_object") is False:
        out.add(SUSPICIOUS, "no_chrome_object", "a Chromium user agent without window.chrome")
    renderer = str(_get(dev, "webgl", "unmasked_renderer") or _get(dev, "webgl", "renderer") or "").lower()
    if any(s in renderer for s in _SOFTWARE_GPU):
        out.add(SUSPICIOUS, "software_gpu", "software or virtual-machine WebGL renderer")
    if ua.os == "Android" and (any(s in renderer for s in _EMULATOR_GPU + _SOFTWARE_GPU)
                               or _get(dev, "client_hints", "architecture") == "x86"):
        out.add(AUTOMATION, "emulator", "an Android user agent on an emulator GPU or an x86 CPU")
    if dev.get("notification_permission") == "denied" and _get(dev, "permissions", "notifications") == "prompt":
        out.add(SUSPICIOUS, "permission_mismatch", "Notification.permission denied while permissions say prompt")
    if ua.chromium and not ua.mobile and dev.get("plugins_count") == 0:
        out.add(SUSPICIOUS, "no_plugins", "desktop Chromium reporting no plugins (the PDF viewer is built in)")
    if _get(dev, "viewport", "outer_width") == 0 and _get(dev, "viewport", "outer_height") == 0:
        out.add(SUSPICIOUS, "no_window", "the browser window has no outer size")


def check_consistency(dev: Mapping[str, Any], ua: UserAgent, out: Integrity) -> None:
    raw_ua = str(dev.get("user_agent") or "")
    if raw_ua and not (raw_ua.isascii() and raw_ua.isprintable()):
        # browsers send printable ASCII; a look-alike letter or a zero-width space dodges name matching
        out.add(INCONSISTENT, "ua_not_ascii", "the user agent holds characters no browser sends")
    elif not raw_ua and (dev.get("platform") or _get(dev, "client_hints")):
        out.add(INCONSISTENT, "ua_missing", "device attributes without a user agent")
    ch = _get(dev, "client_hints") or {}
    ch_os = _CH_PLATFORM.get(str(ch.get("platform") or ""))
    if ch_os and ua.os and ch_os != ua.os:
        out.add(INCONSISTENT, "ua_vs_client_hints", f"user agent says {ua.os}, client hints say {ch_os}")
    if isinstance(ch.get("mobile"), bool) and ua.os and ch["mobile"] != ua.mobile:
        out.add(INCONSISTENT, "mobile_vs_client_hints", "user agent and client hints disagree on mobile")
    major = _brand_major(ch.get("brands"))
    if major is not None and ua.browser_major is not None and ua.chromium and abs(major - ua.browser_major) > 1:
        out.add(INCONSISTENT, "version_vs_client_hints", f"user agent v{ua.browser_major}, client hints v{major}")
    platform = str(dev.get("platform") or "")
    for prefix, oses in _NAV_PLATFORM:
        if platform.startswith(prefix) and ua.os and ua.os not in oses:
            out.add(INCONSISTENT, "ua_vs_platform", f"navigator.platform {platform[:30]!r} with a {ua.os} user agent")
            break
        # compared directly too: with a user agent that names no OS (or agrees with neither),
        # the two script-visible claims can still contradict each other
        if platform.startswith(prefix) and ch_os and ch_os not in oses:
            out.add(INCONSISTENT, "client_hints_vs_platform",
                    f"navigator.platform {platform[:30]!r} with client hints saying {ch_os}")
            break
    renderer = str(_get(dev, "webgl", "unmasked_renderer") or "").lower()
    for token, oses in _GPU_OS:
        if token in renderer and ua.os and ua.os not in oses:
            out.add(INCONSISTENT, "ua_vs_webgl", f"a {ua.os} user agent with a '{token}' GPU")
            break
        if token in renderer and ch_os and ch_os not in oses:
            out.add(INCONSISTENT, "client_hints_vs_webgl", f"client hints saying {ch_os} with a '{token}' GPU")
            break
    if ua.mobile and dev.get("max_touch_points") == 0:
        out.add(INCONSISTENT, "mobile_without_touch", "a phone user agent without touch support")
    short = min(_get(dev, "screen", "width") or 0, _get(dev, "screen", "height") or 0)
    if ua.mobile and ua.os in ("iOS", "Android") and short > 1100:
        out.add(INCONSISTENT, "mobile_screen", f"a phone user agent with a {short}-pixel short side")


def _brand_major(brands: Any) -> int | None:
    if not isinstance(brands, list):
        return None
    for b in brands:
        if isinstance(b, Mapping) and str(b.get("brand")) in ("Chromium", "Google Chrome", "Microsoft Edge"):
            v = str(b.get("version") or "").split(".")[0]
            if v.isdigit():
                return int(v)
    return None


def check_timezone(dev: Mapping[str, Any], network: Mapping[str, Any], out: Integrity,
                   now: datetime | None = None) -> None:
    tz = dev.get("timezone")
    if not isinstance(tz, str) or not tz:
        return
    offset = dev.get("timezone_offset_min")
    if isinstance(offset, int) and not isinstance(offset, bool):
        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            out.add(INCONSISTENT, "unknown_timezone", f"time zone {tz[:40]!r} does not exist")
            return
        at = now or datetime.now(UTC)
        expected = {_offset_min(t, zone) for t in _around(at)}
        if offset not in expected:
            out.add(INCONSISTENT, "timezone_offset", f"UTC offset {offset} min does not belong to {tz}")
    country = network.get("country")
    countries = tz_countries().get(tz)
    if isinstance(country, str) and countries and country not in countries and tz != "UTC":
        out.add(INCONSISTENT, "timezone_vs_ip", f"time zone {tz} is not used in the IP's country {country}")


def _offset_min(at: datetime, zone: ZoneInfo) -> int:
    delta = at.astimezone(zone).utcoffset()
    return int(delta.total_seconds() // 60) if delta is not None else 0


def _around(at: datetime) -> list[datetime]:
    """The instant and a day either side (the client's clock and a DST change may differ a little)."""
    from datetime import timedelta

    return [at - timedelta(days=1), at, at + timedelta(days=1)]


def assess_device(device: Mapping[str, Any], network: Mapping[str, Any] | None = None,
                  now: datetime | None = None) -> Integrity:
    """Every finding for one telemetry ``device`` (and ``network``) object."""
    out = Integrity()
    ua = parse_ua(str(device.get("user_agent") or ""))
    check_automation(device, ua, out)
    check_consistency(device, ua, out)
    check_timezone(device, network or {}, out, now)
    return out
