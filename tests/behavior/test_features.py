"""Pointer features: invariances the classifier relies on, and the event round trip."""

from __future__ import annotations

import numpy as np
import pytest

from openidv.behavior.botgen import FAMILIES, rechannel_human, rescale, retime_uniform, smooth_samples
from openidv.behavior.events import Pointer, parse_events, pointer_events
from openidv.behavior.features import FEATURE_NAMES, pointer_features, row_quantiles
from openidv.behavior.kinematics import segment

from .conftest import bot


def test_feature_vector_shape_and_names() -> None:
    f = pointer_features(bot("bezier_humanlike", 1))
    assert f.vector.shape == (len(FEATURE_NAMES),) and len(set(FEATURE_NAMES)) == len(FEATURE_NAMES)
    assert f.scorable and f.strokes >= 5 and f.clicks == 12
    assert "teleport_frac" not in FEATURE_NAMES  # a recorder artefact, kept out of the model


def test_empty_and_tiny_streams_are_not_scorable() -> None:
    empty = pointer_features(Pointer())
    assert not empty.scorable and np.isnan(empty.vector[: 26]).all()
    one = Pointer(np.array([0.0, 10.0]), np.array([1.0, 2.0]), np.array([1.0, 2.0]))
    assert not pointer_features(one).scorable


def test_straight_constant_bot_is_perfectly_straight() -> None:
    f = dict(zip(FEATURE_NAMES, pointer_features(bot("linear_constant", 2)).vector, strict=True))
    assert f["straight_med"] > 0.99 and f["dev_med"] < 0.01 and f["straight_frac"] > 0.5


def test_features_do_not_depend_on_screen_scale() -> None:
    p = bot("sigma_lognormal", 3)
    a, b = pointer_features(p).vector, pointer_features(rescale(p, 2.0)).vector
    ok = np.isfinite(a) & np.isfinite(b)
    # pixel rounding moves a few values slightly; nothing may change by more than 15% of its spread
    spread = np.maximum(np.abs(a[ok]), 0.05)
    assert np.median(np.abs(a[ok] - b[ok]) / spread) < 0.05


def test_event_round_trip_gives_the_same_features() -> None:
    p = bot("windmouse", 4)
    once = parse_events(pointer_events(p)).mouse  # times to 0.1 ms, as telemetry carries them
    twice = parse_events(pointer_events(once)).mouse
    np.testing.assert_array_equal(pointer_features(twice).vector, pointer_features(once).vector)
    close = np.isfinite(pointer_features(p).vector)
    np.testing.assert_allclose(pointer_features(once).vector[close], pointer_features(p).vector[close], rtol=0.05,
                               atol=0.02)


def test_strokes_split_at_pauses_and_clicks() -> None:
    t = np.arange(0, 1000, 10.0)
    x = np.concatenate([np.linspace(0, 300, 50), np.linspace(300, 600, 50)])
    p = Pointer(t, x, np.zeros_like(t), down_t=np.array([495.0]), down_x=np.array([300.0]), down_y=np.array([0.0]),
                up_t=np.array([505.0]))
    s = segment(p)
    assert s.n_raw >= 2 and s.n == 2


@pytest.mark.parametrize("family", FAMILIES)
def test_human_recording_variants_keep_shape(family: str) -> None:
    rng = np.random.default_rng(5)
    p = bot(family, 5)
    for variant in (rechannel_human(p, rng), retime_uniform(p), smooth_samples(p, 3)):
        assert variant.n > 0 and np.all(np.diff(variant.t) >= 0)
        assert variant.down_t.size == p.down_t.size


def test_row_quantiles_match_numpy() -> None:
    rng = np.random.default_rng(0)
    m = rng.normal(size=(4, 37))
    m[1, ::3] = np.nan
    got = row_quantiles(m, np.array([0.1, 0.5, 0.9]))
    want = np.vstack([np.nanpercentile(r, [10, 50, 90]) for r in m])
    np.testing.assert_allclose(got, want)
    assert np.isnan(row_quantiles(np.full((1, 3), np.nan), np.array([0.5]))).all()
