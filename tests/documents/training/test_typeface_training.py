"""The typeface training data and script: restyled values, forged evaluation documents, a tiny run."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import yaml

from openidv.documents.authenticity.typeface import CROP_H, CROP_W
from openidv.documents.synth.document import make_document
from openidv.documents.synth.templates import templates
from openidv.documents.training.typeface_data import design_style, draw_value, forged_set, restyle, restyled_set


def test_restyle_always_prints_differently() -> None:
    t = templates("TD3", "train")[0]
    base = design_style(t)
    for seed in range(20):
        r = restyle(t, np.random.default_rng(seed))
        assert r != base and 0.8 <= r.size <= 1.2


def test_a_blank_place_redrawn_in_the_design_style_matches_the_print() -> None:
    """draw_value puts a value on the design's own baseline and left end: in the design's style it
    reproduces the renderer's print almost pixel for pixel."""
    t = templates("TD1", "train")[0]
    doc = make_document(t, 5)
    info = doc.front.fields["surname"]
    page = make_document(t, 5, front_overrides={"surname": ""}).front.image
    assert not np.array_equal(page, doc.front.image)
    draw_value(page, info["box"], str(info["text"]), t, design_style(t))
    x0, y0, x1, y1 = info["box"]
    diff = np.abs(page[y0:y1, x0:x1].astype(int) - doc.front.image[y0:y1, x0:x1].astype(int)).max(axis=2)
    assert (diff > 60).mean() < 0.05


def test_restyled_set_marks_its_odd_line() -> None:
    s = restyled_set("train", 7, p_odd=1.0)
    assert s.lines.shape[1:] == (CROP_H, CROP_W, 3) and len(s.lines) == len(s.names) >= 3
    assert 0 <= s.odd < len(s.names) and s.family == "restyled"
    g = restyled_set("train", 7, p_odd=0.0)
    assert g.odd == -1 and g.family == "genuine"


def test_forged_set_names_the_retyped_field() -> None:
    s = forged_set("test", "field_alteration", 3)
    assert s.family == "field_alteration" and s.odd >= 0
    assert s.names[s.odd] in ("date_of_birth", "surname", "document_number", "date_of_expiry", "given_names")
    assert forged_set("test", None, 3).odd == -1


def test_training_script_runs_and_records_model_card_and_thresholds(tmp_path: Path) -> None:
    from openidv.documents.training.train_typeface import MODEL, main
    from openidv.models.registry import sha256_file

    out, th = tmp_path / "models", tmp_path / "t.yaml"
    assert main(["--data", str(tmp_path / "data"), "--train", "10", "--calib", "6", "--test-genuine", "6",
                 "--test-per-family", "3", "--rounds", "5", "--workers", "1", "--out", str(out),
                 "--scores", str(tmp_path / "s.csv"), "--thresholds", str(th), "--json", str(tmp_path / "r.json")]) == 0
    manifest = json.loads((out / "MODELS.json").read_text())
    assert manifest[MODEL]["sha256"] == sha256_file(out / f"{MODEL}.onnx")
    assert (out / f"{MODEL}.md").read_text().startswith(f"# Model card: {MODEL}")
    t = yaml.safe_load(th.read_text())
    assert t["name"] == "document_typeface" and t["values"]["odd_max"] > 0
    report = json.loads((tmp_path / "r.json").read_text())
    assert "field_alteration" in report["at_shipped_threshold"]["detection_per_species"]
