"""A printed date that is no calendar date, in place of the holder's date: when it is a clear mismatch.

Readings are built by hand: the same lines read twice (two page-mode readings), with Tesseract-style
word confidences.
"""

from __future__ import annotations

from datetime import date

from viz_readings import read_alike

from openidv.documents.viz.crosscheck import Claims, against_viz
from openidv.documents.viz.extract import VIZReading
from openidv.documents.viz.impossible_dates import impossible_dates

TODAY = date(2026, 11, 30)
MRZ = Claims("mrz", "VIRTANEN", "ANNA MARIA", date(1972, 7, 17), date(2031, 4, 13), "HCD243471", "F", "FIN")
REFS = {"date_of_birth": date(1972, 7, 17), "date_of_expiry": date(2031, 4, 13)}


def twice(dob: str, conf: float = 97.0, readings: int = 2, expiry: str = "13.04.2031") -> VIZReading:
    """A card's zone read `readings` times, each reading giving the same lines."""
    return read_alike([("VIRTANEN", [96.0]), ("ANNA MARIA", [95.0, 95.0]), (dob, [conf] * len(dob.split())),
                       (expiry, [96.0]), ("HCD243471", [93.0])], readings)


def words(viz: VIZReading) -> list[list[tuple[str, float]]]:
    return [list(zip(t.split(), c, strict=True)) for (t, _), c in zip(viz.lines, viz.confs, strict=True)]


def found(viz: VIZReading, refs: dict[str, date] = REFS) -> list[str]:
    return [i.field for i in impossible_dates(viz, words(viz), refs, TODAY)]


def test_a_birth_date_altered_into_no_date_is_found_and_is_a_clear_mismatch() -> None:
    for printed in ("17.37.1972", "47.07.1972", "17.07.5972", "17.07.1172"):  # month 37, day 47, years
        assert found(twice(printed)) == ["date_of_birth"], printed
    cc = against_viz(MRZ, twice("17.37.1972"), TODAY)
    (d,) = [d for d in cc.disagreements if d.field == "date_of_birth"]
    assert d.strong and not d.unread and d.as_dict()["printed_date_impossible"] is True
    assert "date_of_birth" in cc.compared


def test_iso_and_month_first_styles() -> None:
    assert found(twice("1972-17-17")) == ["date_of_birth"]
    assert found(twice("1972-07-17", expiry="2031-04-43")) == ["date_of_expiry"]
    # 07/17/1972 month first and 17/07/1972 day first are both the holder's date: valid, nothing found
    assert found(twice("07/17/1972")) == [] and found(twice("17/07/1972")) == []
    # impossible in both orders (day 47 or month 47): found; 13/07 is a valid day-first date: not found
    assert found(twice("47/17/1972")) == ["date_of_birth"]
    assert found(twice("13/07/1972")) == []


def test_a_doubtful_or_single_reading_is_not_enough() -> None:
    assert found(twice("17.37.1972", conf=88.0)) == []  # below IMPOSSIBLE_DATE_CONF in every reading
    assert found(twice("17.37.1972", readings=1)) == []  # one reading's misread
    d = [d for d in against_viz(MRZ, twice("17.37.1972", conf=88.0), TODAY).disagreements
         if d.field == "date_of_birth"]
    assert not any(x.strong for x in d)


def _sure_then(dob: str, sure: float, other: float) -> VIZReading:
    """Two readings of the zone: the date read at `sure` in the first, at `other` in the second."""
    first, second = twice(dob, conf=sure, readings=1), twice(dob, conf=other, readings=1)
    return VIZReading(lines=first.lines + second.lines, words=10, mean_conf=90.0,
                      confs=first.confs + second.confs, breaks=[len(first.lines)], modes=(11, 3))


