"""Fit the character grid of each MRZ line in a canonical image.

The locator's line ends are only approximate: a fragment of background fused to the first glyph,
or a last filler lost in glare, moves an end by a character. The grid is therefore re-fitted on
the glyph blobs themselves. MRZ characters sit on a regular pitch, so the pitch is the period whose
phase best aligns the blob centres (the length of the mean of exp(2*pi*i*x/pitch)), and the phase
places the grid; which run of `width` grid cells is the line is decided later by the reader from
the glyphs (check digits and field types).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from openidv.documents.mrz.glyphs import CAP, LINE_PITCH, PITCH, cell_x, line_y
from openidv.documents.mrz.locate import _binarise as ink_mask

_PERIODS = PITCH * np.linspace(0.85, 1.15, 61)


@dataclass
class LineGrid:
    x0: float  # x of the cell nearest the nominal first character
    pitch: float
    y0: float
    slope: float  # dy per cell
    blobs: int
    bend: float = 0.0  # dy per cell squared (a curved page)

    def centre(self, i: float) -> tuple[float, float]:
        return self.x0 + self.pitch * i, float(self.y_at(np.float64(i)))

    def y_at(self, i: NDArray[Any] | np.float64) -> NDArray[Any]:
        """The line's centre height at (fractional) cell positions `i`."""
        return np.asarray(self.y0 + self.slope * i + self.bend * i * i)


def _blobs(canon: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
    binary = ink_mask(canon, 27)
    _, _, stats, cents = cv2.connectedComponentsWithStats(binary, connectivity=8)
    s, c = stats[1:], cents[1:]
    ok = (s[:, 3] > 0.4 * CAP) & (s[:, 3] < 1.5 * CAP) & (s[:, 2] < 1.3 * PITCH) & (s[:, 2] > 1)
    return s[ok], c[ok]


def glyph_centres(canon: NDArray[Any]) -> NDArray[Any]:
    """(N, 2) centres of the glyph-sized ink blobs of a canonical image."""
    return _blobs(canon)[1]


def _common_period(xs: list[NDArray[Any]]) -> float:
    """The pitch shared by all lines: the period whose phases align each line's blob centres best
    (summed over lines), mildly preferring the canonical pitch the block was warped to."""
    total = np.zeros(len(_PERIODS))
    for cx in xs:
        if len(cx) >= 6:
            total += np.abs(np.exp(2j * np.pi * cx[None, :] / _PERIODS[:, None]).mean(axis=1)) * len(cx)
    if not total.any():
        return PITCH
    n = sum(len(cx) for cx in xs if len(cx) >= 6)
    total = total / n - 0.8 * np.abs(np.log(_PERIODS / PITCH))
    return float(_PERIODS[int(np.argmax(total))])


# A line's centre is fitted through every glyph on it, fillers included: a TD3 name line is half
# fillers, and a curve fitted through its letters alone, extrapolated over the fillers, put their
# cells a line's height off on a bowed page (the specimen photos bowed by 3% of the page height,
# stop 41). Glyphs further than this from a first fit are left out of the second.
INLIER = 0.3 * CAP
MAX_SAG = 2 * CAP  # the most a line may sag between its glyphs' ends and middle and still count as a bend


def _fit_centre_line(t: NDArray[Any], cy: NDArray[Any], j: int) -> tuple[float, float, float]:
    """(y0, slope, bend) of a line's centre through glyph centres `cy` at cell positions `t`:
    straight from a few glyphs, curved (a bowed page) from enough of them along the line; each fit
    repeated on the glyphs near the first one, so that a stray blob does not tilt it."""
    y0, slope, bend = line_y(j), 0.0, 0.0
    if len(t) < 4 or np.ptp(t) <= 4:
        return y0, slope, bend
    slope, y0 = _robust_polyfit(t, cy, 1)
    if len(t) >= 12 and np.ptp(t) > 20:  # enough glyphs to see a curved page
        b2, b1, b0 = _robust_polyfit(t, cy, 2)
        if abs(b2) * np.ptp(t) ** 2 / 4 < MAX_SAG:  # a bend, not an outlier
            bend, slope, y0 = b2, b1, b0
    return y0, slope, bend


def _robust_polyfit(t: NDArray[Any], y: NDArray[Any], deg: int) -> list[float]:
    coef = np.polyfit(t, y, deg)
    near = np.abs(y - np.polyval(coef, t)) < INLIER
    if near.sum() >= deg + 4 and np.ptp(t[near]) > 4 and not near.all():
        coef = np.polyfit(t[near], y[near], deg)
    return [float(v) for v in coef]


def fit_line(cx: NDArray[Any], cy: NDArray[Any], j: int, period: float) -> LineGrid:
    nominal = LineGrid(cell_x(0), period, line_y(j), 0.0, len(cx))
    if len(cx) < 6:
        return nominal
    a0 = float(np.angle(np.exp(2j * np.pi * cx / period).mean()) / (2 * np.pi) * period) % period
    x0 = a0 + period * round((cell_x(0) - a0) / period)
    idx = np.round((cx - x0) / period)
    resid = cx - (x0 + period * idx)
    keep = np.abs(resid) < 0.3 * period
    if keep.sum() >= 6 and np.ptp(idx[keep]) > 4:  # refine scale and offset by least squares
        p2, x2 = (float(v) for v in np.polyfit(idx[keep], cx[keep], 1))
        if abs(p2 / period - 1) < 0.03:
            period, x0 = p2, x2 + p2 * round((cell_x(0) - x2) / p2)
    y0, slope, bend = _fit_centre_line((cx[keep] - x0) / period, cy[keep], j)
    return LineGrid(x0, period, y0, slope, int(keep.sum()), bend)


def _near_lines(c: NDArray[Any], grids: list[LineGrid] | None, n_lines: int) -> list[NDArray[Any]]:
    """Which blobs belong to each line: within half a line pitch of its nominal height, or, once
    the lines are fitted, of its fitted centre line (a bowed line leaves its nominal band)."""
    if grids is None:
        return [np.abs(c[:, 1] - line_y(j)) < 0.45 * LINE_PITCH for j in range(n_lines)]
    d = np.stack([np.abs(c[:, 1] - g.y_at((c[:, 0] - g.x0) / g.pitch)) for g in grids])
    nearest = np.argmin(d, axis=0)
    return [(nearest == j) & (d[j] < 0.45 * LINE_PITCH) for j in range(n_lines)]


def fit_grid(canon: NDArray[Any], n_lines: int, centres: NDArray[Any] | None = None) -> list[LineGrid]:
    """One grid per MRZ line of a canonical image (a pitch common to the block, a phase per line),
    fitted twice: the second time on the blobs nearest each line's first fit. `centres`: the
    image's `glyph_centres`, when the caller has them already."""
    c = glyph_centres(canon) if centres is None else centres
    grids: list[LineGrid] | None = None
    for _ in range(2):
        near = _near_lines(c, grids, n_lines)
        period = _common_period([c[m, 0] for m in near])
        grids = [fit_line(c[m, 0], c[m, 1], j, period) for j, m in enumerate(near)]
    assert grids is not None
    return grids
