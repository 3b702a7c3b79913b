"""document_mrz 1.4.0: check digits that hold as well for a nearly as likely other reading."""

from __future__ import annotations

import numpy as np

from openidv.documents.checks.mrz import DocumentMRZCheck, MRZThresholds
from openidv.documents.mrz.alphabet import INDEX
from openidv.documents.mrz.correct import read_logp
from openidv.documents.mrz.reader import MRZReading
from openidv.domain import Outcome
from openidv.policy import ThresholdRegistry

TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<" "L898902C36UTO7408122F1204159ZE184226B<<<<<10"


def _judge(b_for_8: float, ambiguous_below: float) -> tuple[Outcome, list[str]]:
    """The specimen read surely, except that B is `b_for_8` nats less likely than each 8 of its
    document number (two swaps at weights 3 and 7: the check digits hold either way)."""
    logp = np.full((88, 37), -12.0)
    for i, ch in enumerate(TD3):
        logp[i, INDEX[ch]] = 0.0
    logp[44 + 1, INDEX["B"]] = logp[44 + 3, INDEX["B"]] = -b_for_8
    res = read_logp([logp[:44], logp[44:]])
    assert res.valid and res.lines[1].startswith("L898902C3")
    best = ("capture-1", MRZReading("ok", result=res, mean_confidence=0.9))
    outcome, codes, _ = DocumentMRZCheck()._judge(best, [best], None, MRZThresholds(0.3, ambiguous_below, 0.0))  # type: ignore[arg-type]
    return outcome, codes


def test_a_reading_far_from_any_other_valid_one_passes() -> None:
    assert _judge(3.0, 1.86) == (Outcome.PASS, [])


def test_a_reading_close_to_another_valid_one_asks_for_a_new_photo() -> None:
    # 2 x 0.5 nats: the B-for-8 reading is nearly as likely and keeps every check digit
    assert _judge(0.5, 1.86) == (Outcome.FAIL, ["MRZ_UNREADABLE"])


def test_the_shipped_threshold_comes_from_the_tuning_script() -> None:
    t = ThresholdRegistry.load().get("document_mrz_ambiguity")
    assert 0.0 < float(t["ambiguous_below"]) < 8.0  # within the search of closest_alternative
    assert "tune_mrz_ambiguity" in str(t.source["tool"])
