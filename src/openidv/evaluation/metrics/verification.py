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

from openidv.evaluation.bootstrap import BootstrapConfig, Statistic, estimates
from openidv.evaluation.curves import CurveEngine, Curves, crossing, first_at_or_below, window_start
from openidv.evaluation.groups import Group
from openidv.evaluation.metrics import common
from openidv.evaluation.operating import OperatingPoints
from openidv.evaluation.rates import error_rate, share
from openidv.evaluation.result import EvaluationResult
from openidv.evaluation.scores import ScoreSet

FMR_TARGETS: tuple[float, ...] = (1e-2, 1e-3, 1e-4)
Progress = Callable[[str], None]


def target_key(a: float) -> str:
    """Contract keys: 0.01 -> "0.01", 1e-4 -> "0.0001"."""
    return np.format_float_positional(a, trim="-")


def verification_solver(
    targets: Sequence[float], neg: str = "impostor", pos: str = "genuine"
) -> Callable[[Curves], tuple[np.ndarray, bool]]:
    """Curves -> [eer, eer_threshold, (fnmr, threshold, fmr) per target], trustworthy flag."""

    def solve(c: Curves) -> tuple[np.ndarray, bool]:
        fmr, fnmr = c.rate_at_or_above(neg), c.rate_below(pos)
        eer, k = crossing(fmr, fnmr)
        out = [eer, c.grid[min(k, c.grid.shape[0] - 1)]]
        ok = k > 0
        for a in targets:
            j = first_at_or_below(fmr, a)
            j = min(j, c.grid.shape[0] - 1)
            out += [fnmr[j], c.grid[j], fmr[j]]
            ok = ok and j > 0
        return np.asarray(out, dtype=np.float64), ok

    return solve


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
    say(f"sorting {groups['genuine'].size + groups['impostor'].size:,} comparison scores")
    full = CurveEngine(groups)
    point = full.point()
    solver = verification_solver(fmr_targets)
    pvals, _ = solver(point)
    needed = max([*fmr_targets, float(pvals[0]) if np.isfinite(pvals[0]) else 1.0])
    lo = window_start(point.rate_at_or_above("impostor"), point.grid, needed)
    op = OperatingPoints(groups, solver, 2 + 3 * len(fmr_targets), lo, full=full)
    t_op = float(threshold) if threshold is not None else float(pvals[1])
    stats: dict[str, Statistic] = {"op": op, **fixed_stats(scores, groups, t_op, config)}
    say(f"bootstrap: {config.n_boot} replicates over {scores.n_subjects:,} subjects")
    est = estimates(stats, scores.n_subjects, config)
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
        histograms=common.histograms(
            {"genuine": groups["genuine"].scores, "impostor": groups["impostor"].scores}
        ),
    )


def fixed_stats(
    scores: ScoreSet, groups: dict[str, Group], t: float, config: BootstrapConfig
) -> dict[str, Statistic]:
    """FMR, FNMR, FAR, FRR, FTA, FTE at threshold ``t``."""
    trans_gen = common.transaction_group(scores, scores.positive, "genuine", config)
    trans_imp = common.transaction_group(scores, ~scores.positive, "impostor", config)
    return {
        "fmr": error_rate(groups["impostor"], t, "accepted"),
        "fnmr": error_rate(groups["genuine"], t, "rejected"),
        "far": error_rate(trans_imp, t, "accepted"),
        "frr": error_rate(trans_gen, t, "rejected"),
        "fta": share(
            scores.subject, scores.subject2, scores.failure == 1, scores.n_subjects, config.identity_weighting
        ),
        "fte": share(
            scores.subject, scores.subject2, scores.failure == 2, scores.n_subjects, config.identity_weighting
        ),
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
        "genuine_subjects": int(np.unique(scores.subject[pos]).size),
        "impostor_subjects": int(np.unique(scores.subject[neg]).size),
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
