"""Read a value once more at the place its document's design prints it.

The visual-zone reading OCRs the whole zone and the cross-checks *search* it, so a field the page
reading missed and a field a forger re-typed look alike (``unread``, VIZ_FIELD_UNREAD): the page
reading knows no layout. A document recognised as a registered design
(:mod:`openidv.documents.authenticity.template_match`), rectified so that its portrait sits where
that design prints it, does have a layout: each holder value's place, in millimetres
(``models/template_features.json``, ``fields_mm``). This module cuts each such place out of the
rectified document and reads it as one text line (Tesseract page segmentation mode 7), enlarged
to the size Tesseract reads best. The lines are added to the reading as further readings, one per
field, so that the cross-checks' existing rules and confidence bars judge them like any other
reading: a value confirmed there is no longer unread, a clearly different one is a mismatch, a
doubtful one stays what it was. A birth or expiry date read at its own place is then judged as
that field's (:func:`judge_dates_at_places`), which the search, not knowing where a date stands,
cannot do.

Only fields of a fixed printed length are read at their place (dates, the document number): a
name's place is as long as the longest name the design was outlined with, and a crop that cuts a
longer name would read as a changed one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import cv2
from numpy.typing import NDArray

from openidv.documents.viz.crosscheck import (
    DATE_ONE_DIGIT_SURE_CONF,
    DATE_SURE_CONF,
    Claims,
    CrossCheck,
    Disagreement,
    one_digit_apart,
)
from openidv.documents.viz.extract import VIZReading, dates_of_lines
from openidv.documents.viz.normalise import find_dates
from openidv.documents.viz.ocr import ocr_words

PLACE_FIELDS = ("date_of_birth", "date_of_expiry", "document_number")
PLACE_PSM = 7  # one text line
# Margin round a value's outlined place, mm: the rectification from the card outline or the MRZ is
# a millimetre or so off even when the portrait registers, and a value a little longer than the
# outlining holders' must stay whole.
PAD_X_MM, PAD_Y_MM, EXTEND_X_MM = 1.0, 0.8, 3.0
# Tesseract reads capitals of about 30-40 px best; a value 1.5-2.5 mm high at 9 px/mm is 14-22 px.
TARGET_HEIGHT_PX = 36.0

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class PlaceLine:
    """What was read at one field's place: the text, its box in document pixels, each word's confidence."""

    field: str
    text: str
    box: tuple[int, int, int, int]
    confs: list[float]


def place_lines(doc_rgb: NDArray[Any], places_mm: Mapping[str, Box], px_per_mm: float,
                fields: tuple[str, ...] = PLACE_FIELDS) -> list[PlaceLine]:
    """OCR each of `fields` at its place on the rectified document (a line per place where anything
    was read)."""
    h, w = doc_rgb.shape[:2]
    out = []
    for name in fields:
        if name not in places_mm:
            continue
        x0, y0, x1, y1 = places_mm[name]
        box = (max(0, round((x0 - PAD_X_MM) * px_per_mm)), max(0, round((y0 - PAD_Y_MM) * px_per_mm)),
               min(w, round((x1 + EXTEND_X_MM) * px_per_mm)), min(h, round((y1 + PAD_Y_MM) * px_per_mm)))
        crop = doc_rgb[box[1] : box[3], box[0] : box[2]]
        if crop.shape[0] < 4 or crop.shape[1] < 8:
            continue  # the place falls outside the rectified image
        gray = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY) if crop.ndim == 3 else crop
        f = max(1.0, TARGET_HEIGHT_PX / max((y1 - y0) * px_per_mm, 1.0))
        gray = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC)
        words = [wd for wd in ocr_words(gray, psm=PLACE_PSM) if wd.conf >= 0]
        if words:
            out.append(PlaceLine(name, " ".join(wd.text for wd in words), box, [wd.conf for wd in words]))
    return out


def with_place_lines(viz: VIZReading, lines: list[PlaceLine], month_first: bool = False,
                     today: date | None = None) -> VIZReading:
    """`viz` with each place line added as a reading of its own (never joined with another field's
    line, and not a reading the label anchors use: they take page modes 11 and 3 only)."""
    if not lines:
        return viz
    n = len(viz.lines)
    added = [(p.text, p.box) for p in lines]
    out = dataclasses.replace(viz, lines=[*viz.lines, *added], confs=[*viz.confs, *(p.confs for p in lines)],
                              breaks=[*viz.breaks, *range(n, n + len(lines))],
                              modes=(*viz.modes, *(PLACE_PSM for _ in lines)), dates=list(viz.dates))
    out.dates += [(d, b) for d, b in dates_of_lines(added, month_first, today) if all(d != x for x, _ in out.dates)]
    return out


def judge_dates_at_places(cc: CrossCheck, ref: Claims, lines: list[PlaceLine], month_first: bool = False,
                          today: date | None = None) -> CrossCheck:
    """Birth and expiry dates that the search left unread or unconfirmed, judged where their design
    prints them.

    The search cannot tell which field a date it finds belongs to, so it counts only dates of the
    field's kind (a birth date at least 14 years back, an expiry date within 12 years ahead): an
    expiry retyped to 2059 or to a past year is "no expiry date read", and left unread. At the
    field's own place that guess is not needed: the reference date read there confirms the field;
    another valid date read there as surely as the search asks of a same-kind date
    (``DATE_SURE_CONF``, ``DATE_ONE_DIGIT_SURE_CONF`` when one digit apart: a misread looks like
    that) is a clear mismatch. Anything else leaves the disagreement as it was."""
    today = today or date.today()
    at = {p.field: p for p in lines}
    out = CrossCheck(compared=list(cc.compared))
    for d in cc.disagreements:
        value = getattr(ref, d.field, None)
        p = at.get(d.field)
        if d.strong or not isinstance(value, date) or p is None:
            out.disagreements.append(d)
            continue
        conf = min((c for w, c in zip(p.text.split(), p.confs, strict=False) if any(ch.isdigit() for ch in w)),
                   default=0.0)
        found = find_dates(p.text, month_first, today=today)
        same = [x for x in found if (x.day, x.month, x.year % 100) == (value.day, value.month, value.year % 100)]
        if same:
            continue  # confirmed at its place
        sure = [x for x in found if conf >= DATE_SURE_CONF
                and (not one_digit_apart(x, value) or conf >= DATE_ONE_DIGIT_SURE_CONF)]
        out.disagreements.append(Disagreement(d.field, d.a, d.b, strong=True, place="registered_place") if sure else d)
    return out


__all__ = ["PLACE_FIELDS", "PlaceLine", "judge_dates_at_places", "place_lines", "with_place_lines"]
