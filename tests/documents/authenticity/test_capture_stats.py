"""Capture statistics: what a second imaging device (a display, a printer) changes, and what it must not."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from openidv.documents.authenticity.capture_stats import FEATURES, describe
from openidv.documents.synth.document import make_document
from openidv.documents.synth.forgery import _print_scan, _screen
from openidv.documents.synth.templates import make_template


@pytest.fixture(scope="module")
def card() -> np.ndarray:
    # module scope: built before the conftest date pin, so the reference day is passed here
    img = make_document(make_template("TD1", 3), seed=2, scale=8.0, today=date(2026, 11, 28)).front.image
    noise = np.random.default_rng(0).normal(0, 2.0, img.shape[:2])[:, :, None]  # one sensor, all channels
    return np.clip(img.astype(np.float64) + noise, 0, 255).astype(np.uint8)


def _f(doc: np.ndarray) -> dict[str, float]:
    return dict(zip(FEATURES, describe(doc), strict=True))


def test_one_number_per_named_feature(card: np.ndarray) -> None:
    d = describe(card)
    assert d.shape == (len(FEATURES),) and np.isfinite(d).all()
    assert len(set(FEATURES)) == len(FEATURES)


def test_exposure_changes_ratios_little(card: np.ndarray) -> None:
    """Relative to the white point: a darker photo of the same card keeps its tone and colour ratios."""
    dark = (card.astype(np.float64) * 0.6).astype(np.uint8)
    a, b = _f(card), _f(dark)
    for name in ("p10_rel", "p50_rel", "colourful_rel", "corr_rg"):
        assert abs(a[name] - b[name]) < 0.1, (name, a[name], b[name])


def test_display_subpixels_decorrelate_the_channels(card: np.ndarray) -> None:
    shown = _screen(card, 3.0, np.random.default_rng(1))
    a, b = _f(card), _f(shown)
    assert b["corr_rg"] < a["corr_rg"] - 0.1
    assert b["chroma_spec_peak"] > a["chroma_spec_peak"]


def test_grey_photocopy_loses_colour(card: np.ndarray) -> None:
    rng = np.random.default_rng(3)
    copy = _print_scan(card, False, rng)
    assert _f(copy)["colourful_rel"] < _f(card)["colourful_rel"] - 1.0


def test_too_small_or_not_rgb_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="at least"):
        describe(np.zeros((100, 300, 3), np.uint8))
    with pytest.raises(ValueError):
        describe(np.zeros((300, 300), np.uint8))
