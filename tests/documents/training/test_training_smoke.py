"""The training scripts run end to end on tiny data and produce verifiable ONNX models."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")


def test_glyph_classifier_trains_exports_and_records(tmp_path: Path) -> None:
    import onnxruntime as ort

    from openidv.documents.mrz.alphabet import ALPHABET
    from openidv.documents.training.train_glyphs import train
    from openidv.models.registry import sha256_file

    metrics = train(n_lines=6, epochs=1, out=tmp_path, val_lines=2, batch=64)
    onnx_path = tmp_path / "mrz_glyphs.onnx"
    manifest = json.loads((tmp_path / "MODELS.json").read_text())
    assert manifest["mrz_glyphs"]["sha256"] == sha256_file(onnx_path)
    assert (tmp_path / "mrz_glyphs.md").read_text().startswith("# mrz_glyphs")
    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    out = sess.run(None, {"glyphs": np.zeros((3, 1, 32, 32), np.float32)})[0]
    assert out.shape == (3, len(ALPHABET))
    assert 0.0 <= metrics["val_accuracy"] <= 1.0


def test_tamper_tiles_are_labelled_from_forgery_regions() -> None:
    from openidv.documents.authenticity.patches import CLASSES, PATCH
    from openidv.documents.training.tamper_data import labelled_tiles, make_doc

    s = make_doc("train", "field_alteration", seed=3)
    x, y = labelled_tiles(s, np.random.default_rng(0))
    assert x.shape[1:] == (PATCH, PATCH, 3)
    assert set(y.tolist()) <= {0, CLASSES.index("tampered")}
    assert CLASSES.index("tampered") in y.tolist()


def test_paired_tiles_differ_only_by_the_edit() -> None:
    """A forged document and its genuine twin share one capture: outside the edit they are the same
    pixels, and the tiles labelled edited are the ones the forgery changed."""
    from openidv.documents.authenticity.patches import CLASSES
    from openidv.documents.training.tamper_data import CHANGED_MIN, make_pair, paired_tiles

    p = make_pair("train", "field_alteration", seed=5)
    assert p.forged.shape == p.genuine.shape
    unchanged = p.changed == 0
    diff = np.abs(p.forged.astype(int) - p.genuine.astype(int)).max(axis=2)
    assert np.median(diff[unchanged]) == 0
    assert p.changed.max() > CHANGED_MIN
    _, y = paired_tiles(p, np.random.default_rng(0))
    n_pos = int((y == CLASSES.index("tampered")).sum())
    assert n_pos > 0 and (y == 0).sum() >= n_pos  # each edited tile has its genuine twin
    g = make_pair("train", "screen_recapture", seed=6)
    _, yg = paired_tiles(g, np.random.default_rng(0))
    assert set(yg.tolist()) == {0, CLASSES.index("screen")}


def test_tamper_fit_runs_on_tiny_paired_data(tmp_path: Path) -> None:
    """The training script trains on paired tiles and scores whole documents end to end."""
    from openidv.documents.training.tamper_data import build_paired_split, build_split
    from openidv.documents.training.train_tamper import fit, operating_points, score_test, with_margin

    build_paired_split("train", 1, 100, tmp_path / "train_pairs")
    build_split("train", 1, 0, 200, tmp_path / "train")
    build_split("train", 2, 0, 300, tmp_path / "calib", keep_docs=True)
    model = fit(None, 1, data=tmp_path)
    tam, rec = operating_points(score_test(model, tmp_path, "calib"))
    rows = with_margin(score_test(model, tmp_path, "calib"), tam, rec)
    assert len(rows) == 2 and all(0.0 < r["score"] <= 1.0 for r in rows)
    assert tam > 0 and rec > 0
