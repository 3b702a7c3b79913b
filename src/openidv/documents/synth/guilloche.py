"""Security-print background patterns: guilloche rosettes, wave bands and micro-line fields.

These matter to the MRZ reader and the authenticity model: real documents print fine, regular
line patterns under and around the text, and a reader trained only on clean paper fails on them.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray


def _polyline(img: NDArray[Any], pts: NDArray[Any], colour: tuple[int, int, int], width: int) -> None:
    p = np.round(pts * 4).astype(np.int32).reshape(-1, 1, 2)  # 2 bits of sub-pixel precision
    cv2.polylines(img, [p], False, colour, width, cv2.LINE_AA, shift=2)


def rosette(img: NDArray[Any], rng: np.random.Generator, centre: tuple[float, float], radius: float,
            colour: tuple[int, int, int], width: int = 1) -> None:
    """A hypotrochoid rosette (spirograph curve), the classic guilloche element."""
    big = radius * rng.uniform(0.55, 0.8)
    small = big / rng.integers(5, 13)
    d = radius - big + small
    t = np.linspace(0, 2 * np.pi * 1.0, 4000)
    k = (big - small) / small
    for phase in np.linspace(0, 2 * np.pi, int(rng.integers(3, 8)), endpoint=False):
        x = (big - small) * np.cos(t + phase) + d * np.cos(k * t + phase)
        y = (big - small) * np.sin(t + phase) - d * np.sin(k * t + phase)
        _polyline(img, np.stack([x + centre[0], y + centre[1]], axis=1), colour, width)


def waves(img: NDArray[Any], rng: np.random.Generator, colour: tuple[int, int, int], n: int = 40,
          width: int = 1) -> None:
    """Bands of phase-shifted sine lines across the whole page."""
    h, w = img.shape[:2]
    x = np.linspace(0, w, max(200, w // 3))
    amp = rng.uniform(0.02, 0.08) * h
    freq = rng.uniform(1.5, 5.0) * 2 * np.pi / w
    angle = rng.uniform(-0.3, 0.3)
    for i in range(n):
        y0 = (i + 0.5) * h / n
        y = y0 + amp * np.sin(freq * x + i * rng.uniform(0.1, 0.4)) + np.tan(angle) * (x - w / 2)
        _polyline(img, np.stack([x, y], axis=1), colour, width)


def microlines(img: NDArray[Any], rng: np.random.Generator, colour: tuple[int, int, int], spacing: float) -> None:
    """Fine parallel lines, slightly modulated, as printed under variable data."""
    h, w = img.shape[:2]
    theta = rng.uniform(0, np.pi)
    diag = np.hypot(h, w)
    n = int(diag / spacing)
    s = np.linspace(-diag / 2, diag / 2, 300)
    for i in range(n):
        off = -diag / 2 + i * spacing
        wob = 1.5 * np.sin(s / rng.uniform(20, 60))
        x = w / 2 + s * np.cos(theta) - (off + wob) * np.sin(theta)
        y = h / 2 + s * np.sin(theta) + (off + wob) * np.cos(theta)
        _polyline(img, np.stack([x, y], axis=1), colour, 1)


def blend_colour(base: tuple[int, int, int], toward: tuple[int, int, int], a: float) -> tuple[int, int, int]:
    return tuple(round(b * (1 - a) + t * a) for b, t in zip(base, toward, strict=True))  # type: ignore[return-value]
