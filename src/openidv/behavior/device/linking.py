"""Fuzzy device linking: is this the device of an earlier session, despite drift?

Two fingerprints are compared attribute by attribute in the Fellegi-Sunter way: agreeing on an
attribute adds ``log(m / u)``, disagreeing adds ``log((1 - m) / (1 - u))``, where ``m`` is how often
the attribute stays the same on a returning device (browser updates, travel and new screens move
some of them) and ``u`` how often an unrelated device shares the value. ``u`` is value-specific: it
comes from how many indexed devices have that value, shrunk towards a prior, so agreeing on the
canvas hash of a million identical phones counts for little and agreeing on a rare font set counts
a lot. A browser major version that moved forward by a few releases is an update, not evidence
against. The first-party storage id, when the browser kept it, links outright.

Candidates come from blocking: each fingerprint has a handful of keys (hashes of attribute
groups, :data:`fingerprint.BLOCKS`); any shared key makes a candidate. ``m`` and the prior ``u``
are estimated on a generated device population (``python -m openidv.behavior.training.train_device``)
and the link threshold is tuned there, on a different population than the one reported.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from openidv.behavior.device.fingerprint import Fingerprint

PRIOR_STRENGTH = 50.0  # pseudo-devices behind the prior u of each group
CONDITIONAL_STRENGTH = 5.0  # pseudo-devices behind a value's overall frequency, given the hardware
MAX_AGREE = 12.0  # cap of one attribute's agreement weight (nats)
MAX_BLOCK = 200  # most recent devices kept per blocking key
UPDATE_STEPS = 4  # a browser major this many releases newer is an update
MAX_CANDIDATES = 50  # scored per lookup, those sharing the most blocking keys


@dataclass(frozen=True)
class LinkParams:
    """Estimated on a generated population: per attribute m and prior u."""

    m: Mapping[str, float]
    u: Mapping[str, float]

    def to_json(self) -> str:
        return json.dumps({"m": dict(self.m), "u": dict(self.u)}, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> LinkParams:
        d = json.loads(text)
        return cls(dict(d["m"]), dict(d["u"]))


GROUPS: dict[str, tuple[str, ...]] = {
    # Attributes fixed by the hardware and OS model: one piece of evidence, not nine.
    "hardware": ("webgl", "webgl_vendor", "hw", "mem", "model", "arch", "touch", "platform", "os"),
    "rendering": ("canvas", "audio"),
    "browser": ("browser", "browser_major"),
    "os_version": ("os_version",),
    "fonts": ("fonts",),
    "screen": ("screen", "pixel_ratio", "color_depth"),
    "timezone": ("timezone",),
    "languages": ("languages",),
    "network": ("subnet",),
}
HARDWARE = "hardware"
RENDERING = "rendering"


def software_updated(a: Fingerprint, b: Fingerprint) -> bool:
    """The browser or OS moved to a newer release between b and a: renderings may differ."""
    ma, mb = a.values.get("browser_major"), b.values.get("browser_major")
    if isinstance(ma, int | float) and isinstance(mb, int | float) and ma != mb:
        return True
    return a.values.get("os_version") != b.values.get("os_version")


def _value_key(v: Any) -> str:
    return ",".join(sorted(v)) if isinstance(v, frozenset) else str(v)


def group_key(fp: Fingerprint, group: str) -> str:
    return "|".join(_value_key(fp.values.get(a, "")) for a in GROUPS[group])


def _agree(attr: str, a: Any, b: Any) -> bool | None:
    """True/False, or None for 'no evidence' (a plausible browser update)."""
    if attr == "fonts":
        inter = len(a & b)
        return inter / max(len(a | b), 1) >= 0.9
    if attr == "browser_major":
        if a == b:
            return True
        return None if 0 < a - b <= UPDATE_STEPS else False
    return bool(a == b)


def group_agreement(a: Fingerprint, b: Fingerprint, group: str) -> bool | None:
    """Whether every attribute of the group present on both sides agrees (None: nothing to compare)."""
    seen = False
    for attr in GROUPS[group]:
        va, vb = a.values.get(attr), b.values.get(attr)
        if va is None or vb is None:
            continue
        ok = _agree(attr, va, vb)
        if ok is False:
            return False
        seen = seen or ok is True
    return True if seen else None


def posterior_log_odds(scores: list[float], n_devices: int) -> float:
    """Log odds that the best candidate is the device, against every other explanation.

    With each of the ``n`` known devices equally likely a priori, P(device i | data) is proportional
    to ``exp(s_i) / n`` and P(a new device) to about 1, so the best candidate's odds are
    ``exp(s_1) / (n + sum_{i>1} exp(s_i))``. Near-identical devices (phones of one model) share
    their score and so split the probability: none of them is linked on the fingerprint alone.
    """
    best = scores[0]
    rest = sorted(scores[1:], reverse=True)
    # log(n + sum exp(s_i)) computed stably
    hi = max([math.log(n_devices), *rest])
    total = math.exp(math.log(n_devices) - hi) + sum(math.exp(x - hi) for x in rest)
    return best - (hi + math.log(total))


def rank_candidates(groups: Iterable[Iterable[str]], keep: int = MAX_CANDIDATES) -> list[str]:
    """Devices sharing the most blocking keys first (then the most recent), at most `keep`."""
    shared: dict[str, int] = defaultdict(int)
    recency: dict[str, int] = {}
    for group in groups:
        for rank, device_id in enumerate(reversed(list(group))):
            shared[device_id] += 1
            recency[device_id] = min(recency.get(device_id, rank), rank)
    ordered = sorted(shared, key=lambda d: (-shared[d], recency[d]))
    return ordered[:keep]


@dataclass
class LinkResult:
    device_id: str | None
    score: float  # posterior log odds of the best candidate (inf for a storage-id link)
    method: str  # "storage_id", "fuzzy", "new"
    candidates: int
    runner_up: float | None = None


@dataclass
class DeviceIndex:
    """Known devices with blocking keys and value counts; in memory (see StoreDeviceIndex)."""

    params: LinkParams
    devices: dict[str, Fingerprint] = field(default_factory=dict)
    blocks: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    storage: dict[str, str] = field(default_factory=dict)
    counts: dict[tuple[str, ...], int] = field(default_factory=lambda: defaultdict(int))
    n: int = 0

    # --- what a persistent index overrides
    def candidate_ids(self, fp: Fingerprint) -> list[str]:
        return rank_candidates(self.blocks.get(key, ()) for key in fp.block_keys())

    def fingerprint_of(self, device_id: str) -> Fingerprint | None:
        return self.devices.get(device_id)

    def storage_owner(self, storage_id: str) -> str | None:
        return self.storage.get(storage_id)

    def add(self, device_id: str, fp: Fingerprint) -> None:
        """Index a device's latest fingerprint (replacing the previous one in the value counts)."""
        old = self.devices.get(device_id)
        self.count(fp, old)
        self.devices[device_id] = fp
        for key in fp.block_keys():
            ids = self.blocks[key]
            if device_id in ids:
                ids.remove(device_id)
            ids.append(device_id)
            del ids[:-MAX_BLOCK]
        if fp.storage_id:
            self.storage[fp.storage_id] = device_id

    # --- shared logic
    def count(self, fp: Fingerprint, old: Fingerprint | None = None) -> None:
        """Value counts: each group's tuple, alone and within the device's hardware tuple."""
        if old is None:
            self.n += 1
        else:
            for key in _count_keys(old):
                self.counts[key] -= 1
        for key in _count_keys(fp):
            self.counts[key] += 1

    def u(self, group: str, fp: Fingerprint, given_hardware: bool) -> float:
        """How often an unrelated device shares fp's value of `group` (given the same hardware)."""
        key = group_key(fp, group)
        c, n = self.counts.get(("g", group, key), 0), self.n
        u = (c + PRIOR_STRENGTH * self.params.u.get(group, 0.1)) / (n + PRIOR_STRENGTH)
        if given_hardware and group != HARDWARE:
            # Among devices with this hardware, shrunk towards the value's overall frequency.
            hw = group_key(fp, HARDWARE)
            c, n = self.counts.get(("hg", hw, group, key), 0), self.counts.get(("g", HARDWARE, hw), 0)
            u = (c + CONDITIONAL_STRENGTH * u) / (n + CONDITIONAL_STRENGTH)
        return u

    def similarity(self, a: Fingerprint, b: Fingerprint) -> float:
        """Log-likelihood ratio (nats) that `a` (new) and `b` (indexed) are the same device."""
        hw = group_agreement(a, b, HARDWARE)
        updated = software_updated(a, b)
        total = 0.0
        for group in GROUPS:
            agree = hw if group == HARDWARE else group_agreement(a, b, group)
            if agree is None:
                continue
            key = group + "|updated" if group == RENDERING and updated else group
            m = min(max(self.params.m.get(key, self.params.m.get(group, 0.9)), 1e-3), 1 - 1e-3)
            u = min(max(self.u(group, a, given_hardware=bool(hw)), 1e-6), 1 - 1e-6)
            total += min(math.log(m / u), MAX_AGREE) if agree else math.log((1 - m) / (1 - u))
        return total

    def match(self, fp: Fingerprint, threshold: float) -> LinkResult:
        """The best-matching known device if its score reaches `threshold`."""
        if fp.storage_id:
            owner = self.storage_owner(fp.storage_id)
            if owner is not None:
                return LinkResult(owner, float("inf"), "storage_id", 1)
        scored = []
        for cid in self.candidate_ids(fp):
            other = self.fingerprint_of(cid)
            if other is not None:
                scored.append((self.similarity(fp, other), cid))
        scored.sort(reverse=True)
        if not scored:
            return LinkResult(None, float("-inf"), "new", 0)
        best_id = scored[0][1]
        odds = posterior_log_odds([sc for sc, _ in scored], max(self.n, 1))
        runner = scored[1][0] if len(scored) > 1 else None
        if odds >= threshold:
            return LinkResult(best_id, odds, "fuzzy", len(scored), runner)
        return LinkResult(None, odds, "new", len(scored), runner)


