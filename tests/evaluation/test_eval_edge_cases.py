"""Edge cases an audit of the evaluation layer found: small classes, withheld scores, score
direction, targets a set cannot demonstrate, and inputs that must be refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from openidv.evaluation import (
    BootstrapConfig,
    EvaluationInputError,
    GateSpec,
    TargetsInfeasible,
    evaluate,
    run_gate,
    score_set_from_arrays,
    score_set_from_frame,
    tune_threshold,
)
from openidv.evaluation.tuning import resolution


def _two_impostor_subjects(seed: int = 0):  # type: ignore[no-untyped-def]
    """48 genuine subjects, impostor comparisons from only 2 subjects: many bootstrap replicates
    draw no impostor subject at all."""
    rng = np.random.default_rng(seed)
    ga, ia = np.repeat(np.arange(48), 5), np.repeat([48, 49], 30)
    score = np.r_[rng.normal(2, 1, ga.size), rng.normal(0, 1, ia.size)]
    pos = np.r_[np.ones(ga.size, bool), np.zeros(ia.size, bool)]
    return score_set_from_arrays(score, pos, np.r_[ga, ia])


def test_replicates_without_a_class_are_left_out_not_scored_0_or_1() -> None:
    s = _two_impostor_subjects()
    r = evaluate(s, config=BootstrapConfig(n_boot=300, seed=1))
    est = r.metrics["fnmr_at_fmr"]["0.01"]
    reps = est.replicates
    assert reps is not None and np.isnan(reps).any()  # undefined where no impostor was drawn
    assert not np.any(reps[np.isfinite(reps)] == 1.0)
    assert est.ci_high is not None and est.ci_high <= 1.0


def test_conservative_tuning_never_writes_an_infinite_threshold() -> None:
    s = _two_impostor_subjects()
    try:
        r = tune_threshold(s, "verification", ["fmr<=0.05"], conservative=True,
                           config=BootstrapConfig(n_boot=200, seed=0))
    except TargetsInfeasible:
        return
    assert np.isfinite(r.threshold)
    assert np.isfinite(r.to_threshold_set("x", "1").values["match"])
    assert any("undefined in" in w for w in r.warnings)


def test_a_target_below_what_the_set_can_show_is_not_met_at_the_bound(ver_set) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({
        "sample_id": [f"g{i}" for i in range(200)] + [f"i{i}" for i in range(60)],
        "subject_id": [f"s{i % 40}" for i in range(200)] + [f"s{i % 20}" for i in range(60)],
        "label": ["genuine"] * 200 + ["impostor"] * 60,
        "score": np.r_[rng.normal(3, 1, 200), rng.normal(0, 1, 60)],
    })
    r = tune_threshold(score_set_from_frame(frame), "verification", ["fmr<=1e-4"], conservative=True,
                       config=BootstrapConfig(n_boot=100, seed=0))
    row = r.to_dict()["targets"][0]
    assert row["met"] and not row["met_at_ci_bound"] and not row["resolvable"]
    assert any("cannot be demonstrated" in w for w in r.warnings)
    # the fixture's 120 subjects resolve a 5% target (zero errors bound FMR below 2.5%)
    big = tune_threshold(ver_set, "verification", ["fmr<=0.05"], config=BootstrapConfig(n_boot=50, seed=0))
    assert big.to_dict()["targets"][0]["resolvable"]
    assert resolution(20, 0.95) == pytest.approx(1 - 0.05 ** (1 / 20))
    assert resolution(300, 0.95) == pytest.approx(0.00994, abs=1e-4)


def test_gate_fails_a_candidate_that_withholds_scores_where_it_would_err(pad_frame: pd.DataFrame) -> None:
    champ = score_set_from_frame(pad_frame)
    # the candidate returns no score for every attack the champion would let through (at the EER point)
    t = evaluate(champ, "pad", config=BootstrapConfig(n_boot=0)).metrics["threshold"]["value"]
    hide = (pad_frame.label == "attack") & (pad_frame.score >= t)
    assert hide.sum() > 0
    cand = score_set_from_frame(pad_frame.assign(score=np.where(hide, np.nan, pad_frame.score)))
    r = run_gate(cand, champ, GateSpec(kind="pad"), config=BootstrapConfig(n_boot=50, seed=1))
    failed = {c["metric"] for c in r.failures}
    assert not r.passed and {"unscored_rows", "apnrr"} <= failed
    row = next(c for c in r.checks if c["metric"] == "unscored_rows")
    assert row["newly_unscored"] == int(hide.sum())
    assert run_gate(champ, champ, GateSpec(kind="pad"), config=BootstrapConfig(n_boot=20)).passed


def test_higher_is_attack_results_report_thresholds_in_the_files_units(pad_frame: pd.DataFrame) -> None:
    flipped = pad_frame.assign(score=1.0 - pad_frame.score)
    s = score_set_from_frame(flipped, "pad", score_direction="higher_is_attack")
    body = evaluate(s, "pad", config=BootstrapConfig(n_boot=0)).to_dict()
    plain = evaluate(score_set_from_frame(pad_frame, "pad"), "pad", config=BootstrapConfig(n_boot=0)).to_dict()
    t = body["threshold"]["value"]
    assert t == pytest.approx(1.0 - plain["threshold"]["value"])
    assert "score <= threshold" in body["settings"]["decision_rule"]
    for key, est in body["bpcer_at_apcer"].items():
        assert est["threshold"] == pytest.approx(1.0 - plain["bpcer_at_apcer"][key]["threshold"])
    # applied to the file's own scores, the reported threshold reproduces the reported BPCER
    bona = flipped[flipped.label == "bona_fide"].score
    assert body["bpcer"]["value"] == pytest.approx((bona > t).mean(), abs=0.02)
    tuned = tune_threshold(s, "pad", ["apcer<=0.05"], config=BootstrapConfig(n_boot=0)).to_dict()["threshold"]
    lo, hi = tuned["feasible_range"]
    assert lo is None and hi is not None and tuned["value"] <= hi + 1e-12


@pytest.mark.parametrize("labels", [np.array([0.0, np.nan, 1.0, 0.0]), np.array([2, 1, 0, 1]), np.array([-1, 1, 1, 0])])
def test_arrays_refuse_labels_that_are_not_0_or_1(labels: np.ndarray) -> None:
    with pytest.raises(EvaluationInputError, match="0 / 1"):
        score_set_from_arrays(np.array([0.1, 0.2, 0.3, 0.4]), labels, np.array([1, 2, 3, 4]))


def test_arrays_refuse_infinite_scores_and_keep_nan_as_failure() -> None:
    pos, subj = np.array([1, 1, 0, 0]), np.array([1, 2, 3, 4])
    with pytest.raises(EvaluationInputError, match="infinite"):
        score_set_from_arrays(np.array([0.9, 0.8, np.inf, 0.1]), pos, subj)
    s = score_set_from_arrays(np.array([0.9, np.nan, 0.2, 0.1]), pos.astype(bool), subj)
    assert int(s.failure.sum()) == 1


def test_non_finite_operating_thresholds_and_negative_seeds_are_refused(ver_set) -> None:  # type: ignore[no-untyped-def]
    from openidv.evaluation.cli import MethodOpt, config_from

    for bad in (float("nan"), float("inf")):
        with pytest.raises(EvaluationInputError, match="finite"):
            evaluate(ver_set, threshold=bad, config=BootstrapConfig(n_boot=0))
    with pytest.raises(EvaluationInputError, match="seed"):
        config_from(10, 0.95, -1, MethodOpt.multinomial, False)


def test_pad_tuning_without_scored_attacks_is_an_input_error(pad_frame: pd.DataFrame) -> None:
    frame = pad_frame.assign(score=np.where(pad_frame.label == "attack", np.nan, pad_frame.score))
    s = score_set_from_frame(frame, "pad")
    for target in ("bpcer<=0.1", "apcer<=0.1"):
        with pytest.raises(EvaluationInputError, match="both classes"):
            tune_threshold(s, "pad", [target], config=BootstrapConfig(n_boot=0))


def test_tuning_says_when_one_subjects_many_rows_hide_behind_identity_weighting() -> None:
    """One impostor tried 90 times and always accepted: 1 subject in 11, but 90% of comparisons."""
    imp_subject = np.r_[np.zeros(90, int), np.arange(1, 11)]
    imp_score = np.r_[np.full(90, 0.95), np.linspace(0, 0.5, 10)]
    gen_score, gen_subject = np.linspace(0.6, 1.2, 50), np.arange(11, 61)
    s = score_set_from_arrays(np.r_[gen_score, imp_score], np.r_[np.ones(50, bool), np.zeros(100, bool)],
                              np.r_[gen_subject, imp_subject])
    r = tune_threshold(s, "verification", ["fmr<=0.1"], config=BootstrapConfig(n_boot=0))
    assert any("counting every row once gives 0.9" in w for w in r.warnings)
    plain = tune_threshold(s, "verification", ["fmr<=0.1"], config=BootstrapConfig(n_boot=0, identity_weighting=False))
    assert not any("counting every row once" in w for w in plain.warnings)
