"""Weighted error-rate curves over every candidate threshold, computed once per replicate.

Convention everywhere: a threshold ``t`` accepts a row iff ``score >= t`` (the decision engine
acts when ``score < threshold``). The candidate thresholds are the distinct scores plus ``+inf``
(accept nothing), the same operating points as scikit-learn's ``roc_curve``.

For each group the engine returns ``below[k]``, the weighted count of rows scoring below
``grid[k]``; every rate is a ratio of these (FNMR and BPCER are ``below / total``, FMR and APCER
are ``1 - below / total``).

*Windowing.* Operating points at small error rates (FNMR at FMR = 1e-4, BPCER at APCER = 1%, EER)
only depend on rows above some score ``lo``; rows below it enter through pre-aggregated per-subject
sums. A replicate then costs O(rows above ``lo``) instead of O(all rows), which is what makes
bootstrap intervals over 10 million comparisons take seconds. A replicate whose answer falls at the
edge of the window is recomputed over all rows, so windowing never changes a result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from openidv.evaluation.groups import Group

RTOL = 1e-12  # rates within this relative distance of a target meet it (rounding of weight sums)


@dataclass(frozen=True)
class Curves:
    """One replicate's curves: ``below[name][k]`` and ``total[name]`` per group, on ``grid``."""

    grid: np.ndarray
    below: Mapping[str, np.ndarray]
    total: Mapping[str, float]
    partial: bool

    def rate_below(self, name: str) -> np.ndarray:
        """FNMR / BPCER / FPR-style rate: share of the group's weight scoring below each threshold."""
        total = self.total[name]
        return self.below[name] / total if total > 0 else np.full(self.grid.shape, np.nan)

    def rate_at_or_above(self, name: str) -> np.ndarray:
        """FMR / APCER-style rate: share of the group's weight accepted at each threshold."""
        total = self.total[name]
        if total <= 0:
            return np.full(self.grid.shape, np.nan)
        return np.maximum(total - self.below[name], 0.0) / total


@dataclass
class ChunkCache:
    """Per-chunk vectorised sums: group totals and the weight below the window, per replicate."""

    total: dict[str, np.ndarray]
    below_lo: dict[str, np.ndarray]


class CurveEngine:
    """Curves for a fixed set of groups over thresholds ``>= lo`` (``lo = -inf``: all rows)."""

    def __init__(self, groups: Mapping[str, Group], lo: float = -np.inf) -> None:
        self.groups = dict(groups)
        self.lo = float(lo)
        self.start = {n: int(np.searchsorted(g.scores, lo, side="left")) for n, g in self.groups.items()}
        parts = [g.scores[self.start[n] :] for n, g in self.groups.items()]
        grid = np.unique(np.concatenate(parts)) if parts else np.empty(0)
        self.grid = np.append(grid, np.inf)
        self.idx = {
            n: np.searchsorted(g.scores[self.start[n] :], self.grid, side="left")
            for n, g in self.groups.items()
        }
        self._total = {n: g.total for n, g in self.groups.items()}
        self._below = {
            n: g.aggregate(slice(0, self.start[n])) for n, g in self.groups.items() if self.start[n]
        }

    @property
    def partial(self) -> bool:
        return bool(np.isfinite(self.lo))

    def prepare(self, w: np.ndarray) -> ChunkCache:
        """Vectorised per-chunk sums (O(subjects) per replicate)."""
        zeros = np.zeros(w.shape[0])
        total = {n: agg(w) for n, agg in self._total.items()}
        below = {n: (self._below[n](w) if n in self._below else zeros) for n in self.groups}
        return ChunkCache(total, below)

    def curves(self, w_row: np.ndarray, cache: ChunkCache, i: int) -> Curves:
        """Curves of replicate ``i`` of the chunk whose weights row is ``w_row``."""
        below: dict[str, np.ndarray] = {}
        for n, g in self.groups.items():
            cw = np.concatenate([[0.0], np.cumsum(g.row_weights(w_row, self.start[n]))])
            below[n] = cache.below_lo[n][i] + cw[self.idx[n]]
        total = {n: float(cache.total[n][i]) for n in self.groups}
        return Curves(self.grid, below, total, self.partial)

    def point(self) -> Curves:
        """Curves with every subject weighted 1 (the point estimate)."""
        ones = np.ones((1, next(iter(self.groups.values())).n_subjects))
        return self.curves(ones[0], self.prepare(ones), 0)


def first_at_or_below(decreasing: np.ndarray, target: float) -> int:
    """First index where a non-increasing rate is ``<= target`` (len if never)."""
    ok = decreasing <= target * (1.0 + RTOL) + 1e-300
    return int(np.argmax(ok)) if bool(ok.any()) else int(decreasing.shape[0])


def last_at_or_below(increasing: np.ndarray, target: float) -> int:
    """Last index where a non-decreasing rate is ``<= target`` (-1 if never)."""
    ok = increasing <= target * (1.0 + RTOL) + 1e-300
    return int(ok.shape[0] - 1 - np.argmax(ok[::-1])) if bool(ok.any()) else -1


def crossing(decreasing: np.ndarray, increasing: np.ndarray) -> tuple[float, int]:
    """Equal-error point: where the piecewise-linear (dec, inc) curve meets ``dec == inc``.

    Returns the interpolated common rate and the first index ``k`` with ``inc[k] >= dec[k]``
    (the threshold reported for the EER). ``k == 0`` means the crossing is not inside the curve.
    """
    diff = increasing - decreasing
    k = int(np.searchsorted(diff, 0.0, side="left"))
    if k == 0 or k >= diff.shape[0]:
        return float("nan"), k
    x1, y1, x2, y2 = decreasing[k - 1], increasing[k - 1], decreasing[k], increasing[k]
    d1, d2 = x1 - y1, x2 - y2
    frac = d1 / (d1 - d2) if d1 != d2 else 0.0
    return float(x1 + frac * (x2 - x1)), k


def window_start(point_rate_at_or_above: np.ndarray, grid: np.ndarray, needed: float) -> float:
    """Lowest threshold worth keeping in a window for operating points up to rate ``needed``.

    Keeps every threshold whose point-estimate rate is below ``min(1, 4 * needed + 0.01)``; the
    margin covers replicate-to-replicate variation and edge replicates are recomputed anyway.
    """
    limit = min(1.0, 4.0 * needed + 0.01)
    if limit >= 1.0:
        return -np.inf
    k = last_at_or_below(-point_rate_at_or_above, -limit)  # last k with rate >= limit
    return float(grid[k]) if k > 0 else -np.inf
