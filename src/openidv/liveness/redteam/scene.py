"""Putting a flat instrument (a print or a screen) into a scene: background, tilt, hands, glare."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from openidv.liveness.redteam.common import (
    Box,
    FaceRef,
    FloatImage,
    box_centre,
    box_size,
    lfw_like_resize,
    transform_box,
)


@dataclass
class Instrument:
    """A rendered instrument: its RGB, its alpha and where the face lies on it."""

    rgb: FloatImage
    alpha: FloatImage
    box: Box
    params: dict[str, Any]


RenderFn = Callable[[FloatImage, Box, np.random.Generator], Instrument]


def content_crop(ref: FaceRef, rng: np.random.Generator, face_px: float) -> tuple[NDArray[np.uint8], Box]:
    """The part of the source photo that is printed/displayed, scaled so the face is `face_px` wide."""
    cx, cy = box_centre(ref.box)
    s = box_size(ref.box)
    h, w = ref.rgb.shape[:2]
    # margins down to 0.6 face widths: a phone or tablet held close shows a face that fills its
    # screen, so the instrument's edge falls inside the context view
    m_side, m_top, m_bottom = rng.uniform(0.6, 1.5), rng.uniform(0.65, 1.5), rng.uniform(0.75, 1.8)
    left, right = max(0, round(cx - m_side * s)), min(w, round(cx + m_side * s))
    top, bottom = max(0, round(cy - m_top * s)), min(h, round(cy + m_bottom * s))
    crop = ref.rgb[top:bottom, left:right]
    scale = face_px / s
    crop = lfw_like_resize(crop, scale, rng)
    b = ref.box
    box = ((b[0] - left) * scale, (b[1] - top) * scale, (b[2] - left) * scale, (b[3] - top) * scale)
    return crop, box


def background(shape: tuple[int, int], rng: np.random.Generator, pool: Sequence[NDArray[np.uint8]] = ()) -> FloatImage:
    """A plausible out-of-focus background: a corner of another photo, or a synthetic room."""
    h, w = shape
    if pool and rng.random() < 0.8:
        src = pool[int(rng.integers(len(pool)))]
        sh, sw = src.shape[:2]
        cw, ch = int(sw * rng.uniform(0.25, 0.45)), int(sh * rng.uniform(0.25, 0.45))
        x0 = 0 if rng.random() < 0.5 else sw - cw
        y0 = int(rng.integers(0, max(1, sh // 3)))
        patch = src[y0 : y0 + ch, x0 : x0 + cw]
        if rng.random() < 0.5:
            patch = patch[:, ::-1]
        bg = cv2.resize(patch, (w, h), interpolation=cv2.INTER_CUBIC).astype(np.float32) / 255.0
    else:
        top, bottom = rng.uniform(0.3, 0.95, 3), rng.uniform(0.1, 0.8, 3)
        t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
        bg = np.broadcast_to(top * (1 - t) + bottom * t, (h, w, 3)).astype(np.float32).copy()
        for _ in range(int(rng.integers(1, 6))):
            x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
            x1, y1 = x0 + int(rng.integers(w // 10, w // 2)), y0 + int(rng.integers(h // 10, h // 2))
            cv2.rectangle(bg, (x0, y0), (x1, y1), tuple(float(v) for v in rng.uniform(0.1, 0.95, 3)), -1)
    sigma = float(rng.uniform(0.5, 8.0))
    return np.asarray(cv2.GaussianBlur(bg, (0, 0), sigma), np.float32)


def add_glare(img: FloatImage, rng: np.random.Generator, strength: float, region: Box | None = None) -> FloatImage:
    """A specular highlight: a soft bright blob (optionally clipped to `region`)."""
    h, w = img.shape[:2]
    x0, y0, x1, y1 = region or (0, 0, w, h)
    cx, cy = rng.uniform(x0, x1), rng.uniform(y0, y1)
    ax, ay = rng.uniform(0.05, 0.35) * (x1 - x0), rng.uniform(0.03, 0.3) * (y1 - y0)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ang = rng.uniform(0, np.pi)
    dx, dy = xx - cx, yy - cy
    u = (dx * np.cos(ang) + dy * np.sin(ang)) / ax
    v = (-dx * np.sin(ang) + dy * np.cos(ang)) / ay
    blob = np.exp(-(u**2 + v**2)).astype(np.float32) * strength
    return np.asarray(img + blob[..., None] * np.array([1.0, 1.0, 1.0], np.float32), np.float32)


def add_fingers(img: FloatImage, rng: np.random.Generator, edge_box: Box, skin: NDArray[np.float32]) -> FloatImage:
    """One to four fingers gripping an edge of the instrument (a held photo or phone)."""
    out = img.copy()
    h, w = img.shape[:2]
    x0, y0, x1, y1 = edge_box
    side = int(rng.integers(4))
    width = max(6.0, 0.06 * (x1 - x0))
    base = rng.uniform(0.1, 0.9)
    for i in range(int(rng.integers(1, 5))):
        t = base + i * 1.1 * width / max(x1 - x0, 1)
        if side in (0, 1):
            x = x0 + t * (x1 - x0)
            y = y1 if side == 0 else y0
            pts = ((x, y), (x, y + (width * 3 if side == 0 else -width * 3)))
        else:
            y = y0 + t * (y1 - y0)
            x = x1 if side == 2 else x0
            pts = ((x, y), (x + (width * 3 if side == 2 else -width * 3), y))
        mask: FloatImage = np.zeros((h, w), np.float32)
        cv2.line(
            mask,
            (round(pts[0][0]), round(pts[0][1])),
            (round(pts[1][0]), round(pts[1][1])),
            1.0,
            round(width),
            cv2.LINE_AA,
        )
        mask = cv2.GaussianBlur(mask, (0, 0), 1.0)[..., None]
        shade = skin * float(rng.uniform(0.75, 1.1))
        out = out * (1 - mask) + shade[None, None, :] * mask
    return out


def place(
    instr: Instrument,
    rng: np.random.Generator,
    pool: Sequence[NDArray[np.uint8]] = (),
    max_tilt: float = 0.1,
    skin: NDArray[np.float32] | None = None,
) -> tuple[NDArray[np.uint8], Box, dict[str, Any]]:
    """Composite the instrument onto a background canvas with a random tilt; returns canvas and face box."""
    ih, iw = instr.rgb.shape[:2]
    grow = float(rng.uniform(1.05, 1.6))
    ch, cw = int(ih * grow), int(iw * grow)
    bg = background((ch, cw), rng, pool)
    ox, oy = (cw - iw) * rng.uniform(0.3, 0.7), (ch - ih) * rng.uniform(0.3, 0.7)
    src = np.array([[0, 0], [iw, 0], [iw, ih], [0, ih]], np.float32)
    jitter = rng.uniform(-max_tilt, max_tilt, (4, 2)).astype(np.float32) * np.float32(min(iw, ih))
    dst = src + np.array([ox, oy], np.float32) + jitter
    h = cv2.getPerspectiveTransform(src, dst)
    rgb = cv2.warpPerspective(instr.rgb, h, (cw, ch), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    alpha = cv2.warpPerspective(instr.alpha, h, (cw, ch), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    canvas = bg * (1 - alpha[..., None]) + rgb * alpha[..., None]
    held = skin is not None and rng.random() < 0.35
    if held and skin is not None:
        canvas = add_fingers(
            canvas,
            rng,
            (float(dst[:, 0].min()), float(dst[:, 1].min()), float(dst[:, 0].max()), float(dst[:, 1].max())),
            skin,
        )
    out_box = transform_box(h.astype(np.float64), instr.box)
    return (
        np.clip(canvas * 255 + 0.5, 0, 255).astype(np.uint8),
        out_box,
        {"canvas": [cw, ch], "grow": round(grow, 3), "held": held},
    )
