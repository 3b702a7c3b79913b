"""Weighted error-rate curves over every candidate threshold, computed once per replicate.

Convention everywhere: a threshold ``t`` accepts a row iff ``score >= t`` (the decision engine
acts when ``score < threshold``). The candidate thresholds are the distinct scores plus ``+inf``
(accept nothing), the same operating points as scikit-learn's ``roc_curve``.

For each group a replicate's curves give ``below(name)[k]`` and ``above(name)[k]``, the weighted
count of rows scoring below / at-or-above ``grid[k]``; every rate is one of them over the group
total (FNMR, BPCER: below; FMR, APCER: above).

*Windows.* An operating point (FNMR at FMR = 1e-4, the EER ...) moves little between replicates,
so a replicate only needs the thresholds near the point estimate's. An engine restricted to
``[lo, hi]`` cumulates the rows inside the window per replicate and takes the rows outside from
pre-aggregated per-subject sums (computed once per chunk of replicates). A replicate costs
O(rows in the window) instead of O(all rows), which is what makes intervals over 10 million
comparisons take seconds. A replicate whose answer falls at a window edge is recomputed over all
rows, so windows never change a result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from openidv.evaluation.groups import Aggregate, Group

RTOL = 1e-12  # rates within this relative distance of a target meet it (rounding of weight sums)
ATOL = 1e-12  # rates closer than this are equal (rounding of weight sums)


@dataclass
class ChunkCache:
    """Per-chunk sums, computed on first use: totals, weight below and above the window."""

    w: np.ndarray
    engine: CurveEngine
    values: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)

    def get(self, kind: str, name: str) -> np.ndarray:
        key = (kind, name)
        if key not in self.values:
            agg = self.engine.aggregate(kind, name)
            self.values[key] = agg(self.w) if agg is not None else np.zeros(self.w.shape[0])
        return self.values[key]


@dataclass
class Curves:
    """One replicate's curves on ``grid`` (read through the methods; computed lazily)."""

    grid: np.ndarray
    prefix: Mapping[str, np.ndarray]  # window weight below grid[k]
    inside: Mapping[str, float]  # window weight of the group
    cache: ChunkCache
    index: int
    partial: bool

    @property
    def names(self) -> list[str]:
        return list(self.prefix)

    def total(self, name: str) -> float:
        return float(self.cache.get("total", name)[self.index])

    def below(self, name: str) -> np.ndarray:
        return self.cache.get("below_lo", name)[self.index] + self.prefix[name]

    def above(self, name: str) -> np.ndarray:
        return self.cache.get("above_hi", name)[self.index] + (self.inside[name] - self.prefix[name])

    def rate_below(self, name: str) -> np.ndarray:
        """FNMR / BPCER / FPR-style rate: share of the group's weight scoring below each threshold."""
        total = self.total(name)
        # clipped: summed float weights can overshoot 1 by an ulp
        return np.clip(self.below(name) / total, 0.0, 1.0) if total > 0 else np.full(self.grid.shape, np.nan)

    def rate_at_or_above(self, name: str) -> np.ndarray:
        """FMR / APCER-style rate: share of the group's weight accepted at each threshold."""
        total = self.total(name)
        return np.clip(self.above(name) / total, 0.0, 1.0) if total > 0 else np.full(self.grid.shape, np.nan)


class CurveEngine:
    """Curves for a fixed set of groups over the thresholds in ``[lo, hi]`` (default: all)."""

    def __init__(
        self,
        groups: Mapping[str, Group],
        lo: float = -np.inf,
        hi: float = np.inf,
        grid: np.ndarray | None = None,
    ) -> None:
        """``grid`` (sorted, distinct) replaces the default grid of every distinct score in the window."""
        self.groups = dict(groups)
        self.lo, self.hi = float(lo), float(hi)
        self.start = {n: int(np.searchsorted(g.scores, lo, side="left")) for n, g in self.groups.items()}
        self.stop = {n: int(np.searchsorted(g.scores, hi, side="right")) for n, g in self.groups.items()}
        parts = [g.scores[self.start[n] : self.stop[n]] for n, g in self.groups.items()]
        grid = merged_unique(parts) if grid is None else grid[(grid >= lo) & (grid <= hi)]
        self.grid = np.append(grid, np.inf) if not np.isfinite(self.hi) else grid
        self.idx = {
            n: np.searchsorted(g.scores[self.start[n] : self.stop[n]], self.grid, side="left")
            for n, g in self.groups.items()
        }
        self._aggregates: dict[tuple[str, str], Aggregate | None] = {}

    def aggregate(self, kind: str, name: str) -> Aggregate | None:
        """The group total, or the rows below / above the window (built on first use)."""
        key = (kind, name)
        if key not in self._aggregates:
            g = self.groups[name]
            if kind == "total":
                self._aggregates[key] = g.total
            elif kind == "below_lo":
                self._aggregates[key] = g.aggregate(slice(0, self.start[name])) if self.start[name] else None
            else:
                stop = self.stop[name]
                self._aggregates[key] = g.aggregate(slice(stop, None)) if stop < g.size else None
        return self._aggregates[key]

    @property
    def partial(self) -> bool:
        return bool(np.isfinite(self.lo) or np.isfinite(self.hi))

    def prepare(self, w: np.ndarray) -> ChunkCache:
        return ChunkCache(w, self)

    def curves(self, w_row: np.ndarray, cache: ChunkCache, i: int) -> Curves:
        """Curves of replicate ``i`` of the chunk whose weights row is ``w_row``."""
        prefix: dict[str, np.ndarray] = {}
        inside: dict[str, float] = {}
        for n, g in self.groups.items():
            rows = g.row_weights(w_row, self.start[n], self.stop[n])
            cw = np.concatenate([[0.0], np.cumsum(rows)])
            prefix[n] = cw[self.idx[n]]
            inside[n] = float(cw[-1])
        return Curves(self.grid, prefix, inside, cache, i, self.partial)

    def point(self) -> Curves:
        """Curves with every subject weighted 1 (the point estimate)."""
        ones = np.ones((1, next(iter(self.groups.values())).n_subjects))
        return self.curves(ones[0], self.prepare(ones), 0)


