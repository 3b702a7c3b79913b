"""1:1 verification metrics (ISO/IEC 19795-1): FMR, FNMR, EER, FNMR at fixed FMR, FTA/FTE, FAR/FRR.

* FMR(t): share of impostor comparisons with ``score >= t``; FNMR(t): share of genuine comparisons
  with ``score < t``. Both exclude comparisons without a score.
* Transaction level: FAR(t) = impostor transactions falsely accepted / impostor transactions;
  FRR(t) = genuine transactions that failed to acquire or were falsely rejected / genuine
  transactions (a failure never accepts).
* EER: where the piecewise-linear DET curve crosses FMR = FNMR.
* FNMR at FMR = a: FNMR at the lowest threshold whose FMR is <= a (the threshold is reported).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from openidv.evaluation.bootstrap import BootstrapConfig, Statistic, estimates, point_weights
from openidv.evaluation.curves import (
    CurveEngine,
    Curves,
    bracket,
    coarse_grid,
    crossing,
    first_at_or_below,
    relative_margin,
)
from openidv.evaluation.groups import Group
from openidv.evaluation.metrics import common
from openidv.evaluation.operating import OperatingPoints, Part, Solver
from openidv.evaluation.rates import ratio, ratio_of_sums
from openidv.evaluation.result import EvaluationResult
from openidv.evaluation.scores import ScoreSet

FMR_TARGETS: tuple[float, ...] = (1e-2, 1e-3, 1e-4)
Progress = Callable[[str], None]


def target_key(a: float) -> str:
    """Contract keys: 0.01 -> "0.01", 1e-4 -> "0.0001"."""
    return np.format_float_positional(a, trim="-")


CurveFn = Callable[[Curves], np.ndarray]


def eer_solver(dec_fn: CurveFn, inc_fn: CurveFn) -> Solver:
    """Curves -> [equal-error rate, its threshold]; trustworthy when the crossing is inside."""

    def solve(c: Curves) -> tuple[np.ndarray, bool]:
        eer, k = crossing(dec_fn(c), inc_fn(c))
        last = c.grid.shape[0] - 1
        return np.array([eer, c.grid[min(k, last)]]), 0 < k <= last

    return solve


def at_rate_solver(dec_fn: CurveFn, inc_fn: CurveFn, target: float) -> Solver:
    """Curves -> [inc at the first threshold with dec <= target, that threshold, dec there]."""

    def solve(c: Curves) -> tuple[np.ndarray, bool]:
        dec, inc = dec_fn(c), inc_fn(c)
        if np.isnan(dec).all() or np.isnan(inc).all():
            # a replicate that drew no subject of a class: the rate is undefined there, not 0 or 1
            # (and final: the class total is the whole group's, whatever the window)
            return np.full(3, np.nan), True
        j = first_at_or_below(dec, target)
        last = c.grid.shape[0] - 1
        ok = 0 < j <= last
        j = min(j, last)
        return np.array([inc[j], c.grid[j], dec[j]]), ok

    return solve


def two_class_parts(
    point: Curves, dec_fn: CurveFn, inc_fn: CurveFn, targets: Sequence[float], n_units: int
) -> list[Part]:
    """EER and rate-at-target solvers, each on a threshold window around its point estimate.

    Output columns: [eer, eer threshold, (inc, threshold, dec) per target].
    """
    dec, inc = dec_fn(point), inc_fn(point)
    eer, _ = crossing(dec, inc)
    parts = [Part(eer_solver(dec_fn, inc_fn), 2, *bracket(point, dec, inc, eer, relative_margin(eer, n_units)))]
    for a in targets:
        window = bracket(point, dec, None, a, relative_margin(a, n_units))
        parts.append(Part(at_rate_solver(dec_fn, inc_fn, a), 3, *window))
    return parts


def n_units(*groups: Group) -> int:
    """The smallest number of distinct subjects among the groups (sets the window margins)."""
    return min(g.n_units for g in groups)


def evaluate_verification(
    scores: ScoreSet,
    *,
    fmr_targets: Sequence[float] = FMR_TARGETS,
    threshold: float | None = None,
    config: BootstrapConfig | None = None,
    progress: Progress | None = None,
) -> EvaluationResult:
    """EER, FNMR at each FMR target and the rates at one operating threshold, each with a CI.

    The operating threshold is ``threshold`` if given, else the EER threshold.
    """
    config = config or BootstrapConfig()
    say = progress or (lambda _msg: None)
    groups = {
        "genuine": common.finite_group(scores, scores.positive, "genuine", config),
        "impostor": common.finite_group(scores, ~scores.positive, "impostor", config),
    }
    _require(groups)
    say(f"curves over {groups['genuine'].size + groups['impostor'].size:,} scored comparisons")
    point = CurveEngine(groups, grid=coarse_grid(groups)).point()
    dec_fn, inc_fn = (lambda c: c.rate_at_or_above("impostor")), (lambda c: c.rate_below("genuine"))
    parts = two_class_parts(point, dec_fn, inc_fn, fmr_targets, n_units(*groups.values()))
    op = OperatingPoints(groups, parts)
    eer_threshold = float(op(point_weights(scores.n_subjects))[0, 1])
    t_op = float(threshold) if threshold is not None else eer_threshold
    stats: dict[str, Statistic] = {"op": op, **fixed_stats(scores, groups, t_op, config)}
    say(f"bootstrap: {config.n_boot} replicates over {scores.n_subjects:,} subjects")
    est = estimates(stats, scores.n_subjects, config, say)
    metrics = _metrics(est, fmr_targets, t_op, threshold is not None, config)
    return EvaluationResult(
        kind="verification",
        metrics=metrics,
        counts=_counts(scores, groups),
        settings=common.settings(
            config, scores, fmr_targets=list(fmr_targets), window_recomputed_replicates=op.recomputed
        ),
        manifest=scores.manifest.to_dict() if scores.manifest else None,
        warnings=_warnings(metrics),
        curves=_curves(point),
        histograms=common.histograms({"genuine": groups["genuine"].scores, "impostor": groups["impostor"].scores}),
    )


def fixed_stats(scores: ScoreSet, groups: dict[str, Group], t: float, config: BootstrapConfig) -> dict[str, Statistic]:
    """FMR, FNMR, FAR, FRR, FTA, FTE at threshold ``t``.

    Transaction level: a failure to acquire or enrol is never accepted, so FAR = false matches /
    all impostor transactions and FRR = (failures + false non-matches) / all genuine transactions.
    """
    gen, imp = groups["genuine"], groups["impostor"]
    accepted = imp.aggregate(slice(int(np.searchsorted(imp.scores, t, side="left")), None))
    rejected = gen.aggregate(slice(0, int(np.searchsorted(gen.scores, t, side="left"))))
    pos, neg = scores.positive, ~scores.positive
    fail_g, fail_i = (
        common.failure_aggregate(scores, pos, config),
        common.failure_aggregate(scores, neg, config),
    )
    every = [gen.total, fail_g, imp.total, fail_i]
    by_code = {code: [common.failure_aggregate(scores, m, config, code) for m in (pos, neg)] for code in (1, 2)}
    return {
        "fmr": ratio(accepted, imp.total),
        "fnmr": ratio(rejected, gen.total),
        "far": ratio_of_sums([accepted], [imp.total, fail_i]),
        "frr": ratio_of_sums([rejected, fail_g], [gen.total, fail_g]),
        "fta": ratio_of_sums(by_code[1], every),
        "fte": ratio_of_sums(by_code[2], every),
    }


def _metrics(
    est: dict[str, tuple[np.ndarray, np.ndarray]],
    targets: Sequence[float],
    t_op: float,
    given: bool,
    config: BootstrapConfig,
) -> dict[str, Any]:
    p, r = est["op"]
    eer = common.estimate(p, r, 0, config, threshold=common.threshold_value(p[1]))
    at_fmr = {}
    for i, a in enumerate(targets):
        c = 2 + 3 * i
        at_fmr[target_key(a)] = common.estimate(
            p, r, c, config, threshold=common.threshold_value(p[c + 1]), fmr=float(p[c + 2])
        )
    at_t = {name: common.scalar(*est[name], config) for name in ("fmr", "fnmr", "far", "frr", "fta", "fte")}
    rule = "given" if given else "eer"
    return {
        "eer": eer,
        "fnmr_at_fmr": at_fmr,
        "threshold": {"value": common.threshold_value(t_op), "rule": rule},
        "at_threshold": at_t,
    }


def _counts(scores: ScoreSet, groups: dict[str, Group]) -> dict[str, Any]:
    pos, neg = scores.positive, ~scores.positive
    return common.subject_counts(scores) | {
        "genuine": int(pos.sum()),
        "impostor": int(neg.sum()),
        "genuine_scored": groups["genuine"].size,
        "impostor_scored": groups["impostor"].size,
        "genuine_subjects": int(np.count_nonzero(np.bincount(scores.subject[pos], minlength=scores.n_subjects))),
        "impostor_subjects": int(np.count_nonzero(np.bincount(scores.subject[neg], minlength=scores.n_subjects))),
    }


def _warnings(metrics: dict[str, Any]) -> list[str]:
    eer = metrics["eer"].value
    if eer is not None and eer > 0.5:
        return [f"EER is {eer:.3f} > 0.5: genuine/impostor labels or the score direction look swapped"]
    return []


def _curves(point: Curves) -> dict[str, Any]:
    fmr, fnmr = point.rate_at_or_above("impostor"), point.rate_below("genuine")
    return {
        "det": common.det_points(point, fmr, fnmr),
        "axes": {"false_accept": "FMR", "false_reject": "FNMR"},
    }


def _require(groups: dict[str, Group]) -> None:
    from openidv.evaluation.errors import EvaluationInputError

    for name, g in groups.items():
        if g.size == 0:
            raise EvaluationInputError(f"no {name} comparison has a score")
