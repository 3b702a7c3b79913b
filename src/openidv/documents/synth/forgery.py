"""Forgery families, each a parameterised, seeded transformation of a genuine document.

Every function takes a genuine :class:`SyntheticDocument` and returns a *new* one whose
``forgery`` names the family and whose ``forgery_detail`` says exactly what was changed. Image
families edit pixels (what a forger with an image editor does); data families re-render a
document whose zones disagree (what a forger with a template kit does); capture families change
how the document reaches the camera (a screen, a photocopy).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from openidv.documents.mrz.alphabet import check_digit
from openidv.documents.synth.document import SyntheticDocument, aamva_payload_for, make_document, mrz_for
from openidv.documents.synth.fonts import available_viz_families, font, mrz_font_path, viz_font
from openidv.documents.synth.layout import render_side
from openidv.documents.synth.portraits import DrawnPortraits, PortraitSource
from openidv.documents.synth.recapture_species import HELDOUT_SPECIES, SPECIES
from openidv.documents.synth.render import Rendered, paste_portrait
from openidv.documents.synth.templates import make_template

FAMILIES = (
    "portrait_substitution", "field_alteration", "mrz_tampering", "mrz_viz_inconsistency",
    "barcode_viz_inconsistency", "template_mismatch", "screen_recapture", "photocopy", "digital_splicing",
)
# Families that only make sense for some kinds (no MRZ on a driver licence, no barcode on a passport).
APPLIES = {
    "mrz_tampering": ("TD1", "TD2", "TD3"), "mrz_viz_inconsistency": ("TD1", "TD2", "TD3"),
    "barcode_viz_inconsistency": ("DL",),
}


def applicable(family: str, kind: str) -> bool:
    return kind in APPLIES.get(family, ("TD1", "TD2", "TD3", "DL"))


def _copy(doc: SyntheticDocument, family: str, **detail: object) -> SyntheticDocument:
    out = copy.copy(doc)
    out.front = copy.copy(doc.front)
    out.front.image = doc.front.image.copy()
    if doc.back is not None:
        out.back = copy.copy(doc.back)
        out.back.image = doc.back.image.copy()
    out.forgery, out.forgery_detail = family, dict(detail)
    return out


def _fill_background(img: NDArray[Any], box: tuple[int, int, int, int], rng: np.random.Generator) -> None:
    """Erase a box the way a forger does: inpaint it from the surrounding background."""
    x0, y0, x1, y1 = box
    pad = 2
    mask = np.zeros(img.shape[:2], np.uint8)
    mask[max(0, y0 - pad) : y1 + pad, max(0, x0 - pad) : x1 + pad] = 255
    method = cv2.INPAINT_TELEA if rng.random() < 0.5 else cv2.INPAINT_NS
    img[:] = cv2.inpaint(img, mask, 3, method)


def portrait_substitution(doc: SyntheticDocument, rng: np.random.Generator,
                          portraits: PortraitSource | None = None) -> SyntheticDocument:
    out = _copy(doc, "portrait_substitution")
    box = doc.front.portrait_box
    if box is None:
        raise ValueError("document has no portrait")
    pid, face = (portraits or DrawnPortraits()).sample(rng)
    x0, y0, x1, y1 = box
    dx, dy = (int(v) for v in rng.integers(-4, 5, 2))
    shrink = float(rng.uniform(0.0, 0.06))
    w, h = x1 - x0, y1 - y0
    nb = (x0 + dx + int(w * shrink / 2), y0 + dy + int(h * shrink / 2), x1 + dx - int(w * shrink / 2),
          y1 + dy - int(h * shrink / 2))
    face = np.clip(face.astype(np.float32) * rng.uniform(0.85, 1.15, 3), 0, 255).astype(np.uint8)
    paste_portrait(out.front.image, face, nb, None)  # the ghost image keeps the original face
    out.portrait_id = pid
    out.forgery_detail = {"new_portrait": pid, "offset": [dx, dy], "shrink": shrink, "side": "front",
                          "regions": [[min(x0, nb[0]) - 3, min(y0, nb[1]) - 3, max(x1, nb[2]) + 3, max(y1, nb[3]) + 3]]}
    return out


def _redraw_text(img: NDArray[Any], xy: tuple[int, int], text: str, size: int, rng: np.random.Generator,
                 ink: tuple[int, int, int]) -> None:
    fams = available_viz_families() or ["dejavu_sans"]
    fnt = viz_font(str(rng.choice(fams)), max(8, int(size * rng.uniform(0.9, 1.12))), bool(rng.random() < 0.3))
    pil = Image.fromarray(img)
    draw = ImageDraw.Draw(pil)
    x: float = xy[0]
    y = xy[1]
    spacing = rng.uniform(-0.05, 0.15) * size
    for ch in text:  # per-character drawing: the forger's kerning differs from the issuer's
        draw.text((x, y), ch, font=fnt, fill=ink)
        x += draw.textlength(ch, font=fnt) + spacing
    img[:] = np.asarray(pil)


def field_alteration(doc: SyntheticDocument, rng: np.random.Generator) -> SyntheticDocument:
    candidates = [n for n in ("date_of_birth", "surname", "document_number", "date_of_expiry", "given_names")
                  if n in doc.front.fields]
    name = str(rng.choice(candidates))
    info = doc.front.fields[name]
    old = str(info["text"])
    new = _altered_text(old, rng)
    box = info["box"]
    out = _copy(doc, "field_alteration", field=name, old=old, new=new, side="front",
                regions=[[box[0] - 4, box[1] - 6, box[2] + int((box[3] - box[1]) * 2), box[3] + 6]])
    _fill_background(out.front.image, box, rng)
    ink = tuple(int(c) for c in np.clip(np.array(doc.template.ink) + rng.integers(-40, 40, 3), 0, 255))
    _redraw_text(out.front.image, (box[0] + int(rng.integers(-3, 4)), box[1] - int((box[3] - box[1]) * 0.2)),
                 new, box[3] - box[1] + 4, rng, ink)  # type: ignore[arg-type]
    out.front.fields = {**doc.front.fields, name: {**info, "text": new}}
    return out


def _altered_text(old: str, rng: np.random.Generator) -> str:
    chars = list(old)
    idx = [i for i, c in enumerate(chars) if c.isalnum()]
    for i in rng.choice(idx, size=min(len(idx), int(rng.integers(1, 3))), replace=False):
        c = chars[i]
        pool = "0123456789" if c.isdigit() else "ABCDEFGHIJKLMNOPRSTUVWYZ"
        chars[i] = str(rng.choice([p for p in pool if p != c.upper()]))
    return "".join(chars)


def mrz_tampering(doc: SyntheticDocument, rng: np.random.Generator) -> SyntheticDocument:
    """Change birth-date digits in the MRZ; half the time also fix the check digits (a careful forger)."""
    side = doc.mrz_side
    if side is None or not side.mrz_line_boxes:
        raise ValueError("document has no MRZ")
    lines = [list(ln) for ln in doc.mrz_lines]
    layout = doc.mrz_layout or doc.template.kind
    row, start = {"TD1": (1, 0), "FRA-ID": (1, 27)}.get(layout, (1, 13))
    pos = start + int(rng.integers(0, 6))
    lines[row][pos] = str(rng.choice([d for d in "0123456789" if d != lines[row][pos]]))
    fix = bool(rng.random() < 0.5)
    changed = [(row, pos)]
    if fix:
        changed += _fix_checks(lines, layout, start)
    out_side_name = "back" if doc.template.kind == "TD1" else "front"
    out = _copy(doc, "mrz_tampering", changed=changed, check_digits_fixed=fix, side=out_side_name,
                regions=_mrz_cells(side, len(lines[0]), changed))
    out_side = out.back if doc.template.kind == "TD1" else out.front
    assert out_side is not None
    _redraw_mrz_chars(out_side, lines, changed, rng)
    out.mrz_lines = ["".join(ln) for ln in lines]
    out_side.mrz_lines = list(out.mrz_lines)
    return out


def _fix_checks(lines: list[list[str]], kind: str, start: int) -> list[tuple[int, int]]:
    l2 = lines[1]
    dob = "".join(l2[start : start + 6])
    l2[start + 6] = check_digit(dob)
    comp = len(l2) - 1
    if kind == "TD3":
        l2[comp] = check_digit("".join(l2[0:10] + l2[13:20] + l2[21:43]))
    elif kind == "TD2":
        l2[comp] = check_digit("".join(l2[0:10] + l2[13:20] + l2[21:35]))
    elif kind == "FRA-ID":  # the composite covers line 1 and line 2 up to it
        l2[comp] = check_digit("".join(lines[0] + l2[0:35]))
    else:
        l2[comp] = check_digit("".join(lines[0][5:30] + l2[0:7] + l2[8:15] + l2[18:29]))
    return [(1, start + 6), (1, comp)]


def _mrz_cells(side: Rendered, width: int, changed: list[tuple[int, int]]) -> list[list[int]]:
    out = []
    for row, pos in changed:
        x0, y0, x1, y1 = side.mrz_line_boxes[row]
        pitch = (x1 - x0) / width
        out.append([int(x0 + pos * pitch) - 3, int(y0) - 5, int(x0 + (pos + 1) * pitch) + 3, int(y1) + 5])
    return out


def _redraw_mrz_chars(side: Rendered, lines: list[list[str]], changed: list[tuple[int, int]],
                      rng: np.random.Generator) -> None:
    width = len(lines[0])
    for row, pos in changed:
        x0, y0, x1, y1 = side.mrz_line_boxes[row]
        pitch = (x1 - x0) / width
        cell = (int(x0 + pos * pitch), int(y0 - 2), int(x0 + (pos + 1) * pitch), int(y1 + 3))
        _fill_background(side.image, cell, rng)
        size = int((y1 - y0) / 0.72 * rng.uniform(0.92, 1.08))
        pil = Image.fromarray(side.image)
        draw = ImageDraw.Draw(pil)
        cx = x0 + (pos + 0.5) * pitch + rng.uniform(-0.08, 0.08) * pitch
        draw.text((cx, y1 + rng.uniform(-1.5, 1.5)), lines[row][pos], font=font(str(mrz_font_path()), size),
                  fill=tuple(int(v) for v in rng.integers(0, 70, 3)), anchor="ms")
        side.image[:] = np.asarray(pil)


def mrz_viz_inconsistency(doc: SyntheticDocument, rng: np.random.Generator) -> SyntheticDocument:
    """A clean document whose printed data disagree with its MRZ (e.g. an older birth date)."""
    field = str(rng.choice(["date_of_birth", "surname", "document_number"]))
    ident = copy.deepcopy(doc.identity)
    if field == "date_of_birth":
        ident.date_of_birth = ident.date_of_birth - timedelta(days=int(rng.integers(365 * 2, 365 * 10)))
    elif field == "surname":
        ident.surname = str(rng.choice(["Walker", "Moreau", "Kowalski", "Rossi", "Haddad"]))
    else:
        ident.document_number = _altered_text(ident.document_number, rng)
    return _rerender(doc, ident, "mrz_viz_inconsistency", rng, field=field, mrz_from="original")


def barcode_viz_inconsistency(doc: SyntheticDocument, rng: np.random.Generator) -> SyntheticDocument:
    field = str(rng.choice(["date_of_birth", "surname", "document_number"]))
    ident = copy.deepcopy(doc.identity)
    if field == "date_of_birth":
        ident.date_of_birth = ident.date_of_birth - timedelta(days=int(rng.integers(365 * 2, 365 * 10)))
    elif field == "surname":
        ident.surname = str(rng.choice(["Walker", "Moreau", "Kowalski", "Rossi", "Haddad"]))
    else:
        ident.document_number = _altered_text(ident.document_number, rng)
    return _rerender(doc, ident, "barcode_viz_inconsistency", rng, field=field, mrz_from="original")


def _rerender(doc: SyntheticDocument, viz_ident: object, family: str, rng: np.random.Generator,
              **detail: object) -> SyntheticDocument:
    """Front printed from `viz_ident`; MRZ and barcode keep the original identity's data."""
    t = doc.template
    face = doc.front.image[slice(*_ys(doc.front)), slice(*_xs(doc.front))].copy()
    front = render_side(t, viz_ident, face, "front", rng, doc.front.px_per_mm,  # type: ignore[arg-type]
                        mrz_lines=doc.mrz_lines or None)
    out = _copy(doc, family, **detail)
    out.front = front
    return out


