"""Putting a flat instrument (a print or a screen) into a scene: background, tilt, hands, glare.

Two levels of detail. The first (red team v4, kept so its data sets reproduce) draws a held
instrument's fingers as thin strokes of skin colour. The second (v5, ``detail=True``) adds what
real held replays and prints show in the photographs they come back in: the room reflected in a
glossy surface (:func:`add_reflection`), a thumb lying over the instrument's edge and fingertips
showing round the sides from behind it (:func:`hand_masks`).
"""

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


def content_crop(
    ref: FaceRef, rng: np.random.Generator, face_px: float, close_up: bool = False
) -> tuple[NDArray[np.uint8], Box]:
    """The part of the source photo that is printed/displayed, scaled so the face is `face_px` wide.

    ``close_up`` (v5) lets the margins fall to a quarter of a face width: a replayed selfie fills
    its phone's screen edge to edge, hair cut off, so the whole device sits inside the frame.
    """
    cx, cy = box_centre(ref.box)
    s = box_size(ref.box)
    h, w = ref.rgb.shape[:2]
    # margins down to 0.6 face widths: a phone or tablet held close shows a face that fills its
    # screen, so the instrument's edge falls inside the context view
    low = (0.25, 0.3, 0.4) if close_up else (0.6, 0.65, 0.75)
    m_side, m_top, m_bottom = rng.uniform(low[0], 1.5), rng.uniform(low[1], 1.5), rng.uniform(low[2], 1.8)
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


def add_reflection(
    img: FloatImage, rng: np.random.Generator, pool: Sequence[NDArray[np.uint8]], strength: float
) -> FloatImage:
    """The room mirrored in a glossy surface: a defocused, flipped photo added as light.

    A screen or a glossy print reflects what is in front of it (ceiling lights, windows, the
    person holding it); the reflection adds to the picture's light and fades across the surface.
    With no photo pool a synthetic room of bright blobs stands in.
    """
    h, w = img.shape[:2]
    room = background((h, w), rng, pool)[:, ::-1]
    room = cv2.GaussianBlur(room, (0, 0), float(rng.uniform(2.0, 10.0)))
    ang = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = ((xx / max(w, 1) - 0.5) * np.cos(ang) + (yy / max(h, 1) - 0.5) * np.sin(ang)) + 0.5
    fade = np.clip(t * float(rng.uniform(0.5, 1.5)) + float(rng.uniform(-0.3, 0.3)), 0, 1)
    return np.asarray(img + strength * room * fade[..., None], np.float32)


def _capsule(mask: FloatImage, a: tuple[float, float], b: tuple[float, float], width: float) -> None:
    """Draw a finger: a thick segment with round ends (in place)."""
    cv2.line(mask, (round(a[0]), round(a[1])), (round(b[0]), round(b[1])), 1.0, max(1, round(width)), cv2.LINE_AA)
    for p in (a, b):
        cv2.circle(mask, (round(p[0]), round(p[1])), max(1, round(width / 2)), 1.0, -1, cv2.LINE_AA)


def _skin_layer(
    out: FloatImage, mask: FloatImage, skin: NDArray[np.float32], rng: np.random.Generator
) -> FloatImage:
    """Composite skin through `mask`, shaded darker towards its edges (a rounded finger) and lit
    from one side."""
    soft = cv2.GaussianBlur(mask, (0, 0), 1.0)
    depth = cv2.distanceTransform((mask > 0.5).astype(np.uint8), cv2.DIST_L2, 3)
    roundness = np.sqrt(np.clip(depth / max(float(depth.max()), 1.0), 0, 1))
    h, w = mask.shape
    ang = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    light = 1.0 + 0.15 * ((xx / w - 0.5) * np.cos(ang) + (yy / h - 0.5) * np.sin(ang))
    shade = skin[None, None, :] * ((0.55 + 0.5 * roundness) * light)[..., None] * float(rng.uniform(0.8, 1.1))
    return np.asarray(out * (1 - soft[..., None]) + shade * soft[..., None], np.float32)


def hand_masks(
    shape: tuple[int, int], rng: np.random.Generator, quad: NDArray[np.float32]
) -> tuple[FloatImage, FloatImage]:
    """Where a hand holding the instrument shows: (fingertips round one side, drawn behind the
    instrument so only what sticks out is seen; a thumb lying over the opposite edge onto it)."""
    h, w = shape
    side = int(rng.integers(4))  # 0 left, 1 right, 2 top, 3 bottom: where the thumb is
    corners = {0: (0, 3), 1: (1, 2), 2: (0, 1), 3: (3, 2)}  # quad corners (tl, tr, br, bl) of each side
    span = float(np.linalg.norm(quad[2] - quad[0]))
    width = span * float(rng.uniform(0.05, 0.09))
    a, b = (quad[i].astype(np.float64) for i in corners[side])
    centre = quad.mean(axis=0).astype(np.float64)
    on_edge = a + (b - a) * float(rng.uniform(0.25, 0.75))
    inward = (centre - on_edge) / max(float(np.linalg.norm(centre - on_edge)), 1e-6)
    behind: FloatImage = np.zeros((h, w), np.float32)
    oa, ob = (quad[i].astype(np.float64) for i in corners[{0: 1, 1: 0, 2: 3, 3: 2}[side]])
    first = float(rng.uniform(0.15, 0.6))
    for i in range(int(rng.integers(1, 5))):
        p = oa + (ob - oa) * min(first + i * 0.13, 0.95)
        tip = p - inward * width * float(rng.uniform(0.6, 1.6))  # outward, past the side
        _capsule(behind, (p[0] + inward[0] * width, p[1] + inward[1] * width), (tip[0], tip[1]),
                 width * float(rng.uniform(0.85, 1.05)))
    thumb: FloatImage = np.zeros((h, w), np.float32)
    reach = span * float(rng.uniform(0.04, 0.16))
    tilt = float(rng.uniform(-0.5, 0.5))
    along = (b - a) / max(float(np.linalg.norm(b - a)), 1e-6)
    direction = inward * np.cos(tilt) + along * np.sin(tilt)
    start, stop = on_edge - direction * width * 3.0, on_edge + direction * reach
    _capsule(thumb, (start[0], start[1]), (stop[0], stop[1]), width * 1.25)
    return behind, thumb


def place(
    instr: Instrument,
    rng: np.random.Generator,
    pool: Sequence[NDArray[np.uint8]] = (),
    max_tilt: float = 0.1,
    skin: NDArray[np.float32] | None = None,
    detail: bool = False,
) -> tuple[NDArray[np.uint8], Box, dict[str, Any]]:
    """Composite the instrument onto a background canvas with a random tilt; returns canvas and face box.

    ``detail`` (red team v5) holds the instrument in a drawn hand half the time instead of drawing
    finger strokes a third of the time.
    """
    ih, iw = instr.rgb.shape[:2]
    # v5: more room round the instrument, so a close-up held at arm's length is seen whole
    grow = float(rng.uniform(1.05, 2.2 if detail else 1.6))
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
    if detail:
        held = skin is not None and rng.random() < 0.5
        if held and skin is not None:
            behind, thumb = hand_masks((ch, cw), rng, dst)
            bg = _skin_layer(bg, behind, skin, rng)
            canvas = bg * (1 - alpha[..., None]) + rgb * alpha[..., None]
            canvas = _skin_layer(canvas, thumb, skin, rng)
    else:
        held = skin is not None and rng.random() < 0.35
    if held and skin is not None and not detail:
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
