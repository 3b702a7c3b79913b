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
        return jsonable(body)

    def write_json(self, path: Path) -> None:
        write_json(self.to_dict(), path)


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
