"""Is each read MRZ line whole? Ink in its first and last cells, paper just beyond them.

Every cell of an MRZ line holds a glyph (the filler ``<`` too), and ICAO 9303 keeps a clear zone
round the lines. A line whose end is hidden - a thumb holding the passport, glare on the
laminate - still reads as *some* layout: a TD3 seen up to about its 40th character reads as a TD2
(36 characters, the cells after them full of ink), and one seen up to its 33rd to 35th reads as a
TD2 with blank cells where its last characters should be. Its check digits often hold: a TD2's
composite digit is the TD3's when the optional data are empty, and a check digit guessed from a
blank cell is repaired into validity. So a reading counts as whole only if its lines' first and last
cells show ink and the cells just before or just after them do not all show ink.

A cell's ink is the spread of grey levels (90th minus 3rd percentile, nearest rank) in a box of 0.7 x 1 glyph
round its centre on the light-flattened canonical image (`reader._canonical`: paper 255 under a
shadow too, and a uniform thumb or glare spot flattens to paper), as a share of the median over
the line's cells, with the cells placed on the line's own glyphs (`cell_xs`). Thresholds from the
held-out acceptance set (`benchmarks/documents_mrz.py`, 2,000 captures, stop 44) against generated
TD3 pages with a thumb or white glare over their last 4-12 cells: the first or last cell of a
correctly read line never had less than 0.17 of its line's ink (a faint filler under glare), a
hidden cell at most 0.10 (a glare's soft edge) and mostly under 0.06; a glyph-like cell just beyond
a correctly read line never more than 0.18, the next glyph of lines read short 0.9-1.05.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from openidv.documents.mrz.glyphs import CAP, LINE_PITCH, PITCH
from openidv.documents.mrz.grid import LineGrid, glyph_centres

BLANK_BELOW = 0.13  # a first or last cell with less ink than this share of its line's median is hidden
INK_FROM = 0.5  # a cell just beyond a line with this share or more (and paper beside it) is a glyph
CLEAR_BELOW = 0.4  # ... where the gap between the lines at that cell has less than this share
_HALF_W = round(0.35 * PITCH)
_HALF_H = round(0.5 * CAP)
_GAP_DY = LINE_PITCH / 2  # the middle of the gap between two lines, from either line's centre
_GAP_HALF_H = round(0.2 * PITCH)  # clear of both lines' glyphs (cap height 0.95 pitch, line pitch 1.65)


@dataclass
class LineInks:
    """Per line, from one cell before its first possible start: the ink of each cell (`glyph`), and
    on request the ink of the gap between it and its neighbouring line at that cell (`between`:
    below the first line, above the others). A glyph leaves that gap blank; a page's edge or a
    frame line crossing the zone does not."""

    glyph: list[NDArray[np.float64]]
    canon: NDArray[Any]
    xs: list[NDArray[np.float64]]
    ys: list[NDArray[np.float64]]

    def between(self, line: int, n: int) -> float:
        dy = _GAP_DY if line == 0 else -_GAP_DY
        return float(cell_inks(self.canon, self.xs[line][n : n + 1], self.ys[line][n : n + 1] + dy, _GAP_HALF_H)[0])


def measure(canon: NDArray[Any], grids: Sequence[LineGrid], first: int, count: int,
            centres: NDArray[Any] | None = None) -> LineInks:
    """`LineInks` of cells `first` .. `first + count - 1` of every line, each line's cells placed
    on its own glyphs again (`cell_xs`; `centres`: the image's `grid.glyph_centres`, if known)."""
    centres = glyph_centres(canon) if centres is None else centres
    cells = np.arange(first, first + count, dtype=np.float64)
    xs = [cell_xs(g, centres, cells) for g in grids]
    ys = [np.asarray(g.y_at(cells), np.float64) for g in grids]
    return LineInks([cell_inks(canon, x, y) for x, y in zip(xs, ys, strict=True)], canon, xs, ys)


def cell_xs(grid: LineGrid, centres: NDArray[Any], cells: NDArray[np.float64]) -> NDArray[np.float64]:
    """x of the line's `cells` re-fitted to the glyph centres near the line. The glyphs are numbered
    in order along the line (each step the nearest whole number of pitches from the last; a blob
    closer than half a pitch to the last is a fragment), the numbering anchored on the grid, and x
    fitted against the number by least squares - quadratic along a long line, whose pitch may grow
    along it - without the glyphs a first fit leaves over 0.3 pitch off. The reader's grid shares
    one pitch across the block and is refined on the glyphs within 0.3 pitch of it; that suits
    reading (glyph crops are 1.3 pitches wide) but can leave a line's ends half a cell off its
    glyphs (a real specimen tilted 12 degrees both ways: 0.26 pitch at the start, 0.59 at the
    end), and an end measured between two glyphs looks like print going on."""
    linear = np.asarray(grid.x0 + grid.pitch * cells, np.float64)
    if len(centres) == 0:
        return linear
    t = (centres[:, 0] - grid.x0) / grid.pitch
    xs = np.sort(centres[np.abs(centres[:, 1] - grid.y_at(t)) < 0.45 * LINE_PITCH, 0])
    kept = [0] if len(xs) else []
    for n in range(1, len(xs)):
        if xs[n] - xs[kept[-1]] >= 0.5 * grid.pitch:
            kept.append(n)
    xs = xs[kept]
    if len(xs) < 6:
        return linear
    rel = np.concatenate([[0.0], np.cumsum(np.round(np.diff(xs) / grid.pitch))])
    idx = rel + np.round(np.median((xs - grid.x0) / grid.pitch - rel))
    deg = 2 if len(xs) >= 12 and np.ptp(idx) > 20 else 1
    coef = np.polyfit(idx, xs, deg)
    good = np.abs(xs - np.polyval(coef, idx)) < 0.3 * grid.pitch
    if good.sum() < 6 or np.ptp(idx[good]) <= 4:
        return linear
    coef = np.polyfit(idx[good], xs[good], deg)
    slopes = np.polyval(np.polyder(coef), [idx[good].min(), idx[good].max()]) / grid.pitch
    if not (np.abs(slopes - 1) < 0.12).all():  # no plausible pitch: the grid as it was
        return linear
    return np.asarray(np.polyval(coef, cells), np.float64)


def cell_inks(canon: NDArray[Any], xs: NDArray[Any], ys: NDArray[Any], half_h: int = _HALF_H) -> NDArray[np.float64]:
    """Ink of the boxes centred at (`xs`, `ys`), `half_h` high each side; NaN where a centre lies off
    the image (a grid fitted to glyphs farther apart than the block's extent suggested runs off
    it). A box crossing the image's edge sees the edge's pixels repeated."""
    h, w = canon.shape[:2]
    padded = cv2.copyMakeBorder(canon, half_h, half_h, _HALF_W, _HALF_W, cv2.BORDER_REPLICATE)
    out = np.full(len(xs), np.nan)
    patches, where = [], []
    for n, (cx, cy) in enumerate(zip(xs, ys, strict=True)):
        x, y = round(float(cx)), round(float(cy))
        if 0 <= x < w and 0 <= y < h:
            patches.append(padded[y : y + 2 * half_h + 1, x : x + 2 * _HALF_W + 1])
            where.append(n)
    if patches:
        stack = np.stack(patches).reshape(len(patches), -1)
        k_lo, k_hi = round(0.03 * (stack.shape[1] - 1)), round(0.9 * (stack.shape[1] - 1))
        ranked = np.partition(stack, (k_lo, k_hi), axis=1)  # the 3rd and 90th percentiles (nearest rank)
        out[where] = ranked[:, k_hi].astype(np.float64) - ranked[:, k_lo]
    return out


def line_gap(inks: LineInks, starts: Sequence[int], width: int) -> str | None:
    """Why the reading is not whole, or None. `starts[j]` is where in line j's arrays the reading's
    line begins (so index ``starts[j] - 1`` is the cell just before it). A blank end on any line is
    enough (a thumb's tip may cover one line); ink beyond must look like a glyph (paper in the gap
    beside it) on every line at the same side, as it does where a longer layout was read short: a
    card's edge or design close to one line's end shows beside that line only, and a page's edge
    close to the zone crosses the gap between the lines too (the ICAO specimen page, tilted)."""
    before, after = [], []
    for j, (ink, s) in enumerate(zip(inks.glyph, starts, strict=True)):
        line = ink[s : s + width]
        median = float(np.nanmedian(line)) if np.isfinite(line).any() else 0.0
        share = ink / max(median, 1e-9)
        ends = share[[s, s + width - 1]]
        if median <= 0 or not np.isfinite(ends).all() or (ends < BLANK_BELOW).any():  # off the image: unseen
            return "an end of an MRZ line shows no print (a finger or glare over the MRZ?)"
        before.append(s > 0 and share[s - 1] >= INK_FROM and inks.between(j, s - 1) < CLEAR_BELOW * median)
        after.append(s + width < len(ink) and share[s + width] >= INK_FROM
                     and inks.between(j, s + width) < CLEAR_BELOW * median)
    if all(before) or all(after):
        return "the MRZ lines go on beyond the layout read (part of the MRZ hidden?)"
    return None
