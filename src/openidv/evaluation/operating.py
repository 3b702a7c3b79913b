"""Operating-point statistics: metrics whose threshold is re-solved in every bootstrap replicate.

EER, FNMR at a fixed FMR and BPCER at a fixed APCER choose a threshold from the data; an honest
interval must include the uncertainty of that choice, so each replicate recomputes the curves
under its subject weights and solves for its own threshold.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from openidv.evaluation.curves import CurveEngine, Curves
from openidv.evaluation.groups import Group

Solver = Callable[[Curves], tuple[np.ndarray, bool]]


@dataclass(frozen=True)
class Part:
    """One solver and the threshold window its answers are expected in."""

    solver: Solver
    n_out: int
    lo: float = -np.inf
    hi: float = np.inf


class OperatingPoints:
    """A bootstrap statistic: ``W -> (replicates, sum of n_out)``, the parts' outputs side by side.

    Each part's solver maps one replicate's curves to its outputs and says whether they are
    trustworthy on a partial window (an index at the window edge is not); untrustworthy replicates
    are recomputed over all rows (counted in ``recomputed``).
    """

    def __init__(self, groups: Mapping[str, Group], parts: Sequence[Part], full: CurveEngine | None = None) -> None:
        self.groups = dict(groups)
        self.parts = list(parts)
        self._full = full
        self.engines = [
            CurveEngine(self.groups, p.lo, p.hi) if np.isfinite(p.lo) or np.isfinite(p.hi) else self.full()
            for p in self.parts
        ]
        self.recomputed = 0

    @property
    def n_out(self) -> int:
        return sum(p.n_out for p in self.parts)

    def full(self) -> CurveEngine:
        if self._full is None:
            self._full = CurveEngine(self.groups)
        return self._full

    def __call__(self, w: np.ndarray) -> np.ndarray:
        out = np.empty((w.shape[0], self.n_out))
        col = 0
        for part, engine in zip(self.parts, self.engines, strict=True):
            cache = engine.prepare(w)
            full_cache = None
            for i in range(w.shape[0]):
                values, ok = part.solver(engine.curves(w[i], cache, i))
                if not ok and engine.partial:
                    self.recomputed += 1
                    full_cache = full_cache or self.full().prepare(w)
                    values, _ = part.solver(self.full().curves(w[i], full_cache, i))
                out[i, col : col + part.n_out] = values
            col += part.n_out
        return out