def coarse_grid(groups: Mapping[str, Group], points: int = 20_000, tails: int = 2_000) -> np.ndarray:
    """Thresholds for point curves of very large sets: every k-th score plus both tails exactly.

    With at most ``points + 2 * tails`` scores per group kept, every distinct score of a group
    that size or smaller is kept, so small sets get exact curves. Used to draw curves and to place
    windows, never to compute a reported number.
    """
    parts = []
    for g in groups.values():
        step = max(1, g.size // points)
        parts.append(np.unique(np.concatenate([g.scores[::step], g.scores[:tails], g.scores[-tails:]])))
    return merged_unique(parts)


def merged_unique(sorted_parts: list[np.ndarray]) -> np.ndarray:
    """Distinct values of already-sorted arrays (a stable sort of sorted runs is a linear merge)."""
    if not sorted_parts:
        return np.empty(0)
    merged = np.concatenate(sorted_parts)
    merged.sort(kind="stable")
    if merged.size == 0:
        return merged
    keep = np.empty(merged.size, dtype=bool)
    keep[0] = True
    np.not_equal(merged[1:], merged[:-1], out=keep[1:])
    return merged[keep]


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
    (the threshold reported for the EER). ``k == 0`` or ``k == len`` means the crossing is not
    inside the curve.
    """
    diff = increasing - decreasing
    # rates equal up to rounding count as crossed, so the reported threshold does not depend on
    # the order in which weights were summed (window vs all rows)
    k = int(np.searchsorted(diff, -ATOL, side="left"))
    if k == 0 or k >= diff.shape[0]:
        return float("nan"), k
    x1, y1, x2, y2 = decreasing[k - 1], increasing[k - 1], decreasing[k], increasing[k]
    d1, d2 = x1 - y1, x2 - y2
    frac = d1 / (d1 - d2) if d1 != d2 else 0.0
    return float(x1 + frac * (x2 - x1)), k


def relative_margin(rate: float, n_units: int) -> float:
    """Window half-width factor for a rate: ~6 relative standard errors of a proportion, >= 1.25."""
    if not np.isfinite(rate) or rate <= 0 or n_units <= 0:
        return np.inf
    return float(max(1.25, 1.0 + 6.0 * np.sqrt(1.0 / (n_units * rate))))


def bracket(point: Curves, dec: np.ndarray, inc: np.ndarray | None, rate: float, factor: float) -> tuple[float, float]:
    """Thresholds ``[lo, hi]`` around an operating point at ``rate`` on the ``dec`` curve.

    ``lo``: last threshold where ``dec >= rate * factor``; ``hi``: first where ``dec <= rate / factor``
    or, for an equal-error point, where ``inc >= rate * factor``. Unbounded when out of range.
    """
    if not np.isfinite(factor) or not np.isfinite(rate):
        return -np.inf, np.inf
    grid = point.grid
    top = rate * factor
    k_lo = last_at_or_below(-dec, -top) if top < 1.0 else -1
    if inc is None:
        k_hi = first_at_or_below(dec, rate / factor)
    else:
        k_hi = int(np.argmax(inc >= top)) if top < 1.0 and bool((inc >= top).any()) else grid.shape[0]
    lo = float(grid[k_lo]) if k_lo > 0 else -np.inf
    hi = float(grid[k_hi]) if k_hi < grid.shape[0] - 1 else np.inf
    return lo, hi
