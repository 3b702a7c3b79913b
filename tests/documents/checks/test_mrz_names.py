"""document_mrz 1.10.0: a valid reading with a guessed name letter asks for a new photo."""

from __future__ import annotations

from openidv.documents.checks.mrz import DocumentMRZCheck, MRZThresholds
from openidv.documents.mrz.correct import read_text
from openidv.documents.mrz.reader import MRZReading
from openidv.domain import Outcome
from openidv.policy import ThresholdRegistry

TD3 = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]


def _judge(name_letter: float, doubtful_below: float) -> tuple[Outcome, list[str]]:
    res = read_text(TD3)
    res.allowed_confidence = [0.97] * 88
    res.allowed_confidence[22] = name_letter  # the I of MARIA: MARTA would keep every check digit
    assert res.valid
    best = ("capture-1", MRZReading("ok", result=res, mean_confidence=0.9))
    outcome, codes, _ = DocumentMRZCheck()._judge(best, [best], None, MRZThresholds(0.3, 0.0, doubtful_below))  # type: ignore[arg-type]
    return outcome, codes


def test_a_surely_read_name_passes() -> None:
    assert _judge(0.9, 0.44) == (Outcome.PASS, [])


def test_a_guessed_name_letter_asks_for_a_new_photo() -> None:
    assert _judge(0.2, 0.44) == (Outcome.FAIL, ["MRZ_UNREADABLE"])


def test_the_shipped_threshold_comes_from_the_tuning_script() -> None:
    t = ThresholdRegistry.load().get("document_mrz_names")
    assert 0.0 < float(t["doubtful_below"]) < 1.0
    assert "tune_mrz_names" in str(t.source["tool"])
    assert MRZThresholds.load(ThresholdRegistry.load().get).doubtful_below == float(t["doubtful_below"])
