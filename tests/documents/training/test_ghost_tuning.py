"""Smoke run of the ghost-image calibration script on a handful of generated documents."""

from __future__ import annotations

import json
from pathlib import Path

from openidv.documents.training import tune_ghost


def test_tune_ghost_runs_and_reports(tmp_path: Path) -> None:
    out = tmp_path / "ghost.json"
    report = tune_ghost.main(["--n", "2", "--workers", "1", "--no-write", "--json", str(out)])
    saved = json.loads(out.read_text())
    assert saved["min_similarity"] == report["min_similarity"]
    held = saved["test_heldout_templates_and_conditions"]
    assert held["genuine"] == 2 and held["substituted"] == 2
    assert 0.0 <= held["false_reject"] <= 1.0 and 0.0 <= held["detected"] <= 1.0
    assert isinstance(saved["enabled"], bool)
    rows = (tmp_path / "ghost_scores_test.csv").read_text().splitlines()
    assert rows[0].startswith("subject,label,species,score") and len(rows) == 5
