"""The card outline ranker's training script runs end to end on a few photos and records its model."""

from __future__ import annotations

import json
from pathlib import Path


def test_outline_ranker_trains_records_and_loads(tmp_path: Path) -> None:
    from openidv.documents.outline_rank import OutlineRanker
    from openidv.documents.training.train_outline_ranker import main
    from openidv.models.registry import sha256_file

    assert main(["--n", "12", "--test-n", "6", "--workers", "1", "--out", str(tmp_path)]) == 0
    path = tmp_path / "card_outline_ranker.json"
    manifest = json.loads((tmp_path / "MODELS.json").read_text())
    assert manifest["card_outline_ranker"]["sha256"] == sha256_file(path)
    report = json.loads(path.read_text())
    assert report["test"]["n"] == 6 and 0.0 <= report["test"]["rate"] <= 1.0
    assert 0.0 <= report["min_card"] <= report["min_other_card"] <= 1.0
    model = OutlineRanker.from_dict(report["model"])
    assert model.coef_.shape == model.mean_.shape
    assert (tmp_path / "card_outline_ranker.md").read_text().startswith("# Model card: card outline ranker")
