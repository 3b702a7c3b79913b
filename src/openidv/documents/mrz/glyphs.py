"""Canonical MRZ geometry and glyph crops, shared by training and reading.

Reading and training must cut glyphs identically, so both go through :func:`crop_cells`: a
rectified MRZ image in which character ``i`` of line ``j`` is centred at
``((i + 0.5) * PITCH, (j + 0.5) * LINE_PITCH)``, each cell cut as a square of ``CROP_FACTOR *
PITCH`` pixels (a little of the neighbours shows, as it will in real crops) and resized to
``GLYPH`` x ``GLYPH``, then normalised for contrast.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

PITCH = 22.0  # canonical character pitch in pixels (2.54 mm on the document)
CAP = PITCH * 0.945  # canonical cap height (about 2.4 mm)
LINE_PITCH = PITCH * 1.65  # canonical line spacing
CROP_FACTOR = 1.3
GLYPH = 32
MARGIN = 4  # cells of margin left and right of a canonical MRZ (room to re-align the grid)


def canonical_size(n_lines: int, width: int) -> tuple[int, int]:
    """(width, height) in pixels of a canonical MRZ image, with MARGIN cells each side."""
    return round((width + 2 * MARGIN) * PITCH), round((n_lines + 0.6) * LINE_PITCH)


def cell_x(i: float) -> float:
    """Canonical x of the centre of character `i` (0 = first character of a line)."""
    return (MARGIN + i + 0.5) * PITCH


def line_y(j: float) -> float:
    """Canonical y of the centre line of MRZ line `j`."""
    return (j + 0.8) * LINE_PITCH


def cell_centres(n_lines: int, width: int) -> NDArray[Any]:
    """(n_lines * width, 2) nominal canonical centres, line-major."""
    xs = np.array([cell_x(i) for i in range(width)], np.float32)
    ys = np.array([line_y(j) for j in range(n_lines)], np.float32)
    gx, gy = np.meshgrid(xs, ys)
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


def crop_cells(canon: NDArray[Any], centres: NDArray[Any], scale: float = 1.0) -> NDArray[Any]:
    """(N, GLYPH, GLYPH) float32 normalised crops of a grey canonical image around `centres`."""
    side = CROP_FACTOR * PITCH * scale
    half = side / 2
    f = GLYPH / side
    out = np.empty((len(centres), GLYPH, GLYPH), np.float32)
    img = canon.astype(np.float32)
    for k, (cx, cy) in enumerate(centres):
        m = np.array([[f, 0, -(cx - half) * f], [0, f, -(cy - half) * f]], np.float32)
        out[k] = cv2.warpAffine(img, m, (GLYPH, GLYPH), flags=cv2.INTER_AREA if f < 1 else cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_REPLICATE)
    return normalise(out)


FLATTEN_KERNEL = 27  # > a glyph's half-width plus blur: the closing sees paper from every ink pixel


def flatten_light(canon: NDArray[Any], kernel: int = FLATTEN_KERNEL, floor: float = 8.0) -> NDArray[Any]:
    """Divide a grey canonical MRZ by its paper brightness, so that a hard shadow edge, a
    vignette or a light gradient across the zone is not read as ink.

    The paper is estimated by a grey closing (a maximum then a minimum over `kernel` pixels): glyph
    strokes, narrower than the kernel, vanish into the paper around them, while a shadow's
    straight edge survives a closing unchanged. Per-crop normalisation (`normalise`) cannot do
    this: a crop that a shadow edge crosses has dark paper on one side, which its percentiles take
    for ink. Paper darker than `floor` is divided by `floor` instead, so the gain is at most
    255 / floor (the locator raises it for whole photos, whose dark backgrounds would otherwise be
    amplified into noise)."""
    element = cv2.getStructuringElement(cv2.MORPH_RECT, (kernel, kernel))
    paper = cv2.morphologyEx(canon, cv2.MORPH_CLOSE, element, borderType=cv2.BORDER_REPLICATE)
    out = canon.astype(np.float32) * (255.0 / np.maximum(paper.astype(np.float32), floor))
    return np.clip(out, 0, 255).astype(np.uint8)


def normalise(crops: NDArray[Any]) -> NDArray[Any]:
    """Per-crop contrast normalisation: ink dark, paper light, whatever the lighting."""
    flat = crops.reshape(len(crops), -1)
    lo = np.percentile(flat, 5, axis=1)[:, None, None]
    hi = np.percentile(flat, 95, axis=1)[:, None, None]
    scale = np.maximum(hi - lo, 12.0)
    return np.clip((crops - lo) / scale, -0.5, 1.5).astype(np.float32) * 2.0 - 1.0
