"""Session-anomaly model: how unusual a session's movement is among real human sessions.

Unsupervised, so it does not depend on the bot families we thought of. Each feature is mapped to a
standard-normal score through its empirical quantiles in human training windows (robust to skew
and outliers; a missing feature maps to the median), and the session's squared Mahalanobis
distance is taken under a Ledoit-Wolf-shrunk covariance. The distance is reported as a percentile
among human windows of users the model was not fitted on, so ``anomaly_score = 0.99`` reads "more
unusual than 99% of held-out humans".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtri

F64 = NDArray[np.float64]
N_KNOTS = 101


@dataclass(frozen=True)
class AnomalyModel:
    knots: F64  # (n_features, N_KNOTS) quantiles of human training windows
    precision: F64  # (n_features, n_features)
    reference_d2: F64  # sorted squared distances of held-out human windows
    names: tuple[str, ...]

    @classmethod
    def fit(cls, x: F64, names: tuple[str, ...], reference: F64 | None = None) -> AnomalyModel:
        """Fit on human windows; ``reference``: held-out human d^2 for calibration (else in-sample)."""
        from sklearn.covariance import LedoitWolf

        probs = np.linspace(0.0, 100.0, N_KNOTS)
        knots = np.vstack([_knots(x[:, j], probs) for j in range(x.shape[1])])
        partial = cls(knots, np.eye(x.shape[1]), np.zeros(1), names)
        z = partial.transform(x)
        precision = LedoitWolf().fit(z).precision_
        model = cls(knots, precision, np.zeros(1), names)
        ref = model.d2(x) if reference is None else reference
        return cls(knots, precision, np.sort(ref), names)

    def with_reference(self, d2: F64) -> AnomalyModel:
        return AnomalyModel(self.knots, self.precision, np.sort(d2), self.names)

    def transform(self, x: F64) -> F64:
        """Normal scores per feature (NaN -> 0, the human median).

        One interpolation for all features: each feature's knots are shifted into a range of its
        own on a single increasing axis (values clipped to their feature's range first).
        """
        x = np.atleast_2d(x)
        lo, hi, offset, axis, probs = self._axis()
        shifted = np.clip(np.nan_to_num(x, nan=0.0), lo, hi) + offset
        u = np.interp(shifted.ravel(), axis, probs).reshape(x.shape)
        z = ndtri(np.clip(u, 0.005, 0.995))
        return np.where(np.isfinite(x), z, 0.0)

    def _axis(self) -> tuple[F64, F64, F64, F64, F64]:
        cached = self.__dict__.get("_axis_cache")
        if cached is None:
            lo, hi = self.knots[:, 0], self.knots[:, -1]
            span = hi - lo + 1.0
            offset = np.concatenate([[0.0], np.cumsum(span[:-1] + 1.0)]) - lo
            axis = (self.knots + offset[:, None]).ravel()
            probs = np.tile(np.linspace(0.0, 1.0, N_KNOTS), self.knots.shape[0])
            cached = (lo, hi, offset, axis, probs)
            object.__setattr__(self, "_axis_cache", cached)
        return cached

    def d2(self, x: F64) -> F64:
        z = self.transform(x)
        return np.einsum("ij,jk,ik->i", z, self.precision, z)

    def score(self, x: F64) -> F64:
        """Percentile of each row's distance among held-out human windows (0..1)."""
        return np.searchsorted(self.reference_d2, self.d2(x), side="right") / self.reference_d2.size

    def top_features(self, x: F64, k: int = 3) -> list[tuple[str, float]]:
        """The features furthest from the human median (name, normal score): evidence for reviewers."""
        z = self.transform(x)[0]
        order = np.argsort(-np.abs(z))[:k]
        return [(self.names[i], round(float(z[i]), 2)) for i in order if abs(z[i]) > 0]

    def save(self, path: Path) -> None:
        with path.open("wb") as fh:
            np.savez(fh, knots=self.knots, precision=self.precision, reference_d2=self.reference_d2,
                     names=np.array(self.names))

    @classmethod
    def load(cls, path: Path) -> AnomalyModel:
        with np.load(path, allow_pickle=False) as z:
            return cls(z["knots"], z["precision"], z["reference_d2"], tuple(z["names"].tolist()))


def _knots(col: F64, probs: F64) -> F64:
    """Quantile knots, strictly increasing (ties nudged apart) so interpolation is defined."""
    finite = col[np.isfinite(col)]
    if finite.size == 0:
        return np.arange(N_KNOTS, dtype=np.float64) * 1e-9
    k = np.percentile(finite, probs)
    scale = max(float(np.abs(k).max()), 1.0) * 1e-9
    return k + np.arange(N_KNOTS) * scale
