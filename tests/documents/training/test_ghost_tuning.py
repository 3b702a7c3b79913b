"""Smoke run of the ghost-image calibration script on a handful of generated documents."""

from __future__ import annotations

import json
from pathlib import Path

from openidv.documents.training import tune_ghost


def test_tune_ghost_runs_and_reports(tmp_path: Path) -> None:
    out = tmp_path / "ghost.json"
    report = tune_ghost.main(["--n", "2", "--test-n", "2", "--workers", "1", "--no-write", "--json", str(out)])
    saved = json.loads(out.read_text())
    assert saved["min_similarity"] == report["min_similarity"]
    assert saved["min_visibility"] == report["min_visibility"]
    held = saved["test_heldout_templates_and_conditions"]
    for kind in ("genuine", "portrait_substitution", "misread_design"):
        assert held[kind]["n"] == 2 and 0.0 <= held[kind]["flagged_rate"] <= 1.0
        assert held[kind]["compared"] + held[kind]["not_visible"] + held[kind]["not_comparable"] == 2
    assert saved["test_heldout_truly_rectified"]["genuine"]["n"] == 2
    assert isinstance(saved["enabled"], bool)
    rows = (tmp_path / "ghost_scores_test.csv").read_text().splitlines()
    assert rows[0].startswith("subject,label,species,score,visibility") and len(rows) == 7


def test_tune_ghost_retunes_from_its_score_files(tmp_path: Path) -> None:
    out = tmp_path / "ghost.json"
    first = tune_ghost.main(["--n", "2", "--test-n", "2", "--workers", "1", "--no-write", "--json", str(out)])
    again = tune_ghost.main(["--from-scores", str(out), "--no-write", "--json", str(tmp_path / "again.json")])
    assert again["min_similarity"] == first["min_similarity"]
    assert again["test_heldout_truly_rectified"] == first["test_heldout_truly_rectified"]