def _ys(r: Rendered) -> tuple[int, int]:
    assert r.portrait_box is not None
    return r.portrait_box[1], r.portrait_box[3]


def _xs(r: Rendered) -> tuple[int, int]:
    assert r.portrait_box is not None
    return r.portrait_box[0], r.portrait_box[2]


def template_mismatch(doc: SyntheticDocument, rng: np.random.Generator) -> SyntheticDocument:
    """The document claims its issuer (MRZ, header) but is printed on another issuer's layout."""
    t = doc.template
    others = [make_template(t.kind, i) for i in range(24)]
    others = [o for o in others if (o.issuer, o.iin) != (t.issuer, t.iin)]  # another issuer's design
    other = others[int(rng.integers(len(others)))]
    fake = replace(other, issuer=t.issuer, id=other.id, state=t.state, iin=t.iin)
    face = doc.front.image[slice(*_ys(doc.front)), slice(*_xs(doc.front))].copy()
    out = _copy(doc, "template_mismatch", claimed=t.id, printed_on=other.id)
    out.front = render_side(fake, doc.identity, face, "front", rng, doc.front.px_per_mm,
                            mrz_lines=doc.mrz_lines or None)
    out.front.template = t.id  # what the document claims to be
    if doc.back is not None:
        barcode = None
        if t.kind == "DL" and doc.barcode_payload:
            from openidv.documents.barcode.render import pdf417_image

            barcode = pdf417_image(doc.barcode_payload)
        out.back = render_side(fake, doc.identity, None, "back", rng, doc.front.px_per_mm,
                               mrz_lines=doc.mrz_lines or None, barcode=barcode)
        out.back.barcode_text = doc.barcode_payload
        out.back.template = t.id
    return out


