"""Card outline candidates from straight lines: two roughly parallel pairs of long lines.

The contour candidates of :mod:`openidv.documents.outline` need the card's edge to close on
itself. Under a cast shadow, a busy desk, a cable or a hand touching the card, the closed contour
is the card *plus* whatever touches it, and the card is not among them (71 of 300 held-out photos
at stop 24, ``benchmarks/card_outline.py``). The card's four sides are still long straight edges:
here straight segments (probabilistic Hough on the same two edge maps) are merged into lines, and
every pair of roughly parallel pairs that crosses at a card-like angle gives a quadrilateral.
Most of them are not cards (a band of print, the portrait's frame, a desk edge); the ranker
(:mod:`openidv.documents.outline_rank`) decides.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

MAX_LINES = 24  # longest merged lines kept (quadrilaterals grow with the fourth power)
MIN_SEGMENT = 0.12  # shortest segment, as a share of the image's shorter side
MERGE_DEG = 2.0  # segments within this angle and MERGE_PX of a line are the same line
MERGE_PX = 3.0
PARALLEL_DEG = 20.0  # opposite sides of a card under perspective
CROSSING_DEG = 45.0  # the two pairs' directions differ by at least this
MIN_SEPARATION = 0.12  # opposite sides at least this far apart (share of the shorter side)
SLACK = 0.05  # corners may lie this far outside the image (a card cut by the frame)


def _segments(edge_maps: list[NDArray[Any]], short: int) -> NDArray[Any]:
    segs = []
    for e in edge_maps:
        found = cv2.HoughLinesP(e, 1, np.pi / 360, threshold=40, minLineLength=int(MIN_SEGMENT * short), maxLineGap=8)
        if found is not None:
            segs.append(found.reshape(-1, 4))
    return np.concatenate(segs).astype(np.float64) if segs else np.zeros((0, 4))


def merged_lines(edge_maps: list[NDArray[Any]], short: int) -> list[tuple[NDArray[Any], float, float]]:
    """Lines as (a point on it, direction angle in [0, pi), total length of its segments), longest first."""
    segs = _segments(edge_maps, short)
    if not len(segs):
        return []
    d = segs[:, 2:] - segs[:, :2]
    length = np.linalg.norm(d, axis=1)
    theta = np.arctan2(d[:, 1], d[:, 0]) % np.pi
    used = np.zeros(len(segs), bool)
    lines = []
    for i in np.argsort(-length):
        if used[i]:
            continue
        nrm = np.array([-np.sin(theta[i]), np.cos(theta[i])])
        rho = float(segs[i, :2] @ nrm)
        dtheta = np.abs((theta - theta[i] + np.pi / 2) % np.pi - np.pi / 2)
        same = (~used) & (dtheta < np.radians(MERGE_DEG)) & (np.abs(segs[:, :2] @ nrm - rho) < MERGE_PX) \
            & (np.abs(segs[:, 2:] @ nrm - rho) < MERGE_PX)
        used |= same
        lines.append((segs[i, :2].copy(), float(theta[i]), float(length[same].sum())))
    lines.sort(key=lambda item: -item[2])
    return lines


def _angle_between(a: float, b: float) -> float:
    return float(abs((a - b + np.pi / 2) % np.pi - np.pi / 2))


def _mean_angle(a: float, b: float) -> float:
    return float(np.angle(np.exp(2j * a) + np.exp(2j * b)) / 2 % np.pi)


def _crossings(lines: list[tuple[NDArray[Any], float, float]]) -> NDArray[Any]:
    """Crossing point of every pair of lines (n, n, 2); NaN for (near) parallel ones."""
    p = np.array([ln[0] for ln in lines], np.float64)
    d = np.array([[np.cos(ln[1]), np.sin(ln[1])] for ln in lines])
    det = d[:, None, 0] * -d[None, :, 1] + d[None, :, 0] * d[:, None, 1]  # det([d_i, -d_k])
    r = p[None, :] - p[:, None]  # p_k - p_i
    with np.errstate(divide="ignore", invalid="ignore"):
        s = (r[..., 0] * -d[None, :, 1] + d[None, :, 0] * r[..., 1]) / det
        out = p[:, None] + s[..., None] * d[:, None]
    out[np.abs(det) < 1e-6] = np.nan
    return out


def line_quads(edge_maps: list[NDArray[Any]], shape: tuple[int, int], min_area: float,
               aspect_range: tuple[float, float]) -> list[NDArray[Any]]:
    """Convex quadrilaterals bounded by two pairs of merged lines (corners TL, TR, BR, BL as seen),
    of at least ``min_area`` of the image and a side ratio within ``aspect_range``."""
    from openidv.documents.outline import aspect, order_corners

    h, w = shape
    short = min(h, w)
    lines = merged_lines(edge_maps, short)[:MAX_LINES]
    pairs = []
    for i in range(len(lines)):
        for j in range(i + 1, len(lines)):
            (pi_, ti, _), (pj, tj, _) = lines[i], lines[j]
            if _angle_between(ti, tj) >= np.radians(PARALLEL_DEG):
                continue
            nrm = np.array([-np.sin(ti), np.cos(ti)])
            if abs(float((pj - pi_) @ nrm)) > MIN_SEPARATION * short:
                pairs.append((i, j, _mean_angle(ti, tj)))
    out: list[NDArray[Any]] = []
    cross = _crossings(lines) if lines else np.zeros((0, 0, 2))
    lo, hi = np.array([-SLACK * w, -SLACK * h]), np.array([(1 + SLACK) * w, (1 + SLACK) * h])
    for a, (i, j, ta) in enumerate(pairs):
        for k, m, tb in pairs[a + 1:]:
            if len({i, j, k, m}) < 4 or _angle_between(ta, tb) < np.radians(CROSSING_DEG):
                continue
            corners = cross[[i, k, j, m], [k, j, m, i]]
            if np.isnan(corners).any() or (corners < lo).any() or (corners > hi).any():
                continue
            q = order_corners(corners)
            poly = q.astype(np.float32).reshape(-1, 1, 2)
            if not cv2.isContourConvex(poly) or not min_area * h * w <= cv2.contourArea(poly) <= 0.98 * h * w:
                continue
            if aspect_range[0] < aspect(q) < aspect_range[1]:
                out.append(q)
    return out
