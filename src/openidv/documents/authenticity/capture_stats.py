"""Capture statistics of a rectified document: how its pixels were made, not what they show.

A document photographed directly has the camera's own texture: residual noise that is the same in
the three colour channels (demosaicing ties them), smooth chroma, a tonal range set by the card's
inks, a residual spectrum without sharp peaks. A document shown on a display or printed and then
photographed passes through a second imaging device, which leaves its own sampling structure (a
pixel grid, sub-pixel colour stripes, a halftone screen) and its own tone curve and gamut. The
descriptor measures those properties and nothing about layout or content, so that a model of
*genuine captures only* (:mod:`openidv.documents.authenticity.novelty`) can flag recaptures by
devices it has never seen.

Every quantity is taken relative to the document's own white point and contrast, so that an
under- or over-exposed photo is not mistaken for a different device (capture conditions held out
from training shift absolute levels, not ratios). Input: RGB uint8 at any resolution; designed for
documents rectified at :data:`openidv.documents.authenticity.patches.PX_PER_MM`.
"""

from __future__ import annotations

import itertools
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

# Constants below were set once, before any held-out measurement, on the development set of the
# stop-26 study (seed 20M + i documents; docs/documents.md "Recapture as novelty"), not searched.
TILE = 64  # spectra are averaged over TILE x TILE windows (8 mm at 8 px/mm: several grid periods)
MARGIN = 0.04  # share of the short side trimmed from each edge (framing error, card border)
RADIAL_BINS = 8
MIN_SIDE = 2 * TILE  # smallest rectified side described (two spectrum tiles, after the margin)
FLAT_WHITE = 0.97  # grey level, relative to the 99th percentile, counted as blank white
SPECK_DEPTH = 0.15  # a dark point this far (relative to white) below its 5x5 median is a speck

