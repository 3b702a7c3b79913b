"""Where things go on each document side, and the function that draws a whole side."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from openidv.documents.synth.fonts import viz_font
from openidv.documents.synth.identity import Identity
from openidv.documents.synth.labels import LABELS
from openidv.documents.synth.render import (
    Box,
    Rendered,
    _canvas,
    _text,
    display_value,
    draw_mrz,
    label_text,
    paste_portrait,
    signature,
)
from openidv.documents.synth.templates import Template

ROWS: dict[tuple[str, str], list[tuple[str, ...]]] = {
    ("TD3", "front"): [("document_number",), ("surname",), ("given_names",), ("nationality",),
                       ("date_of_birth", "personal_number"), ("sex", "place_of_birth"),
                       ("date_of_issue", "authority"), ("date_of_expiry",)],
    ("TD2", "front"): [("surname", "document_number"), ("given_names",), ("nationality", "date_of_birth"),
                       ("sex", "date_of_expiry")],
    ("TD1", "front"): [("surname",), ("given_names",), ("sex", "nationality", "date_of_birth"),
                       ("document_number", "date_of_expiry")],
    ("TD1", "back"): [("place_of_birth", "date_of_issue"), ("authority",)],
    ("DL", "front"): [("document_number", "class"), ("date_of_expiry", "date_of_issue"), ("surname",),
                      ("given_names",), ("address",), ("date_of_birth",), ("sex", "height", "eyes")],
}
TOP_MM = {"TD3": 14.0, "TD2": 12.0, "TD1": 10.0, "DL": 10.0}
MRZ_MM = {"TD3": 23.0, "TD2": 17.5, "TD1": 18.5}


def _title(t: Template) -> str:
    key = {"TD3": "passport", "TD2": "identity_card", "TD1": "identity_card"}.get(t.kind)
    if key is None:
        return f"{t.state} DRIVER LICENSE"
    return " / ".join(LABELS[lang][key] for lang in t.label_langs)


def _header(draw: ImageDraw.ImageDraw, img: NDArray[Any], t: Template, scale: float) -> None:
    w = img.shape[1]
    top = TOP_MM[t.kind] * scale
    if t.header_band:
        draw.rectangle((0, 0, w, int(top * 0.75)), fill=t.accent)
    colour = (250, 250, 250) if t.header_band else t.accent
    issuer = "UNITED STATES OF AMERICA" if t.kind == "DL" else f"REPUBLIC OF {t.issuer}"
    _text(draw, (4 * scale, 1.2 * scale), issuer, viz_font(t.font_family, int(2.6 * scale), True), colour)
    _text(draw, (4 * scale, 4.6 * scale), _title(t), viz_font(t.font_family, int(2.0 * scale), True), colour)


def _portrait_boxes(t: Template, w: int, h: int, scale: float) -> tuple[Box, Box | None]:
    top = TOP_MM[t.kind] * scale
    bottom = h - (MRZ_MM.get(t.kind, 6.0) + 1.0) * scale
    ph = bottom - top - 2 * scale
    pw = ph * 0.77
    x0 = 4 * scale if t.portrait_left else w - 4 * scale - pw
    box = (int(x0), int(top + scale), int(x0 + pw), int(top + scale + ph))
    ghost = None
    if t.ghost:
        gw, gh = pw * 0.4, ph * 0.4
        gx = w - 5 * scale - gw if t.portrait_left else 5 * scale
        ghost = (int(gx), int(bottom - gh - scale), int(gx + gw), int(bottom - scale))
    return box, ghost


def feature_boxes_mm(t: Template) -> tuple[tuple[float, float, float, float],
                                             tuple[float, float, float, float] | None]:
    """Where template `t` prints the holder's portrait and its ghost image, in document millimetres
    (what a document database records for each design; the ghost is None if the design has none)."""
    fine = 100.0  # px/mm: rounding to whole pixels at this scale is far below a rectified pixel
    w, h = int(t.size_mm[0] * fine), int(t.size_mm[1] * fine)
    pbox, gbox = _portrait_boxes(t, w, h, fine)
    p = tuple(v / fine for v in pbox)
    g = None if gbox is None else tuple(v / fine for v in gbox)
    return p, g  # type: ignore[return-value]


# Seeds of the holders whose documents outline where a design prints each value (value_boxes_mm):
# a value's start and line are the design's, its length the holder's, so the union over a few
# holders is the field's place.
VALUE_BOX_SEEDS = (1, 2, 3, 4)


def value_boxes_mm(t: Template) -> dict[str, tuple[float, float, float, float]]:
    """Where template `t` prints each holder value on its front, in document millimetres: the union
    of the value boxes of a few generated holders (what a document database records per field)."""
    from openidv.documents.synth.document import make_document  # the document module builds on this one
    from openidv.documents.synth.portraits import DrawnPortraits

    scale = 12.0
    boxes: dict[str, list[tuple[float, ...]]] = {}
    for seed in VALUE_BOX_SEEDS:
        doc = make_document(t, seed, DrawnPortraits(), scale)
        for name, info in doc.front.fields.items():
            boxes.setdefault(name, []).append(tuple(v / scale for v in info["box"]))
    return {name: (min(b[0] for b in bs), min(b[1] for b in bs), max(b[2] for b in bs), max(b[3] for b in bs))
            for name, bs in boxes.items()}


def _fields(draw: ImageDraw.ImageDraw, t: Template, ident: Identity, area: Box, rows: list[tuple[str, ...]],
            scale: float, overrides: dict[str, str]) -> dict[str, dict[str, Any]]:
    x0, y0, x1, y1 = area
    row_h = (y1 - y0) / len(rows)
    card = t.kind != "TD3"
    lab_f = viz_font(t.font_family, int((1.3 if card else 1.6) * scale))
    val_f = viz_font(t.font_family, int((2.0 if card else 2.6) * scale), bold=t.kind == "DL")
    out: dict[str, dict[str, Any]] = {}
    for r, row in enumerate(rows):
        col_w = (x1 - x0) / len(row)
        for c, name in enumerate(row):
            fx, fy = x0 + c * col_w, y0 + r * row_h
            text, value = display_value(name, ident, t)
            text = overrides.get(name, text)
            lab = label_text(name, t)
            if t.layout == 0 or t.kind == "DL" or len(row) > 1:
                lb = _text(draw, (fx, fy), lab, lab_f, t.accent)
                vb = _text(draw, (fx + 0.5 * scale, lb[3] + 0.3 * scale), text, val_f, t.ink)
            else:
                lb = _text(draw, (fx, fy + 0.3 * scale), lab + ":", lab_f, t.accent)
                vb = _text(draw, (lb[2] + scale, fy), text, val_f, t.ink)
            out[name] = {"value": value, "text": text, "box": vb, "label_box": lb}
    return out


def render_side(t: Template, ident: Identity, portrait: NDArray[Any] | None, side: str,
                rng: np.random.Generator, scale: float = 12.0, mrz_lines: list[str] | None = None,
                viz_overrides: dict[str, str] | None = None, barcode: NDArray[Any] | None = None) -> Rendered:
    """Draw one side of a document of template `t` for `ident`."""
    img = _canvas(t, rng, scale)
    h, w = img.shape[:2]
    out = Rendered(image=img, px_per_mm=scale, template=t.id, side=side)
    if side == "back" and t.kind == "DL":
        return _dl_back(out, t, scale, rng, barcode)
    pil = Image.fromarray(img)
    draw = ImageDraw.Draw(pil)
    _header(draw, img, t, scale)
    has_mrz = mrz_lines is not None and (t.kind in ("TD2", "TD3") or (t.kind == "TD1" and side == "back"))
    bottom = h - (MRZ_MM[t.kind] if has_mrz else 4.0) * scale
    rows = ROWS.get((t.kind, side), [])
    if side == "front":
        pbox, gbox = _portrait_boxes(t, w, h, scale)
        out.portrait_box = pbox
        fx0 = pbox[2] + 4 * scale if t.portrait_left else 4 * scale
        fx1 = w - 4 * scale if t.portrait_left else pbox[0] - 4 * scale
        if gbox is not None:
            fx1 = min(fx1, gbox[0] - scale) if t.portrait_left else fx1
        area = (int(fx0), int(TOP_MM[t.kind] * scale + scale), int(fx1), int(bottom - 6 * scale))
        out.fields = _fields(draw, t, ident, area, rows, scale, viz_overrides or {})
        sig_box = (int(fx0), int(bottom - 5.5 * scale), int(fx0 + 30 * scale), int(bottom - 1.5 * scale))
        signature(draw, sig_box, rng, t.ink, max(1, int(scale / 8)))
        img[:] = np.asarray(pil)
        if portrait is not None:
            paste_portrait(img, portrait, pbox, gbox)
    else:
        area = (int(4 * scale), int(TOP_MM[t.kind] * scale + scale), int(w - 4 * scale), int(bottom - 2 * scale))
        out.fields = _fields(draw, t, ident, area, rows, scale, viz_overrides or {})
        img[:] = np.asarray(pil)
    if has_mrz and mrz_lines is not None:
        out.mrz_box, out.mrz_line_boxes = draw_mrz(img, mrz_lines, t, scale, rng)
        out.mrz_lines = list(mrz_lines)
    return out


def _dl_back(out: Rendered, t: Template, scale: float, rng: np.random.Generator,
             barcode: NDArray[Any] | None) -> Rendered:
    img = out.image
    h, w = img.shape[:2]
    if barcode is not None:
        bw = int(w - 10 * scale)
        bh = int(min(h * 0.5, bw * barcode.shape[0] / barcode.shape[1]))
        import cv2

        code = cv2.resize(barcode, (bw, bh), interpolation=cv2.INTER_NEAREST)
        x0, y0 = int(5 * scale), int(h - bh - 5 * scale)
        img[y0 : y0 + bh, x0 : x0 + bw] = code
        out.barcode_box = (x0, y0, x0 + bw, y0 + bh)
    pil = Image.fromarray(img)
    draw = ImageDraw.Draw(pil)
    _text(draw, (5 * scale, 3 * scale), f"{t.state} DEPARTMENT OF MOTOR VEHICLES",
          viz_font(t.font_family, int(2.0 * scale), True), t.accent)
    _text(draw, (5 * scale, 7 * scale), "This card is the property of the issuing state.",
          viz_font(t.font_family, int(1.4 * scale)), t.ink)
    img[:] = np.asarray(pil)
    return out
