"""Face alignment: the exact chip dlib's face-recognition network was trained on.

The ResNet embedder expects dlib's own 5-point alignment (a similarity transform of the landmarks
onto dlib's mean face, 150x150 pixels, 0.25 padding, bilinear sampling). Reimplementing it costs
accuracy for nothing, so this calls ``dlib.get_face_chip`` with a shape rebuilt from the
detection. Other sizes and paddings serve quality measurement and liveness crops.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from openidv.errors import ImageError
from openidv.face.detection import FaceDetection


def to_dlib_shape(det: FaceDetection) -> Any:
    """A ``dlib.full_object_detection`` equivalent to the detection (landmarks rounded to pixels)."""
    import dlib

    rect = dlib.rectangle(*(int(v) for v in det.box))
    pts = dlib.points()
    for x, y in np.asarray(det.landmarks5, dtype=np.float64):
        pts.append(dlib.point(round(x), round(y)))
    return dlib.full_object_detection(rect, pts)


def align_face(rgb: NDArray[np.uint8], det: FaceDetection, size: int = 150, padding: float = 0.25) -> NDArray[np.uint8]:
    """The upright, scaled face chip (size x size x 3 RGB uint8) for one detection."""
    import dlib

    if not isinstance(rgb, np.ndarray) or rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ImageError("face alignment needs an RGB uint8 array of shape (H, W, 3)")
    if np.asarray(det.landmarks5).shape != (5, 2):
        raise ValueError("align_face needs 5-point landmarks of shape (5, 2)")
    if not 16 <= size <= 1024 or not 0.0 <= padding <= 2.0:
        raise ValueError("align_face: size must be in [16, 1024] and padding in [0, 2]")
    chip = dlib.get_face_chip(np.ascontiguousarray(rgb), to_dlib_shape(det), size=size, padding=padding)
    return np.asarray(chip, dtype=np.uint8)
