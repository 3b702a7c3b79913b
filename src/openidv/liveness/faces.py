"""Finding the face the liveness checks look at (the face engineer's detector, largest face)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class FoundFace:
    box: tuple[float, float, float, float]
    landmarks5: NDArray[np.float32] | None
    n_faces: int


def largest_face(rgb: NDArray[np.uint8]) -> FoundFace | None:
    """The largest detected face, or None when there is none."""
    from openidv.face.detection import detect_faces, detect_faces_with

    # A selfie's face is large: the HOG pass at native scale finds it in tens of ms; only when it
    # does not, the full cascade (upsampled HOG, CNN, Haar) runs.
    dets = detect_faces_with(rgb, "hog", 0) or detect_faces(rgb, upsample=1)
    if not dets:
        return None
    d = max(dets, key=lambda x: x.area)
    return FoundFace(tuple(float(v) for v in d.box), d.landmarks5, len(dets))  # type: ignore[arg-type]
