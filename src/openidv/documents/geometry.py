"""Document frames: where the document is in the photo, and a flat, upright view of it.

For MRZ documents the MRZ itself fixes the frame: ICAO 9303 puts the MRZ at a known place on each
format, so the four corners of the read MRZ (which the reader returns in reading order, hence
upright) give a homography from document millimetres to photo pixels - independent of the issuer's
design, of the background and of whether the card's edges are visible. For other documents
(driver licences) the frame comes from the card outline (:func:`openidv.documents.outline.find_card`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from openidv.documents.outline import find_card, order_corners, same_place

__all__ = ["SIZE_MM", "DocumentFrame", "find_card", "frame_from_card", "frame_from_mrz", "order_corners",
           "same_place"]

# (width, height) in mm and the MRZ placement: left ink margin, centre of the last line above the
# bottom edge, line spacing (all mm). Placement follows ICAO 9303-4/5/6 nominal positions.
SIZE_MM = {"TD1": (85.6, 53.98), "TD2": (105.0, 74.0), "TD3": (125.0, 88.0), "MRV-A": (120.0, 80.0),
           "MRV-B": (105.0, 74.0), "ID-1": (85.6, 53.98), "FRA-ID": (105.0, 74.0)}
# FRA-ID (France's 1988-2021 card, ID-2 sized, MRZ along the bottom of its face) as TD2.
MRZ_PLACE = {"TD1": (4.95, 5.4, 3.9), "TD2": (6.8, 6.2, 4.3), "TD3": (6.6, 6.2, 4.3), "MRV-A": (4.1, 6.2, 4.3),
             "MRV-B": (6.8, 6.2, 4.3), "FRA-ID": (6.8, 6.2, 4.3)}
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

    def half_turned(self) -> DocumentFrame:
        """The same outline read the other way up (a card outline cannot tell top from bottom)."""
        w, h = self.size_mm
        turn = np.array([[-1.0, 0.0, w], [0.0, -1.0, h], [0.0, 0.0, 1.0]])
        return DocumentFrame(self.fmt, self.size_mm, self.mm_to_px @ turn)

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


def frame_from_card(quad: NDArray[Any], size_mm: tuple[float, float] = SIZE_MM["ID-1"]) -> DocumentFrame:
    """Frame of an ID-1 card from its outline; the long side is taken as the width."""
    sides = np.linalg.norm(quad - np.roll(quad, -1, axis=0), axis=1)
    q = quad if sides[0] + sides[2] >= sides[1] + sides[3] else np.roll(quad, -1, axis=0)
    w, h = size_mm
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    return DocumentFrame("ID-1", size_mm, cv2.getPerspectiveTransform(src, q.astype(np.float32)))
