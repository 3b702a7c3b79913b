"""What the outline ranker sees of a candidate quadrilateral: edge evidence, shape and context.

Each feature answers a question that separates a card's outline from the other quadrilaterals in
a photo of one (computed on the reduced copy the search runs on, for all candidates at once):

* **Is there an edge all along each side?** The median colour gradient across each side (the
  weakest, second weakest and mean of the four), its 20th percentile, and the share of the side
  with a clear edge. A cast shadow's soft border or a quadrilateral closed by a desk line has a
  weak or partial side.
* **Does the edge stop at the corners?** The gradient across the sides' *extensions* beyond each
  corner. A card's edge ends at its corners; a band of print inside the card, or a quadrilateral
  cut out of the card by two internal lines, has sides that run on (the card's edge continues).
* **Is the inside different from the outside?** The colour difference (Lab) just inside and just
  outside each side.
* **Size and shape.** Area (of the photo, and relative to the largest candidate: the card contains
  its portrait and bands), side ratio against ID-1's, and the largest corner-angle departure from
  a right angle (perspective bends corners only so far).
* **Where it came from** (a closed contour or four lines).
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

FEATURES = ("side_min", "side_second", "side_mean", "side_coverage_min", "side_p20_min", "extension_max",
            "extension_mean", "contrast_min", "contrast_mean", "area", "area_vs_largest", "aspect_error",
            "corner_angle_max", "from_lines")
COLUMN = {name: i for i, name in enumerate(FEATURES)}  # feature name -> column of candidate_features' rows
CLEAR_EDGE = 25.0  # gradient counted as a clear edge (outline.MIN_SIDE_SUPPORT)
BAND = 2  # px either side of a side searched for its edge (contour outlines sit a pixel or two off)


def _normals(q: NDArray[Any], i: int) -> tuple[NDArray[Any], NDArray[Any]]:
    """Direction (K, 2) and unit outward normal (K, 2) of side i of each quadrilateral."""
    d = q[:, (i + 1) % 4] - q[:, i]
    nrm = np.stack([-d[:, 1], d[:, 0]], axis=1) / (np.linalg.norm(d, axis=1, keepdims=True) + 1e-9)
    mid = (q[:, i] + q[:, (i + 1) % 4]) / 2 - q.mean(axis=1)
    nrm *= np.where((nrm * mid).sum(axis=1) >= 0, 1.0, -1.0)[:, None]
    return d, nrm


def across(gx: NDArray[Any], gy: NDArray[Any], q: NDArray[Any], i: int, t: NDArray[Any]
           ) -> tuple[NDArray[Any], NDArray[Any]]:
    """Gradient across side i at positions t along it (K, T), strongest within BAND px, and whether
    each position lies in the image (K, T)."""
    d, nrm = _normals(q, i)
    offs = np.arange(-BAND, BAND + 1, dtype=np.float64)
    pts = (q[:, i][:, None, None] + t[None, None, :, None] * d[:, None, None]
           + offs[None, :, None, None] * nrm[:, None, None])  # K, offsets, T, 2
    h, w = gx.shape[1:]
    inside = (pts[..., 0] >= 0) & (pts[..., 0] <= w - 1) & (pts[..., 1] >= 0) & (pts[..., 1] <= h - 1)
    x = np.clip(np.round(pts[..., 0]).astype(int), 0, w - 1)
    y = np.clip(np.round(pts[..., 1]).astype(int), 0, h - 1)
    g = np.abs(gx[:, y, x] * nrm[None, :, None, None, 0] + gy[:, y, x] * nrm[None, :, None, None, 1]).max(axis=0)
    return (g * inside).max(axis=1), inside.any(axis=1)


def _contrast(lab: NDArray[Any], q: NDArray[Any], i: int, step: float = 6.0) -> NDArray[Any]:
    """Median colour distance between points just inside and just outside side i (K,)."""
    d, nrm = _normals(q, i)
    t = np.linspace(0.15, 0.85, 20)
    base = q[:, i][:, None] + t[None, :, None] * d[:, None]
    h, w = lab.shape[:2]
    inner = np.clip(np.round(base - step * nrm[:, None]), 0, [w - 1, h - 1]).astype(int)
    outer = np.round(base + step * nrm[:, None]).astype(int)
    ok = (outer[..., 0] >= 0) & (outer[..., 0] < w) & (outer[..., 1] >= 0) & (outer[..., 1] < h)
    outer = np.clip(outer, 0, [w - 1, h - 1])
    dist = np.linalg.norm(lab[inner[..., 1], inner[..., 0]] - lab[outer[..., 1], outer[..., 0]], axis=-1)
    valid = ok.sum(axis=1) >= 5  # sides mostly outside the image have no outside to compare
    med = np.zeros(len(q))
    if valid.any():
        med[valid] = np.nanmedian(np.where(ok, dist, np.nan)[valid], axis=1)
    return med


def _corner_angle_max(q: NDArray[Any]) -> NDArray[Any]:
    worst = np.zeros(len(q))
    for i in range(4):
        a, b = q[:, i - 1] - q[:, i], q[:, (i + 1) % 4] - q[:, i]
        cos = (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1) + 1e-9)
        worst = np.maximum(worst, np.abs(np.degrees(np.arccos(np.clip(cos, -1, 1))) - 90))
    return worst


def candidate_features(gx: NDArray[Any], gy: NDArray[Any], lab: NDArray[Any], quads: list[NDArray[Any]],
                       from_lines: list[bool], id1_aspect: float) -> NDArray[Any]:
    """One row of :data:`FEATURES` per quadrilateral (in the searched image's pixels)."""
    if not quads:
        return np.zeros((0, len(FEATURES)))
    q = np.asarray(quads, np.float64)
    med, p20, cover, ext, con = [], [], [], [], []
    for i in range(4):
        g, _ = across(gx, gy, q, i, np.linspace(0.12, 0.88, 40))
        med.append(np.median(g, axis=1))
        p20.append(np.percentile(g, 20, axis=1))
        cover.append((g >= CLEAR_EDGE).mean(axis=1))
        for t in (np.linspace(-0.25, -0.05, 10), np.linspace(1.05, 1.25, 10)):
            e, inside = across(gx, gy, q, i, t)
            ext.append(np.where(inside.mean(axis=1) > 0.5, np.median(e, axis=1), 0.0))
        con.append(_contrast(lab, q, i))
    sides = np.sort(np.stack(med, axis=1), axis=1)
    ext_a, con_a = np.stack(ext, axis=1), np.stack(con, axis=1)
    area = np.array([cv2.contourArea(x.astype(np.float32)) for x in q]) / (lab.shape[0] * lab.shape[1])
    s = np.linalg.norm(q - np.roll(q, -1, axis=1), axis=2)
    ratio = (s[:, 0] + s[:, 2]) / np.maximum(s[:, 1] + s[:, 3], 1e-6)
    ratio = np.maximum(ratio, 1 / ratio)
    return np.stack([
        np.log1p(sides[:, 0]), np.log1p(sides[:, 1]), np.log1p(sides.mean(axis=1)),
        np.stack(cover, axis=1).min(axis=1), np.log1p(np.stack(p20, axis=1).min(axis=1)),
        np.log1p(ext_a.max(axis=1)), np.log1p(ext_a.mean(axis=1)),
        np.log1p(con_a.min(axis=1)), np.log1p(con_a.mean(axis=1)),
        np.log(np.maximum(area, 1e-9)), np.log(np.maximum(area, 1e-9) / max(float(area.max()), 1e-9)),
        np.abs(np.log(ratio / id1_aspect)), _corner_angle_max(q), np.asarray(from_lines, np.float64),
    ], axis=1)
