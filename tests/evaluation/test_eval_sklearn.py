"""Cross-check against scikit-learn (an independent implementation) to floating-point tolerance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, det_curve, roc_auc_score, roc_curve

from openidv.evaluation import BootstrapConfig, evaluate_classifier, evaluate_verification, score_set_from_frame
from openidv.evaluation.curves import CurveEngine
from openidv.evaluation.metrics.common import class_weights, finite_group


def random_frame(seed: int, labels: tuple[str, str], n: int = 600, decimals: int = 2) -> pd.DataFrame:
    """Rounded scores (many ties), uneven rows per subject."""
    rng = np.random.default_rng(seed)
    pos = rng.random(n) < 0.4
    score = np.round(np.where(pos, rng.normal(1.2, 1.0, n), rng.normal(0.0, 1.0, n)), decimals)
    subject = rng.integers(0, 60, n) ** 2 % 97  # skewed rows per subject
    return pd.DataFrame(
        {
            "sample_id": [f"x{i}" for i in range(n)],
            "subject_id": [f"s{k}" for k in subject],
            "label": np.where(pos, labels[0], labels[1]),
            "score": score,
        }
    )


def weights(s, identity: bool) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The row weights the library uses, for sklearn's sample_weight."""
    w = np.empty(s.n_rows)
    cfg = BootstrapConfig(identity_weighting=identity)
    for mask in (s.positive, ~s.positive):
        w[mask] = class_weights(s, mask, cfg)
    return w


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("identity", [False, True])
def test_fmr_fnmr_curves_match_roc_curve(seed: int, identity: bool) -> None:
    s = score_set_from_frame(random_frame(seed, ("genuine", "impostor")), "verification")
    cfg = BootstrapConfig(identity_weighting=identity)
    groups = {
        "genuine": finite_group(s, s.positive, "genuine", cfg),
        "impostor": finite_group(s, ~s.positive, "impostor", cfg),
    }
    point = CurveEngine(groups).point()
    fpr, tpr, thr = roc_curve(s.positive, s.score, sample_weight=weights(s, identity), drop_intermediate=False)
    idx = np.searchsorted(point.grid, thr[1:])  # sklearn's first threshold is +inf
    assert np.array_equal(point.grid[idx], thr[1:])
    np.testing.assert_allclose(point.rate_at_or_above("impostor")[idx], fpr[1:], rtol=0, atol=1e-12)
    np.testing.assert_allclose(point.rate_below("genuine")[idx], 1 - tpr[1:], rtol=0, atol=1e-12)


@pytest.mark.parametrize("seed", [3, 4])
def test_curves_match_det_curve(seed: int) -> None:
    s = score_set_from_frame(random_frame(seed, ("genuine", "impostor")), "verification")
    cfg = BootstrapConfig(identity_weighting=False)
    groups = {
        "genuine": finite_group(s, s.positive, "genuine", cfg),
        "impostor": finite_group(s, ~s.positive, "impostor", cfg),
    }
    point = CurveEngine(groups).point()
    fpr, fnr, thr = det_curve(s.positive, s.score)
    idx = np.searchsorted(point.grid, thr)
    np.testing.assert_allclose(point.rate_at_or_above("impostor")[idx], fpr, atol=1e-12)
    np.testing.assert_allclose(point.rate_below("genuine")[idx], fnr, atol=1e-12)


def sklearn_eer(fpr: np.ndarray, fnr: np.ndarray) -> float:
    """Intersection of the piecewise-linear DET with FMR = FNMR, written independently."""
    for i in range(1, fpr.size):
        a, b = fpr[i - 1] - fnr[i - 1], fpr[i] - fnr[i]
        if a > 0 >= b:
            frac = a / (a - b)
            return float(fpr[i - 1] + frac * (fpr[i] - fpr[i - 1]))
    raise AssertionError("no crossing")


@pytest.mark.parametrize("seed", [5, 6, 7])
@pytest.mark.parametrize("identity", [False, True])
def test_eer_and_fnmr_at_fmr_match_sklearn(seed: int, identity: bool) -> None:
    s = score_set_from_frame(random_frame(seed, ("genuine", "impostor")), "verification")
    cfg = BootstrapConfig(n_boot=0, identity_weighting=identity)
    m = evaluate_verification(s, fmr_targets=(0.1, 0.01), config=cfg).metrics
    fpr, tpr, _ = roc_curve(s.positive, s.score, sample_weight=weights(s, identity), drop_intermediate=False)
    assert m["eer"].value == pytest.approx(sklearn_eer(fpr[::-1], 1 - tpr[::-1]), abs=1e-12)
    for a in (0.1, 0.01):
        best = 1 - tpr[fpr <= a + 1e-15].max()
        assert m["fnmr_at_fmr"][str(a)].value == pytest.approx(best, abs=1e-12)


@pytest.mark.parametrize("seed", [8, 9, 10])
@pytest.mark.parametrize("identity", [False, True])
def test_classifier_matches_sklearn(seed: int, identity: bool) -> None:
    s = score_set_from_frame(random_frame(seed, ("bona_fide", "attack")), "classifier")
    cfg = BootstrapConfig(n_boot=0, identity_weighting=identity)
    m = evaluate_classifier(s, fpr_targets=(0.05, 0.01), config=cfg).metrics
    attack, w = ~s.positive, weights(s, identity)
    assert m["auroc"].value == pytest.approx(roc_auc_score(attack, -s.score, sample_weight=w), abs=1e-12)
    assert m["auprc"].value == pytest.approx(average_precision_score(attack, -s.score, sample_weight=w), abs=1e-12)
    fpr, tpr, _ = roc_curve(attack, -s.score, sample_weight=w, drop_intermediate=False)
    for a in (0.05, 0.01):
        assert m["recall_at_fpr"][str(a)].value == pytest.approx(tpr[fpr <= a + 1e-15].max(), abs=1e-12)
