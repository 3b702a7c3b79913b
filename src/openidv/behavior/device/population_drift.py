"""A generated device coming back: what changed since its previous visit, driven by the time between.

Every change has a cause with a cadence, so drifts co-occur as they do on real devices (a long
absence brings a browser update, a renumbered home network and, often, cleared storage together):

* browser majors every 4 weeks (Chrome, Edge, Firefox; Samsung Internet ~8), applied by auto-update
  for ~95% of releases; Safari's version moves with the OS;
* iOS point releases about every 6 weeks, installed by ~70% of phones before the next (Apple's
  adoption figures); macOS point releases likewise (60%); a Windows 11 feature update, an Android
  major update, with a yearly cadence (~50% / ~40% of devices get one within a year);
* desktops: a font installed with an application, another screen (a laptop on its external
  monitor, or the reverse), a taskbar / Dock setting changed;
* travel: another time zone, with the network of the destination (or a home-routed roaming IP);
* the home network renumbered (:func:`population_net.renumber`), the visit from elsewhere;
* storage: lost in a private window, after Safari's 7-day cap on script-writable storage, or
  cleared by the user (~30% a month).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from openidv.behavior.device import population_data as pd
from openidv.behavior.device import population_net as pn
from openidv.behavior.device.network import subnet
from openidv.behavior.device.population import (
    CLEAR_DAYS,
    INSETS_CHANGE,
    ITP_DAYS,
    PRIVATE_VISIT,
    SCREEN_CHANGE,
    TRAVEL,
    Device,
    _country,
    _new_id,
    _zone,
)
from openidv.behavior.device.population_display import desktop_display, taskbar

SHORT_GAP = 0.3  # share of returns within a week (retries, step-up checks); assumption


@dataclass(frozen=True)
class Revisit:
    device: Device  # the device as it is at the new visit
    gap_days: float
    tags: tuple[str, ...]  # drift kinds that happened
    storage: str  # kept, cleared, itp, private, blocked
    network: str  # the visit's network kind: home, mobile, elsewhere, roaming, abroad
    continuity: str  # what the new visit shares with the previous one: subnet, asn, none


def gap_days(rng: np.random.Generator) -> float:
    """Days since the previous visit: retries and step-ups within a week, re-verification and
    account recovery over weeks to months (log-uniform 1 h - 7 d and 7 - 180 d)."""
    lo, hi = (1 / 24, 7.0) if rng.random() < SHORT_GAP else (7.0, 180.0)
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


def _releases(rng: np.random.Generator, gap: float, every: float, adopt: float) -> int:
    n = int((gap + rng.uniform(0, every)) // every)
    return int(rng.binomial(n, adopt)) if n else 0


def _next_ios(v: tuple[int, ...]) -> tuple[int, ...]:
    known = list(pd.IOS_RELEASES)
    if v in known and known.index(v) + 1 < len(known):
        return known[known.index(v) + 1]
    return (v[0], v[1] + 1, 0)


def software(d: Device, rng: np.random.Generator, gap: float) -> tuple[Device, list[str]]:
    tags: list[str] = []
    if d.browser in pd.RELEASE_DAYS:
        n = _releases(rng, gap, pd.RELEASE_DAYS[d.browser], 0.95)
        if n:
            d = replace(d, major=d.major + n)
            tags.append("browser_update")
    if d.os in ("iOS", "macOS"):
        n = _releases(rng, gap, 42.0, 0.7 if d.os == "iOS" else 0.6)
        ver = d.os_version
        for _ in range(n):
            ver = _next_ios(ver) if d.os == "iOS" else (ver[0], ver[1] + 1, 0)
        if n:
            tags.append("os_update")
            d = replace(d, os_version=ver)
            if d.browser == "Safari":
                major, minor = (ver[0], ver[1]) if d.os == "iOS" else (d.major, d.minor + n)
                d = replace(d, major=major, minor=minor)
                tags.append("browser_update")
    elif d.os in ("Windows", "Android") and rng.random() < (0.5 if d.os == "Windows" else 0.4) * min(1.0, gap / 365):
        feature_updates: dict[tuple[int, ...], tuple[int, ...]] = {(14, 0, 0): (15, 0, 0), (15, 0, 0): (19, 0, 0)}
        nxt = feature_updates.get(d.os_version) if d.os == "Windows" else (
            (d.os_version[0] + 1,) if d.os_version[0] < 15 else None)
        if nxt:
            d = replace(d, os_version=nxt)
            tags.append("os_update")
    return d, sorted(set(tags))


def desktop_changes(d: Device, rng: np.random.Generator, gap: float) -> tuple[Device, list[str]]:
    tags: list[str] = []
    if d.mobile:
        return d, tags
    if rng.random() < 0.25 * min(1.0, gap / 365):
        extra = [f for f in pd.EXTRA_FONTS if f not in d.fonts]
        if extra:
            d = replace(d, fonts=tuple(sorted([*d.fonts, str(rng.choice(extra))])))
            tags.append("font_install")
    if rng.random() < SCREEN_CHANGE:
        other = d.alt_display if d.alt_display is not None and rng.random() < 0.7 else desktop_display(rng, d.os, True)
        d = replace(d, display=other, alt_display=d.display)
        tags.append("screen_change")
    if rng.random() < INSETS_CHANGE:
        d = replace(d, taskbar=taskbar(rng, d.os, d.os_version))
        tags.append("taskbar_change")
    return d, tags


def travel(d: Device, rng: np.random.Generator) -> tuple[Device, str | None, list[str]]:
    """(device, destination country if abroad, tags): the device's clock follows the location."""
    if rng.random() >= TRAVEL:
        return d, None, []
    zones = _country(d.country).zones
    if len(zones) > 1 and rng.random() < 0.4:  # within the country
        tz = str(rng.choice([z for z in zones if z != d.timezone] or list(zones)))
        return replace(d, timezone=tz), None, ["travel"]
    dest = pn.pick_country(rng, exclude=d.country)
    return replace(d, timezone=_zone(rng, dest)), dest, ["travel"]


