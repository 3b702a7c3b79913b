"""Value lines of generated documents, for the typeface-consistency model.

Training sets (:func:`restyled_set`) never use a forgery family's code. A genuine document is
drawn twice by the document renderer from the same seed: once whole, once with one value's place
left blank, where :func:`draw_value` then prints the value in another style (:func:`restyle`: font
family, weight, size, letter spacing, ink). The two drawings share every other pixel - the
background under the value is the design's own, not an inpainted patch - so what differs is how
the value is printed. The page is photographed (a training capture condition), rectified with the
capture's ground truth and its value lines cut
(:func:`openidv.documents.authenticity.typeface.cut_line`). Lines of one drawing are "printed
alike"; the restyled line against any other is "printed differently". This is the kind of edit the
``field_alteration`` family makes (which erases the field by inpainting and re-types it), drawn by
other code: figures on that family are not figures on an unseen kind of forgery.

Evaluation sets (:func:`forged_set`) come from the forgery generator (``synth/forgery.py``) on
held-out designs, capture conditions and portraits: genuine documents, re-typed fields
(``field_alteration``), fields pasted from another document (``digital_splicing``), and so on, so
that every family the check is measured on is one the model never saw.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from openidv.documents.authenticity.typeface import MIN_VALUE_MM, PX_PER_MM, cut_line
from openidv.documents.synth.capture import capture, sample_params
from openidv.documents.synth.dataset import conditions_for
from openidv.documents.synth.document import SyntheticDocument, make_document
from openidv.documents.synth.fonts import available_viz_families, viz_font
from openidv.documents.synth.forgery import applicable, forge
from openidv.documents.synth.portraits import PortraitSource
from openidv.documents.synth.templates import Template, templates

SCALE = 12.0  # generator px/mm


@dataclass
class LineSet:
    """One document's value lines as cut from its rectified photo."""

    lines: NDArray[np.uint8]  # (n, CROP_H, CROP_W, 3)
    names: list[str]
    odd: int  # index of the line printed differently (restyled, re-typed, pasted), -1 if none
    family: str  # "genuine", "restyled" (training) or a forgery family
    template: str
    condition: str


@dataclass(frozen=True)
class ValueStyle:
    """How one value is drawn: font family, weight, size and letter spacing relative to the
    design's value type, and the ink."""

    family: str
    bold: bool
    size: float  # times the design's value size
    spacing: float  # extra space after each letter, times the type size
    ink: tuple[int, int, int]


def design_style(t: Template) -> ValueStyle:
    return ValueStyle(t.font_family, t.kind == "DL", 1.0, 0.0, t.ink)


def restyle(t: Template, rng: np.random.Generator) -> ValueStyle:
    """Another way to print `t`'s values: any of the font families (its own too), either weight,
    another size or letter spacing, another ink - at least one of them noticeably different."""
    base = design_style(t)
    fams = available_viz_families() or [t.font_family]
    while True:
        shift = rng.integers(-50, 51, 3) if rng.random() < 0.5 else np.zeros(3, int)
        bold = (not base.bold) if rng.random() < 0.3 else base.bold
        st = ValueStyle(str(rng.choice(fams)), bold,
                        float(rng.uniform(0.82, 1.18)), float(rng.uniform(-0.04, 0.14)),
                        tuple(int(v) for v in np.clip(np.array(t.ink) + shift, 0, 200)))  # type: ignore[arg-type]
        if (st.family != base.family or st.bold != base.bold or abs(st.size - 1) > 0.06 or abs(st.spacing) > 0.03
                or int(np.abs(shift).max()) > 25):
            return st


def draw_value(page: NDArray[Any], box: tuple[int, int, int, int], text: str, t: Template, st: ValueStyle,
               scale: float = SCALE) -> None:
    """Print `text` in style `st` on the baseline and at the left end of a value drawn at `box` in
    the design's style (the place was left blank: ``make_document(front_overrides=...)``)."""
    size = int((2.0 if t.kind != "TD3" else 2.6) * scale)
    own = viz_font(t.font_family, size, t.kind == "DL")
    ox0, oy0, _, _ = own.getbbox(text)
    baseline = box[1] - oy0 + own.getmetrics()[0]
    fnt = viz_font(st.family, max(8, round(size * st.size)), st.bold)
    pil = Image.fromarray(page)
    draw = ImageDraw.Draw(pil)
    x = float(box[0] - ox0)
    for ch in text:
        draw.text((x, baseline), ch, font=fnt, fill=st.ink, anchor="ls")
        x += draw.textlength(ch, font=fnt) + st.spacing * size
    page[:] = np.asarray(pil)


def value_names(doc: SyntheticDocument) -> list[str]:
    """The front's values wide enough to compare, in layout order."""
    return [n for n, info in doc.front.fields.items()
            if (info["box"][2] - info["box"][0]) >= MIN_VALUE_MM * SCALE and str(info.get("text", "")).strip()]