def test_one_sure_reading_and_another_alike_is_enough() -> None:
    """A forger's font reads less surely than the issuer's: 13/78/1958 was read at 61, 61 and 93 on a
    held-out field alteration (stop 38). The same impossible date in two readings, one of them at
    IMPOSSIBLE_DATE_CONF, is found; a second reading under IMPOSSIBLE_DATE_FLOOR does not count."""
    assert found(_sure_then("17.37.1972", 93.0, 61.0)) == ["date_of_birth"]
    assert found(_sure_then("17.37.1972", 93.0, 40.0)) == []
    assert found(_sure_then("17.37.1972", 85.0, 61.0)) == []


def test_look_alike_digits_are_a_misread_not_an_alteration() -> None:
    # 0 read as 6 or 8, 2 as 7, 1 as 7: what Tesseract does at high confidence to a dim genuine date
    assert found(twice("17.07.1972", expiry="13.04.2631")) == []  # 2031 -> 2631 (0 -> 6)
    assert found(twice("17.07.1972", expiry="13.84.2031")) == []  # 04 -> 84 (0 -> 8)
    assert found(twice("17.07.1972", expiry="73.04.2031")) == []  # 13 -> 73 (1 -> 7)
    # one look-alike and one changed digit: altered
    assert found(twice("17.07.1972", expiry="13.84.2051")) == ["date_of_expiry"]


def test_unrelated_or_far_dates_are_left_to_the_date_search() -> None:
    assert found(twice("99.99.9999")) == []  # nothing like the holder's date: noise
    assert found(twice("17.07.1972 00.00.0000")) == []
    assert found(twice("17.07.1972"), refs={}) == []


def test_a_genuine_reading_gives_nothing() -> None:
    assert found(twice("17.07.1972")) == []
    assert against_viz(MRZ, twice("17.07.1972"), TODAY).disagreements == []


def test_review_a_hijri_copy_beside_the_gregorian_date_is_not_an_alteration() -> None:
    # Saudi passports print each date in both calendars: 13/04/1396 is two digits from 13/04/1976
    sau = Claims("mrz", "ALHARBI", "FAHAD", date(1976, 4, 13), date(2031, 4, 13), "HCD243471", "M", "SAU", "SAU")
    hijri = {"date_of_birth": date(1976, 4, 13)}
    for printed in ("13/04/1976 1396/04/13", "13/04/1976 13/04/1396"):
        assert [d for d in against_viz(sau, twice(printed), TODAY).disagreements if d.strong] == [], printed
    # the Gregorian date missed (glare): a Hijri year from such an issuer is still a real calendar
    assert [d for d in against_viz(sau, twice("13/04/1396"), TODAY).disagreements if d.strong] == []
    assert [i.field for i in impossible_dates(twice("13/04/1396"), words(twice("13/04/1396")), hijri, TODAY,
                                              hijri=True)] == []
    # elsewhere a 14xx year is a forger's (1956 -> 1456), and the reference date read beside an
    # impossible one is found: nothing to flag
    assert found(twice("17.07.1472"), refs=REFS) == ["date_of_birth"]
    assert [d for d in against_viz(MRZ, twice("17.07.1972 17.37.1972"), TODAY).disagreements if d.strong] == []


def test_review_a_year_that_parses_is_not_the_date_read() -> None:
    # 2032 altered to 2732 parses as a date whose last two year digits agree with the reference's
    ref = Claims("mrz", "VIRTANEN", "ANNA MARIA", date(1972, 7, 17), date(2032, 4, 13), "HCD243471", "F", "FIN")
    cc = against_viz(ref, twice("17.07.1972", expiry="13.04.2732"), TODAY)
    assert [d.field for d in cc.disagreements if d.strong and d.not_a_date] == ["date_of_expiry"]


def test_year_limits() -> None:
    assert found(twice("17.07.1972", expiry="13.04.2056")) == []  # today + 30: valid
    assert found(twice("17.07.1972", expiry="13.04.2057")) == ["date_of_expiry"]  # beyond: 2031 -> 2057
    assert found(twice("17.07.1912")) == []  # 1972 -> 1912 is a valid date (left to the date search)
