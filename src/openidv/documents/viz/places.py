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
that field's (:func:`judge_at_places`), which the search, not knowing where a date stands,
cannot do - once another field read right at its place shows the places to be registered.

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

from openidv.documents.viz.crosscheck import Claims, CrossCheck, date_at_place
from openidv.documents.viz.extract import VIZReading, dates_of_lines
from openidv.documents.viz.normalise import number_key
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


def _clipped(name: str, places_mm: Mapping[str, Box]) -> Box:
    """`name`'s place with its margins, stopped short of every other value's place it would reach
    (a date of issue on the row above, the next column's value): a crop must read one field."""
    x0, y0, x1, y1 = places_mm[name]
    cx0, cy0, cx1, cy1 = x0 - PAD_X_MM, y0 - PAD_Y_MM, x1 + EXTEND_X_MM, y1 + PAD_Y_MM
    for other, (ox0, oy0, ox1, oy1) in places_mm.items():
        if other == name or ox1 <= cx0 or ox0 >= cx1 or oy1 <= cy0 or oy0 >= cy1:
            continue
        if oy1 <= y0:
            cy0 = max(cy0, oy1)  # above
        elif oy0 >= y1:
            cy1 = min(cy1, oy0)  # below
        elif ox0 >= x1:
            cx1 = min(cx1, ox0)  # to the right on the same row
        elif ox1 <= x0:
            cx0 = max(cx0, ox1)  # to the left on the same row
    return cx0, cy0, cx1, cy1


def place_lines(doc_rgb: NDArray[Any], places_mm: Mapping[str, Box], px_per_mm: float,
                fields: tuple[str, ...] = PLACE_FIELDS) -> list[PlaceLine]:
    """OCR each of `fields` at its place on the rectified document (a line per place where anything
    was read)."""
    h, w = doc_rgb.shape[:2]
    out = []
    for name in fields:
        if name not in places_mm:
            continue
        x0, y0, x1, y1 = _clipped(name, places_mm)
        box = (max(0, round(x0 * px_per_mm)), max(0, round(y0 * px_per_mm)),
               min(w, round(x1 * px_per_mm)), min(h, round(y1 * px_per_mm)))
        crop = doc_rgb[box[1] : box[3], box[0] : box[2]]
        if crop.shape[0] < 4 or crop.shape[1] < 8:
            continue  # the place falls outside the rectified image
        gray = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY) if crop.ndim == 3 else crop
        vy0, vy1 = places_mm[name][1], places_mm[name][3]
        f = max(1.0, TARGET_HEIGHT_PX / max((vy1 - vy0) * px_per_mm, 1.0))
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


def _confirmed_at_place(p: PlaceLine, ref: Claims, today: date, month_first: bool) -> bool:
    """Does the line read at `p.field`'s place show that field's reference value?"""
    value = getattr(ref, p.field, None)
    if isinstance(value, date):
        return date_at_place(p.field, value, ref, p.text, p.confs, today, month_first) is None
    return isinstance(value, str) and len(key := number_key(value)) >= 4 and key in number_key(p.text)


def judge_at_places(page: CrossCheck, placed: CrossCheck, ref: Claims, lines: list[PlaceLine],
                    month_first: bool = False, today: date | None = None) -> tuple[CrossCheck, str | None]:
    """The page reading's cross-check (`page`) with its not-clear verdicts on the place fields
    replaced by what their places showed; also which field showed the places to be where the design
    puts them (None: none did).

    Only a place field the page reading left unread or unconfirmed is re-judged; every other verdict
    stays the page's (the place words must not make a clearly replaced surname "doubtful"). It takes
    the verdict of the reading with the place lines added (`placed`: a value found there is
    confirmed, a number judged by the number rules) and, for a birth or expiry date, its judgement at
    its own place (:func:`crosscheck.date_at_place`): the search counts only dates of the field's
    kind (an expiry within 12 years ahead), so an expiry retyped to 2059 or to a past year was "no
    expiry read"; at its place the date is the field's, and another date read as surely as the
    search asks (``DATE_SURE_CONF``; ``DATE_ONE_DIGIT_SURE_CONF`` when one digit apart) is a clear
    mismatch. A clear verdict from the places counts only when *another* field was read right at
    its own place: the portrait check that gates the places allows millimetres of misregistration,
    a row's worth on a passport, and a place shifted onto the next row reads the next field."""
    today = today or date.today()
    redo = {d.field for d in page.disagreements if d.field in PLACE_FIELDS and not d.strong}
    out = CrossCheck(compared=list(page.compared), disagreements=[d for d in page.disagreements if d.field not in redo])
    at = {p.field: p for p in lines}
    aligned = next((p.field for p in lines if _confirmed_at_place(p, ref, today, month_first)), None)
    for field in sorted(redo):
        d = next((x for x in placed.disagreements if x.field == field), None)
        value, p = getattr(ref, field, None), at.get(field)
        if isinstance(value, date) and p is not None and aligned not in (None, field):
            own = date_at_place(field, value, ref, p.text, p.confs, today, month_first)
            d = None if own is None else (dataclasses.replace(own, place="registered_place") if own.strong else d)
        if d is not None and d.strong and (aligned is None or aligned == field):
            d = next(x for x in page.disagreements if x.field == field)  # no clear verdict without alignment
        if d is not None:
            out.disagreements.append(d)
    return out, aligned


__all__ = ["PLACE_FIELDS", "PlaceLine", "judge_at_places", "place_lines", "with_place_lines"]
