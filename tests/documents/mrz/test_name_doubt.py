"""The weakest name letter of a reading: the only witness of a misread name (no check digit)."""

from __future__ import annotations

import numpy as np

from openidv.documents.mrz.alphabet import INDEX
from openidv.documents.mrz.correct import read_logp, read_text
from openidv.documents.mrz.name_doubt import doubtful_name, weakest_name_letter
from openidv.documents.mrz.parse import MRZResult

TD3 = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]


def _read(**weak: float) -> MRZResult:
    """The specimen read surely (0.97) except at the flat positions given as ``p<index>=probability``."""
    res = read_text(TD3)
    res.allowed_confidence = [0.97] * 88
    for key, p in weak.items():
        res.allowed_confidence[int(key[1:])] = p
    return res


def test_the_weakest_letter_of_surname_or_given_names_is_found() -> None:
    assert weakest_name_letter(_read()) == 0.97
    assert weakest_name_letter(_read(p5=0.3)) == 0.3  # E of ERIKSSON
    assert weakest_name_letter(_read(p24=0.2, p5=0.6)) == 0.2  # the last A of MARIA


def test_fillers_and_other_fields_do_not_count() -> None:
    assert weakest_name_letter(_read(p13=0.1)) == 0.97  # the double filler after ERIKSSON
    assert weakest_name_letter(_read(p40=0.1)) == 0.97  # a trailing filler of the names
    assert weakest_name_letter(_read(p46=0.1)) == 0.97  # a document-number character (check digit covers it)


def test_a_reading_without_probabilities_is_never_doubted() -> None:
    res = read_text(TD3)
    res.char_confidence = res.allowed_confidence = []  # as for MRZ text parsed, not read from an image
    assert weakest_name_letter(res) is None and not doubtful_name(res, 0.9)


def test_a_name_letter_below_the_point_is_doubtful() -> None:
    assert doubtful_name(_read(p7=0.3), 0.44) and not doubtful_name(_read(p7=0.5), 0.44)
    assert not doubtful_name(_read(p7=0.44), 0.44)  # strictly below


def _logp(**probs: dict[str, float]) -> MRZResult:
    """The specimen decoded from log-probabilities: sure everywhere except at the flat positions
    given as ``p<index>={character: probability}``."""
    logp = np.full((88, 37), -14.0)
    for i, ch in enumerate("".join(TD3)):
        logp[i, INDEX[ch]] = 0.0
    for key, dist in probs.items():
        logp[int(key[1:])] = -14.0
        for ch, p in dist.items():
            logp[int(key[1:]), INDEX[ch]] = np.log(p)
    return read_logp([logp[:44], logp[44:]])


def test_an_o_that_looks_like_a_zero_is_sure_among_letters() -> None:
    # the O of ERIKSSON, read 0.3 O and 0.7 zero: a name holds no digit, so it is an O
    res = _logp(p11={"O": 0.3, "0": 0.7})
    assert res.lines[0] == TD3[0] and res.valid
    assert res.char_confidence[11] < 0.31 and weakest_name_letter(res) > 0.99


def test_a_letter_that_looks_like_another_letter_stays_doubtful() -> None:
    # the E of ERIKSSON under glare: 0.55 C, 0.45 E - CRIKSSON keeps every check digit
    res = _logp(p5={"C": 0.55, "E": 0.45})
    assert res.lines[0].startswith("P<UTOCRIKSSON") and res.valid
    weakest = weakest_name_letter(res)
    assert weakest is not None and abs(weakest - 0.55) < 0.01 and doubtful_name(res, 0.6)


def test_the_reader_output_reports_the_weakest_name_letter() -> None:
    from openidv.documents.mrz.reader import MRZReading

    out = MRZReading("ok", result=_read(p5=0.3)).to_dict()
    assert out["valid"] and out["confidence"]["weakest_name_letter"] == 0.3
