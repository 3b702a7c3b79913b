"""The outline ranker (documents/outline_rank.py): estimator contract, serialisation, shipped model."""

from __future__ import annotations

import numpy as np
import pytest

from openidv.documents.outline_features import FEATURES
from openidv.documents.outline_rank import OutlineRanker, load_ranker


def _data(n: int = 400) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, len(FEATURES)))
    y = (X[:, 0] - 0.5 * X[:, 5] + 0.3 * rng.normal(size=n)) > 0
    return X, y


def test_init_stores_params_and_fit_returns_self() -> None:
    r = OutlineRanker(c=0.5)
    assert r.c == 0.5 and not hasattr(r, "coef_")
    X, y = _data()
    assert r.fit(X, y) is r
    assert r.coef_.shape == (len(FEATURES),) and r.coef_[0] > 0 > r.coef_[5]


def test_round_trip_keeps_scores() -> None:
    X, y = _data()
    r = OutlineRanker().fit(X, y)
    again = OutlineRanker.from_dict(r.to_dict())
    assert np.allclose(again.decision_function(X), r.decision_function(X), atol=1e-4)
    p = again.predict_proba(X)
    assert p.shape == (len(X), 2) and np.allclose(p.sum(axis=1), 1)


def test_a_model_for_other_features_is_refused() -> None:
    d = OutlineRanker().fit(*_data()).to_dict()
    d["features"] = d["features"][:-1]
    with pytest.raises(ValueError, match="retrain"):
        OutlineRanker.from_dict(d)


def test_shipped_ranker_is_verified_and_loads() -> None:
    shipped = load_ranker()
    assert shipped is not None, "models/card_outline_ranker.json missing"
    assert 0.0 <= shipped.min_card <= shipped.min_other_card <= 1.0
