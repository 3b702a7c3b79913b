"""Fraud and bot classifier metrics: AUROC, AUPRC, recall at a fixed FPR or review budget.

Labels are ``bona_fide`` / ``attack`` and the score is still "higher = more likely bona fide"; the
*positive* class of these metrics is ``attack`` (what the classifier should catch). A transaction is
flagged iff ``score < t``.

* AUROC: P(bona fide scores higher than attack) + 1/2 P(tie), i.e. ``roc_auc_score(attack, -score)``.
* AUPRC: average precision, ``sum_k (R_k - R_{k-1}) P_k`` over distinct thresholds (no
  interpolation), i.e. ``average_precision_score(attack, -score)``.
* recall at FPR = a: the largest share of attacks flagged while flagging at most ``a`` of bona fide.
* recall at review rate = r: the same with at most ``r`` of *all* transactions flagged (the review
  queue); it depends on the attack prevalence of the evaluation set.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from openidv.evaluation.bootstrap import BootstrapConfig, Statistic, estimates
from openidv.evaluation.curves import Curves, last_at_or_below
from openidv.evaluation.errors import EvaluationInputError
from openidv.evaluation.groups import Group
from openidv.evaluation.metrics import common
from openidv.evaluation.metrics.verification import Progress, target_key
from openidv.evaluation.operating import OperatingPoints, Part
from openidv.evaluation.rates import ratio
from openidv.evaluation.result import EvaluationResult
from openidv.evaluation.scores import ScoreSet

FPR_TARGETS: tuple[float, ...] = (0.01, 0.001)
REVIEW_RATES: tuple[float, ...] = (0.01, 0.03, 0.05)
BONA, ATTACK = "bona_fide", "attack"


def auroc_from_curves(c: Curves) -> float:
    """P(bona fide > attack) + 1/2 P(tie) from the per-threshold weighted counts."""
    bb, ba = c.below(BONA), c.below(ATTACK)
    wb, wa = np.diff(bb), np.diff(ba)  # weight sitting exactly at each distinct score
    denom = c.total(BONA) * c.total(ATTACK)
    return float(np.sum(wb * (ba[:-1] + 0.5 * wa)) / denom) if denom > 0 else float("nan")


def average_precision_from_curves(c: Curves) -> float:
    """Average precision with attack as the positive class, flagging ``score <= grid[k]``."""
    tp, fp = c.below(ATTACK)[1:], c.below(BONA)[1:]
    if c.total(ATTACK) <= 0:
        return float("nan")
    recall = tp / c.total(ATTACK)
    flagged = tp + fp
    precision = np.divide(tp, flagged, out=np.ones_like(tp), where=flagged > 0)
    return float(np.sum(np.diff(np.concatenate([[0.0], recall])) * precision))


def review_rate_curve(c: Curves) -> np.ndarray:
    total = c.total(BONA) + c.total(ATTACK)
    return (c.below(BONA) + c.below(ATTACK)) / total if total > 0 else np.full(c.grid.shape, np.nan)


def classifier_solver(
    fpr_targets: Sequence[float], review_rates: Sequence[float]
) -> Callable[[Curves], tuple[np.ndarray, bool]]:
    """Curves -> [auroc, auprc, (recall, threshold, fpr) per FPR, (recall, threshold, rate) per budget]."""

    def solve(c: Curves) -> tuple[np.ndarray, bool]:
        fpr, recall = c.rate_below(BONA), c.rate_below(ATTACK)
        if np.isnan(fpr).all() or np.isnan(recall).all():
            # a replicate that drew no subject of a class: every rate is undefined there
            return np.full(2 + 3 * (len(fpr_targets) + len(review_rates)), np.nan), True
        out = [auroc_from_curves(c), average_precision_from_curves(c)]
        for a in fpr_targets:
            j = max(last_at_or_below(fpr, a), 0)
            out += [recall[j], c.grid[j], fpr[j]]
        rate = review_rate_curve(c)
        for r in review_rates:
            j = max(last_at_or_below(rate, r), 0)
            out += [recall[j], c.grid[j], rate[j]]
        return np.asarray(out, dtype=np.float64), True

    return solve


def classifier_groups(scores: ScoreSet, config: BootstrapConfig) -> dict[str, Group]:
    return {
        BONA: common.finite_group(scores, scores.positive, BONA, config),
        ATTACK: common.finite_group(scores, ~scores.positive, ATTACK, config),
    }


def evaluate_classifier(
    scores: ScoreSet,
    *,
    fpr_targets: Sequence[float] = FPR_TARGETS,
    review_rates: Sequence[float] = REVIEW_RATES,
    threshold: float | None = None,
    config: BootstrapConfig | None = None,
    progress: Progress | None = None,
) -> EvaluationResult:
    """AUROC, AUPRC, recall at each FPR target and review budget, each with a subject-bootstrap CI.

    The rates at one operating threshold (``at_threshold``) use ``threshold`` if given, else the
    threshold that meets the first FPR target.
    """
    config = config or BootstrapConfig()
    say = progress or (lambda _msg: None)
    groups = classifier_groups(scores, config)
    if groups[BONA].size == 0 or groups[ATTACK].size == 0:
        raise EvaluationInputError("classifier evaluation needs scored bona_fide and attack rows")
    say(f"curves over {groups[BONA].size + groups[ATTACK].size:,} scored transactions")
    solver = classifier_solver(fpr_targets, review_rates)
    n_out = 2 + 3 * (len(fpr_targets) + len(review_rates))
    op = OperatingPoints(groups, [Part(solver, n_out)])
    point = op.full().point()
    pvals, _ = solver(point)
    t_op = float(threshold) if threshold is not None else float(pvals[3]) if fpr_targets else float("inf")
    stats: dict[str, Statistic] = {"op": op, **fixed_stats(groups, t_op)}
    say(f"bootstrap: {config.n_boot} replicates over {scores.n_subjects:,} subjects")
    est = estimates(stats, scores.n_subjects, config, say)
    metrics = _metrics(*est["op"], fpr_targets, review_rates, config)
    rule = "given" if threshold is not None else f"fpr<={target_key(fpr_targets[0])}" if fpr_targets else "none"
    metrics["threshold"] = {"value": common.threshold_value(t_op), "rule": rule}
    metrics["at_threshold"] = {n: common.scalar(*est[n], config) for n in ("fpr", "recall", "review_rate")}
    return EvaluationResult(
        kind="classifier",
        metrics=metrics,
        counts=common.subject_counts(scores)
        | {BONA: int(scores.positive.sum()), ATTACK: int((~scores.positive).sum())},
        settings=common.settings(
            config,
            scores,
            positive_class=ATTACK,
            flag_rule="flag iff score < threshold",
            fpr_targets=list(fpr_targets),
            review_rates=list(review_rates),
        ),
        manifest=scores.manifest.to_dict() if scores.manifest else None,
        warnings=_warnings(metrics),
        curves=_curves(point),
        histograms=common.histograms({n: g.scores for n, g in groups.items()}),
    )


def fixed_stats(groups: dict[str, Group], t: float) -> dict[str, Statistic]:
    """FPR (bona fide flagged), recall (attacks flagged) and review rate at threshold ``t``."""
    flagged_b = groups[BONA].aggregate(slice(0, int(np.searchsorted(groups[BONA].scores, t, "left"))))
    flagged_a = groups[ATTACK].aggregate(slice(0, int(np.searchsorted(groups[ATTACK].scores, t, "left"))))
    tb, ta = groups[BONA].total, groups[ATTACK].total

    def review(w: np.ndarray) -> np.ndarray:
        den = tb(w) + ta(w)
        return np.where(den > 0, (flagged_b(w) + flagged_a(w)) / np.where(den > 0, den, 1.0), np.nan)

    return {"fpr": ratio(flagged_b, tb), "recall": ratio(flagged_a, ta), "review_rate": review}


def _metrics(
    p: np.ndarray,
    r: np.ndarray,
    fpr_targets: Sequence[float],
    review_rates: Sequence[float],
    config: BootstrapConfig,
) -> dict[str, Any]:
    at_fpr, at_review = {}, {}
    for i, a in enumerate(fpr_targets):
        c = 2 + 3 * i
        at_fpr[target_key(a)] = common.estimate(
            p, r, c, config, threshold=common.threshold_value(p[c + 1]), fpr=float(p[c + 2])
        )
    for i, rate in enumerate(review_rates):
        c = 2 + 3 * (len(fpr_targets) + i)
        at_review[target_key(rate)] = common.estimate(
            p, r, c, config, threshold=common.threshold_value(p[c + 1]), review_rate=float(p[c + 2])
        )
    return {
        "auroc": common.estimate(p, r, 0, config),
        "auprc": common.estimate(p, r, 1, config),
        "recall_at_fpr": at_fpr,
        "recall_at_review_rate": at_review,
    }


def _warnings(metrics: dict[str, Any]) -> list[str]:
    auc = metrics["auroc"].value
    if auc is not None and auc < 0.5:
        return [f"AUROC is {auc:.3f} < 0.5: bona_fide/attack labels or the score direction look swapped"]
    return []


def _curves(point: Curves) -> dict[str, Any]:
    fpr, recall = point.rate_below(BONA), point.rate_below(ATTACK)
    miss = 1.0 - recall
    det = common.det_points(point, miss, fpr)
    idx = common.curve_indices(miss, fpr)
    tp, fp = point.below(ATTACK), point.below(BONA)
    precision = np.divide(tp, tp + fp, out=np.ones_like(tp), where=(tp + fp) > 0)
    return {
        "det": det,
        "pr": {"recall": recall[idx], "precision": precision[idx]},
        "axes": {"false_accept": "missed attacks (1 - recall)", "false_reject": "FPR"},
    }
