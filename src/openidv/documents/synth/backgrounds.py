"""Surfaces a document is photographed on: plain, wood, fabric, clutter (incl. printed text)."""

from __future__ import annotations

import string
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from openidv.documents.synth.fonts import mrz_font_path

KINDS = ("plain", "wood", "fabric", "clutter", "text", "gradient")


def make(kind: str, shape: tuple[int, int], rng: np.random.Generator) -> NDArray[Any]:
    h, w = shape
    base = rng.integers(30, 230, 3).astype(np.float32)
    img: Any
    if kind == "plain":
        img = np.empty((h, w, 3), np.float32)
        img[:] = base
    elif kind == "gradient":
        t = np.linspace(0, 1, w, dtype=np.float32)[None, :, None]
        img = base * (1 - t) + rng.integers(30, 230, 3).astype(np.float32) * t
        img = np.broadcast_to(img, (h, w, 3)).copy()
    elif kind == "wood":
        yy, xx = np.mgrid[0 : h // 2, 0 : w // 2].astype(np.float32) * 2
        grain = np.sin((yy + 20 * np.sin(xx / rng.uniform(40, 120))) / rng.uniform(3, 9))
        grain = cv2.resize(grain.astype(np.float32), (w, h))
        img = cv2.merge([grain * (0.2 * float(b)) + 0.8 * float(b) for b in base])
    elif kind == "fabric":
        small = rng.normal(0, 1, (h // 4 + 1, w // 4 + 1)).astype(np.float32)
        tex = cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST)
        img = cv2.merge([tex * (0.08 * float(b)) + 0.85 * float(b) for b in base])
    elif kind in ("clutter", "text"):
        img = np.ones((h, w, 3), np.float32) * base
        _clutter(img, rng, text=kind == "text")
    else:
        raise ValueError(f"unknown background {kind!r}")
    noise: Any = np.empty((h, w, 3), np.float32)
    cv2.setRNGSeed(int(rng.integers(1 << 31)))
    cv2.randn(noise, 0.0, 3.0)  # type: ignore[call-overload]  # stubs lack the scalar overload
    return cv2.add(img.astype(np.float32), noise).clip(0, 255).astype(np.uint8)


def _clutter(img: NDArray[Any], rng: np.random.Generator, text: bool) -> None:
    h, w = img.shape[:2]
    for _ in range(int(rng.integers(5, 20))):
        colour = tuple(float(c) for c in rng.integers(0, 255, 3))
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        if rng.random() < 0.5:
            cv2.rectangle(img, (x, y), (x + int(rng.integers(20, 300)), y + int(rng.integers(20, 300))), colour, -1)
        else:
            cv2.line(img, (x, y), (int(rng.integers(0, w)), int(rng.integers(0, h))), colour, int(rng.integers(1, 6)))
    if text:
        # Printed text lines (a newspaper, a form) that an MRZ locator must not take for an MRZ.
        from PIL import Image, ImageDraw, ImageFont

        pil = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
        draw = ImageDraw.Draw(pil)
        fnt = ImageFont.truetype(str(mrz_font_path()), int(rng.integers(14, 30)))
        for _ in range(int(rng.integers(3, 12))):
            s = "".join(rng.choice(list(string.ascii_uppercase + string.digits + "  ")) for _ in range(40))
            draw.text((int(rng.integers(0, w)), int(rng.integers(0, h))), s, font=fnt, fill=(20, 20, 20))
        img[:] = np.asarray(pil).astype(np.float32)
