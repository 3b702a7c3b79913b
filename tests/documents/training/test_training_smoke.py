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
