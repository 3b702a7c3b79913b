"""The simulated camera every generated sample passes through, bona fide and attack alike.

Framing (face size, position, roll, slight perspective), optics (defocus, motion blur), sensor
(shot and read noise), processing (white balance, gamma, contrast) and the codec (JPEG quality)
are drawn from the same distributions for both classes. A detector trained on the output can
therefore only separate the classes by what the attack instrument adds.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from openidv.liveness.redteam.common import (
    Box,
    FloatImage,
    box_centre,
    box_size,
    similarity,
    transform_box,
    transform_points,
)


@dataclass(frozen=True)
class CameraParams:
    """Ranges of the simulated camera; `strength` scales every degradation."""

    out_size: tuple[int, int] = (200, 320)
    face_fraction: tuple[float, float] = (0.36, 0.6)
    max_roll_deg: float = 7.0
    max_perspective: float = 0.035
    jpeg_quality: tuple[int, int] = (40, 96)
    strength: float = 1.0


def _framing(
    scene_shape: tuple[int, int], box: Box, rng: np.random.Generator, p: CameraParams
) -> tuple[NDArray[np.float64], int]:
    """Homography scene -> output that frames the face, zooming in until it stays inside the scene."""
    size = int(rng.integers(p.out_size[0], p.out_size[1] + 1))
    frac = float(rng.uniform(*p.face_fraction))
    roll = float(rng.uniform(-p.max_roll_deg, p.max_roll_deg))
    jx, jy = rng.uniform(-0.06, 0.06, 2) * size
    persp = rng.uniform(-p.max_perspective, p.max_perspective, (4, 2)) * size
    h_img, w_img = scene_shape
    src_c = box_centre(box)
    for _ in range(12):
        scale = frac * size / max(box_size(box), 1.0)
        sim = similarity(scale, roll, src_c, (size / 2 + jx, size * 0.47 + jy))
        corners = np.array([[0, 0], [size, 0], [size, size], [0, size]], np.float32)
        tilt = cv2.getPerspectiveTransform(corners, corners + persp.astype(np.float32))
        h = tilt @ sim
        back = transform_points(np.asarray(np.linalg.inv(h), np.float64), corners)
        inside = (back[:, 0] >= -0.5).all() and (back[:, 1] >= -0.5).all()
        inside = inside and (back[:, 0] <= w_img - 0.5).all() and (back[:, 1] <= h_img - 0.5).all()
        if inside:
            break
        frac *= 1.06
    return h, size


def _optics(img: FloatImage, rng: np.random.Generator, k: float) -> FloatImage:
    if rng.random() < 0.7:
        img = cv2.GaussianBlur(img, (0, 0), float(rng.uniform(0.3, 1.3)) * k + 1e-3)
    if rng.random() < 0.15 * k:
        length = int(rng.integers(3, 8))
        kernel: FloatImage = np.zeros((length, length), np.float32)
        kernel[length // 2, :] = 1.0 / length
        rot = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), float(rng.uniform(0, 180)), 1.0)
        kernel = np.asarray(cv2.warpAffine(kernel, rot, (length, length)), np.float32)
        img = cv2.filter2D(img, -1, kernel / max(float(kernel.sum()), 1e-6))
    return img


def _processing(img: FloatImage, rng: np.random.Generator, k: float) -> FloatImage:
    gains = 1.0 + rng.normal(0, 0.06 * k, 3).astype(np.float32)
    img = img * gains[None, None, :]
    gamma = float(np.exp(rng.normal(0, 0.12 * k)))
    img = np.clip(img, 0, 1) ** gamma
    contrast = float(np.exp(rng.normal(0, 0.1 * k)))
    bright = float(rng.normal(0, 0.04 * k))
    img = (img - 0.5) * contrast + 0.5 + bright
    sat = float(np.exp(rng.normal(0, 0.12 * k)))
    grey = img.mean(axis=2, keepdims=True)
    return np.asarray(grey + (img - grey) * sat, np.float32)


def _sensor(img: FloatImage, rng: np.random.Generator, k: float) -> FloatImage:
    shot = float(rng.uniform(0.0, 0.012)) * k
    read = float(rng.uniform(0.002, 0.018)) * k
    std = np.sqrt(np.clip(img, 0, 1) * shot**2 * 10 + read**2)
    noise: FloatImage = rng.standard_normal(img.shape).astype(np.float32) * std
    if rng.random() < 0.5:  # chroma noise is smoother than luma noise after demosaicing
        noise = cv2.GaussianBlur(noise, (0, 0), 0.7)
    return img + noise


def jpeg_roundtrip(rgb: NDArray[np.uint8], quality: int) -> NDArray[np.uint8]:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="JPEG", quality=int(quality))
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"), dtype=np.uint8)


def capture(
    scene: NDArray[np.uint8], box: Box, rng: np.random.Generator, params: CameraParams | None = None
) -> tuple[NDArray[np.uint8], Box, dict[str, Any]]:
    """Photograph `scene` (uint8 RGB) framing the face `box`; returns the image and the new box."""
    p = params or CameraParams()
    k = p.strength
    h, size = _framing(scene.shape[:2], box, rng, p)
    src: FloatImage = scene.astype(np.float32) / 255.0
    down = 1.0 / max(float(np.sqrt(abs(np.linalg.det(h[:2, :2])))), 1e-6)
    if rng.random() < 0.5 and down > 1.2:  # some optics low-pass before the sensor samples, some do not
        src = cv2.GaussianBlur(src, (0, 0), float(rng.uniform(0.2, 0.5)) * down)
    interp = cv2.INTER_LINEAR if rng.random() < 0.7 else cv2.INTER_CUBIC
    img = cv2.warpPerspective(src, h, (size, size), flags=interp, borderMode=cv2.BORDER_REFLECT_101)
    img = _optics(img, rng, k)
    img = _processing(img, rng, k)
    img = _sensor(img, rng, k)
    out = np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8)
    quality = int(rng.integers(p.jpeg_quality[0], p.jpeg_quality[1] + 1))
    if rng.random() < 0.9:
        out = jpeg_roundtrip(out, quality)
    else:
        quality = 100
    return out, transform_box(h, box), {"size": size, "downsample": round(down, 3), "jpeg": quality}
