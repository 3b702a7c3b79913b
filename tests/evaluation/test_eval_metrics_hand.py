"""Metric functions against cases computed by hand (every row its own subject unless stated)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from openidv.evaluation import (
    BootstrapConfig,
    evaluate_classifier,
    evaluate_identification,
    evaluate_pad,
    evaluate_verification,
    score_set_from_frame,
    slice_differentials,
)

NO_BOOT = BootstrapConfig(n_boot=0, identity_weighting=False)


def frame(rows: list[tuple[str, str, float, str]], **extra: list[str]) -> pd.DataFrame:
    """rows: (subject, label, score, species)."""
    df = pd.DataFrame(rows, columns=["subject_id", "label", "score", "species"])
    df.insert(0, "sample_id", [f"r{i}" for i in range(len(df))])
    for name, values in extra.items():
        df[name] = values
    return df


def ver_rows(genuine: list[float], impostor: list[float]) -> list[tuple[str, str, float, str]]:
    rows = [(f"g{i}", "genuine", s, "") for i, s in enumerate(genuine)]
    return rows + [(f"i{i}", "impostor", s, "") for i, s in enumerate(impostor)]


GEN, IMP = [0.9, 0.8, 0.7, 0.3], [0.1, 0.2, 0.4, 0.75]


def test_verification_rates_eer_and_fnmr_at_fmr() -> None:
    s = score_set_from_frame(frame(ver_rows(GEN, IMP)), "verification")
    r = evaluate_verification(s, fmr_targets=(0.25, 0.01), threshold=0.5, config=NO_BOOT)
    m = r.metrics
    assert m["at_threshold"]["fmr"].value == pytest.approx(0.25)
    assert m["at_threshold"]["fnmr"].value == pytest.approx(0.25)
    assert m["eer"].value == pytest.approx(0.25)
    assert m["eer"].extra["threshold"] == pytest.approx(0.7)
    assert m["fnmr_at_fmr"]["0.25"].value == pytest.approx(0.25)
    assert m["fnmr_at_fmr"]["0.25"].extra["threshold"] == pytest.approx(0.7)
    assert m["fnmr_at_fmr"]["0.01"].value == pytest.approx(0.5)
    assert m["fnmr_at_fmr"]["0.01"].extra["threshold"] == pytest.approx(0.8)
    assert m["threshold"] == {"value": 0.5, "rule": "given"}


def test_eer_interpolates_between_operating_points() -> None:
    # FMR/FNMR steps: (1,0) (.5,0) (.5,.5) (0,.5) (0,1): the segment from (.5,0) to (.5,.5) crosses at .5.
    s = score_set_from_frame(frame(ver_rows([0.2, 0.9], [0.1, 0.5])), "verification")
    assert evaluate_verification(s, config=NO_BOOT).metrics["eer"].value == pytest.approx(0.5)
    # Tied genuine/impostor scores make a diagonal segment (2/3, 0) -> (0, 2/3): it crosses at 1/3.
    s = score_set_from_frame(frame(ver_rows([0.5, 0.5, 0.9], [0.1, 0.5, 0.5])), "verification")
    assert evaluate_verification(s, config=NO_BOOT).metrics["eer"].value == pytest.approx(1 / 3)


def test_transaction_level_far_frr_and_fta() -> None:
    s = score_set_from_frame(frame(ver_rows([*GEN, math.nan], [*IMP, math.nan])), "verification")
    m = evaluate_verification(s, threshold=0.5, config=NO_BOOT).metrics["at_threshold"]
    assert m["fmr"].value == pytest.approx(1 / 4) and m["fnmr"].value == pytest.approx(1 / 4)
    assert m["far"].value == pytest.approx(1 / 5)
    assert m["frr"].value == pytest.approx(2 / 5)
    assert m["fta"].value == pytest.approx(2 / 10) and m["fte"].value == 0.0


def test_identity_weighting_gives_each_subject_one_vote() -> None:
    rows = [
        ("A", "genuine", 0.9, ""),
        ("A", "genuine", 0.2, ""),
        ("A", "genuine", 0.3, ""),
        ("B", "genuine", 0.8, ""),
        ("C", "impostor", 0.1, ""),
    ]
    s = score_set_from_frame(frame(rows), "verification")
    rows_w = evaluate_verification(s, threshold=0.5, config=NO_BOOT).metrics["at_threshold"]["fnmr"]
    ident = evaluate_verification(s, threshold=0.5, config=BootstrapConfig(n_boot=0)).metrics
    assert rows_w.value == pytest.approx(2 / 4)
    assert ident["at_threshold"]["fnmr"].value == pytest.approx((2 / 3 + 0) / 2)


PAD_ROWS = [(f"b{i}", "bona_fide", s, "") for i, s in enumerate([0.9, 0.8, 0.6, 0.2])] + [
    ("p0", "attack", 0.1, "print"),
    ("p1", "attack", 0.7, "print"),
    ("r0", "attack", 0.3, "replay"),
    ("r1", "attack", 0.4, "replay"),
    ("r2", "attack", 0.65, "replay"),
]


def test_pad_apcer_per_species_max_bpcer_and_bpcer20() -> None:
    s = score_set_from_frame(frame(PAD_ROWS), "pad")
    m = evaluate_pad(s, threshold=0.5, config=NO_BOOT).metrics
    assert m["apcer_per_species"]["print"].value == pytest.approx(1 / 2)
    assert m["apcer_per_species"]["replay"].value == pytest.approx(1 / 3)
    assert m["apcer_max"].value == pytest.approx(1 / 2)
    assert m["bpcer"].value == pytest.approx(1 / 4)
    assert m["bpcer_at_apcer"]["0.05"].value == pytest.approx(1 / 2)
    assert m["bpcer_at_apcer"]["0.05"].extra["threshold"] == pytest.approx(0.8)
    assert m["threshold"]["value"] == 0.5


def test_pad_non_response_rates() -> None:
    rows = [*PAD_ROWS, ("b9", "bona_fide", math.nan, ""), ("r9", "attack", math.nan, "replay")]
    m = evaluate_pad(score_set_from_frame(frame(rows), "pad"), threshold=0.5, config=NO_BOOT).metrics
    assert m["apnrr"].value == pytest.approx(1 / 6)
    assert m["bpnrr"].value == pytest.approx(1 / 5)
    assert m["apcer_per_species"]["replay"].value == pytest.approx(1 / 3)  # non-responses excluded


def test_classifier_auroc_recall_and_review_rate() -> None:
    s = score_set_from_frame(frame(PAD_ROWS), "classifier")
    r = evaluate_classifier(s, fpr_targets=(0.25,), review_rates=(0.5,), config=NO_BOOT)
    m = r.metrics
    assert m["auroc"].value == pytest.approx(14 / 20)
    # flag iff score < t: at t=0.6 flags bona {0.2} (FPR 1/4) and attacks {0.1, 0.3, 0.4} (recall 3/5)
    assert m["recall_at_fpr"]["0.25"].value == pytest.approx(3 / 5)
    assert m["recall_at_fpr"]["0.25"].extra["fpr"] == pytest.approx(1 / 4)
    # review budget 50% of 9 rows: flag below 0.6 -> 4 of 9 flagged, the most allowed
    assert m["recall_at_review_rate"]["0.5"].extra["review_rate"] == pytest.approx(4 / 9)


def test_identification_fpir_fnir_cmc() -> None:
    rows = [
        ("s1", "A", "A", "genuine", 0.9),
        ("s1", "A", "B", "impostor", 0.5),
        ("s1", "A", "C", "impostor", 0.3),
        ("s2", "B", "B", "genuine", 0.4),
        ("s2", "B", "A", "impostor", 0.6),
        ("s2", "B", "C", "impostor", 0.2),
        ("s3", "D", "A", "impostor", 0.7),
        ("s3", "D", "B", "impostor", 0.1),
        ("s4", "E", "A", "impostor", 0.3),
        ("s4", "E", "C", "impostor", 0.35),
    ]
    df = pd.DataFrame(rows, columns=["search_id", "subject_id", "subject_id_2", "label", "score"])
    df.insert(0, "sample_id", [f"c{i}" for i in range(len(df))])
    s = score_set_from_frame(df, "identification")
    m = evaluate_identification(s, threshold=0.5, cmc_ranks=(1, 2), config=NO_BOOT).metrics
    assert m["cmc"]["1"].value == pytest.approx(1 / 2) and m["cmc"]["2"].value == pytest.approx(1.0)
    assert m["at_threshold"]["fpir"].value == pytest.approx(1 / 2)
    assert m["at_threshold"]["fnir"].value == pytest.approx(1 / 2)


def test_slice_rates_gaps_and_fdr() -> None:
    rows = ver_rows([0.9, 0.3, 0.8, 0.7], [0.1, 0.6, 0.2, 0.3])
    s = score_set_from_frame(frame(rows, group=["x", "x", "y", "y", "x", "x", "y", "y"]), "verification")
    out = slice_differentials(s, "verification", ["group"], threshold=0.5, config=NO_BOOT)["group"]
    assert out["rates"]["x"]["fmr"].value == pytest.approx(0.5) and out["rates"]["y"]["fmr"].value == 0.0
    assert out["rates"]["x"]["fnmr"].value == pytest.approx(0.5) and out["rates"]["y"]["fnmr"].value == 0.0
    d = out["differentials"]
    assert d["fmr"]["max_min_ratio"].value is None  # best slice has no errors: ratio undefined
    assert d["fnmr"]["max_minus_min"].value == pytest.approx(0.5)
    assert d["fnmr"]["max_minus_min"].extra["worst_slice"] == "x"
    assert d["fdr"].value == pytest.approx(1 - (0.5 * 0.5 + 0.5 * 0.5))
    assert out["sizes"] == {"x": 4, "y": 4}


def test_curves_report_material_is_monotone(ver_set) -> None:  # type: ignore[no-untyped-def]
    det = evaluate_verification(ver_set, config=NO_BOOT).curves["det"]
    assert np.all(np.diff(det["false_accept"]) <= 1e-15) and np.all(np.diff(det["false_reject"]) >= -1e-15)
