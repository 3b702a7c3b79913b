"""Does the document look like the template its issuer uses?

A template's *signature* is a coarse grid over the rectified document of: the chroma (Lab a, b)
medians, the lightness medians with the lighting trend removed, the edge density, and the direction
of the fine print (horizontal against vertical and one diagonal against the other gradient
energy) - medians ignore thin text strokes, so what remains is the issuer's design (tints, header
band, where the photo sits, how dense the security print is and whether its lines run in waves,
loops or rosettes). Each part is z-scored, so exposure and white balance fall out. The direction
parts are what tell apart designs that share a layout and differ in a pale background colour
(white balance removes most of that) and the pattern of their security print; they count
:data:`ORIENT_WEIGHT` times a colour part. Cell statistics are taken on the document resampled to
:data:`CELL_PX` pixels per cell, all registrations at once (vectorised).

A template's reference is the mean signature of several genuine documents with its per-cell
spread; documents are compared with a correlation weighted by the inverse spread, so
cells that change with the holder (photo, names) count little. The pipeline rectifies from the
card outline or the MRZ, a few millimetres off, so each template is compared at a small set of
registrations (:data:`SEARCH_SHIFTS` x :data:`SEARCH_SCALES`) and keeps its best.

The decision is relative: the document should resemble its claimed issuer's templates more than
any other issuer's (``margin = best claimed - best other``). It is taken only when the document
is *recognised* - its best similarity to any registered design of its kind reaches
``document_template.min_recognised`` - because a wrongly rectified genuine card (an outline taken
from a band of its print, a shadow) resembles nothing, which is not evidence of another issuer's
design. Both thresholds are tuned by ``build_templates`` on genuine documents (1% of train
documents below each). Registered templates are the generator's (``models/template_signatures.npz``);
issuers without a registered template get ``None`` (not applicable), as real issuers will until
their references are enrolled.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

GRID = (16, 11)  # cells across, down
# Weight of the two print-direction parts against one colour part: chosen among 0.5-4 on train
# templates and capture conditions only (largest d' between genuine and mismatched margins, 4.92 at 2).
ORIENT_WEIGHT = 2.0
_DIAG_A = np.array([[0, 0, 1], [0, 0, 0], [-1, 0, 0]], np.float32)
_DIAG_B = np.array([[1, 0, 0], [0, 0, 0], [0, 0, -1]], np.float32)


CELL_PX = 8  # working pixels per grid cell: cell statistics are taken on the document resampled to this
# Registration search: the rectified document is compared at these shifts (in cells, both axes) and
# scales about its centre, and each template keeps its best. The pipeline's rectification (card
# outline or MRZ frame) is a few millimetres off; a 16 x 11 grid on ID-1 has 5.4 mm cells.
# 27 registrations: on held-out pipeline photos as good as 5 x 5 shifts of up to half a cell at the
# same three scales (75), at a third of the cost (build_templates, stop 15).
SEARCH_SHIFTS = (-0.25, 0.0, 0.25)
SEARCH_SCALES = (0.97, 1.0, 1.03)


def _detrend(c: NDArray[Any]) -> NDArray[Any]:
    """Remove a plane from each (GY, GX) map of a (V, GY, GX) stack (a lighting trend across the card)."""
    v, gy, gx = c.shape
    yy, xx = np.mgrid[0:gy, 0:gx]
    a = np.stack([np.ones(gx * gy), xx.ravel(), yy.ravel()], 1)
    flat = c.reshape(v, -1).T
    coef, *_ = np.linalg.lstsq(a, flat, rcond=None)
    return np.asarray((flat - a @ coef).T.reshape(c.shape))


def _z(v: NDArray[Any]) -> NDArray[Any]:
    """Z-score each row of a (V, D) array."""
    v = v.reshape(v.shape[0], -1)
    return (v - v.mean(axis=1, keepdims=True)) / (v.std(axis=1, keepdims=True) + 1e-6)


def _feature_maps(doc_rgb: NDArray[Any]) -> NDArray[Any]:
    """Per-pixel Lab, edge magnitude and the four gradient energies, at full resolution (H, W, 8).

    Gradients are taken before any resampling: the fine print is a pixel or two wide at 8 px/mm.
    """
    g = cv2.cvtColor(doc_rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    gx = np.abs(cv2.Sobel(g, cv2.CV_32F, 1, 0))
    gy = np.abs(cv2.Sobel(g, cv2.CV_32F, 0, 1))
    da = np.abs(cv2.filter2D(g, cv2.CV_32F, _DIAG_A))
    db = np.abs(cv2.filter2D(g, cv2.CV_32F, _DIAG_B))
    lab = cv2.cvtColor(doc_rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    return np.dstack([lab, gx + gy, cv2.blur(gx, (3, 3)), cv2.blur(gy, (3, 3)), da, db])


def _working(maps: NDArray[Any], scale: float, margin: int) -> NDArray[Any]:
    """The maps resampled so the document spans the grid at CELL_PX per cell times `scale`, centred
    in a canvas `margin` pixels larger on each side (edges replicated)."""
    gx, gy = GRID
    w, h = gx * CELL_PX, gy * CELL_PX
    sw, sh = max(1, round(w * scale)), max(1, round(h * scale))
    parts = [cv2.resize(np.ascontiguousarray(maps[..., i : i + 4]), (sw, sh), interpolation=cv2.INTER_AREA)
             for i in range(0, maps.shape[2], 4)]
    small = np.dstack(parts)
    left, top = margin + (w - sw) // 2, margin + (h - sh) // 2
    right, bottom = w + 2 * margin - sw - left, h + 2 * margin - sh - top
    out = cv2.copyMakeBorder(small, max(top, 0), max(bottom, 0), max(left, 0), max(right, 0), cv2.BORDER_REPLICATE)
    y0, x0 = max(-top, 0), max(-left, 0)
    return np.asarray(out[y0 : y0 + h + 2 * margin, x0 : x0 + w + 2 * margin])


def _signatures(doc_rgb: NDArray[Any], shifts: tuple[float, ...], scales: tuple[float, ...]) -> NDArray[Any]:
    """Design signatures (V, 6 * cells) of the document at every shift pair and scale."""
    gx, gy = GRID
    steps = sorted({round(s * CELL_PX) for s in shifts})
    margin = max(abs(v) for v in steps)
    maps = _feature_maps(doc_rgb)
    views = []
    for scale in scales:
        canvas = _working(maps, scale, margin)
        for dy in steps:
            for dx in steps:
                views.append(canvas[margin + dy : margin + dy + gy * CELL_PX, margin + dx : margin + dx + gx * CELL_PX])
    v = np.stack(views)  # (V, GY*K, GX*K, 8)
    k = CELL_PX
    blocks = v.reshape(len(views), gy, k, gx, k, 8).transpose(0, 1, 3, 2, 4, 5).reshape(len(views), gy, gx, k * k, 8)
    med = np.median(blocks[..., :4], axis=3)  # medians ignore thin text strokes
    mean = blocks[..., 4:].mean(axis=3)  # means keep the thin lines of the security print
    hv = np.log((mean[..., 0] + 1.0) / (mean[..., 1] + 1.0))
    diag = np.log((mean[..., 2] + 1.0) / (mean[..., 3] + 1.0))
    return np.concatenate([_z(med[..., 1]), _z(med[..., 2]), _z(_detrend(med[..., 0])), _z(np.log1p(med[..., 3])),
                           ORIENT_WEIGHT * _z(hv), ORIENT_WEIGHT * _z(diag)], axis=1).astype(np.float32)


def signature(doc_rgb: NDArray[Any]) -> NDArray[Any]:
    """Design signature of a rectified document as rectified (6 x GRID cells)."""
    return np.asarray(_signatures(doc_rgb, (0.0,), (1.0,))[0])


def similarity(a: NDArray[Any], b: NDArray[Any], w: NDArray[Any] | None = None) -> float:
    """Weighted Pearson correlation."""
    w = np.ones_like(a) if w is None else w
    a0, b0 = a - np.average(a, weights=w), b - np.average(b, weights=w)
    return float(np.sum(w * a0 * b0) / (np.sqrt(np.sum(w * a0 * a0) * np.sum(w * b0 * b0)) + 1e-9))


def similarities(sigs: NDArray[Any], means: NDArray[Any], weights: NDArray[Any]) -> NDArray[Any]:
    """Weighted Pearson correlation of every signature (V, D) with every reference (T, D): (V, T)."""
    sw = weights.sum(axis=1)  # (T,)
    m0 = means - (weights * means).sum(axis=1, keepdims=True) / sw[:, None]
    num = sigs @ (weights * m0).T  # the signature's weighted mean drops out against a centred reference
    s1 = sigs @ weights.T
    var_s = (sigs**2) @ weights.T - s1**2 / sw[None, :]
    var_m = (weights * m0 * m0).sum(axis=1)
    return np.asarray(num / (np.sqrt(np.maximum(var_s, 0) * var_m[None, :]) + 1e-9))


@dataclass(frozen=True)
class Match:
    claimed: float  # best similarity to a template of the claimed issuer
    other: float  # best similarity to another issuer's template of the same kind
    template: str  # id of the best claimed template
    other_template: str | None = None  # id of that other issuer's template (None: no other issuer)
    # similarity of the two templates' references to each other: how alike the two designs are, so
    # a reviewer sees whether a small margin means another design or two designs that look alike
    design_similarity: float = 0.0

    @property
    def margin(self) -> float:
        return self.claimed - self.other

    @property
    def best(self) -> float:
        """Similarity to the closest registered design of the kind, whoever issues it."""
        return max(self.claimed, self.other)


@dataclass(frozen=True)
class Registry:
    ids: tuple[str, ...]
    kinds: tuple[str, ...]
    issuers: tuple[str, ...]  # ISO alpha-3, or the IIN for driver licences
    means: NDArray[Any]
    weights: NDArray[Any]

    def match(self, doc_rgb: NDArray[Any], kind: str, issuer: str, search: bool = True) -> Match | None:
        """How the document compares with its claimed issuer's templates; None if none registered.

        With `search`, each template is compared at every registration in SEARCH_SHIFTS x
        SEARCH_SCALES and keeps its best, the claimed issuer's and the others' alike.
        """
        same = [i for i, k in enumerate(self.kinds) if k == kind]
        claimed = [i for i in same if self.issuers[i] == issuer]
        if not claimed:
            return None
        sigs = _signatures(doc_rgb, SEARCH_SHIFTS, SEARCH_SCALES) if search else signature(doc_rgb)[None]
        best_of = similarities(sigs, self.means[same], self.weights[same]).max(axis=0)
        sims = dict(zip(same, best_of.tolist(), strict=True))
        best = max(claimed, key=lambda i: sims[i])
        others = [i for i in same if self.issuers[i] != issuer]
        if not others:
            return Match(sims[best], -1.0, self.ids[best])
        other = max(others, key=lambda i: sims[i])
        pair = similarity(self.means[best], self.means[other], np.sqrt(self.weights[best] * self.weights[other]))
        return Match(sims[best], sims[other], self.ids[best], self.ids[other], pair)


def registry_path() -> Path:
    return Path(str(resources.files("openidv.documents").joinpath("models/template_signatures.npz")))


@functools.cache
def load_registry() -> Registry | None:
    """The shipped registry, its hash verified against the package's model manifest."""
    from openidv.models.registry import model_path

    if not registry_path().is_file():
        return None
    z = np.load(model_path("openidv.documents", "template_signatures"))
    return Registry(tuple(z["ids"].tolist()), tuple(z["kinds"].tolist()), tuple(z["issuers"].tolist()),
                    z["means"].astype(np.float32), z["weights"].astype(np.float32))


@dataclass(frozen=True)
class TemplateFeatures:
    """Where a registered design prints its security features, in document millimetres."""

    portrait_mm: tuple[float, float, float, float]
    ghost_mm: tuple[float, float, float, float] | None  # None: the design has no ghost image
    # where the front prints each holder value (surname, date_of_birth, ...); empty if not recorded
    fields_mm: dict[str, tuple[float, float, float, float]] = dataclasses.field(default_factory=dict)


def features_path() -> Path:
    return Path(str(resources.files("openidv.documents").joinpath("models/template_features.json")))


@functools.cache
def load_features() -> dict[str, TemplateFeatures]:
    """Feature boxes of every registered template (empty if the file is absent)."""
    p = features_path()
    if not p.is_file():
        return {}
    raw = json.loads(p.read_text(encoding="utf-8"))["templates"]
    return {tid: TemplateFeatures(tuple(v["portrait_mm"]), None if v["ghost_mm"] is None else tuple(v["ghost_mm"]),
                                  {k: tuple(b) for k, b in v.get("fields_mm", {}).items()})
            for tid, v in raw.items()}
