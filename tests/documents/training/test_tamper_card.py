"""The tamper model card reports detection rates (1 - APCER) as `value [ci_low, ci_high]`."""

from __future__ import annotations

from openidv.documents.training.train_tamper import detection, detection_table, fmt
from openidv.evaluation import Estimate


def test_detection_is_one_minus_apcer_with_the_interval_flipped() -> None:
    d = detection(Estimate(0.88, 0.77, 0.96))
    assert d == {"value": 0.12, "ci_low": 0.04, "ci_high": 0.23}
    assert fmt(d) == "0.120 [0.040, 0.230]"
    assert fmt(Estimate(None, None, None)) == "n/a"


def test_table_has_no_python_reprs() -> None:
    report = {"metrics": {"apcer_per_species": {"photocopy": Estimate(0.25, 0.1, 0.4)}}}
    lofo = {"photocopy": {"metrics": {"apcer_per_species": {"photocopy": Estimate(0.5, 0.3, 0.7)}}}}
    table = detection_table({"in distribution": report}, {"held out": lofo, "other run": {}})
    assert "Estimate(" not in table
    assert "| photocopy | 0.750 [0.600, 0.900] | 0.500 [0.300, 0.700] | not run |" in table
