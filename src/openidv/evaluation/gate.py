"""Regression gate: is the candidate (model, threshold set, vendor) worse than the champion?

Both are evaluated on the *same* evaluation set (checked by the set fingerprint, rows aligned by
``sample_id``) with the *same* bootstrap seed, so replicate ``b`` of both draws the same subjects:
the difference ``candidate_b - champion_b`` is a paired bootstrap of the difference, far tighter
than two separate intervals. A gated metric fails when its difference is worse than ``tolerance``
beyond the interval: for an error rate, ``diff_ci_low > tolerance``; for AUROC, recall or the FDR,
``diff_ci_high < -tolerance``. An identical candidate has every difference exactly 0 and passes.

Gated by default (``GateSpec.metrics`` takes glob patterns over the JSON paths instead):

* verification: EER, FNMR at FMR 1% and 0.1%, FMR, FNMR, FAR, FRR and FTA at each model's
  operating threshold;
* pad: APCER per species, APCER_max, BPCER, BPCER at APCER 5% and 1%, APNRR and BPNRR;
* classifier: AUROC, AUPRC, recall at FPR 1%, FPR and recall at the operating threshold;
* for each ``slice_by`` attribute: every slice's rates, the largest gap and the FDR;
* always: ``unscored_rows``, the share of rows the candidate leaves without a score. Comparison-level
  rates (FMR, APCER ...) leave unscored rows out, so a candidate that withholds a score exactly where
  it would err would otherwise look better on every one of them.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from openidv.evaluation.bootstrap import BootstrapConfig, Estimate, percentile_ci
from openidv.evaluation.errors import EvaluationInputError
from openidv.evaluation.manifest import set_fingerprint
from openidv.evaluation.result import EvaluationResult, jsonable
from openidv.evaluation.scores import ScoreSet

DEFAULT_METRICS: Mapping[str, tuple[str, ...]] = {
    "verification": (
        "eer",
        "fnmr_at_fmr/0.01",
        "fnmr_at_fmr/0.001",
        "at_threshold/fmr",
        "at_threshold/fnmr",
        "at_threshold/far",
        "at_threshold/frr",
        "at_threshold/fta",
    ),
    "pad": (
        "apcer_per_species/*",
        "apcer_max",
        "bpcer",
        "bpcer_at_apcer/0.05",
        "bpcer_at_apcer/0.01",
        "apnrr",
        "bpnrr",
    ),
    "classifier": ("auroc", "auprc", "recall_at_fpr/0.01", "at_threshold/fpr", "at_threshold/recall"),
    "identification": ("fnir_at_fpir/*", "at_threshold/fpir", "at_threshold/fnir", "cmc/1"),
}
SLICE_METRICS = ("slices/*/rates/*/*", "slices/*/differentials/*/max_minus_min", "slices/*/differentials/fdr")
HIGHER_IS_BETTER = ("auroc", "auprc", "recall", "fdr", "cmc")


@dataclass(frozen=True)
class GateSpec:
    """What to compare and how strictly."""

    kind: str
    metrics: Sequence[str] | None = None
    slice_by: Sequence[str] = ()
    tolerance: float = 0.0
    candidate_threshold: float | None = None
    champion_threshold: float | None = None

    def patterns(self) -> tuple[str, ...]:
        base = tuple(self.metrics) if self.metrics else DEFAULT_METRICS.get(self.kind, ())
        return base + (SLICE_METRICS if self.slice_by and not self.metrics else ())


@dataclass
class GateResult:
    passed: bool
    checks: list[dict[str, Any]]
    candidate: EvaluationResult
    champion: EvaluationResult
    spec: GateSpec
    config: BootstrapConfig
    warnings: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[dict[str, Any]]:
        return [c for c in self.checks if not c["passed"]]

    def to_dict(self) -> dict[str, Any]:
        cand = self.candidate.to_dict()
        champ = self.champion.to_dict()
        return jsonable(
            {
                "schema": "openidv.eval.gate/1",
                "kind": "gate",
                "evaluated_kind": self.spec.kind,
                "tool": "openidv eval gate",
                "passed": self.passed,
                "tolerance": self.spec.tolerance,
                "manifest": cand.get("manifest"),
                "settings": cand.get("settings"),
                "warnings": self.warnings,
                "checks": self.checks,
                "candidate": _summary(cand),
                "champion": _summary(champ),
                "curves": {
                    "det": cand["curves"].get("det"),
                    "det_champion": champ["curves"].get("det"),
                    "axes": cand["curves"].get("axes"),
                },
            }
        )


def _summary(d: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "manifest": d.get("manifest"),
        "threshold": d.get("threshold"),
        **{k: v for k, v in d.items() if k in DEFAULT_METRICS_KEYS},
    }


DEFAULT_METRICS_KEYS = {p.split("/")[0] for ps in DEFAULT_METRICS.values() for p in ps}


def align(candidate: ScoreSet, champion: ScoreSet) -> tuple[ScoreSet, ScoreSet, str]:
    """Both sets in sample-id order, after checking they are the same evaluation set; and its fingerprint."""
    fingerprint = set_fingerprint(candidate)
    if fingerprint != set_fingerprint(champion):
        raise EvaluationInputError(
            "candidate and champion were not scored on the same evaluation set "
            "(sample ids, subjects, labels, species or attributes differ)"
        )
    return (
        candidate.subset(np.argsort(candidate.sample_id.astype(str), kind="stable")),
        champion.subset(np.argsort(champion.sample_id.astype(str), kind="stable")),
        fingerprint,
    )


def run_gate(
    candidate: ScoreSet,
    champion: ScoreSet,
    spec: GateSpec,
    *,
    config: BootstrapConfig | None = None,
    progress: Callable[[str], None] | None = None,
) -> GateResult:
    """Evaluate both with identical replicates and check every gated metric's paired difference."""
    from openidv.evaluation.api import evaluate

    config = config or BootstrapConfig()
    cand, champ, fingerprint = align(candidate, champion)
    say = progress or (lambda _m: None)
    say("evaluating the champion")
    r_champ = evaluate(
        champ,
        spec.kind,
        threshold=spec.champion_threshold,
        config=config,
        slice_by=spec.slice_by,
        progress=progress,
    )
    say("evaluating the candidate")
    r_cand = evaluate(
        cand,
        spec.kind,
        threshold=spec.candidate_threshold,
        config=config,
        slice_by=spec.slice_by,
        progress=progress,
    )
    for r in (r_champ, r_cand):
        r.manifest = dict(r.manifest or {}) | {"set_sha256": fingerprint}
    champ_est = dict(flatten({**r_champ.metrics, "slices": r_champ.slices}))
    cand_est = dict(flatten({**r_cand.metrics, "slices": r_cand.slices}))
    checks = [
        check(path, champ_est[path], cand_est[path], spec.tolerance, config.ci_level)
        for path in sorted(cand_est)
        if path in champ_est and selected(path, spec.patterns())
    ]
    warnings = [] if checks else ["no metric matched the gate's patterns; nothing was compared"]
    checks.append(unscored_check(cand, champ, spec.tolerance))
    passed = len(checks) > 1 and all(c["passed"] for c in checks)
    return GateResult(passed, checks, r_cand, r_champ, spec, config, warnings)


