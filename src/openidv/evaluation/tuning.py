"""Threshold tuning: choose an operating point that meets stated targets, and say how surely.

Targets are small strings: ``fmr<=1e-4``, ``fnmr<=0.02``, ``apcer<=0.01`` (for every species: the
maximum over species), ``bpcer<=0.05``, ``fpr<=0.01``, ``review_rate<=0.03``, ``recall>=0.8``,
``fnr<=0.2``. Each target bounds the threshold from one side (FMR falls as the threshold rises,
FNMR rises ...). The chosen threshold is the lowest one meeting every *lower* bound (fewest
genuine users rejected while meeting the security targets) or, when only upper bounds were given,
the highest one meeting them. Conflicting targets raise :class:`TargetsInfeasible`.

``conservative=True`` solves every target in each bootstrap replicate and uses the ``ci_level``
quantile of the per-replicate thresholds on the safe side, so each target holds in that share of
replicates, not only on this particular sample.

The achieved rates at the chosen threshold are reported with subject-bootstrap CIs, and
:meth:`TuningResult.to_threshold_set` writes the file the decision engine loads.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from openidv.evaluation.bootstrap import BootstrapConfig, Estimate, Statistic, estimates
from openidv.evaluation.curves import CurveEngine, Curves
from openidv.evaluation.errors import EvaluationInputError, TargetsInfeasible
from openidv.evaluation.groups import Group
from openidv.evaluation.metrics import classifier, common, pad, verification
from openidv.evaluation.operating import OperatingPoints, Part
from openidv.evaluation.rates import error_rate
from openidv.evaluation.scores import ScoreSet

if TYPE_CHECKING:
    from openidv.policy.thresholds import ThresholdSet

TARGET_RE = re.compile(r"^\s*([a-z_]+)\s*(<=|>=)\s*([0-9.eE+-]+)\s*$")
CurveFn = Callable[[Curves], np.ndarray]
# metric -> (curve as a function of the threshold index, True if the curve falls as the threshold rises)
METRICS: Mapping[str, Mapping[str, tuple[CurveFn, bool]]] = {
    "verification": {
        "fmr": (lambda c: c.rate_at_or_above("impostor"), True),
        "fnmr": (lambda c: c.rate_below("genuine"), False),
    },
    "pad": {"apcer": (pad.apcer_max_curve, True), "bpcer": (lambda c: c.rate_below(pad.BONA), False)},
    "classifier": {
        "fpr": (lambda c: c.rate_below(classifier.BONA), False),
        "recall": (lambda c: c.rate_below(classifier.ATTACK), False),
        "fnr": (lambda c: 1.0 - c.rate_below(classifier.ATTACK), True),
        "review_rate": (classifier.review_rate_curve, False),
    },
}
DEFAULT_KEYS = {"verification": "match", "pad": "bona_fide", "classifier": "review"}


@dataclass(frozen=True)
class Target:
    """``metric op bound``, e.g. ``fmr <= 0.0001``."""

    metric: str
    op: str
    bound: float

    @property
    def text(self) -> str:
        return f"{self.metric}{self.op}{verification.target_key(self.bound)}"

    def met(self, value: float | None) -> bool:
        if value is None:
            return False
        return value <= self.bound * (1 + 1e-12) if self.op == "<=" else value >= self.bound * (1 - 1e-12)


def parse_target(text: str, kind: str | None = None) -> Target:
    """Parse ``"fmr<=1e-4"``; with ``kind``, check the metric exists for that kind."""
    m = TARGET_RE.match(text.lower())
    if not m:
        raise EvaluationInputError(f"cannot parse target {text!r}: use e.g. 'fmr<=1e-4'")
    try:
        bound = float(m.group(3))
    except ValueError:
        raise EvaluationInputError(f"cannot parse the number in target {text!r}") from None
    if not 0.0 <= bound <= 1.0:
        raise EvaluationInputError(f"target {text!r}: rates are between 0 and 1")
    if kind is not None and m.group(1) not in METRICS.get(kind, {}):
        known = ", ".join(METRICS.get(kind, {})) or "none"
        raise EvaluationInputError(f"target metric {m.group(1)!r} is not tunable for {kind} (use: {known})")
    return Target(m.group(1), m.group(2), bound)


def index_bound(curve: np.ndarray, falls: bool, target: Target) -> tuple[int, bool]:
    """(index, is_lower_bound): the feasible threshold indices are ``>= index`` or ``<= index``."""
    tol = target.bound * (1 + 1e-12) + 1e-300 if target.op == "<=" else target.bound * (1 - 1e-12)
    ok = curve <= tol if target.op == "<=" else curve >= tol
    lower = falls == (target.op == "<=")  # the target holds from some index upward
    if not ok.any():
        return (curve.shape[0] if lower else -1), lower
    return (int(np.argmax(ok)) if lower else int(ok.shape[0] - 1 - np.argmax(ok[::-1]))), lower


def solve_indices(c: Curves, kind: str, targets: Sequence[Target]) -> tuple[int, int]:
    """Feasible index range ``[lo, hi]`` meeting every target (empty if lo > hi)."""
    lo, hi = 0, c.grid.shape[0] - 1
    for t in targets:
        fn, falls = METRICS[kind][t.metric]
        k, lower = index_bound(fn(c), falls, t)
        lo, hi = (max(lo, k), hi) if lower else (lo, min(hi, k))
    return lo, hi


@dataclass
class TuningResult:
    """The chosen threshold (oriented units), what it achieves, and its provenance."""

    kind: str
    threshold: float
    targets: list[Target]
    achieved: dict[str, Estimate]
    feasible: tuple[float | None, float | None]
    conservative: bool
    score_direction: str
    settings: dict[str, Any]
    manifest: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    # targets (their text) below what this set can demonstrate: zero errors among its subjects
    # bound the rate only down to resolution(n) at the CI level (see :func:`resolution`)
    unresolvable: set[str] = field(default_factory=set)

    @property
    def value(self) -> float:
        """The threshold in the score file's own units."""
        return -self.threshold if self.score_direction == "higher_is_attack" else self.threshold

    def to_dict(self) -> dict[str, Any]:
        from openidv.evaluation.result import jsonable

        return jsonable(
            {
                "schema": "openidv.eval.tune/1",
                "kind": "tune",
                "evaluated_kind": self.kind,
                "tool": "openidv eval tune",
                "manifest": self.manifest,
                "settings": self.settings,
                "threshold": {
                    "value": self.value,
                    "rule": "targets",
                    "conservative": self.conservative,
                    "accept_rule": self.accept_rule,
                    "feasible_range": self._feasible_in_file_units(),
                },
                "targets": [
                    {
                        "target": t.text,
                        "achieved": self.achieved.get(self._rate_name(t)),
                        "met": t.met(self._value(t)),
                        "met_at_ci_bound": t.met(self._bound(t)) and t.text not in self.unresolvable,
                        "resolvable": t.text not in self.unresolvable,
                    }
                    for t in self.targets
                ],
                "achieved": self.achieved,
                "warnings": self.warnings,
            }
        )

    def _feasible_in_file_units(self) -> list[float | None]:
        lo, hi = self.feasible
        if self.score_direction != "higher_is_attack":
            return [lo, hi]
        return [None if hi is None else -hi, None if lo is None else -lo]

    @property
    def accept_rule(self) -> str:
        return "score <= value" if self.score_direction == "higher_is_attack" else "score >= value"

    def to_threshold_set(self, name: str, version: str | None = None, key: str | None = None) -> ThresholdSet:
        """The versioned threshold set the decision engine loads (``ThresholdSet(...).write(path)``)."""
        from openidv.policy.thresholds import ThresholdSet

        man = self.manifest or {}
        source = {
            "tool": "openidv eval tune",
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "scores_manifest": f"sha256:{man.get('sha256')}" if man.get("sha256") else None,
            "set_sha256": man.get("set_sha256"),
            "scores_path": man.get("path"),
            "model": man.get("model") or None,
            "kind": self.kind,
            "targets": {(t.metric if t.op == "<=" else t.metric + ">="): t.bound for t in self.targets},
            "achieved": {k: v.to_dict() for k, v in self.achieved.items()},
            "conservative": self.conservative,
            "score_direction": self.score_direction,
            "accept_rule": self.accept_rule,
            "bootstrap": self.settings.get("bootstrap"),
        }
        source = {k: v for k, v in source.items() if v is not None}
        values = {key or DEFAULT_KEYS.get(self.kind, "threshold"): float(self.value)}
        return ThresholdSet(name=name, version=version or default_version(), values=values, source=source)

    def _rate_name(self, t: Target) -> str:
        return {"apcer": "apcer_max"}.get(t.metric, t.metric)

    def _value(self, t: Target) -> float | None:
        est = self.achieved.get(self._rate_name(t))
        return None if est is None else est.value

    def _bound(self, t: Target) -> float | None:
        est = self.achieved.get(self._rate_name(t))
        return None if est is None else (est.ci_high if t.op == "<=" else est.ci_low)


