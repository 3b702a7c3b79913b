"""1:N open-set identification metrics: FPIR, FNIR, CMC (ISO/IEC 19795-1, NIST FRVT 1:N usage).

Input: one row per (search, returned candidate) with ``search_id``, ``subject_id`` (the probe's
subject), ``subject_id_2`` (the candidate's enrolled subject), ``score`` and ``label`` (genuine
when the candidate is the probe's mate). A search with no genuine row is *non-mated*; a genuine row
with an empty score is a mate that was not returned.

* FPIR(T): share of non-mated searches returning any candidate with ``score >= T``.
* FNIR(T, R): share of mated searches whose mate is not returned at rank <= R with ``score >= T``
  (ties with non-mates rank pessimistically). R defaults to the longest candidate list.
* CMC(r): share of mated searches with the mate at rank <= r (no threshold).

Searches are resampled by the probe's subject; with identity weighting each probe subject counts
once per class.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from openidv.evaluation.bootstrap import BootstrapConfig, Statistic, estimates
from openidv.evaluation.curves import CurveEngine
from openidv.evaluation.errors import EvaluationInputError
from openidv.evaluation.groups import Group
from openidv.evaluation.metrics import common
from openidv.evaluation.metrics.verification import Progress, n_units, target_key, two_class_parts
from openidv.evaluation.operating import OperatingPoints
from openidv.evaluation.rates import error_rate, ratio
from openidv.evaluation.result import EvaluationResult
from openidv.evaluation.scores import ScoreSet

FPIR_TARGETS: tuple[float, ...] = (1e-2, 1e-3)
CMC_RANKS: tuple[int, ...] = (1, 5, 10, 20)


def search_table(scores: ScoreSet) -> dict[str, np.ndarray]:
    """Per search: probe subject, mated flag, mate score and rank, highest non-mate score."""
    assert scores.search_id is not None
    names, sid = np.unique(scores.search_id.astype(str), return_inverse=True)
    n = names.size
    probe = np.full(n, -1, dtype=np.int64)
    probe[sid] = scores.subject
    if np.any(probe[sid] != scores.subject):
        raise EvaluationInputError("a search_id has rows with different probe subject_id values")
    s = np.where(np.isfinite(scores.score), scores.score, -np.inf)
    mated = np.bincount(sid, weights=scores.positive, minlength=n) > 0
    mate = np.full(n, -np.inf)
    np.maximum.at(mate, sid[scores.positive], s[scores.positive])
    nonmate = np.full(n, -np.inf)
    np.maximum.at(nonmate, sid[~scores.positive], s[~scores.positive])
    beats = ~scores.positive & (s >= mate[sid]) & np.isfinite(s)
    rank = 1 + np.bincount(sid[beats], minlength=n)
    rank = np.where(np.isfinite(mate), rank, np.iinfo(np.int64).max)
    return {
        "probe": probe,
        "mated": mated,
        "mate": mate,
        "rank": rank,
        "nonmate": nonmate,
        "list_length": np.bincount(sid, minlength=n),
    }


def identification_groups(
    table: dict[str, np.ndarray], n_subjects: int, rank_limit: int, config: BootstrapConfig
) -> dict[str, Group]:
    m = table["mated"]
    eff = np.where(table["rank"] <= rank_limit, table["mate"], -np.inf)[m]
    return {
        "mated": Group.build("mated", eff, table["probe"][m], None, n_subjects, config.identity_weighting),
        "nonmated": Group.build(
            "nonmated", table["nonmate"][~m], table["probe"][~m], None, n_subjects, config.identity_weighting
        ),
    }


def evaluate_identification(
    scores: ScoreSet,
    *,
    fpir_targets: Sequence[float] = FPIR_TARGETS,
    cmc_ranks: Sequence[int] = CMC_RANKS,
    rank_limit: int | None = None,
    threshold: float | None = None,
    config: BootstrapConfig | None = None,
    progress: Progress | None = None,
) -> EvaluationResult:
    """FNIR at each FPIR target, FPIR/FNIR at one threshold and the CMC, each with a CI."""
    config = config or BootstrapConfig()
    table = search_table(scores)
    if table["mated"].all() or not table["mated"].any():
        raise EvaluationInputError("identification needs both mated and non-mated searches")
    limit = int(rank_limit or table["list_length"].max())
    groups = identification_groups(table, scores.n_subjects, limit, config)
    full = CurveEngine(groups)
    point = full.point()
    dec_fn, inc_fn = (lambda c: c.rate_at_or_above("nonmated")), (lambda c: c.rate_below("mated"))
    parts = two_class_parts(point, dec_fn, inc_fn, fpir_targets, n_units(*groups.values()))
    op = OperatingPoints(groups, parts, full=full)
    t_op = float(threshold) if threshold is not None else float(parts[1].solver(point)[0][1])
    stats: dict[str, Statistic] = {
        "op": op,
        "fpir": error_rate(groups["nonmated"], t_op, "accepted"),
        "fnir": error_rate(groups["mated"], t_op, "rejected"),
        **cmc_stats(table, scores.n_subjects, cmc_ranks, config),
    }
    if progress:
        progress(f"bootstrap: {config.n_boot} replicates over {int(table['mated'].size):,} searches")
    est = estimates(stats, scores.n_subjects, config, progress)
    metrics = _metrics(est, fpir_targets, cmc_ranks, t_op, threshold is not None, config)
    return EvaluationResult(
        kind="identification",
        metrics=metrics,
        counts=common.subject_counts(scores)
        | {
            "searches": int(table["mated"].size),
            "mated_searches": int(table["mated"].sum()),
            "rank_limit": limit,
        },
        settings=common.settings(config, scores, fpir_targets=list(fpir_targets)),
        manifest=scores.manifest.to_dict() if scores.manifest else None,
        curves={
            "det": common.det_points(point, point.rate_at_or_above("nonmated"), point.rate_below("mated")),
            "axes": {"false_accept": "FPIR", "false_reject": "FNIR"},
        },
        histograms=common.histograms({"mate": table["mate"], "top non-mate": table["nonmate"]}),
    )


def cmc_stats(
    table: dict[str, np.ndarray], n_subjects: int, ranks: Sequence[int], config: BootstrapConfig
) -> dict[str, Statistic]:
    m = table["mated"]
    g = Group.build(
        "mated_rank",
        table["rank"][m].astype(np.float64),
        table["probe"][m],
        None,
        n_subjects,
        config.identity_weighting,
    )
    return {
        f"cmc:{r}": ratio(g.aggregate(slice(0, int(np.searchsorted(g.scores, r, "right")))), g.total) for r in ranks
    }


def _metrics(
    est: dict[str, tuple[np.ndarray, np.ndarray]],
    targets: Sequence[float],
    ranks: Sequence[int],
    t_op: float,
    given: bool,
    config: BootstrapConfig,
) -> dict[str, Any]:
    p, r = est["op"]
    at = {}
    for i, a in enumerate(targets):
        c = 2 + 3 * i
        at[target_key(a)] = common.estimate(
            p, r, c, config, threshold=common.threshold_value(p[c + 1]), fpir=float(p[c + 2])
        )
    rule = "given" if given else f"fpir<={target_key(targets[0])}"
    return {
        "fnir_at_fpir": at,
        "cmc": {str(k): common.scalar(*est[f"cmc:{k}"], config) for k in ranks},
        "threshold": {"value": common.threshold_value(t_op), "rule": rule},
        "at_threshold": {
            "fpir": common.scalar(*est["fpir"], config),
            "fnir": common.scalar(*est["fnir"], config),
        },
    }
