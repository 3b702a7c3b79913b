"""Document frames: where the document is in the photo, and a flat, upright view of it.

For MRZ documents the MRZ itself fixes the frame: ICAO 9303 puts the MRZ at a known place on each
format, so the four corners of the read MRZ (which the reader returns in reading order, hence
upright) give a homography from document millimetres to photo pixels - independent of the issuer's
design, of the background and of whether the card's edges are visible. For other documents
(driver licences) the frame comes from the card outline (:func:`find_card`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

# (width, height) in mm and the MRZ placement: left ink margin, centre of the last line above the
# bottom edge, line spacing (all mm). Placement follows ICAO 9303-4/5/6 nominal positions.
SIZE_MM = {"TD1": (85.6, 53.98), "TD2": (105.0, 74.0), "TD3": (125.0, 88.0), "MRV-A": (120.0, 80.0),
           "MRV-B": (105.0, 74.0), "ID-1": (85.6, 53.98)}
MRZ_PLACE = {"TD1": (4.95, 5.4, 3.9), "TD2": (6.8, 6.2, 4.3), "TD3": (6.6, 6.2, 4.3), "MRV-A": (4.1, 6.2, 4.3),
             "MRV-B": (6.8, 6.2, 4.3)}
PITCH_MM = 2.54


@dataclass
class DocumentFrame:
    """Homography from document millimetres to photo pixels, and the document's format."""

    fmt: str
    size_mm: tuple[float, float]
    mm_to_px: NDArray[Any]

    def corners_px(self) -> NDArray[Any]:
        w, h = self.size_mm
        pts = np.array([[[0, 0], [w, 0], [w, h], [0, h]]], np.float64)
        return cv2.perspectiveTransform(pts, self.mm_to_px)[0]

    def rectify(self, image: NDArray[Any], px_per_mm: float = 8.0) -> NDArray[Any]:
        """Flat, upright view of the document at `px_per_mm` (outside the photo: edge pixels)."""
        w, h = self.size_mm
        scale = np.diag([1 / px_per_mm, 1 / px_per_mm, 1.0])
        m = self.mm_to_px @ scale  # rectified pixels -> photo pixels
        size = (round(w * px_per_mm), round(h * px_per_mm))
        return cv2.warpPerspective(image, m, size, flags=cv2.INTER_AREA | cv2.WARP_INVERSE_MAP,
                                   borderMode=cv2.BORDER_REPLICATE)

    def fraction_visible(self, shape: tuple[int, ...]) -> float:
        """Share of the document's area inside the photo (a crop shows as < 1)."""
        c = self.corners_px().astype(np.float32)
        h, w = shape[:2]
        frame = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
        inter, _ = cv2.intersectConvexConvex(c, frame)
        area = cv2.contourArea(c)
        return float(inter / area) if area > 0 else 0.0


def frame_from_mrz(fmt: str, n_lines: int, width: int, quad: list[list[float]]) -> DocumentFrame:
    """Document frame implied by an MRZ read with `quad` = centre-line ink corners TL, TR, BR, BL."""
    w_mm, h_mm = SIZE_MM[fmt]
    left, last_from_bottom, spacing = MRZ_PLACE[fmt]
    ink = 0.2 * PITCH_MM  # the reader's ink corners sit 0.2 pitch inside the first and last cells
    x0, x1 = left + ink, left + width * PITCH_MM - ink
    y_last = h_mm - last_from_bottom
    y_first = y_last - (n_lines - 1) * spacing
    src = np.array([[x0, y_first], [x1, y_first], [x1, y_last], [x0, y_last]], np.float32)
    m = cv2.getPerspectiveTransform(src, np.array(quad, np.float32))
    return DocumentFrame(fmt, (w_mm, h_mm), m)


def find_card(rgb: NDArray[Any], min_area: float = 0.04) -> list[NDArray[Any]]:
    """Quadrilaterals in the photo that look like a document (convex, card-like aspect, not tiny),
    largest first, each ordered TL, TR, BR, BL as seen in the photo."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) if rgb.ndim == 3 else rgb
    scale = min(1.0, 800 / max(gray.shape))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (5, 5), 0)
    edges = cv2.Canny(small, 30, 90)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    area_img = small.shape[0] * small.shape[1]
    quads: list[NDArray[Any]] = []
    for c in sorted(contours, key=cv2.contourArea, reverse=True)[:20]:
        a = cv2.contourArea(c)
        if a < min_area * area_img or a > 0.98 * area_img:
            continue
        hull = cv2.convexHull(c)
        approx = cv2.approxPolyDP(hull, 0.03 * cv2.arcLength(hull, True), True)
        if len(approx) != 4:
            continue
        q = _order(approx.reshape(4, 2).astype(np.float64) / scale)
        sides = np.linalg.norm(q - np.roll(q, -1, axis=0), axis=1)
        aspect = (sides[0] + sides[2]) / max(sides[1] + sides[3], 1e-6)
        aspect = max(aspect, 1 / aspect)
        if 1.2 < aspect < 1.9 and not any(_same(q, p) for p in quads):
            quads.append(q)
    return quads


def _order(pts: NDArray[Any]) -> NDArray[Any]:
    c = pts.mean(axis=0)
    ang = np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0])
    pts = pts[np.argsort(ang)]  # clockwise from the left in image coordinates
    start = int(np.argmin(pts.sum(axis=1)))
    return np.roll(pts, -start, axis=0)


def _same(a: NDArray[Any], b: NDArray[Any]) -> bool:
    return bool(np.linalg.norm(a.mean(axis=0) - b.mean(axis=0)) < 0.1 * np.linalg.norm(a[0] - a[2]))


def frame_from_card(quad: NDArray[Any], size_mm: tuple[float, float] = SIZE_MM["ID-1"]) -> DocumentFrame:
    """Frame of an ID-1 card from its outline; the long side is taken as the width."""
    sides = np.linalg.norm(quad - np.roll(quad, -1, axis=0), axis=1)
    q = quad if sides[0] + sides[2] >= sides[1] + sides[3] else np.roll(quad, -1, axis=0)
    w, h = size_mm
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    return DocumentFrame("ID-1", size_mm, cv2.getPerspectiveTransform(src, q.astype(np.float32)))
