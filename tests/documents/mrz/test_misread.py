"""How sure the reading was where a check digit fails (documents/mrz/misread.py)."""

from __future__ import annotations

from openidv.documents.mrz.correct import read_text
from openidv.documents.mrz.misread import weakest_failing
from openidv.documents.mrz.parse import parse_lines

TD3 = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
# birth date 740812 -> 740813: its check digit (2) and the composite no longer hold
ALTERED = [TD3[0], "L898902C36UTO7408132F1204159ZE184226B<<<<<10"]


def _with_confidence(lines: list[str], low: dict[int, float]) -> object:
    res = read_text(lines)
    res.char_confidence = [low.get(i, 0.95) for i in range(88)]
    return res


def test_every_check_holding_has_no_weakest_failing_character() -> None:
    assert weakest_failing(_with_confidence(TD3, {})) is None  # type: ignore[arg-type]


def test_text_parsed_without_confidences_has_none() -> None:
    res = parse_lines(ALTERED)
    assert not res.valid and weakest_failing(res) is None


def test_the_weakest_character_of_a_failing_check_is_reported() -> None:
    # line 2 starts at flat index 44; the birth date is line 2, cells 13-19 (data and digit)
    res = _with_confidence(ALTERED, {44 + 15: 0.31, 5: 0.02})  # a shaky birth-date digit; a shaky name letter
    assert not res.valid  # type: ignore[attr-defined]
    # the name letter is covered by no check digit: only the birth-date digit counts
    assert weakest_failing(res) == 0.31  # type: ignore[arg-type]


def test_characters_outside_the_failing_checks_do_not_count() -> None:
    # the nationality (line 2, cells 10-12) is covered by no check digit, not even the composite: a
    # shaky letter there does not make the birth date's failure look like a misread
    res = _with_confidence(ALTERED, {44 + 11: 0.05})
    assert weakest_failing(res) == 0.95  # type: ignore[arg-type]


def test_a_weak_character_only_the_composite_covers_does_not_excuse_an_altered_field() -> None:
    # the birth date fails its own check digit and the composite; a glared filler of the optional
    # data (line 2, cell 38) is covered by the composite alone: the birth date was read surely
    res = _with_confidence(ALTERED, {44 + 38: 0.05})
    assert weakest_failing(res) == 0.95  # type: ignore[arg-type]


def test_two_independent_failures_each_need_a_guessed_character() -> None:
    # birth date and expiry both altered: a shaky expiry digit explains only one of them
    both = [TD3[0], "L898902C36UTO7408132F1204169ZE184226B<<<<<10"]
    res = _with_confidence(both, {44 + 22: 0.05})
    assert not res.checks["date_of_expiry"] and not res.checks["date_of_birth"]  # type: ignore[attr-defined]
    assert weakest_failing(res) == 0.95  # type: ignore[arg-type]
    res = _with_confidence(both, {44 + 22: 0.05, 44 + 15: 0.1})
    assert weakest_failing(res) == 0.1  # type: ignore[arg-type]
