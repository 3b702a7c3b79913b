"""Threshold tuning to targets, and threshold files the decision engine loads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from openidv.evaluation import (
    BootstrapConfig,
    EvaluationInputError,
    TargetsInfeasible,
    parse_target,
    tune_threshold,
)
from openidv.evaluation.metrics.pad import BONA, pad_groups
from openidv.evaluation.rates import point_rate
from openidv.evaluation.tuning import default_version
from openidv.policy.thresholds import ThresholdRegistry, load_threshold_file

CFG = BootstrapConfig(n_boot=60, seed=2)


def test_parse_targets() -> None:
    t = parse_target("FMR <= 1e-4", "verification")
    assert (t.metric, t.op, t.bound, t.text) == ("fmr", "<=", 1e-4, "fmr<=0.0001")
    assert parse_target("recall>=0.8").op == ">="
    for bad in ("fmr<1e-4", "fmr<=2", "fmr<=abc", "apcer<=0.01"):
        with pytest.raises(EvaluationInputError):
            parse_target(bad, "verification")


def test_fmr_target_picks_the_lowest_threshold_meeting_it(ver_set) -> None:  # type: ignore[no-untyped-def]
    r = tune_threshold(ver_set, "verification", ["fmr<=0.01"], config=CFG)
    assert r.achieved["fmr"].value is not None and r.achieved["fmr"].value <= 0.01
    assert r.achieved["fmr"].ci_low is not None and r.achieved["fmr"].ci_high is not None
    scored = np.sort(ver_set.score[np.isfinite(ver_set.score)])
    lower = scored[scored < r.threshold].max()
    again = tune_threshold(ver_set, "verification", ["fmr<=0.01"], config=BootstrapConfig(n_boot=0))
    assert again.threshold == r.threshold
    # one step lower accepts too many impostors
    from openidv.evaluation.metrics.common import finite_group

    imp = finite_group(ver_set, ~ver_set.positive, "i", CFG)
    assert point_rate(imp, float(lower), "accepted") > 0.01


def test_every_species_meets_an_apcer_target(pad_set) -> None:  # type: ignore[no-untyped-def]
    r = tune_threshold(pad_set, "pad", ["apcer<=0.05"], config=CFG)
    groups = pad_groups(pad_set, CFG)
    for name, g in groups.items():
        if name != BONA:
            assert point_rate(g, r.threshold, "accepted") <= 0.05
    assert r.achieved["apcer_max"].value <= 0.05  # type: ignore[operator]
    assert {"apcer[print]", "apcer[replay]", "apcer[mask]", "bpcer"} <= set(r.achieved)


def test_review_budget(cls_set) -> None:  # type: ignore[no-untyped-def]
    r = tune_threshold(cls_set, "classifier", ["review_rate<=0.1"], config=CFG)
    assert r.achieved["review_rate"].value <= 0.1  # type: ignore[operator]
    assert r.achieved["recall"].value > 0.1  # type: ignore[operator]


def test_conflicting_targets_are_infeasible(ver_set) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TargetsInfeasible, match="no threshold meets every target"):
        tune_threshold(ver_set, "verification", ["fmr<=0.001", "fnmr<=0.01"], config=CFG)


def test_conservative_tuning_is_stricter(ver_set) -> None:  # type: ignore[no-untyped-def]
    plain = tune_threshold(ver_set, "verification", ["fmr<=0.01"], config=CFG)
    safe = tune_threshold(ver_set, "verification", ["fmr<=0.01"], conservative=True, config=CFG)
    assert safe.threshold >= plain.threshold
    assert safe.achieved["fmr"].ci_high <= plain.achieved["fmr"].ci_high  # type: ignore[operator]


def test_threshold_file_is_what_the_engine_loads(tmp_path: Path, ver_set) -> None:  # type: ignore[no-untyped-def]
    r = tune_threshold(ver_set, "verification", ["fmr<=0.01", "fnmr<=0.9"], config=CFG)
    ts = r.to_threshold_set("face_match_test", "2026-01-01.1")
    path = tmp_path / "face_match_test.yaml"
    ts.write(path)
    loaded = load_threshold_file(path)
    assert loaded.name == "face_match_test" and loaded.version == "2026-01-01.1"
    assert loaded["match"] == pytest.approx(r.threshold)
    assert loaded.source["tool"] == "openidv eval tune"
    assert loaded.source["targets"] == {"fmr": 0.01, "fnmr": 0.9}
    assert set(loaded.source["achieved"]["fmr"]) == {"value", "ci_low", "ci_high"}
    assert ThresholdRegistry.load([tmp_path]).get("face_match_test").version == "2026-01-01.1"


def test_higher_is_attack_writes_original_units(ver_frame) -> None:  # type: ignore[no-untyped-def]
    from openidv.evaluation import score_set_from_frame

    flipped = score_set_from_frame(ver_frame.assign(score=-ver_frame.score), score_direction="higher_is_attack")
    r = tune_threshold(flipped, "verification", ["fmr<=0.01"], config=CFG)
    ts = r.to_threshold_set("x")
    assert ts.values["match"] == pytest.approx(-r.threshold)
    assert ts.source["accept_rule"] == "score <= value"


def test_versions_bump_within_a_day() -> None:
    today = default_version()
    assert default_version(today) == today[:-1] + "2"
    assert default_version("1999-01-01.7") == today