def default_version(existing: str | None = None) -> str:
    """``YYYY-MM-DD.N``: N is one more than ``existing``'s if that is from today."""
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    if existing and existing.startswith(today + "."):
        tail = existing.rsplit(".", 1)[-1]
        return f"{today}.{int(tail) + 1 if tail.isdigit() else 1}"
    return f"{today}.1"


def tune_groups(scores: ScoreSet, kind: str, config: BootstrapConfig) -> dict[str, Group]:
    if kind == "verification":
        return {
            "genuine": common.finite_group(scores, scores.positive, "genuine", config),
            "impostor": common.finite_group(scores, ~scores.positive, "impostor", config),
        }
    if kind == "pad":
        return pad.pad_groups(scores, config)
    if kind == "classifier":
        return classifier.classifier_groups(scores, config)
    raise EvaluationInputError(f"threshold tuning is not available for kind {kind}")


def tune_threshold(
    scores: ScoreSet,
    kind: str | None,
    targets: Sequence[str | Target],
    *,
    conservative: bool = False,
    config: BootstrapConfig | None = None,
    progress: Callable[[str], None] | None = None,
) -> TuningResult:
    """Choose the threshold meeting every target; report achieved rates with CIs."""
    kind = kind or scores.kind
    config = config or BootstrapConfig()
    if not targets:
        raise EvaluationInputError("give at least one target, e.g. --target 'fmr<=1e-4'")
    parsed = [t if isinstance(t, Target) else parse_target(t, kind) for t in targets]
    groups = tune_groups(scores, kind, config)
    positive = [g for g in groups.values() if g.name in ("genuine", "bona_fide")]
    negative = [g for g in groups.values() if g.name in ("impostor", "attack") or g.name.startswith("attack:")]
    if not positive or not negative or any(g.size == 0 for g in positive) or all(g.size == 0 for g in negative):
        raise EvaluationInputError("tuning needs scored rows of both classes")
    engine = CurveEngine(groups)
    point = engine.point()
    lo, hi = solve_indices(point, kind, parsed)
    if lo > hi:
        raise TargetsInfeasible(_conflict(point, kind, parsed))
    has_lower = any(index_bound(METRICS[kind][t.metric][0](point), METRICS[kind][t.metric][1], t)[1] for t in parsed)
    t = float(point.grid[lo] if has_lower else point.grid[hi])
    if not np.isfinite(t):
        raise TargetsInfeasible("the targets are only met by rejecting everything: " + _conflict(point, kind, parsed))
    warnings: list[str] = []
    if conservative:
        t = _conservative(engine, kind, parsed, config, t, warnings)
    if progress:
        progress(f"achieved rates at threshold {t:.6g}: bootstrap {config.n_boot} replicates")
    est = estimates(achieved_stats(scores, kind, groups, t, config), scores.n_subjects, config)
    achieved = {
        name: common.scalar(p, r, config) if np.ndim(p) == 0 else common.estimate(p, r, 0, config)
        for name, (p, r) in est.items()
    }
    result = TuningResult(
        kind,
        t,
        parsed,
        achieved,
        _range(point, lo, hi),
        conservative,
        scores.score_direction,
        common.settings(config, scores),
        scores.manifest.to_dict() if scores.manifest else None,
        warnings,
    )
    for x in parsed:
        n = _units(groups, kind, x)
        if n is not None and x.op == "<=" and x.bound < resolution(n, config.ci_level):
            result.unresolvable.add(x.text)
            result.warnings.append(
                f"target {x.text} cannot be demonstrated by this set: with {n} subjects, even zero errors "
                f"bound the rate only below {resolution(n, config.ci_level):.3g} at the {config.ci_level:.0%} level"
            )
    if config.identity_weighting:
        result.warnings += _row_level_warnings(scores, kind, parsed, config, t)
    if config.n_boot <= 0:
        result.warnings.append("no bootstrap replicates: the targets were not checked at a CI bound")
    result.warnings += [
        f"target {x.text} is met on this sample but not at the CI bound"
        for x in parsed
        if config.n_boot > 0
        and x.text not in result.unresolvable
        and result._value(x) is not None
        and x.met(result._value(x))
        and not x.met(result._bound(x))
    ]
    return result


