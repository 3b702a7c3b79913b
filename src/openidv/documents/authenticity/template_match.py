"""Does the document look like the template its issuer uses?

A template's *signature* is a coarse grid over the rectified document of: the chroma (Lab a, b)
medians, the lightness medians with the lighting trend removed, the edge density, and the direction
of the fine print (horizontal against vertical and one diagonal against the other gradient
energy) - medians ignore thin text strokes, so what remains is the issuer's design (tints, header
band, where the photo sits, how dense the security print is and whether its lines run in waves,
loops or rosettes). Each part is z-scored, so exposure and white balance fall out. The direction
parts are what tell apart designs that share a layout and differ in a pale background colour
(white balance removes most of that) and the pattern of their security print; they count
:data:`ORIENT_WEIGHT` times a colour part.

A template's reference is the mean signature of several genuine documents with its per-cell
spread; documents are compared with a correlation weighted by the inverse spread, so
cells that change with the holder (photo, names) count little.

The decision is relative: the document should resemble its claimed issuer's templates more than
any other issuer's (``margin = best claimed - best other``); the threshold on the margin
(``document_template.min_margin``) is tuned by ``build_templates`` at 1% false rejection of genuine
documents. Registered templates are the generator's (``models/template_signatures.npz``); issuers
without a registered template get ``None`` (not applicable), as real issuers will until their
references are enrolled.
"""

from __future__ import annotations

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


def _cells(img: NDArray[Any]) -> NDArray[Any]:
    """(GY, GX, C) medians of each grid cell."""
    h, w = img.shape[:2]
    gx, gy = GRID
    ch = img.shape[2] if img.ndim == 3 else 1
    out = np.empty((gy, gx, ch), np.float32)
    for j in range(gy):
        for i in range(gx):
            block = img[j * h // gy : (j + 1) * h // gy, i * w // gx : (i + 1) * w // gx]
            out[j, i] = np.median(block.reshape(-1, ch), axis=0)
    return out


def _detrend(c: NDArray[Any]) -> NDArray[Any]:
    gy, gx = c.shape
    yy, xx = np.mgrid[0:gy, 0:gx]
    a = np.stack([np.ones(gx * gy), xx.ravel(), yy.ravel()], 1)
    coef, *_ = np.linalg.lstsq(a, c.ravel(), rcond=None)
    return (c.ravel() - a @ coef).reshape(c.shape)


def _z(v: NDArray[Any]) -> NDArray[Any]:
    v = v.ravel()
    return (v - v.mean()) / (v.std() + 1e-6)


def _cell_means(img: NDArray[Any]) -> NDArray[Any]:
    """(GY, GX) means of each grid cell (area resampling)."""
    return np.asarray(cv2.resize(img, GRID, interpolation=cv2.INTER_AREA), np.float32)


def _direction(g: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
    """Per cell, log ratios of horizontal to vertical and of one diagonal to the other gradient energy.

    Means, not medians: the security print is thin lines, which a median would discard. Wavy
    horizontal lines give little horizontal gradient, loops and rosettes about as much as vertical.
    """
    gx = cv2.blur(np.abs(cv2.Sobel(g, cv2.CV_32F, 1, 0)), (3, 3))
    gy = cv2.blur(np.abs(cv2.Sobel(g, cv2.CV_32F, 0, 1)), (3, 3))
    da = np.abs(cv2.filter2D(g, cv2.CV_32F, _DIAG_A))
    db = np.abs(cv2.filter2D(g, cv2.CV_32F, _DIAG_B))
    mx, my, ma, mb = (_cell_means(v) for v in (gx, gy, da, db))
    return np.log((mx + 1.0) / (my + 1.0)), np.log((ma + 1.0) / (mb + 1.0))


def signature(doc_rgb: NDArray[Any]) -> NDArray[Any]:
    """Design signature of a rectified document (6 x GRID cells)."""
    lab = _cells(cv2.cvtColor(doc_rgb, cv2.COLOR_RGB2LAB).astype(np.float32))
    g = cv2.cvtColor(doc_rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    mag = np.abs(cv2.Sobel(g, cv2.CV_32F, 1, 0)) + np.abs(cv2.Sobel(g, cv2.CV_32F, 0, 1))
    edge = _cells(mag)[..., 0]
    hv, diag = _direction(g)
    return np.concatenate([_z(lab[..., 1]), _z(lab[..., 2]), _z(_detrend(lab[..., 0])), _z(np.log1p(edge)),
                           ORIENT_WEIGHT * _z(hv), ORIENT_WEIGHT * _z(diag)]).astype(np.float32)


def similarity(a: NDArray[Any], b: NDArray[Any], w: NDArray[Any] | None = None) -> float:
    """Weighted Pearson correlation."""
    w = np.ones_like(a) if w is None else w
    a0, b0 = a - np.average(a, weights=w), b - np.average(b, weights=w)
    return float(np.sum(w * a0 * b0) / (np.sqrt(np.sum(w * a0 * a0) * np.sum(w * b0 * b0)) + 1e-9))


@dataclass(frozen=True)
class Match:
    claimed: float  # best similarity to a template of the claimed issuer
    other: float  # best similarity to another issuer's template of the same kind
    template: str  # id of the best claimed template

    @property
    def margin(self) -> float:
        return self.claimed - self.other


@dataclass(frozen=True)
class Registry:
    ids: tuple[str, ...]
    kinds: tuple[str, ...]
    issuers: tuple[str, ...]  # ISO alpha-3, or the IIN for driver licences
    means: NDArray[Any]
    weights: NDArray[Any]

    def match(self, doc_rgb: NDArray[Any], kind: str, issuer: str) -> Match | None:
        """How the document compares with its claimed issuer's templates; None if none registered."""
        same = [i for i, k in enumerate(self.kinds) if k == kind]
        claimed = [i for i in same if self.issuers[i] == issuer]
        if not claimed:
            return None
        sig = signature(doc_rgb)
        sims = {i: similarity(sig, self.means[i], self.weights[i]) for i in same}
        best = max(claimed, key=lambda i: sims[i])
        others = [sims[i] for i in same if self.issuers[i] != issuer]
        return Match(sims[best], max(others) if others else -1.0, self.ids[best])


def registry_path() -> Path:
    return Path(str(resources.files("openidv.documents").joinpath("models/template_signatures.npz")))


@functools.cache
def load_registry() -> Registry | None:
    p = registry_path()
    if not p.is_file():
        return None
    z = np.load(p)
    return Registry(tuple(z["ids"].tolist()), tuple(z["kinds"].tolist()), tuple(z["issuers"].tolist()),
                    z["means"].astype(np.float32), z["weights"].astype(np.float32))


@dataclass(frozen=True)
class TemplateFeatures:
    """Where a registered design prints its security features, in document millimetres."""

    portrait_mm: tuple[float, float, float, float]
    ghost_mm: tuple[float, float, float, float] | None  # None: the design has no ghost image


def features_path() -> Path:
    return Path(str(resources.files("openidv.documents").joinpath("models/template_features.json")))


@functools.cache
def load_features() -> dict[str, TemplateFeatures]:
    """Feature boxes of every registered template (empty if the file is absent)."""
    p = features_path()
    if not p.is_file():
        return {}
    raw = json.loads(p.read_text(encoding="utf-8"))["templates"]
    return {tid: TemplateFeatures(tuple(v["portrait_mm"]), None if v["ghost_mm"] is None else tuple(v["ghost_mm"]))
            for tid, v in raw.items()}
