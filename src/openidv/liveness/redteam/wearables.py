"""Instruments worn over a real face: a cut-out paper mask with eye holes, and a mask-like texture
(resin, latex, silicone look). The person and scene around them are genuine."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from openidv.liveness.redteam.align import eye_centres, source_to_target
from openidv.liveness.redteam.common import (
    FaceRef,
    FloatImage,
    box_size,
    ellipse_mask,
    face_ellipse,
    to_float,
    to_uint8,
)
from openidv.liveness.redteam.print_attack import halftone_screens, paper_texture, print_gamut
from openidv.liveness.redteam.scene import add_glare


def _holes(shape: tuple[int, int], wearer: FaceRef, rng: np.random.Generator, mouth: bool) -> FloatImage:
    """Alpha of the holes through which the wearer's own eyes (and mouth) show."""
    left, right = eye_centres(wearer)
    d = float(np.linalg.norm(right - left))
    holes = np.zeros(shape, np.float32)
    rx, ry = d * rng.uniform(0.2, 0.32), d * rng.uniform(0.12, 0.2)
    for c in (left, right):
        holes = np.maximum(holes, ellipse_mask(shape, (float(c[0]), float(c[1])), (rx, ry)))
    if mouth:
        mid = (left + right) / 2
        holes = np.maximum(holes, ellipse_mask(shape, (float(mid[0]), float(mid[1] + d * 1.05)), (d * 0.4, d * 0.16)))
    return holes


def _rim(alpha: FloatImage, width: float) -> FloatImage:
    """A thin band along every cut edge (paper thickness and its shadow)."""
    grad = cv2.morphologyEx(alpha, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    return np.asarray(np.clip(cv2.GaussianBlur(grad, (0, 0), max(width, 0.5)) * 2.0, 0, 1), np.float32)


def cutout(wearer: FaceRef, source: FaceRef, rng: np.random.Generator) -> tuple[np.ndarray, dict[str, Any]]:
    """A printed face of `source`, cut out and held over `wearer`'s face, eyes showing through."""
    h, w = wearer.rgb.shape[:2]
    m = source_to_target(source, wearer)
    grow = float(rng.uniform(1.0, 1.15))
    cx, cy = (wearer.box[0] + wearer.box[2]) / 2, (wearer.box[1] + wearer.box[3]) / 2
    zoom = np.array([[grow, 0, cx * (1 - grow)], [0, grow, cy * (1 - grow)], [0, 0, 1]])
    # only the face region of the source is printed (it is all the cut-out keeps)
    s = box_size(source.box)
    sh, sw = source.rgb.shape[:2]
    x0, y0 = max(0, int(source.box[0] - 0.6 * s)), max(0, int(source.box[1] - 0.8 * s))
    x1, y1 = min(sw, int(source.box[2] + 0.6 * s)), min(sh, int(source.box[3] + 0.8 * s))
    m = zoom @ m @ np.array([[1, 0, x0], [0, 1, y0], [0, 0, 1]], np.float64)
    printed, _ = print_gamut(to_float(source.rgb[y0:y1, x0:x1]), rng)
    if rng.random() < 0.6:
        printed = printed * 0.4 + halftone_screens(printed, rng, float(rng.uniform(2.2, 5.0))) * 0.6
    printed = paper_texture(printed, rng)
    warped = cv2.warpPerspective(printed, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
    centre, axes, angle = face_ellipse(wearer.box, wearer.landmarks5)
    shape_kind = "ellipse" if rng.random() < 0.7 else "rectangle"
    if shape_kind == "ellipse":
        k = rng.uniform(1.05, 1.35)
        alpha = ellipse_mask((h, w), centre, (axes[0] * k, axes[1] * k), angle)
    else:
        alpha = np.zeros((h, w), np.float32)
        bw = (wearer.box[2] - wearer.box[0]) * rng.uniform(0.65, 0.9)
        cv2.rectangle(alpha, (round(cx - bw), round(cy - bw * 1.2)), (round(cx + bw), round(cy + bw * 1.3)), 1.0, -1)
    mouth = bool(rng.random() < 0.3)
    alpha = alpha * (1 - _holes((h, w), wearer, rng, mouth))
    base = to_float(wearer.rgb)
    out = base * (1 - alpha[..., None]) + warped * alpha[..., None]
    rim = _rim(alpha, float(rng.uniform(0.6, 1.8)))
    out = out * (1 - rim[..., None] * float(rng.uniform(0.3, 0.7)))
    return to_uint8(out), {"shape": shape_kind, "mouth_hole": mouth, "grow": round(grow, 3)}


def mask_texture(wearer: FaceRef, rng: np.random.Generator) -> tuple[np.ndarray, dict[str, Any]]:
    """Replace the face's skin by a smooth, uniform, slightly glossy material with eye holes."""
    h, w = wearer.rgb.shape[:2]
    face = max(wearer.box[2] - wearer.box[0], 1.0)
    k = min(1.0, 80.0 / face)  # smooth at ~80 px per face: same look, a fraction of the cost
    small = cv2.resize(wearer.rgb, None, fx=k, fy=k, interpolation=cv2.INTER_AREA)
    small = cv2.bilateralFilter(small, 0, float(rng.uniform(20, 60)), float(rng.uniform(2, 5)))
    if rng.random() < 0.5:
        small = cv2.medianBlur(small, 5)
    smooth = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    lab = cv2.cvtColor(smooth, cv2.COLOR_RGB2LAB).astype(np.float32)
    target = np.array([rng.uniform(120, 200), rng.uniform(128, 150), rng.uniform(128, 160)], np.float32)
    flat = float(rng.uniform(0.4, 0.85))
    tone = float(rng.uniform(0.5, 1.0))
    lab[..., 0] = target[0] + (lab[..., 0] - lab[..., 0].mean()) * flat
    lab[..., 1:] = lab[..., 1:] * (1 - tone) + target[1:] * tone
    material = cv2.cvtColor(np.clip(lab, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB).astype(np.float32) / 255
    centre, axes, angle = face_ellipse(wearer.box, wearer.landmarks5)
    k = rng.uniform(1.0, 1.25)
    glossy = rng.random() < 0.6
    if glossy:
        region = (centre[0] - axes[0], centre[1] - axes[1], centre[0] + axes[0], centre[1] + axes[1])
        material = add_glare(material, rng, float(rng.uniform(0.1, 0.4)), region)
    hard = rng.random() < 0.6
    alpha = ellipse_mask((h, w), centre, (axes[0] * k, axes[1] * k), angle, 0.0 if hard else 3.0)
    alpha = alpha * (1 - _holes((h, w), wearer, rng, bool(rng.random() < 0.4)))
    base = to_float(wearer.rgb)
    out = base * (1 - alpha[..., None]) + material * alpha[..., None]
    out = out * (1 - _rim(alpha, 1.0)[..., None] * float(rng.uniform(0.1, 0.5)))
    return to_uint8(out), {
        "flatness": round(flat, 3),
        "tone": round(tone, 3),
        "glossy": glossy,
        "hard_edge": hard,
    }
