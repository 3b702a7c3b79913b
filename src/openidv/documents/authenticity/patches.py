"""Patches of a rectified document, as the tamper/recapture model sees them.

Documents are rectified to ``PX_PER_MM`` and cut into ``PATCH`` x ``PATCH`` tiles. Each tile has
four channels: RGB scaled to [-1, 1] and a Laplacian residual of the grey image (the fine texture
that resampling, re-compression, moiré and halftone change). Training and inference both go
through :func:`tile` and :func:`features`, so they cannot drift apart.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

PX_PER_MM = 8.0
PATCH = 64
CLASSES = ("genuine", "tampered", "screen", "print")


def features(patches: NDArray[Any]) -> NDArray[Any]:
    """(N, P, P, 3) uint8 RGB -> (N, 4, P, P) float32 model input."""
    x = patches.astype(np.float32) / 127.5 - 1.0
    out = np.empty((len(patches), 4, PATCH, PATCH), np.float32)
    out[:, :3] = x.transpose(0, 3, 1, 2)
    for i, p in enumerate(patches):
        g = cv2.cvtColor(p, cv2.COLOR_RGB2GRAY).astype(np.float32)
        out[i, 3] = np.clip(cv2.Laplacian(g, cv2.CV_32F, ksize=3) / 32.0, -3, 3)
    return out


def tile_origins(shape: tuple[int, ...], stride: int = PATCH) -> list[tuple[int, int]]:
    h, w = shape[:2]
    ys = list(range(0, max(1, h - PATCH + 1), stride))
    xs = list(range(0, max(1, w - PATCH + 1), stride))
    if ys[-1] + PATCH < h:
        ys.append(h - PATCH)
    if xs[-1] + PATCH < w:
        xs.append(w - PATCH)
    return [(y, x) for y in ys for x in xs]


def tile(doc: NDArray[Any], stride: int = PATCH) -> tuple[NDArray[Any], list[tuple[int, int]]]:
    """All tiles of a rectified RGB document and their (y, x) origins."""
    origins = tile_origins(doc.shape, stride)
    return np.stack([doc[y : y + PATCH, x : x + PATCH] for y, x in origins]), origins
