"""The result object every evaluation returns, and its JSON form (the CLI contract)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from openidv.evaluation.bootstrap import Estimate

SCHEMA = "openidv.eval.result/1"


@dataclass
class EvaluationResult:
    """Metrics (``Estimate`` objects, possibly nested in dicts), provenance and report material.

    ``metrics`` holds the contract keys (``eer``, ``fnmr_at_fmr`` ...); ``curves`` and
    ``histograms`` are downsampled point-estimate material for the HTML report.
    """

    kind: str
    metrics: dict[str, Any]
    counts: dict[str, Any]
    settings: dict[str, Any]
    manifest: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    curves: dict[str, Any] = field(default_factory=dict)
    histograms: dict[str, Any] = field(default_factory=dict)
    slices: dict[str, Any] = field(default_factory=dict)
    tool: str = "openidv.evaluation"

    def to_dict(self) -> dict[str, Any]:
        from openidv import __version__

        body: dict[str, Any] = {
            "schema": SCHEMA,
            "kind": self.kind,
            "tool": self.tool,
            "openidv_version": __version__,
            "manifest": self.manifest,
            "settings": self.settings,
            "counts": self.counts,
        }
        body.update(self.metrics)
        body |= {
            "slices": self.slices,
            "warnings": self.warnings,
            "curves": self.curves,
            "histograms": self.histograms,
        }
        out: dict[str, Any] = jsonable(body)
        if self.settings.get("score_direction") == "higher_is_attack":
            out = in_file_units(out)
        return out

    def write_json(self, path: Path) -> None:
        write_json(self.to_dict(), path)


FILE_UNITS_RULE = (
    "accept (genuine / bona fide) iff score <= threshold (thresholds in the file's units: higher is attack)"
)


def in_file_units(body: dict[str, Any]) -> dict[str, Any]:
    """A JSON result computed on negated scores (``higher_is_attack`` files are negated on load)
    with every threshold, histogram edge and decision rule put back into the file's own units, so
    that a threshold read from the result can be applied to the file's scores as they are."""
    out: dict[str, Any] = _negate_thresholds(body)
    hist = out.get("histograms")
    if isinstance(hist, dict) and hist.get("edges"):
        hist["edges"] = [None if e is None else -e for e in reversed(hist["edges"])]
        hist["counts"] = {k: list(reversed(v)) for k, v in hist.get("counts", {}).items()}
    if isinstance(out.get("settings"), dict) and "decision_rule" in out["settings"]:
        out["settings"] = {**out["settings"], "decision_rule": FILE_UNITS_RULE}
    return out


def _negate_thresholds(obj: Any) -> Any:
    if isinstance(obj, list):
        return [_negate_thresholds(v) for v in obj]
    if not isinstance(obj, dict):
        return obj
    out: dict[str, Any] = {}
    for k, v in obj.items():
        if k == "threshold" and isinstance(v, dict) and "value" in v:
            out[k] = {**v, "value": _neg(v["value"])}
        elif k == "threshold":
            out[k] = [_neg(x) for x in v] if isinstance(v, list) else _neg(v)
        else:
            out[k] = _negate_thresholds(v)
    return out


def _neg(x: Any) -> Any:
    return -x if isinstance(x, int | float) and not isinstance(x, bool) else x


def jsonable(obj: Any) -> Any:
    """Estimates to dicts, numpy to Python, non-finite floats to None (strict JSON)."""
    if isinstance(obj, Estimate):
        return jsonable(obj.to_dict())
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [jsonable(v) for v in obj.tolist()]
    if isinstance(obj, np.bool_ | bool):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        x = float(obj)
        return x if math.isfinite(x) else None
    return obj


def write_json(data: Mapping[str, Any], path: Path) -> None:
    text = json.dumps(data, indent=2, allow_nan=False)
    if str(path) == "-":
        print(text)
    else:
        path.write_text(text + "\n", encoding="utf-8")
