"""The recapture novelty model's training script runs end to end on a few documents and records its model."""

from __future__ import annotations

import json
from pathlib import Path

import yaml


def test_novelty_trains_evaluates_and_records(tmp_path: Path) -> None:
    from openidv.documents.authenticity.novelty import MODEL, RecaptureNovelty
    from openidv.documents.training.train_recapture_novelty import main
    from openidv.models.registry import sha256_file

    thresholds = tmp_path / "t.yaml"
    assert main(["--data", str(tmp_path / "data"), "--train", "8", "--copies", "1", "--calib", "6",
                 "--test-genuine", "6", "--test-per-family", "2", "--families", "screen_recapture,photocopy",
                 "--neighbors", "3", "--out", str(tmp_path), "--scores", str(tmp_path / "s.csv"),
                 "--thresholds", str(thresholds), "--json", str(tmp_path / "r.json")]) == 0
    manifest = json.loads((tmp_path / "MODELS.json").read_text())
    assert manifest[MODEL]["sha256"] == sha256_file(tmp_path / f"{MODEL}.npz")
    assert RecaptureNovelty.load(tmp_path / f"{MODEL}.npz").reference_.shape[0] == 16
    report = json.loads((tmp_path / "r.json").read_text())
    assert set(report["at_shipped_threshold"]["detection_per_species"]) == {"screen_recapture", "photocopy"}
    t = yaml.safe_load(thresholds.read_text())
    assert t["values"]["novelty_max"] > 0 and isinstance(t["values"]["enabled"], bool)
    assert (tmp_path / f"{MODEL}.md").read_text().startswith(f"# Model card: {MODEL}")
