"""Operating-point statistics: metrics whose threshold is re-solved in every bootstrap replicate.

EER, FNMR at a fixed FMR and BPCER at a fixed APCER choose a threshold from the data; an honest
interval must include the uncertainty of that choice, so each replicate recomputes the curves
under its subject weights and solves for its own threshold.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from openidv.evaluation.curves import CurveEngine, Curves
from openidv.evaluation.groups import Group

Solver = Callable[[Curves], tuple[np.ndarray, bool]]


class OperatingPoints:
    """A bootstrap statistic: ``W -> (replicates, n_out)`` values returned by ``solver``.

    ``solver`` maps one replicate's curves to its outputs and says whether they are trustworthy on
    a partial window (an index at the window edge is not); untrustworthy replicates are recomputed
    over all rows.
    """

    def __init__(
        self,
        groups: Mapping[str, Group],
        solver: Solver,
        n_out: int,
        lo: float = -np.inf,
        full: CurveEngine | None = None,
    ) -> None:
        self.groups = dict(groups)
        self.solver = solver
        self.n_out = n_out
        self.window = CurveEngine(self.groups, lo) if np.isfinite(lo) or full is None else full
        self._full: CurveEngine | None = (
            full if full is not None else (None if self.window.partial else self.window)
        )
        self.recomputed = 0

    def full(self) -> CurveEngine:
        if self._full is None:
            self._full = CurveEngine(self.groups)
        return self._full

    def __call__(self, w: np.ndarray) -> np.ndarray:
        cache = self.window.prepare(w)
        out = np.empty((w.shape[0], self.n_out))
        for i in range(w.shape[0]):
            values, ok = self.solver(self.window.curves(w[i], cache, i))
            if not ok and self.window.partial:
                self.recomputed += 1
                full = self.full()
                values, _ = self.solver(full.curves(w[i], full.prepare(w[i : i + 1]), 0))
            out[i] = values
        return out
