"""Reading values at the places a registered design prints them (viz/places.py)."""

from __future__ import annotations

import shutil
from datetime import date

import cv2
import numpy as np
import pytest

from openidv.documents.authenticity.template_match import load_features
from openidv.documents.synth.document import make_document
from openidv.documents.synth.portraits import DrawnPortraits
from openidv.documents.synth.templates import templates
from openidv.documents.viz.crosscheck import Claims, against_viz
from openidv.documents.viz.extract import VIZReading
from openidv.documents.viz.places import PLACE_PSM, PlaceLine, judge_at_places, place_lines, with_place_lines

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
PX = 9.0


def _front(template_id: str, seed: int = 5) -> tuple[np.ndarray, dict[str, str]]:
    """A generated front at the visual-zone check's 9 px/mm (a perfect rectification) and its values."""
    t = next(x for x in templates() if x.id == template_id)
    doc = make_document(t, seed, DrawnPortraits(), 12.0)
    img = cv2.resize(doc.front.image, None, fx=PX / 12.0, fy=PX / 12.0, interpolation=cv2.INTER_AREA)
    return img, {k: str(v["text"]) for k, v in doc.front.fields.items()}


def test_every_registered_design_records_where_it_prints_its_dates_and_number() -> None:
    feats = load_features()
    for t in templates():
        places = feats[t.id].fields_mm
        assert "date_of_birth" in places and "document_number" in places, t.id
        x0, y0, x1, y1 = places["date_of_birth"]
        assert 0 <= x0 < x1 <= t.size_mm[0] and 0 <= y0 < y1 <= t.size_mm[1]


@needs_tesseract
def test_values_are_read_at_their_places() -> None:
    img, values = _front("td1-00")
    lines = place_lines(img, load_features()["td1-00"].fields_mm, PX)
    by_field = {p.field: p.text.replace(" ", "") for p in lines}
    assert values["document_number"] in by_field["document_number"]
    assert len(lines) == 3 and all(p.confs for p in lines)


def test_a_place_outside_the_image_is_skipped() -> None:
    img = np.full((50, 80, 3), 255, np.uint8)
    assert place_lines(img, {"date_of_birth": (200.0, 200.0, 220.0, 202.0)}, PX) == []


def test_place_lines_are_readings_of_their_own() -> None:
    viz = VIZReading(lines=[("SURNAME", (0, 0, 50, 10)), ("ERIKSSON", (0, 12, 50, 22))], words=2,
                     confs=[[95.0], [95.0]], breaks=[1], modes=(11, 3))
    out = with_place_lines(viz, [PlaceLine("date_of_birth", "12.08.1974", (0, 30, 50, 40), [96.0]),
                                 PlaceLine("document_number", "L898902C3", (0, 50, 50, 60), [94.0])])
    assert [len(r) for r in out.readings()] == [1, 1, 1, 1]
    assert out.modes == (11, 3, PLACE_PSM, PLACE_PSM)
    assert [d.isoformat() for d, _ in out.dates] == ["1974-08-12"]
    assert list(out.successive()) == []  # a field's line is never joined with the next field's
    assert with_place_lines(viz, []) is viz


def test_a_value_read_at_its_place_is_no_longer_unread() -> None:
    ref = Claims("mrz", "ERIKSSON", "ANNA MARIA", None, None, "L898902C3", None, None)
    page = VIZReading(lines=[("ERIKSSON", (0, 0, 50, 10)), ("ANNA MARIA", (0, 12, 50, 22))], words=6,
                      confs=[[95.0], [95.0, 95.0]], breaks=[], modes=(11,))
    assert [d.field for d in against_viz(ref, page).disagreements if d.unread] == ["document_number"]
    placed = with_place_lines(page, [PlaceLine("document_number", "L898902C3", (0, 50, 50, 60), [93.0])])
    assert against_viz(ref, placed).disagreements == []
    changed = with_place_lines(page, [PlaceLine("document_number", "L898962C3", (0, 50, 50, 60), [96.0])])
    (d,) = against_viz(ref, changed).disagreements
    assert d.field == "document_number" and not d.unread


REF = Claims("mrz", "ERIKSSON", "ANNA MARIA", date(1974, 8, 12), date(2031, 4, 15), "L898902C3", None, None)
PAGE = VIZReading(lines=[("ERIKSSON", (0, 0, 50, 10)), ("ANNA MARIA", (0, 12, 50, 22)),
                         ("12 AUG 1974", (0, 24, 50, 34)), ("L898902C3", (0, 36, 50, 46))],
                  words=7, confs=[[95.0], [95.0, 95.0], [95.0, 95.0, 95.0], [95.0]], breaks=[], modes=(11,))
TODAY = date(2026, 12, 1)
BIRTH_AT_PLACE = PlaceLine("date_of_birth", "12 AUG 1974", (0, 24, 50, 34), [95.0, 95.0, 95.0])


