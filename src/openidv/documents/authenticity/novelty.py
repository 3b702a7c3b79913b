"""Recapture as novelty: how far a document's capture statistics lie from genuine captures.

The tile model (:mod:`openidv.documents.authenticity.detector`) learns the screens and printers of
its training data and misses a species it never saw (leave-one-family-out detection 0.00 for both
screen recapture and photocopy). This model is fitted on **genuine captures only**: the capture
statistics (:mod:`openidv.documents.authenticity.capture_stats`) of genuine documents photographed
under the training capture conditions, plus copies degraded by the same generic policy the tile
model trains with (resolution loss, blur, noise, exposure, glare veil, JPEG), so that a worse photo
is not mistaken for another device. A document's score is its mean distance to the ``n_neighbors``
nearest genuine references after robust scaling (median / inter-quartile range per feature): no
attack species is ever used to fit it, so its detection of every species is a held-out figure.

Estimator contract as scikit-learn's: ``__init__`` stores parameters, ``fit`` returns self, learned
state ends in ``_``. The shipped state is an ``.npz`` (no pickle) verified by its sha256 in
``MODELS.json``.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openidv.documents.authenticity.capture_stats import FEATURES, describe

PACKAGE = "openidv.documents"
MODEL = "doc_recapture_novelty"
_lock = threading.Lock()
_cache: dict[str, RecaptureNovelty] = {}


class RecaptureNovelty:
    """k-nearest-neighbour distance to genuine capture descriptors (higher = less like a genuine capture)."""

    def __init__(self, n_neighbors: int = 5) -> None:
        self.n_neighbors = n_neighbors

    def fit(self, x: NDArray[Any]) -> RecaptureNovelty:
        """Store the genuine references (rows of :data:`FEATURES`), robustly scaled."""
        x = np.asarray(x, np.float64)
        if x.ndim != 2 or x.shape[1] != len(FEATURES) or len(x) <= self.n_neighbors:
            raise ValueError(f"need more than {self.n_neighbors} rows of {len(FEATURES)} features, got {x.shape}")
        if not np.isfinite(x).all():
            raise ValueError("reference descriptors must be finite")
        self.median_ = np.median(x, axis=0)
        iqr = np.percentile(x, 75, axis=0) - np.percentile(x, 25, axis=0)
        self.scale_ = np.where(iqr > 1e-9, iqr, 1.0)
        self.reference_ = ((x - self.median_) / self.scale_).astype(np.float32)
        return self

    def score_samples(self, x: NDArray[Any], exclude_self: bool = False) -> NDArray[np.float64]:
        """Mean distance to the nearest references; ``exclude_self`` skips each row's own (zero)
        distance when scoring the references themselves (a reference's degraded copies still count
        as its neighbours, so such leave-one-out scores are optimistic; nothing in production uses it)."""
        z = ((np.atleast_2d(np.asarray(x, np.float64)) - self.median_) / self.scale_).astype(np.float32)
        k = self.n_neighbors + (1 if exclude_self else 0)
        out = np.empty(len(z))
        for i in range(0, len(z), 256):  # bounded memory: 256 x references distances at a time
            zz = z[i : i + 256]
            d2 = (zz**2).sum(1)[:, None] - 2.0 * zz @ self.reference_.T + (self.reference_**2).sum(1)[None, :]
            near = np.sqrt(np.maximum(np.partition(d2, k - 1, axis=1)[:, :k], 0.0))
            near.sort(axis=1)
            out[i : i + 256] = near[:, 1:].mean(1) if exclude_self else near.mean(1)
        return out

    def save(self, path: Path) -> None:
        """Write the fitted state as a plain ``.npz`` (no pickle), with the feature names it expects."""
        np.savez(path, n_neighbors=np.int64(self.n_neighbors), median=self.median_, scale=self.scale_,
                 reference=self.reference_, features=np.array(FEATURES))

    @classmethod
    def load(cls, path: Path) -> RecaptureNovelty:
        """Read a saved model; refuses one fitted on other features or with an inconsistent state.
        The arrays are read-only: the loaded model is shared by every request of the process."""
        with np.load(path, allow_pickle=False) as z:
            if tuple(str(v) for v in z["features"]) != FEATURES:
                raise ValueError(f"{path.name} was fitted on other capture features than this code computes")
            m = cls(int(z["n_neighbors"]))
            m.median_, m.scale_, m.reference_ = z["median"], z["scale"], z["reference"]
        n = len(FEATURES)
        if (m.median_.shape != (n,) or m.scale_.shape != (n,) or m.reference_.ndim != 2
                or m.reference_.shape[1] != n or not 0 < m.n_neighbors < len(m.reference_)):
            raise ValueError(f"{path.name}: inconsistent state (k={m.n_neighbors}, references {m.reference_.shape})")
        for a in (m.median_, m.scale_, m.reference_):
            a.flags.writeable = False
        return m


def load_novelty() -> RecaptureNovelty:
    """The shipped model, hash-verified, loaded once per process."""
    from openidv.models.registry import model_path

    with _lock:
        if "m" not in _cache:
            _cache["m"] = RecaptureNovelty.load(model_path(PACKAGE, MODEL))
        return _cache["m"]


def novelty_score(doc: NDArray[np.uint8], model: RecaptureNovelty | None = None) -> float:
    """Novelty of one rectified RGB document under the shipped (or a given) model."""
    m = model or load_novelty()
    return float(m.score_samples(describe(doc)[None, :])[0])
