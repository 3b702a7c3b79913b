"""Types and small image helpers shared by the attack generators."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from openidv.liveness.species import Species

Box = tuple[float, float, float, float]  # left, top, right, bottom
FloatImage = NDArray[Any]  # float32 in [0, 1] (loosely typed: OpenCV returns untyped arrays)


@dataclass(frozen=True)
class FaceRef:
    """A bona fide source image with its detected face (box and dlib 5-point landmarks)."""

    rgb: NDArray[np.uint8]
    box: Box
    landmarks5: NDArray[np.float32] | None = None
    subject_id: str = ""
    sample_id: str = ""


@dataclass
class Generated:
    """One generated capture: the image the camera would deliver, where the face is, its label."""

    rgb: NDArray[np.uint8]
    box: Box
    species: Species
    params: dict[str, Any] = field(default_factory=dict)
    subject_id: str = ""


def to_float(rgb: NDArray[np.uint8]) -> FloatImage:
    return rgb.astype(np.float32) / 255.0


def to_uint8(img: NDArray[np.floating[Any]]) -> NDArray[np.uint8]:
    return np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8)


def box_size(box: Box) -> float:
    return float(max(box[2] - box[0], box[3] - box[1]))


def box_centre(box: Box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2.0, (box[1] + box[3]) / 2.0


def transform_points(h: NDArray[np.float64], pts: NDArray[np.floating[Any]]) -> NDArray[np.float32]:
    """Apply a 3x3 homography to (N, 2) points."""
    p = cv2.perspectiveTransform(pts.reshape(-1, 1, 2).astype(np.float64), h)
    return p.reshape(-1, 2).astype(np.float32)


def transform_box(h: NDArray[np.float64], box: Box) -> Box:
    """Bounding box of a transformed box (corners through the homography)."""
    corners = np.array([[box[0], box[1]], [box[2], box[1]], [box[2], box[3]], [box[0], box[3]]], np.float64)
    t = transform_points(h, corners)
    return float(t[:, 0].min()), float(t[:, 1].min()), float(t[:, 0].max()), float(t[:, 1].max())


def similarity(
    scale: float, angle_deg: float, src_c: tuple[float, float], dst_c: tuple[float, float]
) -> NDArray[np.float64]:
    """3x3 similarity mapping src_c to dst_c with the given scale and rotation."""
    a = np.deg2rad(angle_deg)
    c, s = np.cos(a) * scale, np.sin(a) * scale
    m = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    m[0, 2] = dst_c[0] - (c * src_c[0] - s * src_c[1])
    m[1, 2] = dst_c[1] - (s * src_c[0] + c * src_c[1])
    return m


def ellipse_mask(
    shape: tuple[int, int],
    centre: tuple[float, float],
    axes: tuple[float, float],
    angle: float = 0.0,
    feather: float = 0.0,
) -> FloatImage:
    """A float mask in [0, 1] of a filled ellipse, optionally feathered by a Gaussian blur."""
    m: FloatImage = np.zeros(shape, np.float32)
    cv2.ellipse(
        m,
        (round(centre[0]), round(centre[1])),
        (max(1, round(axes[0])), max(1, round(axes[1]))),
        angle,
        0,
        360,
        1.0,
        -1,
        cv2.LINE_AA,
    )
    if feather > 0:
        m = cv2.GaussianBlur(m, (0, 0), feather)
    return m


def face_ellipse(
    box: Box, landmarks: NDArray[np.float32] | None
) -> tuple[tuple[float, float], tuple[float, float], float]:
    """An ellipse covering the inner face (forehead to chin), from landmarks when known."""
    cx, cy = box_centre(box)
    w = box[2] - box[0]
    angle = 0.0
    if landmarks is not None and len(landmarks) == 5:
        eyes_a, eyes_b = landmarks[0:2].mean(axis=0), landmarks[2:4].mean(axis=0)
        eye_mid = (eyes_a + eyes_b) / 2.0
        d = eyes_b - eyes_a
        angle = float(np.degrees(np.arctan2(d[1], d[0])))
        if abs(angle) > 90:
            angle -= 180.0 * np.sign(angle)
        nose = landmarks[4]
        cx, cy = float((eye_mid[0] + nose[0]) / 2.0), float(nose[1])
    return (cx, cy), (0.5 * w, 0.68 * w), angle


def lfw_like_resize(img: NDArray[np.uint8], scale: float, rng: np.random.Generator) -> NDArray[np.uint8]:
    """Resize with a randomly chosen interpolation (so no one kernel becomes a class cue)."""
    interp = (cv2.INTER_LINEAR, cv2.INTER_CUBIC, cv2.INTER_AREA, cv2.INTER_LANCZOS4)[int(rng.integers(4))]
    h, w = img.shape[:2]
    out = cv2.resize(img, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=interp)
    return np.asarray(out, np.uint8)
