"""Mapping one face onto another: from 5-point landmarks when known, else from the face boxes."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from openidv.liveness.redteam.common import Box, FaceRef, box_centre, box_size, similarity


def scaled(ref: FaceRef, k: float) -> FaceRef:
    """The reference resized by `k` (image, box and landmarks together)."""
    rgb = cv2.resize(
        ref.rgb,
        (round(ref.rgb.shape[1] * k), round(ref.rgb.shape[0] * k)),
        interpolation=cv2.INTER_CUBIC if k > 1 else cv2.INTER_AREA,
    )
    box: Box = (ref.box[0] * k, ref.box[1] * k, ref.box[2] * k, ref.box[3] * k)
    lm = None if ref.landmarks5 is None else (ref.landmarks5 * k).astype(np.float32)
    return FaceRef(np.asarray(rgb, np.uint8), box, lm, ref.subject_id, ref.sample_id)


def eye_centres(ref: FaceRef) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """The two eye centres (image-left first), from landmarks or the usual box geometry."""
    if ref.landmarks5 is not None:
        a, b = ref.landmarks5[0:2].mean(axis=0), ref.landmarks5[2:4].mean(axis=0)
        return (a, b) if a[0] < b[0] else (b, a)
    x0, y0, x1, y1 = ref.box
    w, h = x1 - x0, y1 - y0
    return (
        np.array([x0 + 0.3 * w, y0 + 0.38 * h], np.float32),
        np.array([x0 + 0.7 * w, y0 + 0.38 * h], np.float32),
    )


def source_to_target(source: FaceRef, target: FaceRef) -> NDArray[np.float64]:
    """3x3 similarity taking the source face onto the target face."""
    if source.landmarks5 is not None and target.landmarks5 is not None:
        m, _ = cv2.estimateAffinePartial2D(source.landmarks5.astype(np.float32), target.landmarks5.astype(np.float32))
        if m is not None:
            return np.vstack([m, [0.0, 0.0, 1.0]])
    return similarity(
        box_size(target.box) / max(box_size(source.box), 1.0),
        0.0,
        box_centre(source.box),
        box_centre(target.box),
    )
