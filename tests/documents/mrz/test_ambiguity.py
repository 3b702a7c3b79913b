"""Another reading that keeps every check digit (documents/mrz/ambiguity.py)."""

from __future__ import annotations

import numpy as np
import pytest

from openidv.documents.mrz.alphabet import INDEX
from openidv.documents.mrz.ambiguity import alternative_cost, ambiguous, closest_alternative
from openidv.documents.mrz.correct import allowed_mask, read_logp, read_text
from openidv.documents.mrz.formats import FORMATS
from openidv.documents.mrz.parse import check_holds, effective_checks

TD3 = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
LINE2 = 44  # flat index of line 2's first cell


def _confident(text: str, others: float = -20.0) -> np.ndarray:
    """Log-probabilities of a sure reading of `text`: 0 for its characters, `others` elsewhere."""
    logp = np.full((len(text), 37), others)
    for i, ch in enumerate(text):
        logp[i, INDEX[ch]] = 0.0
    return logp


def _valid(text: str) -> bool:
    spec = FORMATS["TD3"]
    return all(check_holds(text, spec, c) for c in effective_checks(spec, text))


def test_two_swaps_that_cancel_are_found() -> None:
    # B for 8 at weights 3 and 7 of the document number: 3 x 3 + 3 x 7 = 30, a multiple of 10
    text = "".join(TD3)
    logp = _confident(text)
    logp[LINE2 + 1, INDEX["B"]] = -1.0
    logp[LINE2 + 3, INDEX["B"]] = -1.5
    alt = closest_alternative(FORMATS["TD3"], logp, text, allowed_mask(FORMATS["TD3"]))
    assert alt is not None
    assert alt.text[LINE2 : LINE2 + 9] == "LB9B902C3" and alt.positions == (LINE2 + 1, LINE2 + 3)
    assert alt.cost == pytest.approx(2.5) and _valid(alt.text)


def test_one_swap_that_breaks_a_check_digit_is_no_alternative() -> None:
    text = "".join(TD3)
    logp = _confident(text)
    logp[LINE2 + 1, INDEX["B"]] = -0.1  # 8 -> B alone changes the document number's sum by 9
    assert closest_alternative(FORMATS["TD3"], logp, text, allowed_mask(FORMATS["TD3"])) is None


def test_a_swap_by_ten_keeps_every_check_alone() -> None:
    # G (16) for 6 (6): any weight times 10 is 0 modulo 10; the optional data's 6 is in its own check
    # and the composite
    text = "".join(TD3)
    logp = _confident(text)
    logp[LINE2 + 35, INDEX["G"]] = -0.7
    alt = closest_alternative(FORMATS["TD3"], logp, text, allowed_mask(FORMATS["TD3"]))
    assert alt is not None and alt.positions == (LINE2 + 35,) and alt.cost == pytest.approx(0.7)


def test_names_are_not_searched() -> None:
    # a name letter changes no check digit: an alternative there says nothing about the check digits
    text = "".join(TD3)
    logp = _confident(text)
    logp[5, INDEX["F"]] = -0.01  # the E of ERIKSSON
    assert closest_alternative(FORMATS["TD3"], logp, text, allowed_mask(FORMATS["TD3"])) is None


def test_characters_the_field_forbids_are_not_alternatives() -> None:
    text = "".join(TD3)
    logp = _confident(text)
    # a letter in the birth date (digits only) and its partner swap would cancel, but is not allowed
    logp[LINE2 + 13, INDEX["H"]] = -0.1  # 7 -> H (17): a swap by 10
    assert closest_alternative(FORMATS["TD3"], logp, text, allowed_mask(FORMATS["TD3"])) is None


def test_costlier_alternatives_than_the_search_are_not_reported() -> None:
    text = "".join(TD3)
    logp = _confident(text)
    logp[LINE2 + 35, INDEX["G"]] = -9.0
    assert closest_alternative(FORMATS["TD3"], logp, text, allowed_mask(FORMATS["TD3"]), search=8.0) is None


def test_a_valid_reading_reports_its_alternative_and_an_invalid_one_none() -> None:
    flat = _confident("".join(TD3))
    flat[LINE2 + 35, INDEX["G"]] = -0.7
    res = read_logp([flat[:44], flat[44:]])
    assert res.valid and res.alternative is not None
    assert res.alternative["cost"] == pytest.approx(0.7)
    assert res.alternative["lines"][1][35] == "G" and res.alternative["changed"] == [{"line": 1, "position": 35}]
    assert alternative_cost(res) == pytest.approx(0.7)
    assert ambiguous(res, 1.0) and not ambiguous(res, 0.7)
    altered = read_text([TD3[0], TD3[1].replace("7408122", "7408132")])
    assert not altered.valid and altered.alternative is None and alternative_cost(altered) is None
    assert not ambiguous(altered, 100.0)
    assert "alternative" in res.to_dict()
