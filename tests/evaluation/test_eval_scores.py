"""Score files: validation, manifests, conventions."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from openidv.evaluation.errors import EvaluationInputError
from openidv.evaluation.manifest import set_fingerprint, write_sidecar
from openidv.evaluation.scores import load_scores, score_set_from_arrays, score_set_from_frame


def test_csv_and_parquet_load_the_same_set(tmp_path: Path, ver_frame: pd.DataFrame) -> None:
    csv, pq = tmp_path / "s.csv", tmp_path / "s.parquet"
    ver_frame.to_csv(csv, index=False)
    ver_frame.to_parquet(pq, index=False)
    a, b = load_scores(csv), load_scores(pq)
    assert a.kind == b.kind == "verification"
    np.testing.assert_allclose(a.score, b.score, equal_nan=True)
    assert set_fingerprint(a) == set_fingerprint(b)
    assert a.manifest is not None and b.manifest is not None
    assert a.manifest.sha256 == hashlib.sha256(csv.read_bytes()).hexdigest()
    assert a.manifest.format == "csv" and b.manifest.format == "parquet"
    assert set(a.attributes) == {"age_band", "device"}


def test_fingerprint_ignores_scores_and_row_order(ver_frame: pd.DataFrame) -> None:
    a = score_set_from_frame(ver_frame)
    shuffled = ver_frame.sample(frac=1.0, random_state=0).assign(score=lambda d: d.score + 1.0)
    b = score_set_from_frame(shuffled)
    assert set_fingerprint(a) == set_fingerprint(b)
    relabelled = ver_frame.copy()
    relabelled.loc[0, "label"] = "impostor"
    assert set_fingerprint(score_set_from_frame(relabelled)) != set_fingerprint(a)


def test_missing_scores_are_failures(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text(
        "sample_id,subject_id,label,species,score,failure\n"
        "a,s1,genuine,,0.9,\nb,s1,genuine,,,\nc,s2,impostor,,0.1,\nd,s2,genuine,,,fte\n"
    )
    s = load_scores(path)
    assert s.failure.tolist() == [0, 1, 0, 2]
    assert np.isnan(s.score[[1, 3]]).all()


def test_higher_is_attack_is_negated(tmp_path: Path, ver_frame: pd.DataFrame) -> None:
    path = tmp_path / "s.csv"
    ver_frame.to_csv(path, index=False)
    plain = load_scores(path)
    flipped = load_scores(path, score_direction="higher_is_attack")
    np.testing.assert_allclose(flipped.score, -plain.score, equal_nan=True)
    assert flipped.score_direction == "higher_is_attack"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "cannot read"),
        ("sample_id,subject_id,label,score\n", "no rows"),
        ("sample_id,label,score\na,genuine,1\n", "subject_id"),
        ("sample_id,subject_id,label,score\na,s,genuine,1\nb,s,maybe,0\n", "unknown label"),
        ("sample_id,subject_id,label,score\na,s,genuine,1\nb,s,genuine,0\n", "no impostor"),
        ("sample_id,subject_id,label,score\na,s,genuine,x\nb,s,impostor,0\n", "not numbers"),
        ("sample_id,subject_id,label,score\na,s,genuine,1\na,s,impostor,0\n", "not unique"),
        ("sample_id,subject_id,label,score\na,s,genuine,inf\nb,s,impostor,0\n", "finite"),
        ("sample_id,subject_id,label,score\na,,genuine,1\nb,s,impostor,0\n", "subject_id is empty"),
    ],
)
def test_bad_files_raise_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(EvaluationInputError, match=message):
        load_scores(path)


def test_kind_must_match_labels(ver_csv: Path) -> None:
    with pytest.raises(EvaluationInputError, match="for kind pad"):
        load_scores(ver_csv, "pad")
    with pytest.raises(EvaluationInputError, match="does not exist"):
        load_scores(ver_csv.with_name("nope.csv"))


def test_sidecar_names_the_model_and_guards_the_hash(ver_csv: Path) -> None:
    side = write_sidecar(ver_csv, {"name": "face-resnet", "version": "1.2"})
    assert load_scores(ver_csv).manifest.model == {"name": "face-resnet", "version": "1.2"}  # type: ignore[union-attr]
    body = json.loads(side.read_text())
    side.write_text(json.dumps(body | {"sha256": "0" * 64}))
    with pytest.raises(EvaluationInputError, match="different sha256"):
        load_scores(ver_csv)


def test_from_arrays_codes_subjects_in_sorted_order() -> None:
    s = score_set_from_arrays(
        np.array([0.9, 0.1, np.nan]),
        np.array([True, False, True]),
        np.array(["b", "a", "b"]),
        subject2=np.array(["b", "c", "b"]),
    )
    assert s.subjects.tolist() == ["a", "b", "c"]
    assert s.subject.tolist() == [1, 0, 1] and s.subject2 is not None and s.subject2.tolist() == [1, 2, 1]
    assert s.failure.tolist() == [0, 0, 1]
