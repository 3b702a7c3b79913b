"""Printed-photo instrument: reduced gamut, halftone or dithering, paper texture, border, bending, gloss."""

from __future__ import annotations

import cv2
import numpy as np

from openidv.liveness.redteam.common import Box, FloatImage
from openidv.liveness.redteam.scene import Instrument, add_glare

_BAYER4 = np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]], np.float32) / 16.0


def print_gamut(img: FloatImage, rng: np.random.Generator) -> tuple[FloatImage, np.ndarray]:
    """Ink on paper cannot reach screen blacks or saturations; paper white is tinted."""
    black = float(rng.uniform(0.04, 0.2))
    sat = float(rng.uniform(0.55, 0.95))
    paper = np.array([1.0, rng.uniform(0.96, 1.0), rng.uniform(0.86, 1.0)], np.float32) * rng.uniform(0.88, 1.0)
    grey = img.mean(axis=2, keepdims=True)
    img = grey + (img - grey) * sat
    img = np.clip(img, 0, 1) ** float(rng.uniform(0.85, 1.2))
    return np.asarray((black + (1 - black) * img) * paper[None, None, :], np.float32), paper


def halftone_screens(img: FloatImage, rng: np.random.Generator, period: float) -> FloatImage:
    """Clustered-dot CMY halftone with the classic screen angles (anti-aliased dots)."""
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    out = np.empty_like(img)
    base = float(rng.uniform(0, 90))
    for ch, angle in enumerate((15.0, 75.0, 0.0)):
        a = np.deg2rad(base + angle)
        u = xx * np.cos(a) + yy * np.sin(a)
        v = -xx * np.sin(a) + yy * np.cos(a)
        thresh = 0.5 + 0.25 * (np.cos(2 * np.pi * u / period) + np.cos(2 * np.pi * v / period))
        coverage = 1.0 - img[..., ch]
        out[..., ch] = 1.0 - np.clip((coverage - thresh) * 4.0 + 0.5, 0, 1)
    return out


def ordered_dither(img: FloatImage, rng: np.random.Generator, cell: int) -> FloatImage:
    """Inkjet-like ordered dithering (a Bayer matrix scaled to `cell` pixels per entry)."""
    h, w = img.shape[:2]
    m = np.kron(_BAYER4, np.ones((cell, cell), np.float32))
    tiled = np.tile(m, (h // m.shape[0] + 1, w // m.shape[1] + 1))[:h, :w]
    levels = float(rng.integers(2, 5))
    q = np.floor(img * levels + tiled[..., None]) / levels
    return np.asarray(np.clip(q, 0, 1), np.float32)


def paper_texture(img: FloatImage, rng: np.random.Generator) -> FloatImage:
    h, w = img.shape[:2]
    noise = rng.standard_normal((h, w)).astype(np.float32)
    fine = cv2.GaussianBlur(noise, (0, 0), float(rng.uniform(0.6, 1.5)))
    coarse: FloatImage = cv2.GaussianBlur(noise, (0, 0), float(rng.uniform(4, 12)))
    coarse /= max(float(coarse.std()), 1e-6)
    fibre = fine * float(rng.uniform(0.01, 0.05)) + coarse * float(rng.uniform(0.0, 0.03))
    return np.asarray(img * (1.0 + fibre[..., None]), np.float32)


def bend(img: FloatImage, alpha: FloatImage, box: Box, rng: np.random.Generator) -> tuple[FloatImage, FloatImage, Box]:
    """A sheet curved around a vertical axis: edges compressed, shading across the curve."""
    h, w = img.shape[:2]
    phi = float(rng.uniform(0.25, 1.0))
    xs = np.linspace(-1, 1, w, dtype=np.float32)
    src_x = (np.arcsin(np.clip(xs * np.sin(phi), -1, 1)) / phi + 1) * (w - 1) / 2
    map_x = np.tile(src_x[None, :], (h, 1)).astype(np.float32)
    map_y = np.tile(np.arange(h, dtype=np.float32)[:, None], (1, w))
    img = cv2.remap(img, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    alpha = cv2.remap(alpha, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    light = float(rng.uniform(-1, 1))
    shade = 1.0 + float(rng.uniform(0.05, 0.3)) * (xs * light - 0.5 * xs**2)
    img = img * shade[None, :, None]

    def fwd(x: float) -> float:
        t = x / max(w - 1, 1) * 2 - 1
        return float((np.sin(t * phi) / np.sin(phi) + 1) * (w - 1) / 2)

    return np.asarray(img, np.float32), alpha, (fwd(box[0]), box[1], fwd(box[2]), box[3])


def render_print(content: FloatImage, box: Box, rng: np.random.Generator) -> Instrument:
    img, paper = print_gamut(content, rng)
    mode = ("screens", "dither", "photo")[int(rng.choice(3, p=[0.45, 0.25, 0.3]))]
    period = float(rng.uniform(2.2, 6.0))
    if mode == "screens":
        img = img * (1 - (mix := float(rng.uniform(0.35, 1.0)))) + halftone_screens(img, rng, period) * mix
    elif mode == "dither":
        img = img * (1 - (mix := float(rng.uniform(0.3, 0.9)))) + ordered_dither(img, rng, int(period // 2)) * mix
    img = paper_texture(img, rng)
    border = int(rng.uniform(0.0, 0.12) * min(img.shape[:2])) if rng.random() < 0.6 else 0
    if border:
        img = cv2.copyMakeBorder(
            img, border, border, border, border, cv2.BORDER_CONSTANT, value=tuple(float(v) for v in paper)
        )
        img = paper_texture(img, rng)
        box = (box[0] + border, box[1] + border, box[2] + border, box[3] + border)
    alpha = np.ones(img.shape[:2], np.float32)
    bent = rng.random() < 0.5
    if bent:
        img, alpha, box = bend(img, alpha, box, rng)
    if rng.random() < 0.35:  # glossy photo paper
        img = add_glare(img, rng, float(rng.uniform(0.1, 0.6)))
    params = {"halftone": mode, "period": round(period, 2), "border": border, "bent": bent}
    return Instrument(np.asarray(np.clip(img, 0, 1), np.float32), alpha, box, params)
