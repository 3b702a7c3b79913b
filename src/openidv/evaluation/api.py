"""One entry point over the metric families, and threshold files in evaluation units."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from openidv.evaluation.bootstrap import BootstrapConfig
from openidv.evaluation.errors import EvaluationInputError
from openidv.evaluation.result import EvaluationResult
from openidv.evaluation.scores import ScoreSet, load_scores

Progress = Callable[[str], None]


def evaluate(
    scores: ScoreSet,
    kind: str | None = None,
    *,
    threshold: float | None = None,
    config: BootstrapConfig | None = None,
    slice_by: Sequence[str] = (),
    model: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> EvaluationResult:
    """Evaluate ``scores`` as ``kind`` (default: the kind the set was loaded as).

    ``threshold`` is in oriented units (higher = genuine); use :func:`threshold_from_file` for a
    threshold set. ``slice_by`` adds per-slice rates and differentials for attribute columns.
    """
    from openidv.evaluation.metrics.classifier import evaluate_classifier
    from openidv.evaluation.metrics.identification import evaluate_identification
    from openidv.evaluation.metrics.pad import evaluate_pad
    from openidv.evaluation.metrics.verification import evaluate_verification

    kind = kind or scores.kind
    if kind != scores.kind and {kind, scores.kind} - {"pad", "classifier"}:
        raise EvaluationInputError(f"scores were loaded as {scores.kind}, cannot evaluate them as {kind}")
    config = config or BootstrapConfig()
    if threshold is not None and not np.isfinite(threshold):
        raise EvaluationInputError(f"the operating threshold must be a finite number, not {threshold}")
    if kind == "verification":
        result = evaluate_verification(scores, threshold=threshold, config=config, progress=progress)
    elif kind == "pad":
        result = evaluate_pad(scores, threshold=threshold, config=config, progress=progress)
    elif kind == "classifier":
        result = evaluate_classifier(scores, threshold=threshold, config=config, progress=progress)
    elif kind == "identification":
        result = evaluate_identification(scores, threshold=threshold, config=config, progress=progress)
    else:
        raise EvaluationInputError(f"unknown kind {kind!r}")
    if slice_by:
        from openidv.evaluation.slices import slice_differentials

        t = result.metrics["threshold"]["value"] if "threshold" in result.metrics else threshold
        result.slices = slice_differentials(scores, kind, slice_by, threshold=t, config=config, progress=progress)
    if model:
        result.manifest = dict(result.manifest or {}) | {"model": dict(model)}
    return result


def evaluate_path(
    path: str | Path, kind: str | None = None, *, score_direction: str = "higher_is_genuine", **options: Any
) -> EvaluationResult:
    """Load a score file and evaluate it (see :func:`evaluate` for the options)."""
    return evaluate(load_scores(path, kind, score_direction=score_direction), kind, **options)


def threshold_from_file(
    path: str | Path, key: str | None, score_direction: str = "higher_is_genuine"
) -> tuple[float, dict[str, Any]]:
    """A threshold from a threshold-set file, in oriented units, and the set's identity for reports."""
    from openidv.errors import OpenIDVError
    from openidv.policy.thresholds import load_threshold_file

    p = Path(path)
    if not p.is_file():
        raise EvaluationInputError(f"threshold file {p} does not exist")
    try:
        ts = load_threshold_file(p)
    except (OpenIDVError, ValueError) as exc:
        raise EvaluationInputError(f"threshold file {p}: {exc}") from None
    if key is None:
        if len(ts.values) != 1:
            raise EvaluationInputError(f"threshold set {ts.name} has several values; pass --threshold-key")
        key = next(iter(ts.values))
    if key not in ts.values:
        raise EvaluationInputError(f"threshold set {ts.name} has no value {key!r}")
    value = float(ts.values[key])
    if not np.isfinite(value):
        raise EvaluationInputError(f"threshold set {ts.name}: value {key!r} is {value}, not a finite number")
    oriented = -value if score_direction == "higher_is_attack" else value
    return oriented, {"name": ts.name, "version": ts.version, "key": key, "value": value, "path": str(p)}
