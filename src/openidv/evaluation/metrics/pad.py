"""Presentation-attack detection metrics (ISO/IEC 30107-3).

* APCER(species, t): share of attack presentations of that PAI species accepted as bona fide
  (``score >= t``); APCER_max is the worst species (the standard's APCER_AP for one attack
  potential). BPCER(t): share of bona fide presentations rejected.
* BPCER at APCER = a (BPCER20 for a = 5%, BPCER100 for 1%): BPCER at the lowest threshold where
  *every* species has APCER <= a.
* APNRR / BPNRR: share of attack / bona fide presentations that got no response (no score).
  APCER and BPCER are computed over presentations that got a response.
* Without a given threshold the operating point is where APCER_max = BPCER (reported as ``rule:
  "eer"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from openidv.evaluation.bootstrap import BootstrapConfig, Statistic, estimates, point_weights
from openidv.evaluation.curves import CurveEngine, Curves, coarse_grid
from openidv.evaluation.errors import EvaluationInputError
from openidv.evaluation.groups import Group
from openidv.evaluation.metrics import common
from openidv.evaluation.metrics.verification import Progress, n_units, target_key, two_class_parts
from openidv.evaluation.operating import OperatingPoints
from openidv.evaluation.rates import error_rate, share
from openidv.evaluation.result import EvaluationResult
from openidv.evaluation.scores import ScoreSet

APCER_TARGETS: tuple[float, ...] = (0.05, 0.01)
BONA = "bona_fide"


def attack_key(species: str) -> str:
    return "attack:" + species


def pad_groups(scores: ScoreSet, config: BootstrapConfig, mask: np.ndarray | None = None) -> dict[str, Group]:
    """Bona fide group plus one group per PAI species (rows of ``mask`` only, if given)."""
    keep = np.ones(scores.n_rows, dtype=bool) if mask is None else mask
    groups = {BONA: common.finite_group(scores, keep & scores.positive, BONA, config)}
    for code, name in enumerate(scores.species_names):
        sel = keep & ~scores.positive & (scores.species == code)
        groups[attack_key(name)] = common.finite_group(scores, sel, attack_key(name), config)
    return groups


def apcer_max_curve(c: Curves) -> np.ndarray:
    """APCER of the worst species at every threshold (species without scored attacks are skipped).

    NaN everywhere when a replicate drew no attack at all.
    """
    names = [n for n in c.names if n != BONA and c.total(n) > 0]
    if not names:
        return np.full(c.grid.shape, np.nan)
    return np.max(np.vstack([c.rate_at_or_above(n) for n in names]), axis=0)


def evaluate_pad(
    scores: ScoreSet,
    *,
    apcer_targets: Sequence[float] = APCER_TARGETS,
    threshold: float | None = None,
    config: BootstrapConfig | None = None,
    progress: Progress | None = None,
) -> EvaluationResult:
    """APCER per species and max, BPCER, BPCER at fixed APCER, APNRR/BPNRR, each with a CI."""
    config = config or BootstrapConfig()
    say = progress or (lambda _msg: None)
    groups = pad_groups(scores, config)
    if groups[BONA].size == 0 or all(g.size == 0 for n, g in groups.items() if n != BONA):
        raise EvaluationInputError("PAD evaluation needs scored bona fide and attack presentations")
    say(f"curves over {sum(g.size for g in groups.values()):,} scored presentations")
    point = CurveEngine(groups, grid=coarse_grid(groups)).point()
    bpcer_fn = lambda c: c.rate_below(BONA)  # noqa: E731
    scored = [g for g in groups.values() if g.size]
    parts = two_class_parts(point, apcer_max_curve, bpcer_fn, apcer_targets, n_units(*scored))
    op = OperatingPoints(groups, parts)
    t_op = float(threshold) if threshold is not None else float(op(point_weights(scores.n_subjects))[0, 1])
    stats: dict[str, Statistic] = {
        "op": op,
        "apcer": apcer_stat(groups, t_op),
        "bpcer": error_rate(groups[BONA], t_op, "rejected"),
        **non_response(scores, config),
    }
    say(f"bootstrap: {config.n_boot} replicates over {scores.n_subjects:,} subjects")
    est = estimates(stats, scores.n_subjects, config, say)
    metrics = _metrics(est, list(groups)[1:], apcer_targets, t_op, threshold is not None, config)
    return EvaluationResult(
        kind="pad",
        metrics=metrics,
        counts=_counts(scores, groups),
        settings=common.settings(
            config, scores, apcer_targets=list(apcer_targets), window_recomputed_replicates=op.recomputed
        ),
        manifest=scores.manifest.to_dict() if scores.manifest else None,
        warnings=_warnings(metrics),
        curves=_curves(point),
        histograms=common.histograms({n: g.scores for n, g in groups.items()}),
    )


def apcer_stat(groups: dict[str, Group], t: float) -> Statistic:
    """Per-species APCER at ``t`` with their maximum as the last column."""
    per = [error_rate(g, t, "accepted") for n, g in groups.items() if n != BONA]

    def stat(w: np.ndarray) -> np.ndarray:
        cols = np.column_stack([s(w) for s in per])
        worst = np.where(np.isnan(cols), -np.inf, cols).max(axis=1)
        return np.column_stack([cols, np.where(np.isfinite(worst), worst, np.nan)])

    return stat


def non_response(scores: ScoreSet, config: BootstrapConfig) -> dict[str, Statistic]:
    missing = ~np.isfinite(scores.score)
    out = {}
    for name, mask in (("apnrr", ~scores.positive), ("bpnrr", scores.positive)):
        b = None if scores.subject2 is None else scores.subject2[mask]
        out[name] = share(scores.subject[mask], b, missing[mask], scores.n_subjects, config.identity_weighting)
    return out


def _metrics(
    est: dict[str, tuple[np.ndarray, np.ndarray]],
    attack_names: list[str],
    targets: Sequence[float],
    t_op: float,
    given: bool,
    config: BootstrapConfig,
) -> dict[str, Any]:
    p, r = est["op"]
    at_apcer = {}
    for i, a in enumerate(targets):
        c = 2 + 3 * i
        at_apcer[target_key(a)] = common.estimate(
            p, r, c, config, threshold=common.threshold_value(p[c + 1]), apcer_max=float(p[c + 2])
        )
    ap, ar = est["apcer"]
    per_species = {n.removeprefix("attack:"): common.estimate(ap, ar, i, config) for i, n in enumerate(attack_names)}
    return {
        "apcer_per_species": per_species,
        "apcer_max": common.estimate(ap, ar, len(attack_names), config),
        "bpcer": common.scalar(*est["bpcer"], config),
        "bpcer_at_apcer": at_apcer,
        "eer": common.estimate(p, r, 0, config, threshold=common.threshold_value(p[1])),
        "apnrr": common.scalar(*est["apnrr"], config),
        "bpnrr": common.scalar(*est["bpnrr"], config),
        "threshold": {"value": common.threshold_value(t_op), "rule": "given" if given else "eer"},
    }


def _counts(scores: ScoreSet, groups: dict[str, Group]) -> dict[str, Any]:
    return common.subject_counts(scores) | {
        "bona_fide": int(scores.positive.sum()),
        "attack": int((~scores.positive).sum()),
        "scored_per_group": {n: g.size for n, g in groups.items()},
    }


def _warnings(metrics: dict[str, Any]) -> list[str]:
    out = []
    eer = metrics["eer"].value
    if eer is not None and eer > 0.5:
        out.append(f"APCER_max = BPCER at {eer:.3f} > 0.5: labels or the score direction look swapped")
    return out


def _curves(point: Curves) -> dict[str, Any]:
    per = {n.removeprefix("attack:"): point.rate_at_or_above(n) for n in point.names if n != BONA}
    bpcer = point.rate_below(BONA)
    det = common.det_points(point, per, bpcer)
    species = {}
    for name, apcer in per.items():
        idx = common.curve_indices(apcer, bpcer)
        species[name] = {"false_accept": apcer[idx], "false_reject": bpcer[idx]}
    return {
        "det": det,
        "det_per_species": species,
        "axes": {"false_accept": "APCER", "false_reject": "BPCER"},
    }