def storage(d: Device, rng: np.random.Generator, gap: float, private_now: bool) -> tuple[str | None, str]:
    """The storage id the collector finds at the new visit, and why it changed."""
    if d.storage_id is None:
        return None, "blocked"
    if d.private_now or private_now:
        return _new_id(rng), "private"
    if d.browser == "Safari" and gap > ITP_DAYS and not d.engaged:
        return _new_id(rng), "itp"
    if rng.random() < 1.0 - np.exp(-gap / CLEAR_DAYS):
        return _new_id(rng), "cleared"
    return d.storage_id, "kept"


def revisit(d: Device, rng: np.random.Generator) -> Revisit:
    """The same device at a later visit."""
    gap = gap_days(rng)
    out, tags = software(d, rng, gap)
    out, more = desktop_changes(out, rng, gap)
    out, abroad, trip = travel(out, rng)
    home_subnet = pn.renumber(rng, out.home_isp, out.home_subnet, gap)
    net = pn.visit_network(rng, out.mobile, out.home_isp, home_subnet, out.carrier, out.carrier_region,
                           out.country, abroad)
    private_now = out.private_habit or bool(rng.random() < PRIVATE_VISIT)
    sid, why = storage(out, rng, gap, private_now)
    out = replace(out, home_subnet=home_subnet, net=net, storage_id=sid, private_now=private_now)
    before, after = d.network(), out.network()
    same_subnet = subnet(before["ip"]) == subnet(after["ip"])
    continuity = "subnet" if same_subnet else "asn" if before["asn"] == after["asn"] else "none"
    return Revisit(out, gap, tuple(tags + more + trip), why, net.kind, continuity)


def drift(d: Device, rng: np.random.Generator) -> Device:
    """The same device at a later visit (see :func:`revisit` for what changed)."""
    return revisit(d, rng).device
