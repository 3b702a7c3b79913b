"""Does the ghost image show the same face as the main portrait?

Many ID cards, passports and driver licences print a second, small, faint copy of the holder's
photo (the "ghost image") elsewhere on the document, from the same source image. A forger who
pastes a new photo over the main portrait must also re-create the ghost, which is printed faint,
small and over security background, so substitutions usually leave the ghost showing the original
holder. That makes the ghost a forensic cue that needs no model of the forgery: only where the
issuer's design puts the two images (the template registry's feature boxes, as a document database
records them) and two thresholds calibrated on genuine documents.

Three steps. *Locate*: the ghost is looked for within ``locate_mm`` of its registered box (the
portrait scaled to the ghost's size, correlated with the region), because rectification from a card
outline is often millimetres off. *Visibility*: the coarse-band spread of the ghost's centre over
that of the card around it - a ghost of any face reads like a genuine one, a washed-out ghost or a
design without one reads low, and then nothing is compared. *Compare*: the ghost's centre is
searched for in the main portrait's neighbourhood, scaled to the ghost's size (a margin absorbs
print registration; a few scales absorb the ghost's inexact size). Both are band-passed first - the
fine band holds guilloche lines and sensor noise, the coarse band holds lighting and the ghost's
fade - and printed text over the ghost (thin strokes darker than the faint ghost could print, found
by a black-hat filter) is masked out of the correlation. The similarity is the best normalised
cross-correlation: about 0.85 for a genuine document, about 0.35 for a substituted portrait
(different faces still share a head-on layout). Thresholds: ``document_ghost`` (tuned by
``openidv.documents.training.tune_ghost``).

Limits: it applies only to designs with a ghost image; a forger who also replaces the ghost defeats
it; ghosts printed as line screens, mirrored or in UV ink are not modelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class GhostParams:
    """Search and filter settings (in rectified pixels at ``px_per_mm``; defaults for 8 px/mm)."""

    locate_mm: float = 3.0  # look for the ghost this far from its registered place (rectification error)
    margin_mm: float = 2.0  # then search the portrait neighbourhood this far (print registration)
    scales: tuple[float, ...] = (0.92, 1.0, 1.08)  # ghost size relative to the registered box
    core: float = 0.9  # compare the central share of the ghost box (its edges may be background)
    min_visible: float = 0.3  # below this share of the core left visible by text: not comparable
    fine_sigma: float = 1.0  # band-pass: blur away guilloche lines and noise ...
    coarse_sigma: float = 6.0  # ... and subtract lighting and fade
    text_kernel: int = 7  # black-hat size: strokes thinner than this are text candidates
    text_contrast: float = 0.3  # ... if darker than this share of the region's range
    text_floor: float = 12.0  # ... and by at least this many grey levels
    text_min_area: int = 6  # ... in connected pieces of at least this many pixels (noise specks are not text)
    text_grow: int = 5  # mask this far around the strokes (their blurred rims)
    visibility_sigmas: tuple[float, float] = (3.0, 12.0)  # coarse band: a face's shape, not its print


def _band(grey: NDArray[Any], p: GhostParams) -> NDArray[Any]:
    g = grey.astype(np.float32)
    return cv2.GaussianBlur(g, (0, 0), p.fine_sigma) - cv2.GaussianBlur(g, (0, 0), p.coarse_sigma)


def text_mask(grey: NDArray[Any], p: GhostParams) -> NDArray[Any]:
    """255 on printed text (thin strokes much darker than their surround), grown by ``text_grow``."""
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (p.text_kernel, p.text_kernel))
    hat = cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, k)
    lo, hi = np.percentile(grey, [2, 98])
    mask = (hat > max(p.text_contrast * float(hi - lo), p.text_floor)).astype(np.uint8)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    strokes = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] >= p.text_min_area)
    strokes = strokes[strokes > 0]  # label 0 is the background
    ink = np.isin(labels, strokes).astype(np.uint8) * 255
    return cv2.dilate(ink, np.ones((p.text_grow, p.text_grow), np.uint8)) if strokes.size else ink


def remove_text(grey: NDArray[Any], p: GhostParams) -> tuple[NDArray[Any], NDArray[Any]]:
    """(grey with printed text in-painted, the text mask)."""
    ink = text_mask(grey, p)
    return (cv2.inpaint(grey, ink, 3, cv2.INPAINT_TELEA) if ink.any() else grey), ink


def _clip(box: Box, shape: tuple[int, ...]) -> Box:
    h, w = shape[:2]
    x0, y0, x1, y1 = box
    return max(0, x0), max(0, y0), min(w, x1), min(h, y1)


@dataclass(frozen=True)
class GhostComparison:
    similarity: float  # best normalised cross-correlation of the ghost within the portrait, [-1, 1]
    visibility: float  # coarse contrast of the ghost over that of its surround (about 1: nothing there)


def compare_ghost(doc_rgb: NDArray[Any], portrait_px: Box, ghost_px: Box, px_per_mm: float = 8.0,
                  params: GhostParams | None = None) -> GhostComparison | None:
    """Compare the ghost image with the main portrait.

    ``doc_rgb`` is the rectified document; the boxes are in its pixels. The central part of the
    ghost (located near its registered box), with printed text masked out, is searched for in the
    portrait's neighbourhood scaled to the ghost's size. ``visibility`` says whether anything
    ghost-like is there at all: the coarse-band contrast of the core over that of the card around the
    registered box (a washed-out ghost, or a design without one, reads low; a ghost of another face
    reads like a genuine one). None when the boxes fall outside the image, are too small, or text
    hides most of the ghost (nothing to compare: no evidence either way).
    """
    p = params or GhostParams()
    grey = cv2.cvtColor(doc_rgb, cv2.COLOR_RGB2GRAY) if doc_rgb.ndim == 3 else doc_rgb
    gx0, gy0, gx1, gy1 = ghost_px
    gw, gh = gx1 - gx0, gy1 - gy0
    px0, py0, px1, py1 = _clip(portrait_px, grey.shape)
    if min(gw, gh) < 10 or min(px1 - px0, py1 - py0) < 8:
        return None
    cw, ch = round(gw * p.core), round(gh * p.core)
    found = _locate(grey, ghost_px, grey[py0:py1, px0:px1], (cw, ch), px_per_mm, p)
    if found is None:
        return None
    cx0, cy0 = found
    core, ink = remove_text(np.ascontiguousarray(grey[cy0 : cy0 + ch, cx0 : cx0 + cw]), p)
    visible = (ink == 0).astype(np.float32)
    if float(visible.mean()) < p.min_visible:
        return None
    tmpl = _band(core, p)
    best: float | None = None
    for s in p.scales:
        f = gw * s / (px1 - px0)  # portrait pixels -> ghost pixels
        m = round(p.margin_mm * px_per_mm / f)
        nx0, ny0, nx1, ny1 = _clip((px0 - m, py0 - m, px1 + m, py1 + m), grey.shape)
        size = (round((nx1 - nx0) * f), round((ny1 - ny0) * f))
        if size[0] <= tmpl.shape[1] or size[1] <= tmpl.shape[0]:
            continue
        hood = _band(cv2.resize(grey[ny0:ny1, nx0:nx1], size, interpolation=cv2.INTER_AREA), p)
        r = cv2.matchTemplate(hood, tmpl, cv2.TM_CCOEFF_NORMED, mask=visible)
        r = r[np.isfinite(r)]
        if r.size:
            best = float(r.max()) if best is None else max(best, float(r.max()))
    if best is None:
        return None
    return GhostComparison(best, _visibility(grey, ghost_px, core, visible > 0, px_per_mm, p))


def _visibility(grey: NDArray[Any], ghost_px: Box, core: NDArray[Any], visible: NDArray[Any], px_per_mm: float,
                p: GhostParams) -> float:
    """Coarse-band spread of the ghost's core (text masked) over that of the card around its box."""
    coarse = GhostParams(fine_sigma=p.visibility_sigmas[0], coarse_sigma=p.visibility_sigmas[1])
    gx0, gy0, gx1, gy1 = ghost_px
    m = round(p.margin_mm * px_per_mm)
    x0, y0, x1, y1 = _clip((gx0 - m, gy0 - m, gx1 + m, gy1 + m), grey.shape)
    around = _band(grey[y0:y1, x0:x1], coarse)
    outside = np.ones(around.shape, bool)
    outside[max(0, gy0 - y0) : gy1 - y0, max(0, gx0 - x0) : gx1 - x0] = False
    inner = _band(core, coarse)[visible]
    if inner.size < 10 or outside.sum() < 10:
        return 0.0
    return float(inner.std() / (around[outside].std() + 1e-3))


