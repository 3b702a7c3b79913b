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


def find_face(doc_rgb: NDArray[Any], max_side: int = 640) -> tuple[int, int, int, int] | None:
    """Box (x0, y0, x1, y1) of the largest face on the document; None when no face is found. The
    ghost image (small, faint) loses to the main portrait by size."""
    f = min(1.0, max_side / max(doc_rgb.shape[:2]))
    small = cv2.resize(doc_rgb, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else doc_rgb
    dets = list(_detector()(np.ascontiguousarray(small), 1))
    if not dets:
        return None
    d = max(dets, key=lambda r: r.width() * r.height())
    return int(d.left() / f), int(d.top() / f), int(d.right() / f), int(d.bottom() / f)


def widen(face: tuple[int, int, int, int], shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """A face box widened to the head-and-shoulders crop of a printed portrait (clipped to the image)."""
    x0, y0, x1, y1 = face
    w, h = x1 - x0, y1 - y0
    rows, cols = shape[:2]
    return (int(max(0, x0 - 0.35 * w)), int(max(0, y0 - 0.55 * h)), int(min(cols, x1 + 0.35 * w)),
            int(min(rows, y1 + 0.6 * h)))


def find_portrait(doc_rgb: NDArray[Any], max_side: int = 640) -> tuple[int, int, int, int] | None:
    """Box of the largest face on the document widened to a head-and-shoulders crop as printed;
    None when no face is found."""
    face = find_face(doc_rgb, max_side)
    return None if face is None else widen(face, doc_rgb.shape)


def crop(doc_rgb: NDArray[Any], box: tuple[int, int, int, int]) -> NDArray[Any]:
    x0, y0, x1, y1 = box
    return np.ascontiguousarray(doc_rgb[y0:y1, x0:x1])
