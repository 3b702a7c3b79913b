"""The ambiguity threshold's tuning script: one real observation, and the quantile rule."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from openidv.documents.training.mrz_stress_tuning import observe, summary, tune
from openidv.documents.training.tune_mrz_ambiguity import RULE


def test_observe_reads_one_stressed_generated_document() -> None:
    row = observe(97000004, "train")
    assert row["status"] in ("ok", "unreadable", "not_found") and row["kind"] == "TD3"
    assert row["cost"] is None or (row["valid"] and 0.0 <= row["cost"] <= 8.0)
    assert row["weakest_name"] is None or (row["valid"] and 0.0 <= row["weakest_name"] <= 1.0)
    assert row["stress"].startswith("width ")


def _rows(costs: list[float | None], exact: bool = True) -> list[dict[str, object]]:
    return [{"valid": True, "exact": exact, "cost": c} for c in costs]


def test_the_threshold_flags_at_most_the_asked_share_of_exact_readings() -> None:
    costs: list[float | None] = [i / 100 for i in range(300)]  # 0.00 ... 2.99
    rows = _rows(costs) + _rows([None] * 100) + _rows([0.0] * 5, exact=False)
    t = tune(rows, flag=0.01)
    assert sum(c is not None and c < t for c in costs) == 4  # 1% of 400 (no alternative counts as far)
    s = summary(rows, t)
    assert s["valid_exact"] == 400 and s["valid_exact_flagged"] == 4 and s["valid_wrong_flagged"] == 5


def test_too_few_exact_readings_refuse_to_tune() -> None:
    with pytest.raises(SystemExit):
        tune(_rows([1.0] * 50), flag=0.01)


def test_a_quantile_beyond_the_search_refuses_to_tune() -> None:
    with pytest.raises(SystemExit):
        tune(_rows([None] * 300), flag=0.01)


def test_the_threshold_file_records_its_source(tmp_path: Path) -> None:
    path = tmp_path / "document_mrz_ambiguity.yaml"
    RULE.write_thresholds({"ambiguous_below": 1.86, "flag": 0.01, "seed": 1, "n": 2, "split": "train",
                      "statistic": "s", "repair_budget": 1.36, "valid_exact": 900, "valid_exact_flagged": 9},
                     "the command", path)
    doc = yaml.safe_load(path.read_text())
    assert doc["name"] == "document_mrz_ambiguity" and doc["values"] == {"ambiguous_below": 1.86}
    assert doc["source"]["tool"] == "the command" and doc["source"]["measured"]["valid_exact_flagged"] == 9
    assert "1.36 nats" in doc["source"]["reading"] and "repair_budget" not in doc["source"]["measured"]