def _row_level_warnings(
    scores: ScoreSet, kind: str, targets: Sequence[Target], config: BootstrapConfig, t: float
) -> list[str]:
    """Targets met with every subject weighing the same but missed when every row counts once: a
    few subjects with many rows (one impostor tried 90 times) can hide there, so the report says so."""
    from dataclasses import replace

    rows = CurveEngine(tune_groups(scores, kind, replace(config, identity_weighting=False))).point()
    k = int(min(np.searchsorted(rows.grid, t, side="left"), rows.grid.shape[0] - 1))
    out = []
    for x in targets:
        value = float(METRICS[kind][x.metric][0](rows)[k])
        if np.isfinite(value) and not x.met(value):
            out.append(
                f"target {x.text} holds with every subject weighing the same, but counting every row once "
                f"gives {value:.4g} (a few subjects with many rows differ from the rest)"
            )
    return out


def resolution(n_units: int, level: float) -> float:
    """The smallest error rate ``n_units`` independent subjects can demonstrate at ``level``: the
    exact (Clopper-Pearson) one-sided upper bound when none of them errs, ``1 - (1 - level)^(1/n)``
    (about 3 / n at 95%, the "rule of three"). A bootstrap interval cannot see this: with no error
    in the sample, every replicate has none either and the interval collapses to [0, 0]."""
    return 1.0 if n_units <= 0 else float(1.0 - (1.0 - level) ** (1.0 / n_units))


