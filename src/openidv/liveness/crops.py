"""The two views the passive model looks at, cut the same way in training and at run time.

* ``tight``: the face box itself (scale :data:`TIGHT_SCALE`): skin texture, where halftone dots,
  screen pixel grids, moire, paper grain and blend seams live.
* ``context``: :data:`CONTEXT_SCALE` times the box: what surrounds the face, where the edge of
  a sheet, a phone bezel, fingers holding a device or a mask's rim show.

Parts of a view outside the image are filled with mid-grey in both training and use, so padding
never tells the classes apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

TIGHT_SCALE = 1.15
CONTEXT_SCALE = 2.3
TIGHT_SIZE = 80  # defaults; a model's own sizes are read from its ONNX inputs (pad.PassivePAD)
CONTEXT_SIZE = 64
PAD_VALUE = 127


def square_crop(rgb: NDArray[np.uint8], box: Sequence[float], scale: float, size: int) -> NDArray[np.uint8]:
    """A `size`-pixel square around the box centre, `scale` times the box's larger side."""
    x0, y0, x1, y1 = (float(v) for v in box)
    side = max(x1 - x0, y1 - y0, 1.0) * scale
    cx, cy = (x0 + x1) / 2.0, (y0 + y1) / 2.0
    k = size / side
    m = np.array([[k, 0.0, size / 2.0 - k * cx], [0.0, k, size / 2.0 - k * cy]], np.float64)
    src: NDArray[Any] = rgb
    if k < 1:  # warpAffine has no area filter: shrink first (INTER_AREA), then place
        src = cv2.resize(rgb, None, fx=k, fy=k, interpolation=cv2.INTER_AREA)
        m = np.array([[1.0, 0.0, size / 2.0 - k * cx], [0.0, 1.0, size / 2.0 - k * cy]], np.float64)
    out = cv2.warpAffine(
        src,
        m,
        (size, size),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(PAD_VALUE,) * 3,
    )
    return np.asarray(out, np.uint8)


def face_views(
    rgb: NDArray[np.uint8], box: Sequence[float], tight_size: int = TIGHT_SIZE, context_size: int = CONTEXT_SIZE
) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    """(tight, context) views of one face, at the sizes the model was trained on."""
    return (
        square_crop(rgb, box, TIGHT_SCALE, tight_size),
        square_crop(rgb, box, CONTEXT_SCALE, context_size),
    )


def jitter_box(
    box: Sequence[float], rng: np.random.Generator, shift: float = 0.08, scale: float = 0.1
) -> tuple[float, float, float, float]:
    """A detector-like perturbation of a box (training only)."""
    x0, y0, x1, y1 = (float(v) for v in box)
    w, h = x1 - x0, y1 - y0
    cx, cy = (x0 + x1) / 2 + rng.normal(0, shift) * w, (y0 + y1) / 2 + rng.normal(0, shift) * h
    s = float(np.exp(rng.normal(0, scale)))
    return cx - w * s / 2, cy - h * s / 2, cx + w * s / 2, cy + h * s / 2