def screen_recapture(doc: SyntheticDocument, rng: np.random.Generator) -> SyntheticDocument:
    """The document shown on a display and photographed: pixel grid, moiré, gamma, colour shift."""
    out = _copy(doc, "screen_recapture")
    pitch = float(rng.uniform(2.2, 4.5))
    for side in (out.front, out.back):
        if side is not None:
            side.image = _screen(side.image, pitch, rng)
    out.forgery_detail = {"pixel_pitch": pitch}
    return out


def _screen(img: NDArray[Any], pitch: float, rng: np.random.Generator) -> NDArray[Any]:
    h, w = img.shape[:2]
    sw, sh = int(w / pitch), int(h / pitch)
    small: Any = cv2.resize(img, (sw, sh), interpolation=cv2.INTER_AREA).astype(np.float32)
    gamma = rng.uniform(0.7, 1.4)
    small = 255 * (small / 255) ** gamma
    big = cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST)
    yy, xx = np.mgrid[0:h, 0:w]
    sub = (np.floor(xx / pitch * 3) % 3).astype(np.int64)  # RGB sub-pixel stripes
    mask = np.stack([(sub == k) for k in range(3)], axis=2).astype(np.float32)
    grid = ((yy % pitch) < pitch * 0.8).astype(np.float32)[:, :, None]
    out = big * (0.55 + 0.45 * mask) * (0.75 + 0.25 * grid)
    out = out * rng.uniform(1.1, 1.5) + rng.uniform(-10, 10, 3)
    out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.4, 1.0))
    return np.clip(out, 0, 255).astype(np.uint8)


