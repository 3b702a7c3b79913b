"""1:1 comparison scores: embedding similarity calibrated to an estimated false-match rate.

A raw similarity means nothing to a reviewer; "one impostor pair in 50,000 scores this high" does.
:class:`Calibration` maps a similarity to the false-match rate measured on real impostor
comparisons (identity-weighted: every pair of people counts the same however many photos they
have), interpolating log10(FMR) between knots and extrapolating the last decade's slope beyond
the lowest measurable rate. The check score is ``-log10(FMR) / 8`` clipped to [0, 1], so a score of
0.5 means FMR 1e-4, 0.375 means 1e-3 and 0.625 means 1e-5, and thresholds tuned by
``openidv eval tune`` on these scores read directly as false-match rates.

The shipped calibration is fitted by ``python -m openidv.face.training.match`` (provenance inside
the JSON file); it belongs to one embedder version and refuses to score another.
"""

from __future__ import annotations

import itertools
import json
import math
import threading
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openidv.errors import ConfigError

SCORE_DECADES = 8.0
MIN_FMR = 1e-12
CALIBRATION_FILE = "data/calibration_dlib_resnet_v1.json"


@dataclass(frozen=True)
class Calibration:
    model: str  # embedder name@version the similarities came from
    similarity: tuple[float, ...]  # ascending knots
    log10_fmr: tuple[float, ...]  # non-increasing, same length
    source: dict[str, Any] = field(default_factory=dict)

    def fmr(self, similarity: float) -> float:
        """Estimated false-match rate of a comparison scoring ``similarity``."""
        s = np.asarray(self.similarity)
        y = np.asarray(self.log10_fmr)
        x = float(similarity)
        if x <= s[0]:
            return float(10 ** y[0])
        if x <= s[-1]:
            return float(10 ** np.interp(x, s, y))
        k = max(0, len(s) - 1 - _DECADE_KNOTS)
        slope = (y[-1] - y[k]) / max(s[-1] - s[k], 1e-9)
        return max(MIN_FMR, float(10 ** (y[-1] + slope * (x - s[-1]))))

    def score(self, similarity: float) -> float:
        """The check score in [0, 1]: -log10(FMR) / 8."""
        return float(min(1.0, max(0.0, -math.log10(max(self.fmr(similarity), MIN_FMR)) / SCORE_DECADES)))

    def similarity_at(self, fmr: float) -> float:
        """The similarity whose estimated FMR is ``fmr`` (inverse of :meth:`fmr` on the knots)."""
        y = np.asarray(self.log10_fmr)[::-1]
        s = np.asarray(self.similarity)[::-1]
        return float(np.interp(math.log10(fmr), y, s))

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "similarity": list(self.similarity),
            "log10_fmr": list(self.log10_fmr),
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Calibration:
        sims, ys = tuple(float(v) for v in d["similarity"]), tuple(float(v) for v in d["log10_fmr"])
        if len(sims) < 2 or len(sims) != len(ys) or any(b < a for a, b in itertools.pairwise(sims)):
            raise ConfigError("face calibration needs >= 2 ascending similarity knots")
        return cls(str(d["model"]), sims, ys, dict(d.get("source") or {}))


_DECADE_KNOTS = 10  # knots per decade of FMR in fitted calibrations; extrapolation uses the last decade


def fit_calibration(
    impostor_similarity: NDArray[np.float64],
    weights: NDArray[np.float64],
    model: str,
    source: dict[str, Any] | None = None,
    min_count: int = 20,
) -> Calibration:
    """Knots every tenth of a decade of weighted FMR, down to the rate still backed by ``min_count`` pairs."""
    order = np.argsort(-impostor_similarity)
    s = impostor_similarity[order]
    w = weights[order] / weights.sum()
    tail = np.cumsum(w)  # FMR at threshold s[k] (share at or above)
    lowest = tail[min(min_count, len(tail)) - 1]
    targets = 10 ** np.arange(0.0, math.log10(lowest) - 1e-9, -1.0 / _DECADE_KNOTS)
    sims, logs = [], []
    for a in targets:
        k = int(np.searchsorted(tail, a, side="left"))
        k = min(k, len(s) - 1)
        sims.append(float(s[k]))
        logs.append(float(math.log10(a)))
    pts = sorted(zip(sims, logs, strict=True))
    xs, ys = [pts[0][0]], [pts[0][1]]
    for x, y in pts[1:]:
        if x > xs[-1] + 1e-9 and y <= ys[-1]:
            xs.append(x)
            ys.append(y)
    return Calibration(model, tuple(xs), tuple(ys), source or {})


_lock = threading.Lock()
_cache: dict[str, Calibration] = {}


def shipped_calibration() -> Calibration:
    with _lock:
        if "default" not in _cache:
            text = resources.files("openidv.face").joinpath(CALIBRATION_FILE).read_text("utf-8")
            _cache["default"] = Calibration.from_dict(json.loads(text))
        return _cache["default"]


def write_calibration(cal: Calibration, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(cal.to_dict(), indent=1) + "\n", encoding="utf-8")
