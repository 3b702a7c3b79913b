"""Estimating the linker's ``m`` and prior ``u`` from a generated population.

``m[comp:level]``: the share of returning devices (pairs of a later and an earlier fingerprint of
one device) at each agreement level; canvas and audio also after a software update (``|upd``).
``u[comp:level]``: the share of pairs of *different* devices at each level, from random pairs, and
``|hw`` among pairs with the same hardware, which are sampled directly (random pairs rarely share
hardware, and that conditional share is what separates identical phones). Laplace-smoothed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from openidv.behavior.device.fingerprint import Fingerprint, form_factor
from openidv.behavior.device.linking import (
    COMPARISONS,
    FEATURES,
    LinkParams,
    feature_vector,
    group_key,
    level,
    m_key,
    top_level,
)

if TYPE_CHECKING:
    from openidv.behavior.device.link_index import DeviceIndex


def _smoothed(counts: dict[str, dict[int, int]]) -> dict[str, float]:
    out = {}
    for name, by_level in counts.items():
        comp = name.split("|")[0]
        n_levels = top_level(comp) + 1
        total = sum(by_level.values())
        for lvl in range(n_levels):
            key = f"{comp}:{lvl}" + (name[len(comp):] if "|" in name else "")
            out[key] = (by_level.get(lvl, 0) + 1) / (total + n_levels)
    return out


def _m_counts(pairs: Iterable[tuple[Fingerprint, Fingerprint]]) -> dict[str, dict[int, int]]:
    counts: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for later, earlier in pairs:
        for comp in COMPARISONS:
            lvl = level(comp, later, earlier)
            if lvl is not None:
                key = m_key(comp, lvl, later, earlier)
                counts[comp + ("|upd" if key.endswith("|upd") else "")][lvl] += 1
    return counts


def _same_hardware_pairs(population: list[Fingerprint], n: int, rng: np.random.Generator) -> list[tuple[int, int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, fp in enumerate(population):
        groups[group_key(fp, "hardware")].append(i)
    multi = [g for g in groups.values() if len(g) > 1]
    if not multi:
        return []
    w = np.array([len(g) * (len(g) - 1) for g in multi], dtype=float)
    out = []
    for gi in rng.choice(len(multi), size=n, p=w / w.sum()).tolist():
        i, j = rng.choice(multi[gi], size=2, replace=False).tolist()
        out.append((int(i), int(j)))
    return out


def estimate_params(pairs: Iterable[tuple[Fingerprint, Fingerprint]], population: list[Fingerprint],
                    n_random: int = 20000, seed: int = 0) -> LinkParams:
    """m from (later, earlier) fingerprints of the same devices; prior u from pairs of different
    devices of `population` (all pairs, and pairs with the same hardware)."""
    rng = np.random.default_rng(seed)
    u_counts: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    random_pairs = [(int(i), int(j)) for i, j in rng.integers(0, len(population), size=(n_random, 2)) if i != j]
    for pairs_of, suffix in ((random_pairs, ""), (_same_hardware_pairs(population, n_random, rng), "|hw")):
        for i, j in pairs_of:
            a, b = population[i], population[j]
            for comp in COMPARISONS:
                lvl = level(comp, a, b)
                if lvl is not None:
                    u_counts[comp + suffix][lvl] += 1
    return LinkParams(_smoothed(_m_counts(pairs)), _smoothed(u_counts))


def candidate_pairs(idx: DeviceIndex, probes: list[Fingerprint], truth: list[str | None]
                    ) -> tuple[np.ndarray, np.ndarray, int]:
    """Features and labels of every (probe, blocked candidate) pair, fingerprint only; and the
    number of probes that had candidates."""
    x, y, n_probes = [], [], 0
    for fp, t in zip(probes, truth, strict=True):
        probe = Fingerprint(fp.values, None)
        log_u = idx.weights(probe)
        mobile = form_factor(probe) == "mobile"
        cands = idx.candidate_ids(probe)
        n_probes += bool(cands)
        for cid in cands:
            other = idx.fingerprint_of(cid)
            if other is None:
                continue
            weights, hw = idx.comparison_weights(probe, other, log_u)
            x.append(feature_vector(weights, hw, mobile))
            y.append(cid == t)
    return np.array(x, dtype=float), np.array(y, dtype=bool), n_probes


def fit_combiner(params: LinkParams, idx: DeviceIndex, probes: list[Fingerprint], truth: list[str | None],
                 c: float = 1.0) -> LinkParams:
    """Logistic regression on candidate pairs -> the combiner, as a log likelihood ratio against a
    random unrelated device: the logit minus the training set's prior log odds, plus
    ``log(n / k)`` (the model was fitted on blocked candidates, a ``k / n`` share of the index that
    already resembles the probe, so it understates the ratio against any other device)."""
    from sklearn.linear_model import LogisticRegression

    x, y, n_probes = candidate_pairs(idx, probes, truth)
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit(x, y)
    pos = float(y.mean())
    k = max(float((~y).sum()) / max(n_probes, 1), 1.0)
    intercept = float(model.intercept_[0]) - float(np.log(pos / (1 - pos))) + float(np.log(max(idx.n, 1) / k))
    coef = {name: float(v) for name, v in zip(FEATURES, model.coef_[0], strict=True)}
    return replace(params, coef=coef, intercept=intercept)