def photocopy(doc: SyntheticDocument, rng: np.random.Generator) -> SyntheticDocument:
    """Printed (halftone, toner noise, lost colour) and scanned or photocopied."""
    out = _copy(doc, "photocopy")
    colour = bool(rng.random() < 0.4)
    for side in (out.front, out.back):
        if side is not None:
            side.image = _print_scan(side.image, colour, rng)
    out.forgery_detail = {"colour": colour}
    return out


def _print_scan(img: NDArray[Any], colour: bool, rng: np.random.Generator) -> NDArray[Any]:
    x: Any = img.astype(np.float32)
    if not colour:
        g = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY).astype(np.float32)
        x = np.repeat(g[:, :, None], 3, axis=2)
    x = (x - 128) * rng.uniform(1.2, 1.6) + 128 + rng.uniform(10, 30)
    h, w = x.shape[:2]
    period = float(rng.uniform(3.0, 5.0))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    screen = (np.sin(xx * 2 * np.pi / period) * np.sin(yy * 2 * np.pi / period) + 1) * 127.5
    x = np.where(x > screen[:, :, None] * 0.6 + 40, x + 25, x - 25)  # coarse halftone
    x = cv2.GaussianBlur(x, (0, 0), rng.uniform(0.6, 1.2))
    speck = rng.random((h, w)) < 0.002
    x[speck] = rng.uniform(0, 80)
    return np.clip(x, 0, 255).astype(np.uint8)