def unscored_check(cand: ScoreSet, champ: ScoreSet, tolerance: float) -> dict[str, Any]:
    """Rows the candidate leaves without a score (aligned sets): it fails when its share exceeds the
    champion's by more than ``tolerance``; ``newly_unscored`` counts rows only the candidate left."""
    c_fail, h_fail = cand.failure > 0, champ.failure > 0
    n = max(cand.n_rows, 1)
    diff = float(c_fail.mean() - h_fail.mean()) if cand.n_rows else 0.0
    worse = diff > tolerance
    return {
        "metric": "unscored_rows",
        "better": "lower",
        "champion": float(h_fail.sum() / n),
        "candidate": float(c_fail.sum() / n),
        "newly_unscored": int((c_fail & ~h_fail).sum()),
        "diff": diff,
        "diff_ci_low": diff,
        "diff_ci_high": diff,
        "passed": not worse,
        "reason": (f"leaves {int((c_fail & ~h_fail).sum())} rows unscored that the champion scored "
                   f"(tolerance {tolerance:g})") if worse else "",
    }


def flatten(tree: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Estimate]]:
    """``path -> Estimate`` for every estimate in a nested metrics mapping."""
    for key, val in tree.items():
        path = f"{prefix}{key}"
        if isinstance(val, Estimate):
            yield path, val
        elif isinstance(val, Mapping):
            yield from flatten(val, path + "/")


def selected(path: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(path, p) for p in patterns)


def higher_is_better(path: str) -> bool:
    """AUROC, AUPRC, recall, CMC and the FDR improve upwards; every error rate and gap downwards."""
    parts = path.split("/")
    if parts[0] == "slices":
        return parts[-1] == "fdr"
    name = parts[-1] if parts[0] == "at_threshold" else parts[0]
    return any(name.startswith(h) for h in HIGHER_IS_BETTER)


def check(path: str, champ: Estimate, cand: Estimate, tolerance: float, level: float) -> dict[str, Any]:
    """One gated metric: paired difference, its interval and the verdict."""
    up = higher_is_better(path)
    row: dict[str, Any] = {
        "metric": path,
        "better": "higher" if up else "lower",
        "champion": champ.value,
        "candidate": cand.value,
    }
    if champ.value is None or cand.value is None:
        return row | {
            "passed": champ.value is None,
            "diff": None,
            "diff_ci_low": None,
            "diff_ci_high": None,
            "reason": "candidate value undefined" if champ.value is not None else "undefined for both",
        }
    diff = cand.value - champ.value
    low, high = diff, diff
    reps_c, reps_h = cand.replicates, champ.replicates
    if reps_c is not None and reps_h is not None and reps_c.size and reps_c.shape == reps_h.shape:
        ci_low, ci_high = percentile_ci(reps_c - reps_h, level)
        low = diff if ci_low is None else ci_low
        high = diff if ci_high is None else ci_high
    worse = (high < -tolerance) if up else (low > tolerance)
    reason = (
        (
            f"{'lower' if up else 'higher'} than the champion beyond the {level:.0%} CI of the paired "
            f"difference (tolerance {tolerance:g})"
        )
        if worse
        else ""
    )
    return row | {
        "diff": diff,
        "diff_ci_low": low,
        "diff_ci_high": high,
        "passed": not worse,
        "reason": reason,
    }
