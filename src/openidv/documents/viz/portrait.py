"""Find and cut out the holder's portrait on a rectified document (for face matching)."""

from __future__ import annotations

import functools
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray


@functools.cache
def _detector() -> Any:
    import dlib

    return dlib.get_frontal_face_detector()


def find_portrait(doc_rgb: NDArray[Any], max_side: int = 640) -> tuple[int, int, int, int] | None:
    """Box (x0, y0, x1, y1) of the largest face on the document, widened to a head-and-shoulders
    crop as printed; None when no face is found. The ghost image (small, faint) loses to the
    main portrait by size."""
    f = min(1.0, max_side / max(doc_rgb.shape[:2]))
    small = cv2.resize(doc_rgb, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else doc_rgb
    dets = list(_detector()(np.ascontiguousarray(small), 1))
    if not dets:
        return None
    d = max(dets, key=lambda r: r.width() * r.height())
    x0, y0, x1, y1 = d.left() / f, d.top() / f, d.right() / f, d.bottom() / f
    w, h = x1 - x0, y1 - y0
    rows, cols = doc_rgb.shape[:2]
    box = (int(max(0, x0 - 0.35 * w)), int(max(0, y0 - 0.55 * h)), int(min(cols, x1 + 0.35 * w)),
           int(min(rows, y1 + 0.6 * h)))
    return box


def crop(doc_rgb: NDArray[Any], box: tuple[int, int, int, int]) -> NDArray[Any]:
    x0, y0, x1, y1 = box
    return np.ascontiguousarray(doc_rgb[y0:y1, x0:x1])