def digital_splicing(doc: SyntheticDocument, rng: np.random.Generator,
                     portraits: PortraitSource | None = None) -> SyntheticDocument:
    """A region (a field or the portrait) pasted in from another document of the same template,
    resampled and compressed differently."""
    donor = make_document(doc.template, int(rng.integers(1 << 30)), portraits, doc.front.px_per_mm)
    names = [n for n in ("surname", "date_of_birth", "document_number") if n in doc.front.fields]
    region = "portrait" if rng.random() < 0.4 or not names else str(rng.choice(names))
    box = doc.front.portrait_box if region == "portrait" else donor.front.fields[region]["box"]
    assert box is not None
    x0, y0, x1, y1 = (int(v) for v in box)
    pad = int(rng.integers(3, 12))
    x0, y0, x1, y1 = max(0, x0 - pad), max(0, y0 - pad), x1 + pad, y1 + pad
    patch: Any = donor.front.image[y0:y1, x0:x1]
    f = float(rng.uniform(0.6, 0.9))
    patch = cv2.resize(cv2.resize(patch, None, fx=f, fy=f, interpolation=cv2.INTER_AREA),
                       (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
    ok, buf = cv2.imencode(".jpg", patch, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(40, 75))])
    patch = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED) if ok else patch
    out = _copy(doc, "digital_splicing", region=region, box=[x0, y0, x1, y1], side="front",
                regions=[[x0, y0, x1, y1]])
    out.front.image[y0:y1, x0:x1] = patch[: y1 - y0, : x1 - x0]
    if region != "portrait":
        out.front.fields = {**doc.front.fields, region: donor.front.fields[region]}
    return out


_FUNCS: dict[str, Callable[..., SyntheticDocument]] = {
    "portrait_substitution": portrait_substitution, "field_alteration": field_alteration,
    "mrz_tampering": mrz_tampering, "mrz_viz_inconsistency": mrz_viz_inconsistency,
    "barcode_viz_inconsistency": barcode_viz_inconsistency, "template_mismatch": template_mismatch,
    "screen_recapture": screen_recapture, "photocopy": photocopy, "digital_splicing": digital_splicing,
    **SPECIES,  # held-out recapture species: measurement only, never in FAMILIES or a training set
}


def forge(doc: SyntheticDocument, family: str, rng: np.random.Generator,
          portraits: PortraitSource | None = None) -> SyntheticDocument:
    """Apply forgery `family` to a genuine document."""
    if family not in _FUNCS:
        raise ValueError(f"unknown forgery family {family!r}")
    if not applicable(family, doc.template.kind):
        raise ValueError(f"{family} does not apply to {doc.template.kind}")
    fn = _FUNCS[family]
    if family in ("portrait_substitution", "digital_splicing"):
        return fn(doc, rng, portraits)
    return fn(doc, rng)


__all__ = ["FAMILIES", "HELDOUT_SPECIES", "aamva_payload_for", "applicable", "forge", "mrz_for"]
