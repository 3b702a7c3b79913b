"""Evaluation layer: biometric, presentation-attack and fraud metrics with confidence intervals.

Stable API (see docs/evaluation.md)::

    from openidv.evaluation import load_scores, evaluate_verification, evaluate_pad, evaluate_classifier

Names are resolved lazily (PEP 562) so that importing the package, as plugin discovery does, loads
neither numpy nor pandas.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openidv.evaluation.api import evaluate, evaluate_path, threshold_from_file
    from openidv.evaluation.bootstrap import BootstrapConfig, Estimate
    from openidv.evaluation.errors import EvaluationInputError, TargetsInfeasible
    from openidv.evaluation.gate import GateResult, GateSpec, run_gate
    from openidv.evaluation.manifest import Manifest, set_fingerprint, write_sidecar
    from openidv.evaluation.metrics.classifier import evaluate_classifier
    from openidv.evaluation.metrics.identification import evaluate_identification
    from openidv.evaluation.metrics.pad import evaluate_pad
    from openidv.evaluation.metrics.verification import evaluate_verification
    from openidv.evaluation.report.html import render_html, write_html
    from openidv.evaluation.result import EvaluationResult
    from openidv.evaluation.scores import ScoreSet, load_scores, score_set_from_arrays, score_set_from_frame
    from openidv.evaluation.slices import slice_differentials
    from openidv.evaluation.tuning import Target, TuningResult, parse_target, tune_threshold

_EXPORTS: dict[str, str] = {
    "evaluate": "api",
    "evaluate_path": "api",
    "BootstrapConfig": "bootstrap",
    "Estimate": "bootstrap",
    "EvaluationInputError": "errors",
    "TargetsInfeasible": "errors",
    "GateResult": "gate",
    "GateSpec": "gate",
    "run_gate": "gate",
    "Manifest": "manifest",
    "set_fingerprint": "manifest",
    "write_sidecar": "manifest",
    "evaluate_classifier": "metrics.classifier",
    "evaluate_identification": "metrics.identification",
    "evaluate_pad": "metrics.pad",
    "evaluate_verification": "metrics.verification",
    "render_html": "report.html",
    "write_html": "report.html",
    "EvaluationResult": "result",
    "ScoreSet": "scores",
    "load_scores": "scores",
    "score_set_from_arrays": "scores",
    "score_set_from_frame": "scores",
    "slice_differentials": "slices",
    "Target": "tuning",
    "TuningResult": "tuning",
    "parse_target": "tuning",
    "tune_threshold": "tuning",
    "threshold_from_file": "api",
}

__all__ = [
    "BootstrapConfig",
    "Estimate",
    "EvaluationInputError",
    "EvaluationResult",
    "GateResult",
    "GateSpec",
    "Manifest",
    "ScoreSet",
    "Target",
    "TargetsInfeasible",
    "TuningResult",
    "evaluate",
    "evaluate_classifier",
    "evaluate_identification",
    "evaluate_pad",
    "evaluate_path",
    "evaluate_verification",
    "load_scores",
    "parse_target",
    "render_html",
    "run_gate",
    "score_set_from_arrays",
    "score_set_from_frame",
    "set_fingerprint",
    "slice_differentials",
    "threshold_from_file",
    "tune_threshold",
    "write_html",
    "write_sidecar",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'openidv.evaluation' has no attribute {name!r}")
    value = getattr(import_module(f"openidv.evaluation.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
