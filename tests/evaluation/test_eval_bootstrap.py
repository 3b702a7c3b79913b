"""Subject bootstrap: determinism, weights, and interval coverage on simulated data."""

from __future__ import annotations

import numpy as np

from openidv.evaluation.bootstrap import BootstrapConfig, percentile_ci, weight_chunks
from openidv.evaluation.validation import clustered_rate, coverage, crossed_pairs


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


def test_subject_bootstrap_covers_at_the_nominal_rate() -> None:
    # identity-weighted; with equal attempts per subject row weighting gives the same numbers
    cov = coverage(lambda r: clustered_rate(r, True), 400)
    assert 0.92 <= cov <= 0.98, cov


def test_pair_bootstrap_covers_crossed_impostor_designs() -> None:
    two_way = coverage(crossed_pairs, 300)
    assert 0.92 <= two_way <= 0.98, two_way
    # Resampling impostor pairs by one subject only ignores the second subject's effect: far too narrow.
    one_way = coverage(lambda r: crossed_pairs(r, pairs=False), 150)
    assert one_way < 0.85, one_way
