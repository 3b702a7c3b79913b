"""Helpers shared by the metric families: building groups, report curves and histograms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from openidv.evaluation.bootstrap import BootstrapConfig, Estimate
from openidv.evaluation.curves import Curves
from openidv.evaluation.groups import Aggregate, Group, identity_weights, second_subject
from openidv.evaluation.scores import ScoreSet

CURVE_POINTS = 300
HIST_BINS = 40


def class_weights(scores: ScoreSet, mask: np.ndarray, config: BootstrapConfig) -> np.ndarray:
    """Base weight of every row of ``mask``: ``1 / rows of its subject in mask`` (identity weighting).

    Computed over all rows of the class, failures included, so comparison-level rates (over
    scored rows) and transaction-level rates (over all rows) weigh each row the same way.
    """
    n = int(mask.sum())
    return identity_weights(scores.subject[mask], scores.n_subjects) if config.identity_weighting else np.ones(n)


def finite_group(scores: ScoreSet, mask: np.ndarray, name: str, config: BootstrapConfig) -> Group:
    """Rows of ``mask`` that produced a score (comparison-level rates exclude failures)."""
    base = class_weights(scores, mask, config)
    finite = np.isfinite(scores.score[mask])
    keep = mask & np.isfinite(scores.score)
    b = None if scores.subject2 is None else scores.subject2[keep]
    return Group.build(
        name,
        scores.score[keep],
        scores.subject[keep],
        b,
        scores.n_subjects,
        config.identity_weighting,
        base=base[finite],
    )


def failure_aggregate(
    scores: ScoreSet, mask: np.ndarray, config: BootstrapConfig, code: int | None = None
) -> Aggregate:
    """Weighted count of failures (any, or only ``code``: 1 FTA, 2 FTE) among the rows of ``mask``."""
    base = class_weights(scores, mask, config)
    fail = scores.failure[mask] > 0 if code is None else scores.failure[mask] == code
    a = scores.subject[mask][fail]
    b = None if scores.subject2 is None else second_subject(a, scores.subject2[mask][fail], scores.n_subjects)
    return Aggregate(a, b, base[fail], scores.n_subjects)


def curve_indices(dec: np.ndarray, inc: np.ndarray, n: int = CURVE_POINTS) -> np.ndarray:
    """Indices that keep a curve's shape on linear and normal-deviate axes with ~3n points."""
    size = dec.shape[0]
    targets = np.logspace(-7, 0, n)
    picks = [
        np.linspace(0, size - 1, n).astype(np.int64),
        np.clip(np.searchsorted(-dec, -targets, side="left"), 0, size - 1),
        np.clip(np.searchsorted(inc, targets, side="left"), 0, size - 1),
    ]
    return np.unique(np.concatenate(picks))


def det_points(
    curves: Curves, false_accept: Mapping[str, np.ndarray] | np.ndarray, false_reject: np.ndarray
) -> dict[str, Any]:
    """Downsampled DET/ROC points: false-accept rate, false-reject rate, threshold."""
    fa = false_accept if isinstance(false_accept, np.ndarray) else np.max(np.vstack(list(false_accept.values())), 0)
    idx = curve_indices(fa, false_reject)
    return {"false_accept": fa[idx], "false_reject": false_reject[idx], "threshold": curves.grid[idx]}


def histograms(values: Mapping[str, np.ndarray], bins: int = HIST_BINS) -> dict[str, Any]:
    """Row counts per named class on shared bins (finite scores only)."""
    finite = {k: v[np.isfinite(v)] for k, v in values.items()}
    pooled = np.concatenate([v for v in finite.values() if v.size]) if finite else np.empty(0)
    if pooled.size == 0:
        return {"edges": [], "counts": {}}
    lo, hi = float(pooled.min()), float(pooled.max())
    edges = np.linspace(lo, hi if hi > lo else lo + 1.0, bins + 1)
    return {"edges": edges, "counts": {k: np.histogram(v, edges)[0] for k, v in finite.items()}}


def estimate(point: np.ndarray, reps: np.ndarray, col: int, config: BootstrapConfig, **extra: Any) -> Estimate:
    """Estimate from column ``col`` of a multi-output statistic."""
    r = reps[:, col] if reps.ndim == 2 and reps.shape[0] else np.empty(0)
    return Estimate.from_replicates(float(point[col]), r, config.ci_level, **extra)


def scalar(point: np.ndarray, reps: np.ndarray, config: BootstrapConfig, **extra: Any) -> Estimate:
    return Estimate.from_replicates(float(np.ravel(point)[0]), np.ravel(reps), config.ci_level, **extra)


def threshold_value(t: float) -> float | None:
    return float(t) if np.isfinite(t) else None


def settings(config: BootstrapConfig, scores: ScoreSet, **extra: Any) -> dict[str, Any]:
    return {
        "bootstrap": config.to_dict(),
        "score_direction": scores.score_direction,
        "decision_rule": "accept (genuine / bona fide) iff score >= threshold",
        **extra,
    }


def subject_counts(scores: ScoreSet) -> dict[str, int]:
    return {"rows": scores.n_rows, "subjects": scores.n_subjects, "failures": int((scores.failure > 0).sum())}
