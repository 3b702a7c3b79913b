"""Regression gate: every planted regression is caught, an identical candidate passes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from openidv.evaluation import BootstrapConfig, EvaluationInputError, GateSpec, run_gate, score_set_from_frame
from openidv.evaluation.gate import higher_is_better

CFG = BootstrapConfig(n_boot=100, seed=5)


def failed(result) -> set[str]:  # type: ignore[no-untyped-def]
    return {c["metric"] for c in result.failures}


def test_identical_candidates_pass(ver_set, pad_set, cls_set) -> None:  # type: ignore[no-untyped-def]
    for s in (ver_set, pad_set, cls_set):
        r = run_gate(
            s, s, GateSpec(kind=s.kind if s is not cls_set else "classifier", slice_by=["age_band"]), config=CFG
        )
        assert r.passed and r.checks and all(c["diff"] in (0.0, None) for c in r.checks)


def test_row_order_does_not_matter(ver_frame: pd.DataFrame, ver_set) -> None:  # type: ignore[no-untyped-def]
    shuffled = score_set_from_frame(ver_frame.sample(frac=1.0, random_state=1))
    assert run_gate(shuffled, ver_set, GateSpec(kind="verification"), config=CFG).passed


def test_worse_model_is_caught(ver_frame: pd.DataFrame, ver_set) -> None:  # type: ignore[no-untyped-def]
    noisy = ver_frame.assign(score=ver_frame.score + np.random.default_rng(0).normal(0, 1.0, len(ver_frame)))
    r = run_gate(score_set_from_frame(noisy), ver_set, GateSpec(kind="verification"), config=CFG)
    assert not r.passed and {"eer", "fnmr_at_fmr/0.01"} <= failed(r)


def test_shifted_threshold_is_caught(ver_set) -> None:  # type: ignore[no-untyped-def]
    # each comparison-level rate with its transaction-level twin (FRR counts FNMR's rejections too)
    cases = ((0.4, {"at_threshold/fnmr", "at_threshold/frr"}), (-0.4, {"at_threshold/fmr", "at_threshold/far"}))
    for shift, worse in cases:
        spec = GateSpec(kind="verification", champion_threshold=1.5, candidate_threshold=1.5 + shift)
        r = run_gate(ver_set, ver_set, spec, config=CFG)
        assert not r.passed and failed(r) == worse


def test_one_degraded_slice_is_caught(ver_frame: pd.DataFrame, ver_set) -> None:  # type: ignore[no-untyped-def]
    hit = (ver_frame.label == "genuine") & (ver_frame.age_band == "51+")
    cand = score_set_from_frame(ver_frame.assign(score=np.where(hit, ver_frame.score - 1.0, ver_frame.score)))
    spec = GateSpec(kind="verification", slice_by=["age_band"], champion_threshold=1.5, candidate_threshold=1.5)
    r = run_gate(cand, ver_set, spec, config=CFG)
    assert not r.passed
    assert {"slices/age_band/rates/51+/fnmr", "slices/age_band/differentials/fdr"} <= failed(r)
    assert not any("18-30" in m or "31-50" in m for m in failed(r))


def test_one_degraded_species_is_caught(pad_frame: pd.DataFrame, pad_set) -> None:  # type: ignore[no-untyped-def]
    hit = pad_frame.species == "replay"
    cand = score_set_from_frame(pad_frame.assign(score=np.where(hit, pad_frame.score + 1.5, pad_frame.score)), "pad")
    t = float(pad_frame.score.quantile(0.45))
    r = run_gate(cand, pad_set, GateSpec(kind="pad", champion_threshold=t, candidate_threshold=t), config=CFG)
    assert not r.passed and "apcer_per_species/replay" in failed(r)
    assert not {"apcer_per_species/print", "apcer_per_species/mask", "bpcer"} & failed(r)


def test_worse_classifier_is_caught(pad_frame: pd.DataFrame, cls_set) -> None:  # type: ignore[no-untyped-def]
    noisy = pad_frame.assign(score=pad_frame.score + np.random.default_rng(1).normal(0, 1.5, len(pad_frame)))
    r = run_gate(score_set_from_frame(noisy, "classifier"), cls_set, GateSpec(kind="classifier"), config=CFG)
    assert not r.passed and {"auroc", "auprc"} <= failed(r)


def test_tolerance_forgives_small_worsening(ver_frame: pd.DataFrame, ver_set) -> None:  # type: ignore[no-untyped-def]
    noisy = ver_frame.assign(score=ver_frame.score + np.random.default_rng(0).normal(0, 1.0, len(ver_frame)))
    r = run_gate(score_set_from_frame(noisy), ver_set, GateSpec(kind="verification", tolerance=0.5), config=CFG)
    assert r.passed


def test_different_sets_are_refused(ver_frame: pd.DataFrame, ver_set) -> None:  # type: ignore[no-untyped-def]
    other = score_set_from_frame(ver_frame.iloc[:-1])
    with pytest.raises(EvaluationInputError, match="same evaluation set"):
        run_gate(other, ver_set, GateSpec(kind="verification"), config=CFG)


def test_direction_of_each_metric() -> None:
    assert higher_is_better("auroc") and higher_is_better("recall_at_fpr/0.01") and higher_is_better("cmc/1")
    assert higher_is_better("at_threshold/recall") and higher_is_better("slices/age/differentials/fdr")
    assert not higher_is_better("eer") and not higher_is_better("slices/recall_group/rates/x/fnmr")
    assert not higher_is_better("slices/age/differentials/fnr/max_minus_min")


def test_gate_result_serialises(tmp_path: Path, ver_set) -> None:  # type: ignore[no-untyped-def]
    import json

    body = run_gate(ver_set, ver_set, GateSpec(kind="verification"), config=CFG).to_dict()
    json.dumps(body, allow_nan=False)
    assert body["passed"] is True and body["schema"] == "openidv.eval.gate/1"
