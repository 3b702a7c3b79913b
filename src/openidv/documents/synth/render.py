"""Render a document side from a template, an identity and a portrait, with ground-truth boxes.

Coordinates in the annotations are pixels of the rendered (flat, upright) document. The MRZ is
drawn character by character at the ICAO pitch of 2.54 mm (10 characters per inch) in OCR-B.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from openidv.documents.synth import guilloche
from openidv.documents.synth.fonts import font, mrz_font_path
from openidv.documents.synth.identity import Identity
from openidv.documents.synth.labels import LABELS, MONTHS, label
from openidv.documents.synth.templates import Template

MRZ_PITCH_MM = 2.54
MRZ_CAP_MM = 2.4
Box = tuple[int, int, int, int]


@dataclass
class Rendered:
    image: NDArray[Any]  # RGB
    px_per_mm: float
    template: str
    side: str
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> {value, text, box}
    mrz_lines: list[str] = field(default_factory=list)
    mrz_box: Box | None = None
    mrz_line_boxes: list[Box] = field(default_factory=list)
    portrait_box: Box | None = None
    barcode_box: Box | None = None
    barcode_text: str | None = None
    labels: dict[str, Any] = field(default_factory=dict)  # forgery labels etc.


def format_date(d: date, style: str, langs: tuple[str, ...]) -> str:
    months = MONTHS.get(langs[0], MONTHS["en"])
    if style == "dd_mmm_yyyy":
        return f"{d.day:02d} {months[d.month - 1]} {d.year}"
    if style == "dd.mm.yyyy":
        return d.strftime("%d.%m.%Y")
    if style == "dd/mm/yyyy":
        return d.strftime("%d/%m/%Y")
    if style == "mm/dd/yyyy":
        return d.strftime("%m/%d/%Y")
    if style == "yyyy-mm-dd":
        return d.isoformat()
    second = MONTHS.get(langs[-1], MONTHS["fr"]) if len(langs) > 1 else MONTHS["fr"]
    return f"{d.day:02d} {months[d.month - 1]}/{second[d.month - 1]} {d.strftime('%y')}"


def _canvas(t: Template, rng: np.random.Generator, scale: float) -> NDArray[Any]:
    """The template's printed background plus this copy's print noise."""
    bg = _background(t, scale)
    h, w = bg.shape[:2]
    noise: Any = np.empty((h // 2 + 1, w // 2 + 1, 3), np.int16)
    cv2.setRNGSeed(int(rng.integers(1 << 31)))
    cv2.randn(noise, 0, 2.0)  # type: ignore[call-overload]  # stubs lack the scalar overload
    noise = cv2.resize(noise, (w, h), interpolation=cv2.INTER_NEAREST)
    return cv2.add(bg.astype(np.int16), noise).clip(0, 255).astype(np.uint8)


@functools.lru_cache(maxsize=64)
def _background(t: Template, scale: float) -> NDArray[Any]:
    w, h = round(t.size_mm[0] * scale), round(t.size_mm[1] * scale)
    ys = np.linspace(0.0, 1.0, h)[:, None, None]
    xs = np.linspace(0.0, 1.0, w)[None, :, None]
    a, b = np.array(t.bg[0], float), np.array(t.bg[1], float)
    mix = 0.6 * ys + 0.4 * xs
    img = (a * (1 - mix) + b * mix).astype(np.uint8)
    img = np.array(np.broadcast_to(img, (h, w, 3)), dtype=np.uint8, copy=True)
    prng = np.random.default_rng(t.index * 7919 + len(t.kind))  # the pattern belongs to the template
    colour = t.pattern_colour
    if t.pattern in ("waves", "mixed"):
        guilloche.waves(img, prng, colour, n=int(prng.integers(25, 60)))
    if t.pattern in ("rosette", "mixed"):
        for _ in range(int(prng.integers(1, 4))):
            c = (float(prng.uniform(0.2, 0.8) * w), float(prng.uniform(0.2, 0.8) * h))
            guilloche.rosette(img, prng, c, float(prng.uniform(0.2, 0.45) * h), colour)
    if t.pattern == "microlines":
        guilloche.microlines(img, prng, guilloche.blend_colour(colour, t.bg[0], 0.3), float(prng.uniform(3, 7)))
    img.setflags(write=False)
    return img


def _text(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, fnt: Any, fill: tuple[int, int, int],
          stroke: int = 0) -> Box:
    draw.text(xy, text, font=fnt, fill=fill, stroke_width=stroke, stroke_fill=fill)
    x0, y0, x1, y1 = draw.textbbox(xy, text, font=fnt, stroke_width=stroke)
    return int(x0), int(y0), int(x1), int(y1)


def draw_mrz(img: NDArray[Any], lines: list[str], t: Template, scale: float, rng: np.random.Generator,
             font_path: str | None = None) -> tuple[Box, list[Box]]:
    """Draw MRZ lines at the bottom of the page; returns the zone box and one box per line."""
    n_lines, width = len(lines), len(lines[0])
    h_px, w_px = img.shape[:2]
    pitch = MRZ_PITCH_MM * scale
    line_pitch = (3.9 if n_lines == 3 else 4.3) * scale
    cap = MRZ_CAP_MM * scale
    fnt = font(font_path or str(mrz_font_path()), max(6, round(cap / 0.72)))
    x0 = (w_px - width * pitch) / 2 + rng.uniform(-0.4, 0.4) * scale
    bottom = h_px - (4.2 if n_lines == 3 else 5.0) * scale + rng.uniform(-0.3, 0.3) * scale
    zone = (int(x0 - 2 * scale), int(bottom - n_lines * line_pitch - scale), int(x0 + width * pitch + 2 * scale),
            int(bottom + 1.5 * scale))
    if t.mrz_clear_zone:
        _, zy0, _, zy1 = zone
        img[max(zy0, 0) : zy1, :] = np.clip(img[max(zy0, 0) : zy1, :].astype(int) + 30, 0, 250).astype(np.uint8)
    pil = Image.fromarray(img)
    draw = ImageDraw.Draw(pil)
    stroke = round(t.mrz_bold * scale / 14)
    ink = tuple(int(c) for c in np.clip(np.array(t.ink) * 0.5, 0, 40))
    boxes: list[Box] = []
    for li, line in enumerate(lines):
        baseline = bottom - (n_lines - 1 - li) * line_pitch
        for ci, ch in enumerate(line):
            cx = x0 + (ci + 0.5) * pitch
            draw.text((cx, baseline), ch, font=fnt, fill=ink, anchor="ms", stroke_width=stroke, stroke_fill=ink)
        boxes.append((int(x0), int(baseline - cap), int(x0 + width * pitch), int(baseline)))
    img[:] = np.asarray(pil)
    return zone, boxes


def paste_portrait(img: NDArray[Any], portrait: NDArray[Any], box: Box, ghost: Box | None) -> None:
    x0, y0, x1, y1 = box
    face = cv2.resize(portrait, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA)
    img[y0:y1, x0:x1] = face
    if ghost is not None:
        gx0, gy0, gx1, gy1 = ghost
        g = cv2.cvtColor(cv2.resize(portrait, (gx1 - gx0, gy1 - gy0), interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
        region = img[gy0:gy1, gx0:gx1].astype(np.float32)
        alpha = 0.35
        region = region * (1 - alpha) + (g[:, :, None].astype(np.float32) * 0.8 + 40) * alpha
        img[gy0:gy1, gx0:gx1] = np.clip(region, 0, 255).astype(np.uint8)


def signature(draw: ImageDraw.ImageDraw, box: Box, rng: np.random.Generator, ink: tuple[int, int, int], w: int) -> None:
    x0, y0, x1, y1 = box
    n = int(rng.integers(8, 16))
    xs = np.linspace(x0, x1, n) + rng.normal(0, (x1 - x0) * 0.02, n)
    ys = (y0 + y1) / 2 + rng.normal(0, (y1 - y0) * 0.25, n)
    t = np.linspace(0, n - 1, n * 12)
    px = np.interp(t, np.arange(n), xs) + np.sin(t * 2.7) * (y1 - y0) * 0.12
    py = np.interp(t, np.arange(n), ys) + np.cos(t * 3.1) * (y1 - y0) * 0.2
    draw.line(list(zip(px.tolist(), py.tolist(), strict=True)), fill=ink, width=w, joint="curve")


def display_value(name: str, ident: Identity, t: Template) -> tuple[str, Any]:
    """(text printed on the document, canonical value) of one field."""
    langs = t.label_langs
    dates = {"date_of_birth": ident.date_of_birth, "date_of_expiry": ident.date_of_expiry,
             "date_of_issue": ident.date_of_issue}
    if name in dates:
        return format_date(dates[name], t.date_style, langs), dates[name].isoformat()
    if name == "sex":
        text = ident.sex if ident.sex in "MF" else "X"
        return (f"{text}/{text}" if len(langs) > 1 and t.kind != "DL" else text), ident.sex
    value = {
        "surname": ident.surname, "given_names": ident.given_names, "nationality": ident.nationality,
        "document_number": ident.document_number, "place_of_birth": ident.place_of_birth,
        "personal_number": ident.personal_number or "-", "authority": "CENTRAL AUTHORITY",
        "address": "{}, {} {}".format(*(ident.address.get(k, "") for k in ("street", "city", "state"))),
        "height": ident.physical.get("height", ""), "eyes": ident.physical.get("eyes", ""), "class": "C",
    }[name]
    text = value.upper() if (t.uppercase_values and name in ("surname", "given_names", "place_of_birth")) else value
    return text, value


def label_text(name: str, t: Template) -> str:
    if t.kind == "DL":
        us = {"document_number": "4d DLN", "date_of_expiry": "4b EXP", "date_of_issue": "4a ISS",
              "surname": "1 LN", "given_names": "2 FN", "address": "8", "date_of_birth": "3 DOB",
              "sex": "15 SEX", "height": "16 HGT", "eyes": "18 EYES", "class": "9 CLASS"}
        return us.get(name, name.upper())
    if name in LABELS["en"]:
        return label(name, t.label_langs)
    return name.replace("_", " ").title()
