"""Screen-replay instrument: display gamut, RGB sub-pixel grid (moire after recapture), refresh
banding, glare and a bezel.

Two kinds of panel. A coarse one's sub-pixel grid survives the recapture as a grid or moire. A
high-density one (phones and tablets since about 2012: 260-460 pixels per inch, three or more
panel pixels per camera pixel when held at selfie distance) leaves no grid at all; what gives it
away is the device around the picture (bezel, fingers), the emissive gamut and glare. Without
such panels the model learns "screen = visible pixel grid" and passes a modern tablet whose
bezel fills the frame.
"""

from __future__ import annotations

import cv2
import numpy as np

from openidv.liveness.redteam.common import Box, FloatImage
from openidv.liveness.redteam.scene import Instrument, add_glare


def display_gamut(img: FloatImage, rng: np.random.Generator) -> FloatImage:
    """Emissive displays: raised black level, cool white point, boosted saturation, own gamma."""
    black = float(rng.uniform(0.01, 0.09))
    gains = np.array([rng.uniform(0.88, 1.0), rng.uniform(0.95, 1.03), rng.uniform(1.0, 1.14)], np.float32)
    sat = float(rng.uniform(0.9, 1.35))
    grey = img.mean(axis=2, keepdims=True)
    img = np.clip(grey + (img - grey) * sat, 0, 1) ** float(rng.uniform(0.8, 1.2))
    img = (black + (1 - black) * img) * gains[None, None, :] * float(rng.uniform(0.85, 1.2))
    return np.asarray(img, np.float32)


def pixel_grid(img: FloatImage, rng: np.random.Generator, pitch: float) -> tuple[FloatImage, float]:
    """Resample to the panel's pixels, then draw each pixel as R, G, B stripes with dark gaps."""
    h, w = img.shape[:2]
    small = cv2.resize(img, (max(1, round(w / pitch)), max(1, round(h / pitch))), interpolation=cv2.INTER_AREA)
    blocky = cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST)
    xx = (np.arange(w, dtype=np.float32) % pitch) / pitch
    yy = (np.arange(h, dtype=np.float32) % pitch) / pitch
    leak = float(rng.uniform(0.05, 0.4))
    mask: FloatImage = np.full((h, w, 3), leak, np.float32)
    for ch in range(3):
        on = ((xx >= ch / 3) & (xx < (ch + 1) / 3)).astype(np.float32)
        mask[..., ch] = leak + (1 - leak) * on[None, :]
    row_gap = float(rng.uniform(0.05, 0.25))
    mask *= np.where(yy > 1 - row_gap, float(rng.uniform(0.3, 0.8)), 1.0)[:, None, None].astype(np.float32)
    mask = cv2.GaussianBlur(mask, (0, 0), float(rng.uniform(0.2, 0.5)))
    mask = mask / max(float(mask.mean()), 1e-6)
    mix = float(rng.uniform(0.2, 0.85))
    return np.asarray(blocky * ((1 - mix) + mix * mask), np.float32), mix


def banding(img: FloatImage, rng: np.random.Generator) -> FloatImage:
    h = img.shape[0]
    amp = float(rng.uniform(0.0, 0.07))
    period = float(rng.uniform(h / 25, h / 3))
    y = np.arange(h, dtype=np.float32)
    band = 1 + amp * np.sin(2 * np.pi * y / period + rng.uniform(0, 2 * np.pi))
    return np.asarray(img * band[:, None, None], np.float32)