def ghost_similarity(doc_rgb: NDArray[Any], portrait_px: Box, ghost_px: Box, px_per_mm: float = 8.0,
                     params: GhostParams | None = None) -> float | None:
    """The similarity of :func:`compare_ghost` alone."""
    c = compare_ghost(doc_rgb, portrait_px, ghost_px, px_per_mm, params)
    return None if c is None else c.similarity


def _locate(grey: NDArray[Any], ghost_px: Box, portrait: NDArray[Any], core: tuple[int, int], px_per_mm: float,
            p: GhostParams) -> tuple[int, int] | None:
    """Top-left of the ghost's core within ``locate_mm`` of its registered place: where the portrait,
    scaled to the core's size, correlates best with the region (text in-painted). Rectification from
    a card outline is often a few millimetres off; the comparison itself then runs at that place."""
    gx0, gy0, gx1, gy1 = ghost_px
    cw, ch = core
    m = round(p.locate_mm * px_per_mm)
    x0, y0, x1, y1 = _clip((gx0 + (gx1 - gx0 - cw) // 2 - m, gy0 + (gy1 - gy0 - ch) // 2 - m,
                            gx0 + (gx1 - gx0 + cw) // 2 + m + 1, gy0 + (gy1 - gy0 + ch) // 2 + m + 1), grey.shape)
    if x1 - x0 < cw or y1 - y0 < ch:
        return None
    region, _ = remove_text(np.ascontiguousarray(grey[y0:y1, x0:x1]), p)
    tmpl = _band(cv2.resize(portrait, (cw, ch), interpolation=cv2.INTER_AREA), p)
    if float(tmpl.std()) < 1e-3:
        return None
    _, _, _, loc = cv2.minMaxLoc(cv2.matchTemplate(_band(region, p), tmpl, cv2.TM_CCOEFF_NORMED))
    return x0 + int(loc[0]), y0 + int(loc[1])


def mm_box_to_px(box_mm: tuple[float, float, float, float] | list[float], px_per_mm: float) -> Box:
    x0, y0, x1, y1 = (v * px_per_mm for v in box_mm)
    return round(x0), round(y0), round(x1), round(y1)
