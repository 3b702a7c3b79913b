"""Self-blended faces: a training-only pseudo face swap made from one bona fide photo.

A face swap leaves two kinds of trace: the pasted face differs from the frame around it (colour,
sharpness, a slight misregistration), and the blend mask leaves a boundary where the two meet.
Neither needs a second identity to appear, so a bona fide photo blended with a slightly altered
copy of itself shows both, without the identity or face-shape cues that a particular swap method
(ours: :mod:`openidv.liveness.redteam.deepfake`) adds. Training on such samples is the
self-blended images method (Shiohara and Yamasaki, CVPR 2022), which generalised to face-swap
methods never seen in training far better than training on the swaps themselves; here it is also
what lets the deepfake class be learnt when the face swaps are held out (leave-one-species-out).

The samples are labelled with the deepfake class; they are never part of a test split.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from openidv.liveness.redteam.common import (
    FaceRef,
    FloatImage,
    box_size,
    ellipse_mask,
    face_ellipse,
    to_float,
    to_uint8,
)

# SBI's blend ratios: most blends are complete, some leave part of the original showing through.
BLEND_RATIOS = (0.25, 0.5, 0.75, 1.0, 1.0, 1.0)


def _colour(img: FloatImage, rng: np.random.Generator) -> FloatImage:
    """Per-channel shift, then hue / saturation / brightness / contrast (SBI's source transforms)."""
    out = img + rng.uniform(-20, 20, size=3).astype(np.float32) / 255.0
    hsv = cv2.cvtColor(np.clip(out, 0, 1).astype(np.float32), cv2.COLOR_RGB2HSV)
    hsv[..., 0] = (hsv[..., 0] + rng.uniform(-6, 6)) % 360.0
    hsv[..., 1] = np.clip(hsv[..., 1] * rng.uniform(0.85, 1.15), 0, 1)
    out = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)
    mean = float(out.mean())
    out = (out - mean) * rng.uniform(0.9, 1.1) + mean + rng.uniform(-0.05, 0.05)
    return np.asarray(np.clip(out, 0, 1), np.float32)


def _frequency(img: FloatImage, face: float, rng: np.random.Generator) -> tuple[FloatImage, str]:
    """Soften (a generator's lower resolution, or a blur) or sharpen the copy."""
    kind = str(rng.choice(["resample", "blur", "sharpen"]))
    h, w = img.shape[:2]
    if kind == "resample":
        k = float(rng.uniform(0.35, 0.8))
        small = cv2.resize(img, (max(8, round(w * k)), max(8, round(h * k))), interpolation=cv2.INTER_AREA)
        return np.asarray(cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR), np.float32), kind
    if kind == "blur":
        return np.asarray(cv2.GaussianBlur(img, (0, 0), float(rng.uniform(0.006, 0.02)) * face), np.float32), kind
    soft = cv2.GaussianBlur(img, (0, 0), max(0.8, 0.01 * face))
    amount = float(rng.uniform(0.3, 1.0))
    return np.asarray(np.clip(img + amount * (img - soft), 0, 1), np.float32), kind


def _shifted(img: FloatImage, ref: FaceRef, rng: np.random.Generator) -> FloatImage:
    """The copy scaled and moved a little about the face centre (a swap never registers exactly)."""
    h, w = img.shape[:2]
    face = box_size(ref.box)
    cx, cy = (ref.box[0] + ref.box[2]) / 2.0, (ref.box[1] + ref.box[3]) / 2.0
    s = float(rng.uniform(0.95, 1.05))
    tx, ty = rng.uniform(-0.03, 0.03, size=2) * face
    m = np.array([[s, 0.0, (1 - s) * cx + tx], [0.0, s, (1 - s) * cy + ty]], np.float64)
    return np.asarray(cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101))


def _mask(ref: FaceRef, shape: tuple[int, int], rng: np.random.Generator) -> tuple[FloatImage, float]:
    """The inner-face ellipse, shrunk, deformed by a smooth random field and blurred twice."""
    face = box_size(ref.box)
    centre, axes, angle = face_ellipse(ref.box, ref.landmarks5)
    axes = (axes[0] * float(rng.uniform(0.7, 1.0)), axes[1] * float(rng.uniform(0.7, 1.0)))
    hard = ellipse_mask(shape, centre, axes, angle)
    h, w = shape
    field = rng.uniform(-1, 1, size=(2, 5, 5)).astype(np.float32) * float(rng.uniform(0.0, 0.06)) * face
    dx = cv2.resize(field[0], (w, h), interpolation=cv2.INTER_CUBIC)
    dy = cv2.resize(field[1], (w, h), interpolation=cv2.INTER_CUBIC)
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    deformed = cv2.remap(hard, gx + dx, gy + dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    blur = float(rng.uniform(0.01, 0.08)) * face
    soft = cv2.GaussianBlur(cv2.GaussianBlur(deformed, (0, 0), max(blur, 0.5)), (0, 0), max(blur / 2, 0.5))
    return np.asarray(np.clip(soft, 0, 1), np.float32), blur


def self_blend(ref: FaceRef, rng: np.random.Generator) -> tuple[NDArray[np.uint8], dict[str, Any]]:
    """`ref` with an altered copy of itself blended into the inner face; returns (image, params)."""
    img = to_float(ref.rgb)
    copy = _shifted(img, ref, rng)
    copy = _colour(copy, rng)
    copy, freq = _frequency(copy, box_size(ref.box), rng)
    # SBI alters either side: the pasted face or the frame around it
    inner_altered = bool(rng.random() < 0.5)
    inner, outer = (copy, img) if inner_altered else (img, copy)
    mask, blur = _mask(ref, img.shape[:2], rng)
    ratio = float(rng.choice(BLEND_RATIOS))
    alpha = (mask * ratio)[..., None]
    out = outer * (1 - alpha) + inner * alpha
    return to_uint8(out), {
        "pseudo": "self_blend",
        "frequency": freq,
        "inner_altered": inner_altered,
        "blend_ratio": ratio,
        "mask_blur": round(blur, 2),
    }