def _count_keys(fp: Fingerprint) -> list[tuple[str, ...]]:
    hw = group_key(fp, HARDWARE)
    keys: list[tuple[str, ...]] = [("g", g, group_key(fp, g)) for g in GROUPS]
    keys += [("hg", hw, g, group_key(fp, g)) for g in GROUPS if g != HARDWARE]
    return keys


def estimate_params(pairs: Iterable[tuple[Fingerprint, Fingerprint]], population: list[Fingerprint],
                    n_random: int = 20000, seed: int = 0) -> LinkParams:
    """m per group from (later, earlier) fingerprints of the same devices; prior u from random pairs
    (also among pairs with the same hardware, for the conditional u)."""
    import numpy as np

    agree: dict[str, list[int]] = defaultdict(list)
    for later, earlier in pairs:
        for g in GROUPS:
            a = group_agreement(later, earlier, g)
            if a is not None:
                agree[g + "|updated" if g == RENDERING and software_updated(later, earlier) else g].append(int(a))
    rng = np.random.default_rng(seed)
    same: dict[str, list[int]] = defaultdict(list)
    for i, j in rng.integers(0, len(population), size=(n_random, 2)).tolist():
        if i == j:
            continue
        a, b = population[i], population[j]
        hw = group_agreement(a, b, HARDWARE)
        for g in GROUPS:
            ok = group_agreement(a, b, g)
            if ok is not None:
                same[g].append(int(ok))
                if hw and g != HARDWARE:
                    same[g + "|hardware"].append(int(ok))
    m = {g: (sum(v) + 1) / (len(v) + 2) for g, v in agree.items()}
    u = {g: (sum(v) + 1) / (len(v) + 2) for g, v in same.items()}
    return LinkParams(m, u)
