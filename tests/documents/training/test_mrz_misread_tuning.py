"""The misread threshold's tuning script: one real observation, and the quantile rule."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from openidv.documents.training.tune_mrz_misread import checksum_flagged, observe, tune, write_thresholds


def test_observe_reads_a_genuine_document_and_its_altered_twin() -> None:
    rows = observe(97000003, "train")
    assert rows[0]["family"] == "genuine" and 1 <= len(rows) <= 2
    for r in rows:
        assert r["status"] in ("ok", "unreadable", "not_found")
        assert r["weakest_failing"] is None or 0.0 <= r["weakest_failing"] <= 1.0
        assert r["seed"] == 97000003 and (r["alternative_cost"] is None or r["valid"])


def _rows(values: list[float], family: str = "mrz_tampering") -> list[dict[str, object]]:
    return [{"family": family, "status": "ok", "valid": False, "weakest_failing": v} for v in values]


def test_the_threshold_keeps_the_fraud_signal_on_all_but_the_lowest_share() -> None:
    values = [i / 200 for i in range(200)]  # 0.000 ... 0.995
    t = tune(_rows(values) + _rows([0.0] * 50, "genuine"), keep=0.01)
    assert sum(v < t for v in values) == 2  # 1% of 200
    valid = {"family": "mrz_tampering", "status": "ok", "valid": True, "weakest_failing": None}
    assert checksum_flagged([*_rows([0.3]), valid], "mrz_tampering") == [0.3]


def test_too_few_altered_readings_refuse_to_tune() -> None:
    with pytest.raises(SystemExit):
        tune(_rows([0.5] * 10), keep=0.01)


def test_the_threshold_file_records_its_source(tmp_path: Path) -> None:
    path = tmp_path / "document_mrz.yaml"
    write_thresholds({"misread_below": 0.31206282379077815, "keep": 0.01, "seed": 1, "n": 2, "split": "train",
                      "repair_budget": 1.36, "tampered_checksum": 100, "tampered_moved": 1}, "the command", path)
    doc = yaml.safe_load(path.read_text())
    # written as tuned: the quantile reading itself stays at or above the threshold
    assert doc["name"] == "document_mrz" and doc["values"] == {"misread_below": 0.31206282379077815}
    assert doc["source"]["tool"] == "the command" and doc["source"]["measured"]["tampered_moved"] == 1
    assert "1.36 nats" in doc["source"]["reading"]  # the readings' repair budget, which moves the statistic
