"""Do the holder's printed values share one typeface? A re-typed field usually does not.

An issuer prints every holder value of a design (name, dates, number) with one font, one size and
one ink. A forger who erases a value and types another rarely matches all three, and the tile
model (``detector``) cannot see it: a re-typed field is ordinary print, only *different* print from
its neighbours. This module compares the values of one document with one another.

Each value line is cut from the rectified document at :data:`PX_PER_MM` as a :data:`CROP_H` x
:data:`CROP_W` window starting at the value's left end (a fixed physical size, so the type size is
kept). What a document examiner would compare is measured on each window - type height, stroke
weight, letter spacing, ink colour and darkness, sharpness (``print_measures.py``) - and every line
is described by how far it lies from the median of the document's other lines and how much the
document's lines scatter at all. Boosted trees (``typeface_lines`` in the models manifest, trained by
``python -m openidv.documents.training.train_typeface``) turn that into the probability that the
line was printed differently from the rest; the document's score is its oddest line's.

The model never sees a forgery family's code: its training lines are values of genuine documents
and values re-printed on a blank place of the same document in another family, weight, size,
spacing or ink (``training/typeface_data.py``) - the kind of edit ``field_alteration`` makes, drawn
by other code - under the generic capture degradations. Whether it is acted on is decided by its
held-out evaluation (``document_typeface.enabled``; docs/documents.md).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openidv.documents.authenticity.print_measures import deviation_rows, measure_lines

PX_PER_MM = 12.0
CROP_H = 48  # 4 mm: a value line (type 2.0-2.6 mm) and a margin above and below
CROP_W = 160  # 13.3 mm from the value's left end
MIN_LINES = 3  # with two lines, which one is odd cannot be told
MIN_VALUE_MM = 2.5  # a value place narrower than this ("M") carries too few glyphs to compare
SEARCH_MM = 1.5  # how far from its registered place a value's print is looked for
# The page's own registration error (the card outline or the MRZ frame a millimetre or so off) is
# shared by every value: it is taken out first as the median of the lines' moves, and each line is
# then looked for again around its place so shifted. What may remain is a line's own move, at most
# MAX_MOVE_MM: print found further off is another line (the label above, the portrait's edge, a
# neighbour's value) or the label of a value this holder does not have. Chosen on 120 genuine and 60
# re-typed pipeline sessions (var/diag/s48, seeds 85M + i and 86M + i; docs/documents.md, stop 48):
# stop 47's rule (no page offset, 1.0 mm) compared values on 81 genuine (1 flagged) and 36 re-typed
# (16 flagged) sessions; the page offset, 0.8 mm and MIN_PRINT_MM on 99 (0) and 49 (21).
MAX_MOVE_MM = 0.8
# A value's print runs at least this wide: a dash for a holder without the value, or a stray edge of
# the portrait or a label, is not a value to compare (the places themselves are MIN_VALUE_MM or wider).
MIN_PRINT_MM = 2.5
GAP_MM = 0.8  # blank space within one value (between words) is narrower than this
PACKAGE = "openidv.documents"
MODEL = "typeface_lines"
_lock = threading.Lock()
_session: dict[str, Any] = {}

Box = tuple[float, float, float, float]


def cut_line(doc: NDArray[np.uint8], box: Box) -> NDArray[np.uint8] | None:
    """The window of one value line (box in `doc` pixels, `doc` at :data:`PX_PER_MM`), RGB uint8
    (CROP_H, CROP_W, 3), padded with the window's own paper colour where it leaves the image; None
    when the box lies outside the image or is degenerate."""
    h, w = doc.shape[:2]
    x0, y0, x1, y1 = box
    if x1 <= x0 or y1 <= y0 or x0 >= w or y0 >= h or x1 <= 0 or y1 <= 0:
        return None
    cy = (y0 + y1) / 2.0
    top, left = round(cy - CROP_H / 2), round(x0) - 4
    ys0, xs0 = max(0, top), max(0, left)
    ys1, xs1 = min(h, top + CROP_H), min(w, left + CROP_W)
    part = doc[ys0:ys1, xs0:xs1]
    if part.size == 0:
        return None
    paper = np.percentile(part.reshape(-1, 3), 80, axis=0).astype(np.uint8)
    out = np.empty((CROP_H, CROP_W, 3), np.uint8)
    out[:] = paper
    out[ys0 - top : ys1 - top, xs0 - left : xs1 - left] = part
    return out


def _ink(region: NDArray[np.uint8]) -> NDArray[np.bool_]:
    lum = region.astype(np.float32).mean(axis=2)
    return np.asarray(lum < 0.7 * max(float(np.percentile(lum, 80)), 8.0))


def find_line(doc: NDArray[np.uint8], box: Box, search_mm: float = SEARCH_MM) -> Box:
    """`box` (a value's registered place, document pixels) moved onto the print near it: the
    rectification from a card outline or an MRZ frame is a millimetre or so off, and a window cut a
    millimetre too high shows the label above as much as the value. Vertically, the band of the
    box's height holding the most ink within `search_mm`; sideways, the run of ink (gaps under
    :data:`GAP_MM` joined) in that band whose start lies nearest the box's left end. The box is
    returned unchanged where no ink is found."""
    h, w = doc.shape[:2]
    s = search_mm * PX_PER_MM
    x0, y0, x1, y1 = box
    bh = max(1, round(y1 - y0))
    ry0, ry1 = max(0, round(y0 - s)), min(h, round(y1 + s))
    rx0, rx1 = max(0, round(x0 - s)), min(w, round(x1 + s))
    if ry1 - ry0 <= bh or rx1 <= rx0:
        return box
    ink = _ink(doc[ry0:ry1, rx0:rx1])
    rows = np.convolve(ink.sum(axis=1).astype(np.float64), np.ones(bh), mode="valid")
    if rows.max() <= 0:
        return box
    top = int(np.argmax(rows))
    cols = np.asarray(ink[top : top + bh].any(axis=0))
    starts = _runs(cols, max(1, round(GAP_MM * PX_PER_MM)))
    if not starts:
        return box
    left = min(starts, key=lambda c: abs(rx0 + c - x0))
    dy, dx = ry0 + top - y0, rx0 + left - x0
    return x0 + dx, y0 + dy, x1 + dx, y1 + dy


def _runs(cols: NDArray[np.bool_], gap: int) -> list[int]:
    """Start columns of the runs of ink columns, runs separated by fewer than `gap` blank ones joined."""
    starts, last = [], -gap - 1
    for c in np.flatnonzero(cols):
        if c - last > gap:
            starts.append(int(c))
        last = int(c)
    return starts


def printed_width_mm(doc: NDArray[np.uint8], box: Box) -> float:
    """How wide the print starting at `box`'s left end runs within its band (gaps under
    :data:`GAP_MM` joined), in mm; 0 where the band holds no ink."""
    h, w = doc.shape[:2]
    x0, y0, _, y1 = (round(v) for v in box)
    ya, yb, xa, xb = max(0, y0), min(h, y1), max(0, x0), min(w, x0 + CROP_W)
    if yb <= ya or xb <= xa:
        return 0.0
    cols = np.flatnonzero(_ink(doc[ya:yb, xa:xb]).any(axis=0))
    if cols.size == 0:
        return 0.0
    gap = max(1, round(GAP_MM * PX_PER_MM))
    breaks = np.flatnonzero(np.diff(cols) > gap)
    end = cols[breaks[0]] if breaks.size else cols[-1]
    return float(end - cols[0] + 1) / PX_PER_MM


def _shifted(box: Box, dx: float, dy: float) -> Box:
    return box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy


def design_lines(doc: NDArray[np.uint8], places_mm: Mapping[str, Box], register: bool = True
                 ) -> tuple[list[str], NDArray[np.uint8]]:
    """The windows of every value place of a registered design (``fields_mm`` of
    ``template_features.json``, in mm) on a document rectified at :data:`PX_PER_MM`: the places'
    names and an (N, CROP_H, CROP_W, 3) array. The windows start at each place's left end, where a
    left-aligned value starts whatever its length. With `register`, the page's shared offset (the
    median of every place's move onto the print near it, :func:`find_line`) is taken out, each line
    is moved onto its print again from there, and a place whose print lies more than
    :data:`MAX_MOVE_MM` from its shifted place, or runs narrower than :data:`MIN_PRINT_MM`, is left out."""
    boxes = {name: (x0 * PX_PER_MM, y0 * PX_PER_MM, x1 * PX_PER_MM, y1 * PX_PER_MM)
             for name, (x0, y0, x1, y1) in places_mm.items() if x1 - x0 >= MIN_VALUE_MM}
    if register and boxes:
        moves = np.array([np.subtract(find_line(doc, b)[:2], b[:2]) for b in boxes.values()])
        dx, dy = (float(v) for v in np.median(moves, axis=0))
        boxes = {name: _shifted(b, dx, dy) for name, b in boxes.items()}
    names, crops = [], []
    for name, box in boxes.items():
        found = box
        if register:
            found = find_line(doc, box)
            if max(abs(found[0] - box[0]), abs(found[1] - box[1])) > MAX_MOVE_MM * PX_PER_MM:
                continue
            if printed_width_mm(doc, found) < MIN_PRINT_MM:
                continue
        c = cut_line(doc, found)
        if c is not None:
            names.append(name)
            crops.append(c)
    return names, (np.stack(crops) if crops else np.zeros((0, CROP_H, CROP_W, 3), np.uint8))


@dataclass
class TypefaceScores:
    """Per-line probability that the line was printed differently from the document's others (0 for
    a window without print, which is not compared) and the indices of the lines that were measured."""

    lines: list[float]
    measured: list[int]

    @property
    def score(self) -> float:
        return max(self.lines) if self.lines else 0.0

    @property
    def oddest(self) -> int:
        return int(np.argmax(self.lines)) if self.lines else -1


def _load() -> Any:
    from openidv.models.registry import load_onnx_session

    with _lock:
        if "s" not in _session:
            _session["s"] = load_onnx_session(PACKAGE, MODEL, threads=1)
        return _session["s"]


def line_probs(rows: NDArray[np.float64], session: Any | None = None) -> NDArray[np.float64]:
    """(n, N_FEATURES) deviation rows -> (n,) probabilities "printed differently". `session` is an
    onnxruntime session or a callable taking the rows (a model being trained)."""
    x = np.ascontiguousarray(rows, dtype=np.float32)
    s = session if session is not None else _load()
    raw = s(x) if callable(s) else s.run(None, {"features": x})[0]
    return np.asarray(raw, np.float64).reshape(-1)


def score_lines(lines: NDArray[np.uint8], session: Any | None = None) -> TypefaceScores | None:
    """The typeface scores of one document's value windows, or None when fewer than
    :data:`MIN_LINES` of them hold print (with two lines, which one is odd cannot be told)."""
    kept, measures = measure_lines(lines)
    if len(kept) < MIN_LINES:
        return None
    p = line_probs(deviation_rows(measures), session)
    probs = [0.0] * len(lines)
    for k, i in enumerate(kept):
        probs[i] = float(p[k])
    return TypefaceScores(probs, kept)


__all__ = ["CROP_H", "CROP_W", "MIN_LINES", "PX_PER_MM", "TypefaceScores", "cut_line", "design_lines", "find_line",
           "line_probs", "printed_width_mm", "score_lines"]
