"""Simulation designs with a known true value, to check that intervals cover at their nominal rate.

Used by the coverage tests and ``benchmarks/eval_coverage.py``; also useful to check a new statistic
before trusting its intervals. Each design returns ``(statistic, n_subjects, true value)``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.stats import norm

from openidv.evaluation.bootstrap import BootstrapConfig, Statistic, percentile_ci, run_bootstrap
from openidv.evaluation.groups import Group
from openidv.evaluation.rates import error_rate

Design = Callable[[np.random.Generator], tuple[Statistic, int, float]]


def clustered_rate(rng: np.random.Generator, identity: bool = True) -> tuple[Statistic, int, float]:
    """100 subjects x 8 attempts; per-subject error probability ~ Beta(2, 8), so the true rate is 0.2."""
    p = rng.beta(2, 8, 100)
    a = np.repeat(np.arange(100), 8)
    err = rng.random(a.size) < p[a]
    g = Group.build("g", np.where(err, 0.0, 1.0), a, None, 100, identity)
    return error_rate(g, 0.5, "rejected"), 100, 0.2


def crossed_pairs(rng: np.random.Generator, pairs: bool = True) -> tuple[Statistic, int, float]:
    """All ordered impostor pairs of 40 subjects with score ``u_a + u_b + e``; FMR at 1.5 is known.

    With ``u ~ N(0, 0.6^2)`` and ``e ~ N(0, 1)`` the score is ``N(0, 2 * 0.36 + 1)``. ``pairs=False``
    resamples by the first subject only, which ignores the second subject's effect.
    """
    su, t = 0.6, 1.5
    u = rng.normal(0, su, 40)
    a, b = np.meshgrid(np.arange(40), np.arange(40), indexing="ij")
    keep = a != b
    a, b = a[keep], b[keep]
    g = Group.build("i", u[a] + u[b] + rng.normal(0, 1, a.size), a, b if pairs else None, 40, False)
    return error_rate(g, t, "accepted"), 40, float(1 - norm.cdf(t / np.sqrt(2 * su**2 + 1)))


def coverage(design: Design, n_sims: int, n_boot: int = 300, level: float = 0.95, seed: int = 2024) -> float:
    """Share of simulated data sets whose percentile interval contains the true value."""
    rng = np.random.default_rng(seed)
    hits = 0
    for i in range(n_sims):
        stat, n_subjects, truth = design(rng)
        reps = run_bootstrap({"s": stat}, n_subjects, BootstrapConfig(n_boot=n_boot, seed=i, ci_level=level))["s"]
        low, high = percentile_ci(reps, level)
        hits += low is not None and high is not None and low <= truth <= high
    return hits / n_sims
