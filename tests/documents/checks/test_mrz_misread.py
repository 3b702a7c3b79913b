"""document_mrz 1.3.0: a failed check digit on a guessed character asks for a new photo."""

from __future__ import annotations

import pytest

from openidv.documents.checks.mrz import DocumentMRZCheck, MRZThresholds
from openidv.documents.mrz.correct import read_text
from openidv.documents.mrz.reader import MRZReading
from openidv.domain import Outcome
from openidv.policy import ThresholdRegistry

# the ICAO specimen with its birth date altered (740812 -> 740813), the check digits left as printed
TD3 = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408132F1204159ZE184226B<<<<<10"]


def _judge(weakest: float, misread_below: float) -> tuple[Outcome, list[str]]:
    res = read_text(TD3)
    res.char_confidence = [0.97] * 88
    res.char_confidence[44 + 16] = weakest  # a birth-date digit, covered by the failing check digits
    best = ("capture-1", MRZReading("ok", result=res, mean_confidence=0.9))
    outcome, codes, _ = DocumentMRZCheck()._judge(best, [best], None, MRZThresholds(misread_below, 1.86, 0.0))  # type: ignore[arg-type]
    return outcome, codes


def test_a_confident_reading_that_fails_a_check_digit_is_a_fraud_signal() -> None:
    assert _judge(0.9, 0.5) == (Outcome.FAIL, ["MRZ_CHECKSUM"])


def test_a_failing_check_digit_on_a_guessed_character_asks_for_a_new_photo() -> None:
    assert _judge(0.3, 0.5) == (Outcome.FAIL, ["MRZ_UNREADABLE"])


def test_the_shipped_threshold_comes_from_the_tuning_script() -> None:
    t = ThresholdRegistry.load().get("document_mrz")
    assert 0.0 < float(t["misread_below"]) < 1.0
    assert "tune_mrz_misread" in str(t.source["tool"])


@pytest.mark.parametrize("weakest", [0.0, 0.49])
def test_below_the_threshold_is_never_mrz_checksum(weakest: float) -> None:
    assert "MRZ_CHECKSUM" not in _judge(weakest, 0.5)[1]