def _judged(page: VIZReading, lines: list[PlaceLine]) -> tuple[list[str], str | None]:
    cc = against_viz(REF, page, today=TODAY)
    placed = against_viz(REF, with_place_lines(page, lines), today=TODAY)
    out, aligned = judge_at_places(cc, placed, REF, lines, today=TODAY)
    return [f"{d.field} strong={d.strong} unread={d.unread} place={d.place}" for d in out.disagreements], aligned


def _expiry_at_place(text: str, conf: float, aligned: bool = True) -> list[str]:
    """Disagreements once the expiry date is read as `text` at its place (and the birth date right at
    its own place when `aligned`)."""
    lines = [PlaceLine("date_of_expiry", text, (0, 40, 50, 50), [conf] * len(text.split()))]
    return _judged(PAGE, [BIRTH_AT_PLACE, *lines] if aligned else lines)[0]


def test_the_expiry_page_reading_missed_is_unread() -> None:
    cc = against_viz(REF, PAGE, today=TODAY)
    assert [(d.field, d.unread) for d in cc.disagreements] == [("date_of_expiry", True)]


def test_the_reference_date_read_at_its_place_confirms_the_field() -> None:
    assert _expiry_at_place("15 APR 2031", 90.0) == []
    assert _expiry_at_place("15 APR 2031", 90.0, aligned=False) == []


def test_an_expiry_retyped_out_of_the_expiry_range_is_a_mismatch_at_its_place() -> None:
    # the search takes 2059 for no expiry date (more than 12 years ahead); its place says it is one
    assert _expiry_at_place("15 APR 2059", 95.0) == ["date_of_expiry strong=True unread=False place=registered_place"]


def test_no_clear_verdict_from_the_places_unless_another_field_was_read_right_at_its_own() -> None:
    # the places may sit a row off: the portrait gate allows millimetres of misregistration
    assert _expiry_at_place("15 APR 2059", 95.0, aligned=False) == [
        "date_of_expiry strong=False unread=True place=None"]


def test_the_other_reference_date_read_at_a_place_is_no_mismatch() -> None:
    # the expiry's place shifted onto the birth date's row reads the birth date
    assert _expiry_at_place("12 AUG 1974", 96.0) == ["date_of_expiry strong=False unread=True place=None"]


def test_a_date_one_digit_off_read_doubtfully_at_its_place_stays_as_it_was() -> None:
    assert _expiry_at_place("15 APR 2021", 90.0) == ["date_of_expiry strong=False unread=True place=None"]
    assert _expiry_at_place("15 APR 2021", 96.0) == ["date_of_expiry strong=True unread=False place=registered_place"]


def test_a_date_with_a_lost_leading_digit_is_no_mismatch() -> None:
    # a crop a millimetre to the right cuts "28.01.2034" to "8.01.2034"
    lines = [BIRTH_AT_PLACE, PlaceLine("date_of_expiry", "5 APR 2031", (0, 40, 50, 50), [97.0, 97.0, 97.0])]
    ref_page = _judged(PAGE, lines)[0]
    assert all("strong=True" not in d for d in ref_page)


def test_spaces_inside_a_year_do_not_make_another_date() -> None:
    assert _expiry_at_place("15.04.20 31", 96.0) == []


def test_verdicts_on_other_fields_stay_the_page_readings() -> None:
    # a clearly different surname stays a clear mismatch whatever doubtful words the places add
    page = VIZReading(lines=[("JOHANSSON", (0, 0, 50, 10)), ("ANNA MARIA", (0, 12, 50, 22)),
                             ("12 AUG 1974", (0, 24, 50, 34))],
                      words=6, confs=[[96.0], [95.0, 95.0], [95.0, 95.0, 95.0]], breaks=[], modes=(11,))
    before = [(d.field, d.strong) for d in against_viz(REF, page, today=TODAY).disagreements]
    lines = [BIRTH_AT_PLACE, PlaceLine("date_of_expiry", "01 JUL/JUL 29", (0, 40, 50, 50), [73.0, 18.0, 97.0])]
    after, _ = _judged(page, lines)
    assert ("surname", True) in before and "surname strong=True unread=False place=None" in after


def test_a_place_stops_short_of_the_value_on_the_row_above() -> None:
    from openidv.documents.viz.places import EXTEND_X_MM, PAD_X_MM, PAD_Y_MM, _clipped

    places = {"date_of_issue": (10.0, 20.0, 30.0, 22.0), "date_of_expiry": (10.0, 22.3, 30.0, 24.3)}
    x0, y0, x1, y1 = _clipped("date_of_expiry", places)
    assert y0 == 22.0 and y1 == 24.3 + PAD_Y_MM  # stopped at the issue date, not 0.8 mm above
    assert (x0, x1) == (10.0 - PAD_X_MM, 30.0 + EXTEND_X_MM)