def _pick(split: str, rng: np.random.Generator, family: str | None = None) -> Template:
    kinds = [k for k in ("TD1", "TD2", "TD3", "DL") if family is None or applicable(family, k)]
    pool = templates(kinds[int(rng.integers(len(kinds)))], split)
    return pool[int(rng.integers(len(pool)))]


def shoot(img: NDArray[Any], t: Template, split: str, rng: np.random.Generator) -> tuple[NDArray[Any], str]:
    """Photograph a page under a capture condition of `split` and rectify it to PX_PER_MM with the
    capture's ground truth (the runtime rectifies with the MRZ frame or card outline instead)."""
    cond = str(rng.choice([c for c in conditions_for(split) if c != "cropped"]))
    cap = capture(img, sample_params(cond, rng), rng, doc_width_mm=t.size_mm[0])
    f = SCALE / PX_PER_MM
    m = cap.homography @ np.diag([f, f, 1.0])
    size = (int(t.size_mm[0] * PX_PER_MM), int(t.size_mm[1] * PX_PER_MM))
    rect = cv2.warpPerspective(cap.image, m, size, flags=cv2.INTER_AREA | cv2.WARP_INVERSE_MAP,
                               borderMode=cv2.BORDER_REPLICATE)
    return rect, cond


def _cut_all(rect: NDArray[Any], doc: SyntheticDocument, names: list[str], rng: np.random.Generator,
             jitter_mm: float = 0.0) -> tuple[list[NDArray[Any]], list[str]]:
    """Each value's window; `jitter_mm` moves each window by up to that much sideways and half as
    much up or down, as a registration from the card outline or the MRZ does."""
    f = SCALE / PX_PER_MM
    crops, kept = [], []
    for n in names:
        b = doc.front.fields[n]["box"]
        dx, dy = (rng.uniform(-1.0, 1.0, 2) * (jitter_mm, jitter_mm / 2) * PX_PER_MM) if jitter_mm else (0.0, 0.0)
        c = cut_line(rect, (b[0] / f + dx, b[1] / f + dy, b[2] / f + dx, b[3] / f + dy))
        if c is not None:
            crops.append(c)
            kept.append(n)
    return crops, kept


def _pack(crops: list[NDArray[Any]], names: list[str], odd_name: str | None, family: str, t: Template,
          cond: str) -> LineSet:
    lines = np.stack(crops) if crops else np.zeros((0, 1, 1, 3), np.uint8)
    odd = names.index(odd_name) if odd_name in names else -1
    return LineSet(lines, names, odd, family, t.id, cond)


def restyled_set(split: str, seed: int, portraits: PortraitSource | None = None, p_odd: float = 0.7,
                 jitter_mm: float = 0.0) -> LineSet:
    """A training document, with one value restyled (probability `p_odd`)."""
    rng = np.random.default_rng(seed)
    t = _pick(split, rng)
    doc_seed = int(rng.integers(1 << 31))
    doc = make_document(t, doc_seed, portraits, SCALE)
    names = value_names(doc)
    odd_name: str | None = None
    page = doc.front.image
    if names and rng.random() < p_odd:
        odd_name = str(rng.choice(names))
        page = make_document(t, doc_seed, portraits, SCALE, front_overrides={odd_name: ""}).front.image
        draw_value(page, doc.front.fields[odd_name]["box"], str(doc.front.fields[odd_name]["text"]), t,
                   restyle(t, rng))
    rect, cond = shoot(page, t, split, rng)
    crops, kept = _cut_all(rect, doc, names, rng, jitter_mm)
    return _pack(crops, kept, odd_name, "restyled" if odd_name else "genuine", t, cond)


def forged_set(split: str, family: str | None, seed: int, portraits: PortraitSource | None = None,
               jitter_mm: float = 0.0) -> LineSet:
    """An evaluation document: genuine (`family` None) or forged by a forgery family, front side."""
    rng = np.random.default_rng(seed)
    t = _pick(split, rng, family)
    doc = make_document(t, int(rng.integers(1 << 31)), portraits, SCALE)
    odd_name: str | None = None
    if family is not None:
        doc = forge(doc, family, rng, portraits)
        detail = doc.forgery_detail
        odd_name = str(detail.get("field") or detail.get("region") or "") or None
    rect, cond = shoot(doc.front.image, t, split, rng)
    crops, kept = _cut_all(rect, doc, value_names(doc), rng, jitter_mm)
    return _pack(crops, kept, odd_name, family or "genuine", t, cond)


__all__ = ["LineSet", "ValueStyle", "design_style", "draw_value", "forged_set", "restyle", "restyled_set", "shoot",
           "value_names"]
