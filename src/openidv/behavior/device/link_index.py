"""The device index: known devices, blocking keys, value frequencies and the match itself.

:class:`DeviceIndex` keeps everything in memory (training, tests); the service uses
:class:`openidv.behavior.device.store_index.StoreDeviceIndex`, which reads candidates and
fingerprints from the signals store and keeps only the value frequencies in memory.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from openidv.behavior.device.fingerprint import Fingerprint, form_factor
from openidv.behavior.device.linking import (
    COMPARISONS,
    CONDITIONAL_STRENGTH,
    MAX_AGREE,
    MAX_BLOCK,
    PRIOR_STRENGTH,
    RENDERING,
    LinkParams,
    combine,
    count_keys,
    group_key,
    level,
    posterior_log_odds,
    rank_candidates,
    software_updated,
    top_level,
    value_key,
)


@dataclass
class LinkResult:
    device_id: str | None
    score: float  # posterior log odds of the best candidate (inf for a storage-id link)
    method: str  # "host_id", "storage_id", "fuzzy", "new"
    candidates: int
    runner_up: float | None = None
    best_id: str | None = None  # the best candidate, linked or not (for evaluation)


@dataclass
class DeviceIndex:
    """Known devices with blocking keys and value counts, in memory."""

    params: LinkParams
    devices: dict[str, Fingerprint] = field(default_factory=dict)
    blocks: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    storage: dict[str, str] = field(default_factory=dict)
    hosts: dict[str, str] = field(default_factory=dict)
    counts: dict[tuple[str, ...], int] = field(default_factory=lambda: defaultdict(int))
    n: int = 0
    _log_m: dict[str, float] | None = field(default=None, repr=False)

    # --- what a persistent index overrides
    def candidate_ids(self, fp: Fingerprint) -> list[str]:
        return rank_candidates(self.blocks.get(key, ()) for key in fp.block_keys())

    def fingerprint_of(self, device_id: str) -> Fingerprint | None:
        return self.devices.get(device_id)

    def storage_owner(self, storage_id: str) -> str | None:
        return self.storage.get(storage_id)

    def host_owner(self, host_id: str) -> str | None:
        return self.hosts.get(host_id)

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
        if fp.host_id:
            self.hosts[fp.host_id] = device_id

    # --- shared logic
    def count(self, fp: Fingerprint, old: Fingerprint | None = None) -> None:
        if old is None:
            self.n += 1
        else:
            self._drop(old)
        for key in count_keys(fp):
            self.counts[key] += 1

    def add_values(self, fp: Fingerprint) -> None:
        """Count a fingerprint's values without counting a new device."""
        for key in count_keys(fp):
            self.counts[key] += 1

    def uncount(self, fp: Fingerprint) -> None:
        """A device leaves the index (its only session erased)."""
        self.n = max(0, self.n - 1)
        self._drop(fp)

    def _drop(self, fp: Fingerprint) -> None:
        for key in count_keys(fp):
            left = self.counts.get(key, 0) - 1
            if left > 0:
                self.counts[key] = left
            else:  # no value of an erased device is kept as a key
                self.counts.pop(key, None)

    def _prior(self, comp: str, lvl: int, given_hw: bool) -> float:
        u = self.params.u
        base = u.get(f"{comp}:{lvl}", 0.1)
        return u.get(f"{comp}:{lvl}|hw", base) if given_hw else base

    def u(self, comp: str, lvl: int, fp: Fingerprint, given_hw: bool) -> float:
        """How often another indexed device shows level `lvl` with `fp` (with the same hardware when
        `given_hw`). A valued level counts the other devices sharing fp's value: the candidate
        itself shares it, so it is left out of the count."""
        prior = self._prior(comp, lvl, False)
        key = value_key(comp, lvl, fp)
        if key is None:
            return self._prior(comp, lvl, given_hw)
        c, n = max(self.counts.get(("g", comp, str(lvl), key), 0) - 1, 0), max(self.n - 1, 0)
        u = (c + PRIOR_STRENGTH * prior) / (n + PRIOR_STRENGTH)
        if given_hw and comp != "hardware":
            lift = self._prior(comp, lvl, True) / max(prior, 1e-9)  # agreement is likelier on the same hardware
            target = min(u * lift, 1.0)
            hw = group_key(fp, "hardware")
            c = max(self.counts.get(("hg", hw, comp, str(lvl), key), 0) - 1, 0)
            n = max(self.counts.get(("g", "hardware", "1", hw), 0) - 1, 0)
            u = (c + CONDITIONAL_STRENGTH * target) / (n + CONDITIONAL_STRENGTH)
        return u

    def weights(self, fp: Fingerprint) -> dict[tuple[str, int, bool], float]:
        """The probe's ``log u`` for every (comparison, level, hardware agrees), once per lookup."""
        out = {}
        for comp in COMPARISONS:
            for lvl in range(top_level(comp) + 1):
                for hw in (False, True):
                    out[(comp, lvl, hw)] = math.log(min(max(self.u(comp, lvl, fp, hw), 1e-6), 1 - 1e-6))
        return out

    def log_m(self, key: str) -> float:
        """``log m`` of a level key (``comp:level`` or ``comp:level|upd``), cached."""
        if self._log_m is None:
            self._log_m = {}
        if key not in self._log_m:
            m = self.params.m
            self._log_m[key] = math.log(min(max(m.get(key, m.get(key.split("|")[0], 1e-3)), 1e-4), 1 - 1e-4))
        return self._log_m[key]

    def comparison_weights(self, a: Fingerprint, b: Fingerprint,
                           log_u: dict[tuple[str, int, bool], float]) -> tuple[dict[str, float], bool]:
        """Each comparable comparison's Fellegi-Sunter weight ``log(m / u)`` (nats), and whether
        the hardware agrees."""
        hw = level("hardware", a, b) == 1
        updated = software_updated(a, b)
        out = {}
        for comp in COMPARISONS:
            lvl = level(comp, a, b)
            if lvl is None:
                continue
            key = f"{comp}:{lvl}|upd" if updated and comp in RENDERING else f"{comp}:{lvl}"
            out[comp] = min(self.log_m(key) - log_u[(comp, lvl, hw)], MAX_AGREE)
        return out, hw

    def similarity(self, a: Fingerprint, b: Fingerprint,
                   log_u: dict[tuple[str, int, bool], float] | None = None) -> float:
        """Log likelihood ratio (nats) that `a` (new) and `b` (indexed) are the same device."""
        weights, hw = self.comparison_weights(a, b, log_u or self.weights(a))
        return combine(weights, hw, form_factor(a) == "mobile", self.params)

    def match(self, fp: Fingerprint, threshold: float) -> LinkResult:
        """The device of the integrator's device id or of the storage id if known (an outright link),
        else the best-matching known device if its posterior log odds reach `threshold`."""
        for method, key, owner_of in (("host_id", fp.host_id, self.host_owner),
                                      ("storage_id", fp.storage_id, self.storage_owner)):
            owner = owner_of(key) if key else None
            if owner is not None:
                return LinkResult(owner, float("inf"), method, 1, best_id=owner)
        log_u = self.weights(fp)
        scored = []
        for cid in self.candidate_ids(fp):
            other = self.fingerprint_of(cid)
            if other is not None:
                scored.append((self.similarity(fp, other, log_u), cid))
        if not scored:
            return LinkResult(None, float("-inf"), "new", 0)
        scored.sort(reverse=True)
        best_id = scored[0][1]
        odds = posterior_log_odds([sc for sc, _ in scored], max(self.n, 1))
        runner = scored[1][0] if len(scored) > 1 else None
        linked = best_id if odds >= threshold else None
        return LinkResult(linked, odds, "fuzzy" if linked else "new", len(scored), runner, best_id)