# the class whose subjects a bounded rate counts (review_rate and recall>= are not error rates of one class)
_COUNTED = {
    ("verification", "fmr"): ("impostor",),
    ("verification", "fnmr"): ("genuine",),
    ("pad", "bpcer"): (pad.BONA,),
    ("classifier", "fpr"): (classifier.BONA,),
    ("classifier", "fnr"): (classifier.ATTACK,),
}


def _units(groups: Mapping[str, Group], kind: str, target: Target) -> int | None:
    """Independent subjects behind a target's rate (for APCER: the smallest scored species)."""
    if kind == "pad" and target.metric == "apcer":
        names = [n for n in groups if n != pad.BONA and groups[n].size > 0]
    else:
        names = [n for n in _COUNTED.get((kind, target.metric), ()) if n in groups]
    if not names:
        return None
    return min(_subjects(groups[n]) for n in names)


def _subjects(g: Group) -> int:
    ids = g.a if g.b is None else np.concatenate([g.a, g.b[g.b != g.n_subjects]])
    return int(np.unique(ids).size)


def achieved_stats(
    scores: ScoreSet, kind: str, groups: dict[str, Group], t: float, config: BootstrapConfig
) -> dict[str, Statistic]:
    """Every rate of ``kind`` at the chosen threshold."""
    if kind == "verification":
        return verification.fixed_stats(scores, groups, t, config)
    if kind == "pad":
        stat = pad.apcer_stat(groups, t)
        names = [n.removeprefix("attack:") for n in groups if n != pad.BONA]
        out: dict[str, Statistic] = {f"apcer[{n}]": _column(stat, i) for i, n in enumerate(names)}
        return out | {
            "apcer_max": _column(stat, len(names)),
            "bpcer": error_rate(groups[pad.BONA], t, "rejected"),
        }
    stats = classifier.fixed_stats(groups, t)
    recall = stats["recall"]
    return stats | {"fnr": lambda w: 1.0 - recall(w)}


