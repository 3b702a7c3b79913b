"""Synthetic degradations of real face photos, for tuning and testing face quality.

Each degradation is sized relative to the face (its inter-eye distance and box) so that it means
the same on a 250 px LFW photo and on a 12-megapixel selfie, and draws its strength from a range
with a seeded generator. The expected reason code of each is in :data:`EXPECTED`.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
from numpy.typing import NDArray

from openidv.face.detection import FaceDetection
from openidv.face.quality import pose

RGB = NDArray[np.uint8]
KINDS = ("blur", "dark", "overexposed", "occluded", "tiny", "two_faces")
CONTROLS = ("covered",)  # not a quality problem of a visible face: nothing face-like is left
EXPECTED = {
    "covered": "FACE_NOT_FOUND",
    "blur": "FACE_BLURRY",
    "dark": "FACE_TOO_DARK",
    "overexposed": "FACE_OVEREXPOSED",
    "occluded": "FACE_OCCLUDED",
    "tiny": "FACE_TOO_SMALL",
    "two_faces": "MULTIPLE_FACES",
}


def _clip(x: NDArray[np.floating]) -> RGB:
    return np.clip(x, 0, 255).astype(np.uint8)


def blur(rgb: RGB, det: FaceDetection, rng: np.random.Generator) -> RGB:
    """Defocus (Gaussian) or motion blur, about a sixth of the inter-eye distance."""
    ied = pose(det.landmarks5)[0]
    if rng.random() < 0.5:
        sigma = ied * rng.uniform(0.12, 0.2)
        return np.asarray(cv2.GaussianBlur(rgb, (0, 0), sigma), dtype=np.uint8)
    length = max(3, int(ied * rng.uniform(0.35, 0.6)))
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1.0 / length
    rot = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), rng.uniform(0, 180), 1.0)
    kernel = np.asarray(cv2.warpAffine(kernel, rot, (length, length)), dtype=np.float32)
    return np.asarray(cv2.filter2D(rgb, -1, kernel / max(float(kernel.sum()), 1e-6)), dtype=np.uint8)


def dark(rgb: RGB, det: FaceDetection, rng: np.random.Generator) -> RGB:
    """Under-exposure: a fraction of the light, with sensor noise."""
    x = rgb.astype(np.float32) * rng.uniform(0.06, 0.16)
    return _clip(x + rng.normal(0, 1.5, rgb.shape))


def overexposed(rgb: RGB, det: FaceDetection, rng: np.random.Generator) -> RGB:
    """Over-exposure: gain and offset that clip most of the face to white."""
    return _clip(rgb.astype(np.float32) * rng.uniform(2.2, 3.2) + rng.uniform(50, 90))


def _fill(shape: tuple[int, int], rng: np.random.Generator) -> NDArray[np.float32]:
    h, w = shape
    kind = rng.integers(0, 3)
    colour = rng.uniform(0, 255, 3).astype(np.float32)
    if kind == 0:  # a solid object (card, scarf)
        return np.broadcast_to(colour, (h, w, 3)).astype(np.float32)
    if kind == 1:  # textured fabric
        noise = rng.normal(0, 40, (max(1, h // 4), max(1, w // 4), 3)).astype(np.float32)
        return np.clip(colour + cv2.resize(noise, (w, h), interpolation=cv2.INTER_LINEAR), 0, 255)
    ramp = np.linspace(0.5, 1.2, w, dtype=np.float32)[None, :, None]  # a shaded smooth surface
    return np.clip(colour * ramp * np.ones((h, 1, 1), np.float32), 0, 255)


def occluded(rgb: RGB, det: FaceDetection, rng: np.random.Generator) -> RGB:
    """Half of the face (upper, lower, left or right) hidden behind an object."""
    left, top, right, bottom = det.box
    w, h = right - left, bottom - top
    left, right = max(0, int(left - 0.1 * w)), min(rgb.shape[1], int(right + 0.1 * w))
    top, bottom = max(0, int(top - 0.1 * h)), min(rgb.shape[0], int(bottom + 0.1 * h))
    cx, cy = (left + right) // 2, (top + bottom) // 2
    side = rng.integers(0, 4)
    halves = [(top, cy, left, right), (cy, bottom, left, right)]
    halves += [(top, bottom, left, cx), (top, bottom, cx, right)]
    y0, y1, x0, x1 = halves[side]
    out = rgb.astype(np.float32).copy()
    out[y0:y1, x0:x1] = _fill((y1 - y0, x1 - x0), rng)
    return _clip(out)


def covered(rgb: RGB, det: FaceDetection, rng: np.random.Generator) -> RGB:
    """The whole face (its box grown by 25% each way) behind an object: the faceless control."""
    left, top, right, bottom = det.box
    w, h = right - left, bottom - top
    x0, x1 = max(0, int(left - 0.25 * w)), min(rgb.shape[1], int(right + 0.25 * w))
    y0, y1 = max(0, int(top - 0.25 * h)), min(rgb.shape[0], int(bottom + 0.25 * h))
    out = rgb.astype(np.float32).copy()
    out[y0:y1, x0:x1] = _fill((y1 - y0, x1 - x0), rng)
    return _clip(out)


def tiny(rgb: RGB, det: FaceDetection, rng: np.random.Generator) -> RGB:
    """The same photo shrunk until the eyes are 10-16 pixels apart, on a plain background."""
    ied = pose(det.landmarks5)[0]
    scale = min(1.0, rng.uniform(10.0, 16.0) / max(ied, 1.0))
    h, w = rgb.shape[:2]
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = np.asarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    canvas = np.empty_like(rgb)
    canvas[:] = rng.integers(40, 215, 3).astype(np.uint8)
    y, x = (h - small.shape[0]) // 2, (w - small.shape[1]) // 2
    canvas[y : y + small.shape[0], x : x + small.shape[1]] = small
    return canvas


def two_faces(rgb: RGB, other: RGB) -> RGB:
    """The photo side by side with another person's photo of the same height."""
    h = rgb.shape[0]
    scale = h / other.shape[0]
    size = (max(1, round(other.shape[1] * scale)), h)
    other = np.asarray(cv2.resize(other, size, interpolation=cv2.INTER_AREA))
    return np.ascontiguousarray(np.concatenate([rgb, other], axis=1))


_SIMPLE: dict[str, Callable[[RGB, FaceDetection, np.random.Generator], RGB]] = {
    "blur": blur,
    "dark": dark,
    "overexposed": overexposed,
    "occluded": occluded,
    "tiny": tiny,
    "covered": covered,
}


def degrade(kind: str, rgb: RGB, det: FaceDetection, rng: np.random.Generator, other: RGB | None = None) -> RGB:
    """Apply one named degradation (``two_faces`` needs ``other``)."""
    if kind == "two_faces":
        if other is None:
            raise ValueError("two_faces needs another face photo")
        return two_faces(rgb, other)
    try:
        return _SIMPLE[kind](rgb, det, rng)
    except KeyError:
        raise ValueError(f"unknown degradation {kind!r}; one of {KINDS + CONTROLS}") from None
