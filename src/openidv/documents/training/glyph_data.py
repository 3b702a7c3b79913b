"""Training glyphs for the MRZ character classifier: OCR-B lines, degraded, cut like the reader cuts.

Each sample is one rendered MRZ-like line drawn at four times the canonical resolution over a
security-print background, with the stroke weight, ink, glyph size, print jitter, glare, shadow,
blur, resolution loss, noise and JPEG of a real capture drawn at random; it is then brought to
the canonical geometry and cut with :func:`openidv.documents.mrz.glyphs.crop_cells` around centres
that are deliberately a little off, as the reader's estimated centres are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from openidv.documents.mrz.alphabet import ALPHABET, FILLER, INDEX
from openidv.documents.mrz.compose import MRZData, compose
from openidv.documents.mrz.glyphs import CAP, LINE_PITCH, PITCH, crop_cells, flatten_light
from openidv.documents.synth import guilloche
from openidv.documents.synth.fonts import font, mrz_font_path, ocrb_variants
from openidv.documents.synth.identity import random_identity
from openidv.documents.synth.photo_stress import motion_blur

HI = 3  # render at 3x the canonical resolution


@dataclass
class GlyphBatch:
    x: NDArray[Any]  # (N, 32, 32)
    y: NDArray[Any]  # (N,)


def _random_line(rng: np.random.Generator) -> str:
    """A line of MRZ text: half real-looking MRZ lines, half uniform characters (class balance)."""
    if rng.random() < 0.5:
        width = int(rng.choice([30, 36, 44]))
        return "".join(ALPHABET[int(i)] for i in rng.integers(0, len(ALPHABET), width))
    ident = random_identity(rng, str(rng.choice(["LLDDDDDDD", "DDDDDDDDD", "AAAAAAAAA"])))
    fmt = str(rng.choice(["TD1", "TD2", "TD3", "MRV-A"]))
    code = "V" if fmt == "MRV-A" else ("P" if fmt == "TD3" else str(rng.choice(["I", "ID", "AC"])))
    country = "".join(ALPHABET[10 + int(i)] for i in rng.integers(0, 26, 3))
    data = MRZData(code, country, ident.surname, ident.given_names, ident.document_number, country,
                   ident.date_of_birth, ident.sex, ident.date_of_expiry, ident.personal_number)
    lines = compose(fmt, data)
    return lines[int(rng.integers(len(lines)))]


def _background(h: int, w: int, rng: np.random.Generator) -> NDArray[Any]:
    paper = rng.integers(150, 256, 3)
    img = np.empty((h, w, 3), np.uint8)
    img[:] = paper
    kind = rng.random()
    c = np.clip(paper - rng.integers(20, 130, 3), 0, 255)
    colour = (int(c[0]), int(c[1]), int(c[2]))
    if kind < 0.35:
        guilloche.waves(img, rng, colour, n=int(rng.integers(4, 16)), width=int(rng.integers(1, 4)))
    elif kind < 0.55:
        guilloche.rosette(img, rng, (float(rng.uniform(0, w)), float(rng.uniform(0, h))), float(h * 2), colour,
                          int(rng.integers(1, 4)))
    elif kind < 0.7:
        guilloche.microlines(img, rng, colour, float(rng.uniform(6, 20)))
    return img


@dataclass(frozen=True)
class GlyphShapes:
    """How the printed characters may be sized against the 2.54 mm character pitch.

    ``V1`` is what mrz_glyphs 1.0.0 was trained with: cap height 0.82-1.12 of the canonical cap
    height, Debian's OCR-B at its own width. ``V2`` also draws shorter glyphs (down to 0.68) and
    wider or narrower ones (0.9-1.25 of the font's width): the MRZ of the real ICAO specimen photos,
    rectified by the reader, shows glyphs about 0.8 of the canonical cap height and wider than
    Debian's OCR-B (its ``8`` was read 0.54-0.78 sure, ``B`` the runner-up), and issuers print OCR-B
    from different digitisations, sizes and line spacings. The draws of V1 are unchanged, so 1.0.0's
    data can still be rendered."""

    cap: tuple[float, float] = (0.82, 1.12)  # share of the canonical cap height
    width: tuple[float, float] = (1.0, 1.0)  # horizontal stretch of every glyph about its centre
    motion: float = 0.0  # share of lines smeared by camera motion (up to about half a character)
    flatten: bool = False  # lines divided by their paper brightness, as the reader does since v3


SHAPES_V1 = GlyphShapes()
SHAPES_V2 = GlyphShapes(cap=(0.68, 1.12), width=(0.9, 1.25))
# V3: V2's glyphs, a third of the lines smeared by hand shake in any direction (a phone photo
# taken in dim light: at 7-9 px of smear on a 20 px pitch the V2 model read nothing), and the
# reader's illumination flattening (`mrz.glyphs.flatten_light`) applied to every line.
SHAPES_V3 = GlyphShapes(cap=(0.68, 1.12), width=(0.9, 1.25), motion=0.33, flatten=True)
SHAPES = {"v1": SHAPES_V1, "v2": SHAPES_V2, "v3": SHAPES_V3}




def render_line(text: str, rng: np.random.Generator, shapes: GlyphShapes = SHAPES_V1
                ) -> tuple[NDArray[Any], NDArray[Any]]:
    """(grey canonical line image, (len(text), 2) true canonical centres)."""
    p, lp = PITCH * HI, LINE_PITCH * HI
    w, h = int((len(text) + 2) * p), int(lp * 1.6)
    img = _background(h, w, rng)
    paths = ocrb_variants() or [mrz_font_path()]
    path = str(paths[0] if rng.random() < 0.8 else paths[int(rng.integers(len(paths)))])
    cap = CAP * HI * rng.uniform(*shapes.cap)
    fnt = font(path, int(cap / 0.72))
    ink = float(rng.integers(0, 90))
    # glyphs stretched by sx: drawn on a mask narrower by sx at positions divided by sx, then the
    # mask is stretched back to the line's width (centres land where they should)
    sx = float(rng.uniform(*shapes.width)) if shapes.width != (1.0, 1.0) else 1.0
    mask = Image.new("L", (round(w / sx), h), 0)
    draw = ImageDraw.Draw(mask)
    cy = h / 2
    centres = []
    for i, ch in enumerate(text):
        cx = (i + 1.5) * p + rng.normal(0, 0.02 * p)
        yj = rng.normal(0, 0.015 * p)
        draw.text((cx / sx, cy + cap / 2 + yj), ch, font=fnt, fill=255, anchor="ms")
        centres.append((cx / HI, (cy + yj) / HI))
    m = np.asarray(mask)
    if sx != 1.0:
        m = cv2.resize(m, (w, h), interpolation=cv2.INTER_LINEAR)
    m = _stroke(m, rng)
    alpha = m.astype(np.float32) * np.float32(rng.uniform(0.75, 1.0) / 255.0)
    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY).astype(np.float32)
    out = grey + (np.float32(ink) - grey) * alpha
    return np.clip(out, 0, 255).astype(np.uint8), np.array(centres, np.float32)


def _stroke(mask: NDArray[Any], rng: np.random.Generator) -> NDArray[Any]:
    r = rng.random()
    if r < 0.3:
        k = int(rng.integers(2, 7))
        return cv2.dilate(mask, np.ones((k, k), np.uint8))
    if r < 0.45:
        k = int(rng.integers(2, 4))
        return cv2.erode(mask, np.ones((k, k), np.uint8))
    return mask


def degrade(hi: NDArray[Any], rng: np.random.Generator, shapes: GlyphShapes = SHAPES_V1) -> NDArray[Any]:
    """Capture the high-resolution line at a random source resolution, then bring it to canonical."""
    h, w = hi.shape
    x = hi.astype(np.float32)
    if rng.random() < 0.35:  # glare veil over part of the line
        xs = np.linspace(0, 1, w, dtype=np.float32)
        c, s = rng.uniform(0, 1), rng.uniform(0.05, 0.4)
        g = np.exp(-((xs - c) / s) ** 2) * rng.uniform(0.3, 0.85)
        x = x + (255 - x) * g[None, :]
    if rng.random() < 0.3:  # shadow or uneven light
        xs = np.linspace(0, 1, w, dtype=np.float32)
        x = x * (1 - rng.uniform(0.1, 0.6) * (xs > rng.uniform(0, 1)))[None, :]
    src_pitch = float(np.exp(rng.uniform(np.log(6.5), np.log(40))))
    f = src_pitch / (PITCH * HI)
    small = cv2.resize(x, (max(8, int(w * f)), max(4, int(h * f))), interpolation=cv2.INTER_AREA)
    ang = rng.normal(0, 0.6)
    rot = cv2.getRotationMatrix2D((small.shape[1] / 2, small.shape[0] / 2), ang, 1.0)
    rot[0, 1] += rng.normal(0, 0.04)  # slight shear from perspective residue
    small = cv2.warpAffine(small, rot, small.shape[::-1], borderMode=cv2.BORDER_REPLICATE)
    if shapes.motion and rng.random() < shapes.motion:  # drawn only for V3+: V1 / V2 data unchanged
        length, angle = float(rng.uniform(1.5, max(2.0, 0.5 * src_pitch))), float(rng.uniform(0, 180))
        small = np.asarray(motion_blur(small, length, angle), np.float32)
    blur = rng.uniform(0, 1.3) if rng.random() < 0.7 else 0.0
    if blur > 0.1:
        small = cv2.GaussianBlur(small, (0, 0), blur)
    small = small * rng.uniform(0.5, 1.1) + rng.normal(0, rng.uniform(0, 10), small.shape)
    small8: NDArray[Any] = np.clip(small, 0, 255).astype(np.uint8)
    if rng.random() < 0.7:
        ok, buf = cv2.imencode(".jpg", small8, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(35, 96))])
        decoded = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE) if ok else None
        small8 = small8 if decoded is None else np.asarray(decoded)
    return cv2.resize(small8, (w // HI, h // HI), interpolation=cv2.INTER_LINEAR)


def make_batch(n_lines: int, seed: int, shapes: GlyphShapes = SHAPES_V1) -> GlyphBatch:
    """Crops and labels from `n_lines` rendered lines, glyphs sized within `shapes`."""
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for _ in range(n_lines):
        text = _random_line(rng)
        hi, centres = render_line(text, rng, shapes)
        canon = degrade(hi, rng, shapes)
        if shapes.flatten:
            canon = flatten_light(canon)
        jitter = np.stack([rng.normal(0, 0.09 * PITCH, len(text)), rng.normal(0, 0.06 * PITCH, len(text))], 1)
        drift = rng.normal(0, 0.05 * PITCH) + np.arange(len(text)) * rng.normal(0, 0.004 * PITCH)
        pts = centres + np.clip(jitter, -0.25 * PITCH, 0.25 * PITCH) + np.stack([drift, 0 * drift], 1)
        xs.append(crop_cells(canon, pts.astype(np.float32), scale=float(rng.uniform(0.9, 1.1))))
        ys.append(np.array([INDEX[c] for c in text], np.int64))
    return GlyphBatch(np.concatenate(xs), np.concatenate(ys))


__all__ = ["FILLER", "SHAPES", "SHAPES_V1", "SHAPES_V2", "SHAPES_V3", "GlyphBatch", "GlyphShapes", "make_batch",
           "render_line"]