def _column(stat: Statistic, i: int) -> Statistic:
    return lambda w: stat(w)[:, i]


def _conservative(
    engine: CurveEngine,
    kind: str,
    targets: Sequence[Target],
    config: BootstrapConfig,
    t_point: float,
    warnings: list[str],
) -> float:
    """Per-replicate bounds, then the ``ci_level`` quantile on each target's safe side."""
    falls = [METRICS[kind][x.metric][1] for x in targets]

    def solver(c: Curves) -> tuple[np.ndarray, bool]:
        out = []
        for x in targets:
            curve = METRICS[kind][x.metric][0](c)
            if np.isnan(curve).all():  # the replicate drew no subject of a class the target counts
                out.append(np.nan)
                continue
            k, _ = index_bound(curve, METRICS[kind][x.metric][1], x)
            out.append(c.grid[min(max(k, 0), c.grid.shape[0] - 1)])
        return np.asarray(out, dtype=np.float64), True

    op = OperatingPoints(engine.groups, [Part(solver, len(targets))], full=engine)
    ((_, reps),) = estimates({"t": op}, engine.groups[next(iter(engine.groups))].n_subjects, config).values()
    if reps.shape[0] == 0:
        warnings.append("conservative tuning needs bootstrap replicates; used the point estimate")
        return t_point
    # replicates where a target is undefined (no subject of a class drawn) say nothing about it
    defined = [reps[:, i][~np.isnan(reps[:, i])] for i in range(len(targets))]
    for x, d in zip(targets, defined, strict=True):
        if d.size < reps.shape[0]:
            warnings.append(f"target {x.text}: undefined in {reps.shape[0] - d.size} of {reps.shape[0]} "
                            "replicates (no subject of a class drawn); its bound uses the others")
    if any(d.size == 0 for d in defined):
        raise TargetsInfeasible("a target is undefined in every bootstrap replicate: too few subjects to bound it")
    lows = [
        np.quantile(defined[i], config.ci_level, method="higher")
        for i, x in enumerate(targets)
        if falls[i] == (x.op == "<=")
    ]
    highs = [
        np.quantile(defined[i], 1 - config.ci_level, method="lower")
        for i, x in enumerate(targets)
        if falls[i] != (x.op == "<=")
    ]
    lo, hi = max(lows, default=-np.inf), min(highs, default=np.inf)
    if lo > hi:
        raise TargetsInfeasible(
            f"targets cannot all be met at the {config.ci_level:.0%} level "
            f"(needs threshold >= {lo:.6g} and <= {hi:.6g})"
        )
    t = float(lo if lows else hi)
    if not np.isfinite(t):
        # some replicates meet a target only by rejecting (or accepting) everyone
        raise TargetsInfeasible(
            f"targets cannot all be met at the {config.ci_level:.0%} level except by "
            f"{'rejecting' if t > 0 else 'accepting'} everyone (threshold {t})"
        )
    return t


def _range(c: Curves, lo: int, hi: int) -> tuple[float | None, float | None]:
    return common.threshold_value(c.grid[lo]), common.threshold_value(c.grid[hi])


def _conflict(c: Curves, kind: str, targets: Sequence[Target]) -> str:
    parts = []
    for t in targets:
        k, lower = index_bound(METRICS[kind][t.metric][0](c), METRICS[kind][t.metric][1], t)
        edge = c.grid[min(max(k, 0), c.grid.shape[0] - 1)]
        parts.append(f"{t.text} needs threshold {'>=' if lower else '<='} {edge:.6g}")
    return "no threshold meets every target: " + "; ".join(parts)