def bezel_detail(out: FloatImage, width: int, rng: np.random.Generator) -> FloatImage:
    """What a real device body shows (v5): a sheen across its glossy front and, on most, the
    front camera's lens in the top border."""
    hh, ww = out.shape[:2]
    body = np.ones((hh, ww), np.float32)
    body[width : hh - width, width : ww - width] = 0.0
    ang = rng.uniform(0, np.pi)
    yy, xx = np.mgrid[0:hh, 0:ww].astype(np.float32)
    ramp = (xx / ww) * np.cos(ang) + (yy / hh) * np.sin(ang)
    sheen = float(rng.uniform(0.0, 0.18)) * np.clip(ramp - ramp.min(), 0, None) / max(float(np.ptp(ramp)), 1e-6)
    out = out + (sheen * body)[..., None]
    if rng.random() < 0.7:
        r = max(1, round(width * float(rng.uniform(0.15, 0.35))))
        cx = round(ww * (0.5 if rng.random() < 0.6 else float(rng.uniform(0.2, 0.8))))
        lens = tuple(float(v) for v in rng.uniform(0.0, 0.08, 3))
        cv2.circle(out, (cx, width // 2), r + 1, tuple(float(v) + 0.12 for v in lens), -1, cv2.LINE_AA)
        cv2.circle(out, (cx, width // 2), r, lens, -1, cv2.LINE_AA)
    return np.asarray(out, np.float32)


def bezel(
    img: FloatImage, box: Box, rng: np.random.Generator, detail: bool = False
) -> tuple[FloatImage, FloatImage, Box]:
    """Frame the panel with a device body; corners rounded through the alpha mask."""
    h, w = img.shape[:2]
    width = int(rng.uniform(0.02, 0.12) * min(h, w)) + 2
    colour = (rng.uniform(0.0, 0.12),) * 3 if rng.random() < 0.7 else tuple(rng.uniform(0.6, 0.95, 3))
    out = cv2.copyMakeBorder(
        img, width, width, width, width, cv2.BORDER_CONSTANT, value=tuple(float(c) for c in colour)
    )
    alpha = np.zeros(out.shape[:2], np.float32)
    radius = int(width * rng.uniform(0.5, 2.5))
    hh, ww = out.shape[:2]
    cv2.rectangle(alpha, (radius, 0), (ww - 1 - radius, hh - 1), 1.0, -1)
    cv2.rectangle(alpha, (0, radius), (ww - 1, hh - 1 - radius), 1.0, -1)
    for cx, cy in (
        (radius, radius),
        (ww - 1 - radius, radius),
        (radius, hh - 1 - radius),
        (ww - 1 - radius, hh - 1 - radius),
    ):
        cv2.circle(alpha, (cx, cy), radius, 1.0, -1, cv2.LINE_AA)
    if detail:
        out = bezel_detail(out, width, rng)
    return out, alpha, (box[0] + width, box[1] + width, box[2] + width, box[3] + width)


# share of replays on panels whose pixel grid the camera cannot resolve: a choice, not tuned (most
# phones in use have such panels; coarse ones stay common enough to keep the grid cue learnt)
P_HIGH_DENSITY = 0.4


def render_screen(content: FloatImage, box: Box, rng: np.random.Generator, detail: bool = False) -> Instrument:
    """A screen replay of `content`; ``detail`` (red team v5) adds the device body's sheen and lens."""
    img = display_gamut(content, rng)
    dense = rng.random() < P_HIGH_DENSITY
    pitch, mix = 0.0, 0.0
    if not dense:
        pitch = float(rng.uniform(1.8, 4.5))
        img, mix = pixel_grid(img, rng, pitch)
    img = banding(img, rng)
    glare = rng.random() < 0.5
    if glare:
        img = add_glare(img, rng, float(rng.uniform(0.15, 0.8)))
    # a gridless panel without its device around it would differ from a bona fide capture only by
    # its gamut: such samples teach label noise, so high-density panels always keep their bezel
    has_bezel = dense or rng.random() < 0.8
    if has_bezel:
        img, alpha, box = bezel(img, box, rng, detail)
    else:
        alpha = np.ones(img.shape[:2], np.float32)
    params = {
        "panel": "high_density" if dense else "coarse",
        "pitch": round(pitch, 2),
        "grid_mix": round(mix, 2),
        "glare": glare,
        "bezel": has_bezel,
    }
    return Instrument(np.asarray(np.clip(img, 0, 1), np.float32), alpha, box, params)
