"""The name-letter threshold's tuning: the shared quantile rule on the weakest name letter."""

from __future__ import annotations

from pathlib import Path

import yaml

from openidv.documents.training.mrz_stress_tuning import summary, tune
from openidv.documents.training.tune_mrz_names import RULE


def test_the_threshold_flags_at_most_the_asked_share_of_exact_readings() -> None:
    weakest: list[float | None] = [0.5 + i / 1000 for i in range(300)]
    rows = [{"valid": True, "exact": True, "weakest_name": w} for w in weakest + [None] * 100]
    rows += [{"valid": True, "exact": False, "weakest_name": 0.1}] * 3 + [{"valid": False, "exact": False}]
    t = tune(rows, flag=0.01, key=RULE.key)
    assert sum(w is not None and w < t for w in weakest) == 4  # 1% of 400 (no name letter counts as sure)
    s = summary(rows, t, RULE.key)
    assert s["valid_exact"] == 400 and s["valid_wrong"] == 3 and s["valid_wrong_flagged"] == 3


def test_the_threshold_file_records_its_source(tmp_path: Path) -> None:
    path = tmp_path / "document_mrz_names.yaml"
    RULE.write_thresholds({"doubtful_below": 0.43, "flag": 0.01, "seed": 1, "n": 2, "split": "train",
                           "statistic": "s", "statistics": {}, "repair_budget": 1.36, "valid_exact": 900},
                          "the command", path)
    doc = yaml.safe_load(path.read_text())
    assert doc["name"] == "document_mrz_names" and doc["values"] == {"doubtful_below": 0.43}
    assert "name letter" in doc["source"]["statistic"] and doc["source"]["measured"] == {"valid_exact": 900}
