"""Device-linking evaluation sets: generated probes, their best matches, and score sets for the
evaluation layer.

A population has ``enrolled`` devices indexed at their first visit; ``returning`` of them come
back (:func:`population_drift.revisit`) and ``new`` devices arrive (a share of them from a known
household). Each probe is looked up; its best candidate and posterior log odds are kept.

Score set (``verification`` kind, one subject per probe device):

* a **genuine** row per returning probe: its score if the best candidate is its own device, else
  ``NEVER`` (it cannot be re-linked at any threshold), so FNMR = 1 - re-link rate;
* an **impostor** row per probe: its score if the best candidate is another device, else
  ``NEVER`` (no false link is possible), so FMR = false links over all probes, the acceptance
  definition. A storage-id link scores ``ALWAYS``.

Scores are shifted by the probe's form-factor threshold when one is given, so every form factor
is judged at threshold 0 by one evaluation.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from openidv.behavior.device.fingerprint import Fingerprint, fingerprint, form_factor
from openidv.behavior.device.link_index import DeviceIndex
from openidv.behavior.device.linking import LinkParams
from openidv.behavior.device.population import Device, new_population, newcomer
from openidv.behavior.device.population_drift import revisit

NEVER, ALWAYS = -1e9, 1e9
DRIFT_TAGS = ("browser_update", "os_update", "travel", "screen_change", "font_install", "taskbar_change")


@dataclass
class Probes:
    fps: list[Fingerprint]
    truth: list[str | None]  # device id, None for new devices
    meta: list[dict[str, str]]  # slice attributes


@dataclass
class Population:
    base: list[Fingerprint]
    probes: Probes
    devices: list[Device] = field(repr=False)
    raw_probes: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list, repr=False)


def _gap_bucket(days: float) -> str:
    return "<=7d" if days <= 7 else "7-30d" if days <= 30 else "30-90d" if days <= 90 else "90-180d"


def _meta_returning(d: Device, r: Any, household_size: int) -> dict[str, str]:
    lost = r.storage != "kept"
    meta = {"form": "phone" if d.mobile else "desktop", "os": d.os, "probe": "returning", "storage": r.storage,
            "network": r.network, "continuity": r.continuity, "gap": _gap_bucket(r.gap_days),
            "hard_case": "yes" if d.mobile and lost and r.continuity != "subnet" else "no",
            "household": "shared" if household_size > 1 else "alone"}
    meta |= {f"drift_{t}": "yes" if t in r.tags else "no" for t in DRIFT_TAGS}
    meta["drift_none"] = "yes" if not r.tags else "no"
    return meta


def _meta_new(d: Device, known_household: bool) -> dict[str, str]:
    meta = {"form": "phone" if d.mobile else "desktop", "os": d.os, "probe": "new", "storage": "new",
            "network": d.net.kind if d.net else "home", "continuity": "new", "gap": "new", "hard_case": "new",
            "household": "known" if known_household else "new"}
    return meta | {f"drift_{t}": "new" for t in DRIFT_TAGS} | {"drift_none": "new"}


def generate(seed: int, enrolled: int, returning: int, new: int, lookup: bool = True) -> Population:
    """One population: enrolled fingerprints and probes (returning first, then new)."""
    rng = np.random.default_rng(seed)
    devices = new_population(rng, enrolled)
    base = [fingerprint(d.attributes(), d.network(lookup)) for d in devices]
    probes = Probes([], [], [])
    raw: list[tuple[dict[str, Any], dict[str, Any]]] = []
    sizes = Counter(d.household for d in devices)
    for i in rng.choice(enrolled, size=returning, replace=False).tolist():
        r = revisit(devices[i], rng)
        raw.append((r.device.attributes(), r.device.network(lookup)))
        probes.fps.append(fingerprint(*raw[-1]))
        probes.truth.append(f"d{i}")
        probes.meta.append(_meta_returning(devices[i], r, sizes[devices[i].household]))
    known = {d.household for d in devices}
    for k in range(new):
        d = newcomer(rng, devices, household=enrolled + k)
        raw.append((d.attributes(), d.network(lookup)))
        probes.fps.append(fingerprint(*raw[-1]))
        probes.truth.append(None)
        probes.meta.append(_meta_new(d, d.household in known))
    return Population(base, probes, devices, raw)


def build_index(base: list[Fingerprint], params: LinkParams) -> DeviceIndex:
    idx = DeviceIndex(params)
    for i, fp in enumerate(base):
        idx.add(f"d{i}", fp)
    return idx


@dataclass
class Matches:
    best: list[str | None]
    score: list[float]
    blocked_in: list[bool]  # the true device was among the scored candidates (returning probes)
    cpu_ms: list[float]


def match_all(idx: DeviceIndex, probes: Probes, fingerprint_only: bool) -> Matches:
    """Best candidate and posterior log odds of every probe (threshold applied later)."""
    out = Matches([], [], [], [])
    for fp, truth in zip(probes.fps, probes.truth, strict=True):
        p = Fingerprint(fp.values, None) if fingerprint_only else fp
        t0 = time.process_time()
        r = idx.match(p, threshold=float("inf"))
        out.cpu_ms.append((time.process_time() - t0) * 1000)
        out.best.append(r.best_id)
        outright = r.method in ("storage_id", "host_id")
        out.score.append(ALWAYS if outright else r.score if np.isfinite(r.score) else NEVER)
        out.blocked_in.append(truth is not None and (r.best_id == truth or truth in idx.candidate_ids(p)))
    return out


def strip(fps: list[Fingerprint], attrs: tuple[str, ...]) -> list[Fingerprint]:
    """The fingerprints without some attributes (e.g. ``asn`` when no IP lookup table is set)."""
    return [replace(fp, values={k: v for k, v in fp.values.items() if k not in attrs}) for fp in fps]


def with_server_cookie(pop: Population) -> tuple[list[Fingerprint], Probes]:
    """The population as it would be if the integrator also sent its own device id from an HttpOnly
    first-party cookie set by its server (telemetry ``device_id``): Safari's 7-day cap on
    script-written storage does not apply to it; clearing site data and private windows do."""
    base = [replace(fp, host_id=fp.storage_id) for fp in pop.base]
    fps = []
    for fp, truth, meta in zip(pop.probes.fps, pop.probes.truth, pop.probes.meta, strict=True):
        kept = truth is not None and meta["storage"] in ("kept", "itp")
        fps.append(replace(fp, host_id=base[int(truth[1:])].host_id if kept and truth else fp.storage_id))
    return base, Probes(fps, pop.probes.truth, pop.probes.meta)


def kinds(probes: Probes) -> list[str]:
    return [form_factor(fp) for fp in probes.fps]


def score_arrays(m: Matches, probes: Probes, thresholds: dict[str, float] | None = None,
                 subset: str | None = None) -> dict[str, Any]:
    """Rows for the evaluation layer (see the module docstring)."""
    score, positive, subject, attrs = [], [], [], []
    for i, (best, s, truth, kind) in enumerate(zip(m.best, m.score, probes.truth, kinds(probes), strict=True)):
        if subset and kind != subset:
            continue
        shift = thresholds[kind] if thresholds and abs(s) < ALWAYS else 0.0
        sid = truth or f"n{i}"
        if truth is not None:
            score.append(s - shift if best == truth else NEVER)
            positive.append(True)
            subject.append(sid)
            attrs.append(probes.meta[i])
        score.append(s - shift if best is not None and best != truth else NEVER)
        positive.append(False)
        subject.append(sid)
        attrs.append(probes.meta[i])
    keys = attrs[0].keys() if attrs else []
    return {"score": np.array(score), "positive": np.array(positive), "subject": np.array(subject),
            "attributes": {k: np.array([a[k] for a in attrs]) for k in keys}}
