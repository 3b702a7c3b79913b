"""Passive presentation-attack detection at run time: face views -> ONNX model -> score, species.

The model is loaded lazily, once per process, through the registry (which verifies its hash).
``score`` is the model's probability of bona fide; ``species`` is the most probable attack class.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openidv.liveness.crops import face_views
from openidv.liveness.species import MODEL_CLASSES, Species

PACKAGE = "openidv.liveness"
MODEL_NAME = "pad_passive"

_lock = threading.Lock()


@dataclass(frozen=True)
class PADResult:
    score: float  # P(bona fide), higher = more likely genuine
    species: Species  # most probable attack species
    probabilities: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 6),
            "species": self.species.value,
            "probabilities": {k: round(v, 6) for k, v in self.probabilities.items()},
        }


class PassivePAD:
    """Scores face views with the shipped model; thread-safe, one ONNX session per process."""

    def __init__(self, session: Any | None = None) -> None:
        self._session = session

    @property
    def session(self) -> Any:
        if self._session is None:
            from openidv.models.registry import load_onnx_session

            with _lock:
                if self._session is None:
                    self._session = load_onnx_session(PACKAGE, MODEL_NAME, threads=1)
        return self._session

    @property
    def view_sizes(self) -> tuple[int, int]:
        """(tight, context) view sizes in pixels: the model's input shapes (N, 3, S, S)."""
        shapes = {i.name: i.shape for i in self.session.get_inputs()}
        return int(shapes["tight"][-1]), int(shapes["context"][-1])

    def score_views(self, tight: NDArray[np.uint8], context: NDArray[np.uint8]) -> list[PADResult]:
        """Score batches of views: (N, S, S, 3) uint8 RGB at :attr:`view_sizes`."""
        t = np.ascontiguousarray(tight.transpose(0, 3, 1, 2), np.float32)
        c = np.ascontiguousarray(context.transpose(0, 3, 1, 2), np.float32)
        probs = self.session.run(["probs"], {"tight": t, "context": c})[0]
        return [_result(p) for p in np.asarray(probs, np.float64)]

    def score_face(self, rgb: NDArray[np.uint8], box: Sequence[float]) -> PADResult:
        """Score one face of an image given its box (left, top, right, bottom)."""
        tight, context = face_views(rgb, box, *self.view_sizes)
        return self.score_views(tight[None], context[None])[0]


def _result(p: NDArray[np.float64]) -> PADResult:
    attack = 1 + int(np.argmax(p[1:]))
    return PADResult(
        float(p[0]), MODEL_CLASSES[attack], {s.value: float(v) for s, v in zip(MODEL_CLASSES, p, strict=True)}
    )


_default: PassivePAD | None = None


def default_pad() -> PassivePAD:
    """The process-wide detector (created on first use)."""
    global _default
    with _lock:
        if _default is None:
            _default = PassivePAD()
        return _default