_WIN = np.outer(np.hanning(TILE), np.hanning(TILE)).astype(np.float32)
_YY, _XX = np.mgrid[-TILE // 2 : TILE // 2, -TILE // 2 : TILE // 2]
_R = np.hypot(_YY, _XX) / TILE  # spatial frequency, cycles per pixel
_ANNULUS = (_R > 0.15) & (_R < 0.5)  # above the frequencies of print and text strokes, below Nyquist
_EDGES = np.linspace(0.05, 0.5, RADIAL_BINS + 1)

FEATURES: tuple[str, ...] = (
    "chroma_hf_ratio", "hf_over_mid", "corr_rg", "corr_gb", "corr_rb", "colourful_rel", "chroma_median",
    "p1_rel", "p10_rel", "p50_rel", "flat_white", "spec_peak", "spec_p99",
    *(f"radial_{i}" for i in range(RADIAL_BINS)),
    "chroma_spec_peak", "chroma_spec_p99", "speck_rel", "residual_kurtosis",
)


def _highpass(x: NDArray[Any], sigma: float = 1.0) -> NDArray[Any]:
    out: NDArray[Any] = x - cv2.GaussianBlur(x, (0, 0), sigma)
    return out


def _spectrum(x: NDArray[Any]) -> NDArray[Any]:
    """Mean power spectrum of Hann-windowed tiles (centred); flat when the image is smaller."""
    h, w = x.shape[:2]
    tiles = [x[y : y + TILE, z : z + TILE] for y in range(0, h - TILE + 1, TILE) for z in range(0, w - TILE + 1, TILE)]
    spec = np.abs(np.fft.fftshift(np.fft.fft2(np.stack(tiles) * _WIN), axes=(1, 2))) ** 2
    out: NDArray[Any] = spec.mean(axis=0) + 1e-9
    return out


def _corr(a: NDArray[Any], b: NDArray[Any]) -> float:
    return float((a * b).mean() / (np.sqrt((a * a).mean() * (b * b).mean()) + 1e-9))


def _peakiness(spec: NDArray[Any]) -> tuple[float, float]:
    """Log height of the strongest and the 99th-percentile frequency over the median (annulus)."""
    s = np.log(spec[_ANNULUS])
    med = float(np.median(s))
    return float(s.max()) - med, float(np.percentile(s, 99)) - med


def _tone_colour(img: NDArray[Any], gn: NDArray[Any]) -> dict[str, float]:
    rg = img[:, :, 0] - img[:, :, 1]
    yb = 0.5 * (img[:, :, 0] + img[:, :, 1]) - img[:, :, 2]
    # Hasler and Suesstrunk's colourfulness (spread plus 0.3 x mean of the opponent channels)
    colourful = np.sqrt(rg.std() ** 2 + yb.std() ** 2) + 0.3 * np.sqrt(rg.mean() ** 2 + yb.mean() ** 2)
    residuals = [_highpass(img[:, :, c]) for c in range(3)]
    return {
        "corr_rg": _corr(residuals[0], residuals[1]), "corr_gb": _corr(residuals[1], residuals[2]),
        "corr_rb": _corr(residuals[0], residuals[2]),
        "colourful_rel": float(np.log(colourful / (gn.std() + 1e-3) + 1e-3)),
        "chroma_median": float(np.log(np.median(np.hypot(rg, yb)) + 1e-3)),
        "p1_rel": float(np.percentile(gn, 1)), "p10_rel": float(np.percentile(gn, 10)),
        "p50_rel": float(np.percentile(gn, 50)), "flat_white": float((gn > FLAT_WHITE).mean()),
    }


def _texture(img: NDArray[Any], gn: NDArray[Any]) -> dict[str, float]:
    ycc = cv2.cvtColor(np.clip(img, 0, 1.5).astype(np.float32), cv2.COLOR_RGB2YCrCb)
    ry, rcr, rcb = (_highpass(ycc[:, :, k]) for k in range(3))
    ey = float(np.sqrt((ry**2).mean())) + 1e-5
    mid = float(np.sqrt((_highpass(cv2.GaussianBlur(gn, (0, 0), 1.0), 3.0) ** 2).mean())) + 1e-5
    spec = _spectrum(_highpass(gn, 1.5))
    total = np.log(spec[(_R > 0.05) & (_R < 0.5)].mean())
    chroma = _spectrum(_highpass(ycc[:, :, 1], 1.5)) + _spectrum(_highpass(ycc[:, :, 2], 1.5))
    peak, p99 = _peakiness(spec)
    c_peak, c_p99 = _peakiness(chroma)
    out = {
        "chroma_hf_ratio": float(np.log((np.sqrt((rcr**2).mean()) + np.sqrt((rcb**2).mean())) / ey + 1e-4)),
        "hf_over_mid": float(np.log(ey / mid)), "spec_peak": peak, "spec_p99": p99,
        "chroma_spec_peak": c_peak, "chroma_spec_p99": c_p99,
        "residual_kurtosis": float(np.log((ry**4).mean() / ((ry**2).mean() ** 2 + 1e-12) + 1e-12)),
    }
    for i, (a, b) in enumerate(itertools.pairwise(_EDGES)):
        out[f"radial_{i}"] = float(np.log(spec[(a <= _R) & (b > _R)].mean()) - total)
    return out


def describe(doc: NDArray[np.uint8]) -> NDArray[np.float64]:
    """The descriptor (:data:`FEATURES`, in order) of one rectified RGB document."""
    if doc.ndim != 3 or doc.shape[2] != 3 or min(doc.shape[:2]) < MIN_SIDE:
        raise ValueError(f"need an RGB document of at least {MIN_SIDE} px a side, got shape {doc.shape}")
    h, w = doc.shape[:2]
    m = int(MARGIN * min(h, w))
    img = doc[m : h - m, m : w - m].astype(np.float32)
    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    white = float(np.percentile(grey, 99)) + 1.0
    gn = grey / white
    img /= white
    feats = {**_tone_colour(img, gn), **_texture(img, gn)}
    smooth = cv2.medianBlur(np.clip(grey, 0, 255).astype(np.uint8), 5).astype(np.float32)
    feats["speck_rel"] = float(((smooth - grey) > SPECK_DEPTH * white).mean() * 1000)
    return np.array([feats[n] for n in FEATURES], np.float64)
