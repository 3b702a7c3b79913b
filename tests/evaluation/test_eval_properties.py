"""Property tests (Hypothesis): invariances and identities every metric must satisfy."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openidv.evaluation import (
    BootstrapConfig,
    evaluate_classifier,
    evaluate_pad,
    evaluate_verification,
    score_set_from_frame,
)
from openidv.evaluation.curves import CurveEngine
from openidv.evaluation.metrics.common import finite_group
from openidv.evaluation.metrics.pad import BONA, pad_groups
from openidv.evaluation.metrics.verification import n_units, two_class_parts
from openidv.evaluation.operating import OperatingPoints, Part
from openidv.evaluation.rates import point_rate

# Deterministic by default (no flaky CI); OPENIDV_EVAL_EXAMPLES=500 explores with fresh random seeds.
DEEP = int(os.environ.get("OPENIDV_EVAL_EXAMPLES", "0"))
SETTINGS = settings(
    max_examples=DEEP or 25, derandomize=not DEEP, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def score_frames(draw: st.DrawFn, labels: tuple[str, str] = ("genuine", "impostor")) -> pd.DataFrame:
    n = draw(st.integers(8, 60))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    pos = rng.random(n) < 0.5
    pos[0], pos[1] = True, False
    sep = draw(st.floats(0.0, 3.0))
    decimals = draw(st.sampled_from([0, 1, 3]))
    score = np.round(rng.normal(0, 1, n) + sep * pos, decimals)
    subjects = rng.integers(0, draw(st.integers(2, 12)), n)
    species = rng.choice(["print", "replay", "mask"], n)
    return pd.DataFrame(
        {
            "sample_id": [f"r{i}" for i in range(n)],
            "subject_id": [f"s{k}" for k in subjects],
            "label": np.where(pos, labels[0], labels[1]),
            "species": np.where(pos, "", species),
            "score": score,
        }
    )


def headline(result) -> list[float | None]:  # type: ignore[no-untyped-def]
    from openidv.evaluation.gate import flatten

    return [v for _, e in sorted(flatten(result.metrics)) for v in (e.value, e.ci_low, e.ci_high)]


def close(a: list[float | None], b: list[float | None]) -> bool:
    return all(
        (x is None and y is None) or (x is not None and y is not None and abs(x - y) <= 1e-9)
        for x, y in zip(a, b, strict=True)
    )


@SETTINGS
@given(score_frames(), st.integers(0, 2**31 - 1))
def test_verification_is_invariant_to_row_order(df: pd.DataFrame, seed: int) -> None:
    cfg = BootstrapConfig(n_boot=20, seed=7)
    a = evaluate_verification(score_set_from_frame(df), config=cfg)
    shuffled = df.sample(frac=1.0, random_state=seed % 2**32)
    b = evaluate_verification(score_set_from_frame(shuffled), config=cfg)
    assert close(headline(a), headline(b))


@SETTINGS
@given(score_frames(("bona_fide", "attack")), st.integers(0, 2**31 - 1))
def test_pad_and_classifier_are_invariant_to_row_order(df: pd.DataFrame, seed: int) -> None:
    cfg = BootstrapConfig(n_boot=10, seed=3)
    shuffled = df.sample(frac=1.0, random_state=seed % 2**32)
    for fn in (evaluate_pad, evaluate_classifier):
        a = fn(score_set_from_frame(df, "pad"), config=cfg)  # type: ignore[operator]
        b = fn(score_set_from_frame(shuffled, "pad"), config=cfg)  # type: ignore[operator]
        assert close(headline(a), headline(b))


@SETTINGS
@given(score_frames(), st.lists(st.floats(-4, 6), min_size=2, max_size=8), st.booleans())
def test_fmr_and_fnmr_are_monotone_in_the_threshold(df: pd.DataFrame, ts: list[float], identity: bool) -> None:
    s = score_set_from_frame(df)
    cfg = BootstrapConfig(identity_weighting=identity)
    gen, imp = finite_group(s, s.positive, "g", cfg), finite_group(s, ~s.positive, "i", cfg)
    ts = sorted(ts)
    fmr = [point_rate(imp, t, "accepted") for t in ts]
    fnmr = [point_rate(gen, t, "rejected") for t in ts]
    assert np.all(np.diff(fmr) <= 1e-12) and np.all(np.diff(fnmr) >= -1e-12)


@SETTINGS
@given(score_frames(("bona_fide", "attack")), st.floats(-3, 4))
def test_apcer_max_is_the_worst_species(df: pd.DataFrame, t: float) -> None:
    m = evaluate_pad(score_set_from_frame(df, "pad"), threshold=t, config=BootstrapConfig(n_boot=8)).metrics
    per = [e.value for e in m["apcer_per_species"].values() if e.value is not None]
    assert m["apcer_max"].value == max(per)
    # the max is taken inside each replicate too (where a species has no attacks drawn it is skipped)
    reps = np.column_stack([e.replicates for e in m["apcer_per_species"].values()])
    expected = np.where(np.isnan(reps), -np.inf, reps).max(axis=1)
    np.testing.assert_array_equal(m["apcer_max"].replicates, np.where(np.isfinite(expected), expected, np.nan))


@SETTINGS
@given(st.integers(0, 10_000), st.floats(1.5, 4.0))
def test_swapped_labels_are_flagged(seed: int, sep: float) -> None:
    rng = np.random.default_rng(seed)
    n = 200
    pos = np.arange(n) < n // 2
    df = pd.DataFrame(
        {
            "sample_id": [f"r{i}" for i in range(n)],
            "subject_id": [f"s{i % 20}" for i in range(n)],
            "score": rng.normal(0, 1, n) + sep * pos,
        }
    )
    good = evaluate_verification(
        score_set_from_frame(df.assign(label=np.where(pos, "genuine", "impostor"))), config=BootstrapConfig(n_boot=0)
    )
    bad = evaluate_verification(
        score_set_from_frame(df.assign(label=np.where(pos, "impostor", "genuine"))), config=BootstrapConfig(n_boot=0)
    )
    assert not good.warnings and any("swapped" in w for w in bad.warnings)
    bad_cls = evaluate_classifier(
        score_set_from_frame(df.assign(label=np.where(pos, "attack", "bona_fide"))), config=BootstrapConfig(n_boot=0)
    )
    assert any("swapped" in w for w in bad_cls.warnings)


@SETTINGS
@given(score_frames(), st.integers(0, 1000))
def test_windows_never_change_a_replicate(df: pd.DataFrame, seed: int) -> None:
    """Operating points on threshold windows equal the same points computed over all rows."""
    s = score_set_from_frame(df)
    cfg = BootstrapConfig()
    groups = {
        "genuine": finite_group(s, s.positive, "genuine", cfg),
        "impostor": finite_group(s, ~s.positive, "impostor", cfg),
    }
    point = CurveEngine(groups).point()
    dec, inc = (lambda c: c.rate_at_or_above("impostor")), (lambda c: c.rate_below("genuine"))
    windowed = two_class_parts(point, dec, inc, (0.2, 0.05), n_units(*groups.values()))
    narrow = [Part(p.solver, p.n_out, p.lo, p.hi) for p in windowed]
    full = [Part(p.solver, p.n_out) for p in windowed]
    w = np.random.default_rng(seed).poisson(1.0, (12, s.n_subjects)).astype(float)
    a, b = OperatingPoints(groups, narrow)(w), OperatingPoints(groups, full)(w)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


@SETTINGS
@given(score_frames(("bona_fide", "attack")), st.floats(-3, 4))
def test_identity_weighted_bpcer_is_the_mean_of_subject_rates(df: pd.DataFrame, t: float) -> None:
    s = score_set_from_frame(df, "pad")
    groups = pad_groups(s, BootstrapConfig())
    bona = df[df.label == "bona_fide"]
    expected = (bona.score < t).groupby(bona.subject_id).mean().mean()
    assert (
        point_rate(groups[BONA], t, "rejected") == np.float64(expected)
        or abs(point_rate(groups[BONA], t, "rejected") - expected) < 1e-12
    )
