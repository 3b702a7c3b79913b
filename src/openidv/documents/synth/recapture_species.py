"""Recapture species kept out of every training set: for measuring generalisation only.

The training families (:func:`openidv.documents.synth.forgery.screen_recapture`,
:func:`~openidv.documents.synth.forgery.photocopy`) model an LCD with RGB stripes and an AM-halftone
print that loses colour. A detector can learn those two devices and still miss the next one, so
these species are built from different physics, and no training script draws them:

* ``screen_recapture_oled``: an OLED panel with a diamond (RGBG PenTile) sub-pixel layout - green in
  every cell, red and blue alternating on a checkerboard - finer pitch, a wide-gamut colour boost,
  a cooler white and a faint rolling refresh band;
* ``inkjet_print``: a colour inkjet print photographed - stochastic (FM) dots per ink instead of a
  periodic halftone screen, ink spread, compressed gamut and lifted blacks, a paper tint and
  texture, faint print-head banding; colour is kept.

Each is a seeded, parameterised transformation of both sides of a genuine document, as the
training families are; ``forgery_detail`` records the parameters drawn.
"""

from __future__ import annotations

import copy
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from openidv.documents.synth.document import SyntheticDocument

HELDOUT_SPECIES = ("screen_recapture_oled", "inkjet_print")


def _copy(doc: SyntheticDocument, family: str, detail: dict[str, object]) -> SyntheticDocument:
    out = copy.copy(doc)
    out.front = copy.copy(doc.front)
    if doc.back is not None:
        out.back = copy.copy(doc.back)
    out.forgery, out.forgery_detail = family, detail
    return out


def _oled(img: NDArray[Any], pitch: float, rng: np.random.Generator) -> NDArray[Any]:
    h, w = img.shape[:2]
    small: Any = cv2.resize(img, (max(1, int(w / pitch)), max(1, int(h / pitch))), interpolation=cv2.INTER_AREA)
    x = cv2.resize(small.astype(np.float32), (w, h), interpolation=cv2.INTER_NEAREST)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cy, cx = np.floor(yy / pitch), np.floor(xx / pitch)
    fy, fx = yy / pitch - cy, xx / pitch - cx  # position inside the cell, 0-1
    centre = ((fy - 0.5) ** 2 + (fx - 0.5) ** 2) < 0.09  # green emitter in every cell
    corner = ((fy - 0.15) ** 2 + (fx - 0.15) ** 2) < 0.06  # red / blue emitter, alternating by cell
    even = ((cy + cx) % 2) == 0
    masks = [(corner & even), centre, (corner & ~even)]
    depth = float(rng.uniform(0.3, 0.6))
    for c, m in enumerate(masks):
        mf = m.astype(np.float32)
        x[:, :, c] *= (1 - depth) + depth * mf / max(float(mf.mean()), 1e-3)
    grey = x.mean(axis=2, keepdims=True)
    x = grey + (x - grey) * float(rng.uniform(1.1, 1.3))  # wide-gamut panel
    x *= np.array([rng.uniform(0.9, 1.0), 1.0, rng.uniform(1.05, 1.15)], np.float32)  # cooler white
    band = 1 + float(rng.uniform(0.03, 0.08)) * np.sin(2 * np.pi * (yy / (h / rng.uniform(2, 5)) + rng.random()))
    x *= band[:, :, None]
    x = cv2.GaussianBlur(x, (0, 0), float(rng.uniform(0.3, 0.8)))
    return np.clip(x, 0, 255).astype(np.uint8)


def _inkjet(img: NDArray[Any], rng: np.random.Generator) -> NDArray[Any]:
    h, w = img.shape[:2]
    x = img.astype(np.float32) / 255
    grey = x.mean(axis=2, keepdims=True)
    x = grey + (x - grey) * float(rng.uniform(0.7, 0.9))  # printer gamut
    cmy = 1 - np.clip(x, 0, 1)
    dots = (cmy > rng.random((h, w, 3), dtype=np.float32)).astype(np.float32)  # stochastic screening
    ink = cv2.GaussianBlur(dots, (0, 0), float(rng.uniform(0.8, 1.4)))  # ink spread on paper
    paper = np.array([rng.uniform(240, 250), rng.uniform(236, 246), rng.uniform(225, 240)], np.float32)
    black = float(rng.uniform(30, 50))
    out = paper - ink * (paper - black)
    texture = cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), 3.0)
    out *= (1 + float(rng.uniform(0.01, 0.03)) * texture / max(float(texture.std()), 1e-6))[:, :, None]
    rows = 1 + float(rng.uniform(0.01, 0.03)) * np.sin(2 * np.pi * np.arange(h, dtype=np.float32) / rng.uniform(20, 60))
    out *= rows[:, None, None]
    return np.clip(out, 0, 255).astype(np.uint8)


def screen_recapture_oled(doc: SyntheticDocument, rng: np.random.Generator) -> SyntheticDocument:
    """The document shown on an OLED (diamond sub-pixel) panel and photographed."""
    pitch = float(rng.uniform(1.6, 2.6))
    out = _copy(doc, "screen_recapture_oled", {"pixel_pitch": pitch})
    for side in (out.front, out.back):
        if side is not None:
            side.image = _oled(side.image, pitch, rng)
    return out


def inkjet_print(doc: SyntheticDocument, rng: np.random.Generator) -> SyntheticDocument:
    """The document printed on a colour inkjet (stochastic dots) and photographed."""
    out = _copy(doc, "inkjet_print", {})
    for side in (out.front, out.back):
        if side is not None:
            side.image = _inkjet(side.image, rng)
    return out


SPECIES = {"screen_recapture_oled": screen_recapture_oled, "inkjet_print": inkjet_print}
