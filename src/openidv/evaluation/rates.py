"""Rates at a fixed threshold (FMR, FNMR, APCER, BPCER, FAR, FRR, FTA ...) as bootstrap statistics.

At a fixed threshold every row is either an error or not, so the statistic is a ratio of two
pre-aggregated per-subject sums: ``W -> (W . errors) / (W . rows)``. The threshold is held fixed
across replicates: these intervals describe the rates *at this threshold*, not the uncertainty of
choosing it (see :mod:`openidv.evaluation.operating` for that).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from openidv.evaluation.bootstrap import Statistic
from openidv.evaluation.groups import Aggregate, Group, identity_weights, second_subject


def ratio(num: Aggregate, den: Aggregate) -> Statistic:
    return ratio_of_sums([num], [den])


def ratio_of_sums(num: list[Aggregate], den: list[Aggregate]) -> Statistic:
    """``W -> sum(num)(W) / sum(den)(W)``; NaN where the denominator is 0 in a replicate."""

    def stat(w: np.ndarray) -> np.ndarray:
        d = np.sum([agg(w) for agg in den], axis=0)
        n = np.sum([agg(w) for agg in num], axis=0)
        return np.where(d > 0, n / np.where(d > 0, d, 1.0), np.nan)

    return stat


def error_rate(group: Group, threshold: float, errors: Literal["accepted", "rejected"]) -> Statistic:
    """Share of the group's weight accepted (``score >= t``: FMR, APCER) or rejected (FNMR, BPCER)."""
    k = int(np.searchsorted(group.scores, threshold, side="left"))
    rows = slice(k, None) if errors == "accepted" else slice(0, k)
    return ratio(group.aggregate(rows), group.total)


def point_rate(group: Group, threshold: float, errors: Literal["accepted", "rejected"]) -> float:
    return float(error_rate(group, threshold, errors)(np.ones((1, group.n_subjects)))[0])


def share(
    a: np.ndarray, b: np.ndarray | None, mask: np.ndarray, n_subjects: int, identity_weighting: bool
) -> Statistic:
    """Weighted share of rows where ``mask`` holds (FTA, FTE, non-response rates) within ``a``'s rows."""
    base = identity_weights(a, n_subjects) if identity_weighting else np.ones(a.shape[0])
    bb = None if b is None else second_subject(a, b, n_subjects)
    num = Aggregate(a, bb, base * mask, n_subjects)
    den = Aggregate(a, bb, base, n_subjects)
    return ratio(num, den)
