"""Which candidate quadrilateral is the card? A logistic ranker over outline features.

Trained by ``python -m openidv.documents.training.train_outline_ranker`` on generated photos of
*train* templates under *train* capture conditions (a candidate is positive when its corners lie
within 3 mm of the card's true corners), evaluated on held-out templates and conditions; weights,
metrics and limits in ``models/card_outline_ranker.md``. A linear model on standardised features
(:mod:`openidv.documents.outline_features`): fourteen weights anyone can read, no pickle, and a
score per candidate in microseconds.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openidv.documents.outline_features import FEATURES


class OutlineRanker:
    """Logistic regression on standardised features (scikit-learn's estimator contract).

    ``c`` is the inverse L2 strength (scikit-learn's ``C``); learned state: ``mean_``, ``scale_``, ``coef_``,
    ``intercept_``.
    """

    def __init__(self, c: float = 1.0, max_iter: int = 4000) -> None:
        self.c = c
        self.max_iter = max_iter

    def fit(self, x: NDArray[Any], y: NDArray[Any]) -> OutlineRanker:
        from sklearn.linear_model import LogisticRegression

        x = np.asarray(x, np.float64)
        self.mean_ = x.mean(axis=0)
        self.scale_ = np.where(x.std(axis=0) > 1e-9, x.std(axis=0), 1.0)
        lr = LogisticRegression(C=self.c, max_iter=self.max_iter).fit((x - self.mean_) / self.scale_, y)
        self.coef_ = lr.coef_[0].astype(np.float64)
        self.intercept_ = float(lr.intercept_[0])
        return self

    def decision_function(self, x: NDArray[Any]) -> NDArray[Any]:
        return np.asarray(((np.asarray(x, np.float64) - self.mean_) / self.scale_) @ self.coef_ + self.intercept_)

    def predict_proba(self, x: NDArray[Any]) -> NDArray[Any]:
        p = 1 / (1 + np.exp(-self.decision_function(x)))
        return np.stack([1 - p, p], axis=1)

    def to_dict(self) -> dict[str, Any]:
        return {"features": list(FEATURES), "C": self.c, "mean": self.mean_.round(6).tolist(),
                "scale": self.scale_.round(6).tolist(), "coef": self.coef_.round(6).tolist(),
                "intercept": round(self.intercept_, 6)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> OutlineRanker:
        if list(d["features"]) != list(FEATURES):
            raise ValueError("card outline ranker was trained on other features; retrain it")
        r = cls(c=float(d["C"]))
        r.mean_, r.scale_ = np.asarray(d["mean"], np.float64), np.asarray(d["scale"], np.float64)
        r.coef_, r.intercept_ = np.asarray(d["coef"], np.float64), float(d["intercept"])
        return r


@dataclass(frozen=True)
class ShippedRanker:
    """The shipped ranker, the probability below which a photo shows no card, and the probability a
    second, separate outline needs to count as another card."""

    model: OutlineRanker
    min_card: float
    min_other_card: float


def ranker_file() -> Path:
    from importlib import resources

    return Path(str(resources.files("openidv.documents").joinpath("models/card_outline_ranker.json")))


@functools.cache
def load_ranker() -> ShippedRanker | None:
    """The shipped ranker, its hash verified against the package's model manifest (None when the
    package has none: the finder then ranks by its edge-evidence rule)."""
    from openidv.models.registry import model_path

    if not ranker_file().is_file():
        return None
    d = json.loads(model_path("openidv.documents", "card_outline_ranker").read_text(encoding="utf-8"))
    return ShippedRanker(OutlineRanker.from_dict(d["model"]), float(d["min_card"]), float(d["min_other_card"]))
