from __future__ import annotations

import numpy as np
import pytest

from openidv.checks.usability import judge
from openidv.checks.usability_tuning import tune
from openidv.demo import synthetic as syn
from openidv.domain import CaptureKind
from openidv.imaging.measures import measure
from openidv.policy import ThresholdRegistry


@pytest.fixture(scope="module")
def thresholds():
    return ThresholdRegistry.load().get("image_usability")


@pytest.fixture(scope="module")
def card() -> np.ndarray:
    rng = np.random.default_rng(3)
    text = syn.CardText("DOE", "JANE", "X1", "1990-01-01", "2031-01-01", "UTO")
    return syn.place_on_background(rng, syn.draw_id_card(rng, text, width=1200))


def test_clean_card_passes(card, thresholds):
    codes, score = judge(measure(card), CaptureKind.DOCUMENT_FRONT, thresholds)
    assert codes == [] and score > 0.5


@pytest.mark.parametrize(
    ("degrade", "code"),
    [
        (lambda im, r: syn.blur(im, 9.0), "IMAGE_BLURRY"),
        (lambda im, r: syn.darken(im, 0.15, 2.2), "IMAGE_TOO_DARK"),
        (lambda im, r: syn.overexpose(im, 3.0), "IMAGE_OVEREXPOSED"),
        (lambda im, r: syn.add_glare(r, im, 0.2), "IMAGE_GLARE"),
        (lambda im, r: im[::4, ::4], "IMAGE_LOW_RESOLUTION"),
    ],
)
def test_degradations_get_their_reason(card, thresholds, degrade, code):
    codes, score = judge(measure(degrade(card, np.random.default_rng(0))), CaptureKind.DOCUMENT_FRONT, thresholds)
    assert code in codes and score < 0.5


def test_threshold_file_has_provenance(thresholds):
    assert thresholds.source["tool"].startswith("scripts/tune_usability.py")
    assert "held_out" in thresholds.source["achieved"]


def test_tuning_smoke():
    ts, report = tune(n_clean=16, seed=1)
    assert set(ts.values) >= {"min_sharpness", "max_glare_fraction", "min_short_side_document"}
    assert 0.0 <= report["held_out"]["clean_false_rejection"]["rate"] <= 1.0
