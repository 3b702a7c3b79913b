"""The generated device population behaves like the platforms it imitates (see population_data)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from openidv.behavior.device import population_net as pn
from openidv.behavior.device.fingerprint import fingerprint
from openidv.behavior.device.integrity import assess_device
from openidv.behavior.device.population import Device, new_device, new_population
from openidv.behavior.device.population_drift import revisit, storage


def _first(kind: str, seed: int = 0, **want: object) -> Device:
    rng = np.random.default_rng(seed)
    while True:
        d = new_device(rng)
        if d.os == kind and all(getattr(d, k) == v for k, v in want.items()):
            return d


def test_user_agents_are_frozen_or_reduced_as_browsers_send_them() -> None:
    mac = _first("macOS", browser="Chrome").attributes()
    assert "Mac OS X 10_15_7" in mac["user_agent"] and fingerprint(mac).values["os_version"] != "10.15.7"
    android = _first("Android", browser="Chrome").attributes()
    assert "Android 10; K)" in android["user_agent"] and android["client_hints"]["model"]
    assert fingerprint(android).values["os_version"] == android["client_hints"]["platform_version"]
    iphone = _first("iOS").attributes()
    assert len(iphone["languages"]) == 1 and "device_memory" not in iphone  # Safari: first language only


def test_generated_devices_pass_the_integrity_rules() -> None:
    rng = np.random.default_rng(3)
    for d in new_population(rng, 200):
        findings = [f.code for f in assess_device(d.attributes(), d.network()).findings]
        assert findings == [], (d.os, d.browser, findings)


def test_households_share_the_home_network() -> None:
    rng = np.random.default_rng(4)
    devices = new_population(rng, 400)
    by_home: dict[int, list[Device]] = {}
    for d in devices:
        by_home.setdefault(d.household, []).append(d)
    families = [m for m in by_home.values() if len(m) > 1]
    assert families, "some devices share a household"
    for members in families:
        assert len({(m.home_isp, m.home_subnet, m.country) for m in members}) == 1


def test_drift_follows_the_time_between_visits() -> None:
    rng = np.random.default_rng(5)
    devices = new_population(rng, 300)
    visits = [revisit(d, rng) for d in devices]
    long = [v for v in visits if v.gap_days > 60 and v.device.browser in ("Chrome", "Edge", "Firefox")]
    short = [v for v in visits if v.gap_days < 1 and v.device.browser in ("Chrome", "Edge", "Firefox")]
    assert np.mean(["browser_update" in v.tags for v in long]) > 0.9
    assert np.mean(["browser_update" in v.tags for v in short]) < 0.2
    for v in visits:
        if v.network == "abroad":
            assert "travel" in v.tags and v.device.net is not None and v.device.net.country != v.device.country


def test_safari_storage_cap_and_private_windows() -> None:
    rng = np.random.default_rng(6)
    safari = replace(_first("iOS"), engaged=False, private_now=False, private_habit=False, storage_id="ab" * 16)
    assert storage(safari, rng, 30.0, private_now=False)[1] == "itp"
    assert storage(replace(safari, engaged=True), np.random.default_rng(1), 0.5, private_now=False) == (
        safari.storage_id, "kept")
    assert storage(safari, rng, 0.5, private_now=True)[1] == "private"


def test_renumbering_keeps_the_isp_and_region() -> None:
    rng = np.random.default_rng(7)
    periodic = next(i for i in pn.isps() if i.periodic and not i.mobile)
    sticky = next(i for i in pn.isps() if not i.periodic and not i.mobile)
    moved = [pn.renumber(rng, periodic.index, 5000, 3.0) for _ in range(50)]
    assert sum(m != 5000 for m in moved) > 40 and {m // pn.REGION_SIZE for m in moved} == {5000 // pn.REGION_SIZE}
    assert sum(pn.renumber(rng, sticky.index, 5000, 3.0) != 5000 for _ in range(200)) < 20
