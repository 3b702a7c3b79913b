"""Subject bootstrap: determinism, weights, and interval coverage on simulated data."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from openidv.evaluation.bootstrap import BootstrapConfig, percentile_ci, run_bootstrap, weight_chunks
from openidv.evaluation.groups import Group
from openidv.evaluation.rates import error_rate


def test_same_seed_same_replicates_and_weights_are_per_subject() -> None:
    cfg = BootstrapConfig(n_boot=50, seed=11)
    a = np.concatenate(list(weight_chunks(30, cfg)))
    b = np.concatenate(list(weight_chunks(30, cfg)))
    assert a.shape == (50, 30) and np.array_equal(a, b)
    assert np.all(a.sum(axis=1) == 30)  # multinomial: S draws with replacement
    p = np.concatenate(list(weight_chunks(30, BootstrapConfig(n_boot=50, method="poisson"))))
    assert p.min() >= 0 and abs(p.mean() - 1.0) < 0.1


def test_percentile_interval_ignores_undefined_replicates() -> None:
    assert percentile_ci(np.array([np.nan, 1.0, 2.0, 3.0]), 0.5) == (1.5, 2.5)
    assert percentile_ci(np.array([np.nan]), 0.95) == (None, None)


def coverage(simulate, n_sims: int, n_boot: int = 300) -> float:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(2024)
    hits = 0
    for i in range(n_sims):
        stat, n_subjects, truth = simulate(rng)
        reps = run_bootstrap({"s": stat}, n_subjects, BootstrapConfig(n_boot=n_boot, seed=i))["s"]
        low, high = percentile_ci(reps, 0.95)
        hits += low is not None and high is not None and low <= truth <= high
    return hits / n_sims


def clustered_rate(rng: np.random.Generator, identity: bool = True):  # type: ignore[no-untyped-def]
    """100 subjects x 8 attempts; per-subject error probability ~ Beta(2, 8) (mean 0.2)."""
    p = rng.beta(2, 8, 100)
    a = np.repeat(np.arange(100), 8)
    err = rng.random(a.size) < p[a]
    g = Group.build("g", np.where(err, 0.0, 1.0), a, None, 100, identity)
    return error_rate(g, 0.5, "rejected"), 100, 0.2


def crossed_pairs(rng: np.random.Generator, pairs: bool = True):  # type: ignore[no-untyped-def]
    """All ordered impostor pairs of 40 subjects, score = u_a + u_b + e: FMR at t is known exactly."""
    su, t = 0.6, 1.5
    u = rng.normal(0, su, 40)
    a, b = np.meshgrid(np.arange(40), np.arange(40), indexing="ij")
    keep = a != b
    a, b = a[keep], b[keep]
    g = Group.build("i", u[a] + u[b] + rng.normal(0, 1, a.size), a, b if pairs else None, 40, False)
    return error_rate(g, t, "accepted"), 40, float(1 - norm.cdf(t / np.sqrt(2 * su**2 + 1)))


@pytest.mark.parametrize("identity", [True, False])
def test_subject_bootstrap_covers_at_the_nominal_rate(identity: bool) -> None:
    cov = coverage(lambda r: clustered_rate(r, identity), 400)
    assert 0.92 <= cov <= 0.98, cov


def test_pair_bootstrap_covers_crossed_impostor_designs() -> None:
    two_way = coverage(crossed_pairs, 300)
    assert 0.92 <= two_way <= 0.98, two_way
    # Resampling impostor pairs by one subject only ignores the second subject's effect: far too narrow.
    one_way = coverage(lambda r: crossed_pairs(r, pairs=False), 150)
    assert one_way < 0.85, one_way
