"""Slice differentials in the spirit of ISO/IEC 19795-10 (demographic and other differentials).

For an attribute column (age band, skin tone, sex, device, country ...) every slice is evaluated at
one common threshold, the system's operating threshold, because that is how the system treats
everybody. Per slice and error type the module reports the rate with a CI, and across slices:

* ``max_min_ratio``: worst slice rate / best slice rate (undefined when the best is 0);
* ``max_minus_min``: the largest pairwise gap;
* ``fdr``: the Fairness Discrepancy Rate of Pereira & Marcel (2021),
  ``1 - (alpha * A + (1 - alpha) * B)`` with A and B the largest pairwise gaps of the false-accept
  and false-reject rates (alpha = 0.5): 1 is perfectly even, lower is worse.

All slices share the replicates' subject weights, so the differentials' intervals account for the
correlation between slices.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from openidv.evaluation.bootstrap import BootstrapConfig, Estimate, Statistic, estimates
from openidv.evaluation.errors import EvaluationInputError
from openidv.evaluation.metrics import common
from openidv.evaluation.metrics.pad import BONA, pad_groups
from openidv.evaluation.rates import error_rate
from openidv.evaluation.scores import ScoreSet

MAX_SLICES = 50
FDR_ALPHA = 0.5
# kind -> (false-accept rate name, false-reject rate name)
RATE_NAMES: dict[str, tuple[str, str]] = {
    "verification": ("fmr", "fnmr"),
    "pad": ("apcer_max", "bpcer"),
    "classifier": ("fnr", "fpr"),
}


def rates_at(scores: ScoreSet, kind: str, mask: np.ndarray, t: float, config: BootstrapConfig) -> list[Statistic]:
    """The (false accept, false reject) rate statistics of ``kind`` on the rows of ``mask`` at ``t``."""
    if kind == "pad":
        groups = pad_groups(scores, config, mask)
        per = [error_rate(g, t, "accepted") for n, g in groups.items() if n != BONA and g.size]

        def worst(w: np.ndarray) -> np.ndarray:
            if not per:
                return np.full(w.shape[0], np.nan)
            cols = np.column_stack([s(w) for s in per])
            best = np.where(np.isnan(cols), -np.inf, cols).max(axis=1)
            return np.where(np.isfinite(best), best, np.nan)

        return [worst, error_rate(groups[BONA], t, "rejected")]
    if kind not in RATE_NAMES:
        raise EvaluationInputError(f"slice differentials are not defined for kind {kind}")
    neg = common.finite_group(scores, mask & ~scores.positive, "neg", config)
    pos = common.finite_group(scores, mask & scores.positive, "pos", config)
    return [error_rate(neg, t, "accepted"), error_rate(pos, t, "rejected")]


def slice_values(scores: ScoreSet, attr: str) -> np.ndarray:
    if attr not in scores.attributes:
        known = ", ".join(sorted(scores.attributes)) or "none"
        raise EvaluationInputError(f"no attribute column {attr!r} (attribute columns: {known})")
    values = np.unique(scores.attributes[attr].astype(str))
    if values.size > MAX_SLICES:
        raise EvaluationInputError(f"attribute {attr!r} has {values.size} values; slice on <= {MAX_SLICES}")
    return values


def slice_statistic(
    scores: ScoreSet, kind: str, attr: str, t: float, config: BootstrapConfig
) -> tuple[np.ndarray, Statistic]:
    """One statistic returning ``(b, n_slices, 2)``: both error rates of every slice."""
    values = slice_values(scores, attr)
    column = scores.attributes[attr].astype(str)
    per = [rates_at(scores, kind, column == v, t, config) for v in values]

    def stat(w: np.ndarray) -> np.ndarray:
        return np.stack([np.column_stack([fa(w), fr(w)]) for fa, fr in per], axis=1)

    return values, stat


def differentials(rates: np.ndarray) -> np.ndarray:
    """``(..., n_slices, 2)`` rates -> ``(..., 7)``: per rate ratio, gap, worst index; then FDR."""
    out = []
    for j in range(2):
        r = rates[..., j]
        ok = np.isfinite(r)
        hi = np.where(ok, r, -np.inf).max(axis=-1)
        lo = np.where(ok, r, np.inf).min(axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(lo > 0, hi / np.where(lo > 0, lo, 1.0), np.nan)
        gap = np.where(np.isfinite(hi) & np.isfinite(lo), hi - lo, np.nan)
        out += [ratio, gap, np.where(ok, r, -np.inf).argmax(axis=-1).astype(np.float64)]
    fdr = 1.0 - (FDR_ALPHA * out[1] + (1.0 - FDR_ALPHA) * out[4])
    return np.stack([*out, fdr], axis=-1)


def slice_differentials(
    scores: ScoreSet,
    kind: str,
    by: Sequence[str],
    *,
    threshold: float | None,
    config: BootstrapConfig | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Per-slice rates and differentials with CIs for each attribute in ``by``, at ``threshold``."""
    config = config or BootstrapConfig()
    if threshold is None or not np.isfinite(threshold):
        raise EvaluationInputError("slice differentials need a finite operating threshold")
    out: dict[str, Any] = {}
    for attr in by:
        if progress:
            progress(f"slices by {attr}")
        values, stat = slice_statistic(scores, kind, attr, threshold, config)
        ((point, reps),) = estimates({"s": stat}, scores.n_subjects, config).values()
        column = scores.attributes[attr].astype(str)
        out[attr] = _block(kind, values, point, reps, config) | {
            "threshold": threshold,
            "sizes": {str(v): int((column == v).sum()) for v in values},
        }
    return out


def _block(
    kind: str, values: np.ndarray, point: np.ndarray, reps: np.ndarray, config: BootstrapConfig
) -> dict[str, Any]:
    names = RATE_NAMES[kind]
    level = config.ci_level
    rates = {
        str(v): {names[j]: Estimate.from_replicates(point[i, j], _col(reps, i, j), level) for j in (0, 1)}
        for i, v in enumerate(values)
    }
    dp, dr = differentials(point), differentials(reps) if reps.size else np.empty((0, 7))
    diffs: dict[str, Any] = {}
    for j, name in enumerate(names):
        worst = int(dp[3 * j + 2]) if np.isfinite(dp[3 * j + 2]) else 0
        diffs[name] = {
            "max_min_ratio": Estimate.from_replicates(dp[3 * j], dr[:, 3 * j], level),
            "max_minus_min": Estimate.from_replicates(
                dp[3 * j + 1], dr[:, 3 * j + 1], level, worst_slice=str(values[worst])
            ),
        }
    diffs["fdr"] = Estimate.from_replicates(dp[6], dr[:, 6], level, alpha=FDR_ALPHA)
    return {"rates": rates, "differentials": diffs}


def _col(reps: np.ndarray, i: int, j: int) -> np.ndarray:
    return reps[:, i, j] if reps.size else np.empty(0)
