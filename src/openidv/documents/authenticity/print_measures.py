"""What a document examiner measures on a line of print: size, weight, spacing, ink, sharpness, letterforms.

A forger who erases a holder value and types another must match the issuer's type size, stroke
weight, letter spacing, ink and font; each is easy to get roughly right and hard to get exactly right.
:func:`measure_line` reads those properties off one value window (``typeface.cut_line``: a fixed
physical size at 12 px/mm, so a smaller type stays smaller), as ratios to the window's own paper
colour so that lighting, white balance and exposure cancel. :func:`deviation_rows` turns the lines
of one document into what the typeface model (``typeface.py``) scores: how far each line lies from
the median of the *other* lines of the same document, and how far the document's lines scatter at
all (a blurred or noisy capture scatters every line; the model learns to expect more there).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

INK_FRACTION = 0.5  # a pixel is ink where its darkness is at least half the window's darkest print
MIN_INK_PX = 10  # fewer ink pixels than this: nothing printed there to measure
MAX_GLYPH_GAP_PX = 9.6  # 0.8 mm at 12 px/mm: wider blanks separate words, not letters
MIN_PIECE_PX = 6  # smaller pieces of ink are specks or the dot of an i, not letterforms

MEASURES: tuple[str, ...] = (
    "log_height",  # rows holding the central 90% of the ink
    "mid_row",  # where that band lies in the window
    "log_stroke_h",  # median horizontal run of ink: stroke width
    "log_stroke_v",  # median vertical run of ink
    "fill",  # ink share of the text's bounding band
    "coverage",  # share of the text's columns that hold ink
    "log_gap",  # median blank run between letters
    "log_components",  # connected pieces per text width, in type heights
    "depth",  # darkness of the darkest print (99th percentile)
    "red_share",  # the ink's colour: each channel's share of its mean darkness
    "blue_share",
    "edge",  # mean gradient at the ink's borders, in units of depth: sharpness
    "log_width",  # width of the text
    "stroke_to_height",  # weight relative to size (bold type)
    "gap_to_height",  # spacing relative to size
    "ink_red",  # mean darkness of the ink per channel
    "ink_green",
    "ink_blue",
    "p90_to_depth",  # how evenly dark the strokes are
    "ink_spread",  # spread of the strokes' darkness, in units of depth
    # letterforms (another font family): the pieces of ink larger than MIN_PIECE_PX
    "glyph_width_to_height",  # median piece width, in type heights
    "glyph_height_to_height",  # median piece height, in type heights
    "glyph_extent",  # median share of a piece's box that is ink
    "solidity",  # ink over ink with its counters filled
    "thickest_to_height",  # thickest stroke (distance transform maximum), in type heights
    "stroke_contrast",  # thick over typical stroke (90th percentile over median of the distance transform)
    "counters",  # area of enclosed counters (O, 8, A ...) relative to the ink
)
N_MEASURES = len(MEASURES)
N_FEATURES = 3 * N_MEASURES  # per line: deviation, its size, and the document's scatter


def _runs(mask: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Lengths of the horizontal runs of True in every row of `mask` ([1] when there is none)."""
    d = np.diff(np.pad(mask.astype(np.int8), ((0, 0), (1, 1))), axis=1)
    starts, ends = np.argwhere(d == 1), np.argwhere(d == -1)
    return (ends[:, 1] - starts[:, 1]) if len(starts) else np.array([1])


def _letterforms(band: NDArray[np.bool_], height: int) -> list[float]:
    """The letterform measures (the last seven of :data:`MEASURES`) of the ink in the text band."""
    labels, n = ndimage.label(band)
    if n == 0:
        return [0.0] * 7
    boxes = ndimage.find_objects(labels)
    sizes = ndimage.sum(band, labels, range(1, n + 1))
    keep = [i for i in range(n) if sizes[i] >= MIN_PIECE_PX]
    if not keep:
        return [0.0] * 7
    widths = np.array([boxes[i][1].stop - boxes[i][1].start for i in keep], np.float64)
    heights = np.array([boxes[i][0].stop - boxes[i][0].start for i in keep], np.float64)
    extent = float(np.median(np.asarray(sizes)[keep] / (widths * heights)))
    filled = int(ndimage.binary_fill_holes(band).sum())
    ink = int(band.sum())
    depth = ndimage.distance_transform_edt(band)[band]
    return [float(np.log(np.median(widths) / height + 1e-3)), float(np.log(np.median(heights) / height + 1e-3)),
            extent, ink / max(1, filled), float(np.log(depth.max() / height + 1e-3)),
            float(np.percentile(depth, 90) / max(float(np.median(depth)), 0.5)), (filled - ink) / max(1, ink)]


def measure_line(window: NDArray[np.uint8]) -> NDArray[np.float64] | None:
    """The :data:`MEASURES` of one value window (H, W, 3 uint8), or None when it holds no print."""
    x = window.astype(np.float32)
    paper = np.percentile(x.reshape(-1, 3), 80, axis=0)
    ink = 1.0 - x / np.maximum(paper, 8.0)
    dark = ink.mean(axis=2)
    depth = max(float(np.percentile(dark, 99)), 0.05)
    m = dark > INK_FRACTION * depth
    rows = m.sum(axis=1).astype(np.float64)
    if rows.sum() < MIN_INK_PX:
        return None
    cum = np.cumsum(rows) / rows.sum()
    y0, y1 = int(np.searchsorted(cum, 0.05)), int(np.searchsorted(cum, 0.95))
    h = max(1, y1 - y0 + 1)
    band = m[max(0, y0 - 1) : y1 + 2]
    cols = band.any(axis=0)
    xs = np.flatnonzero(cols)
    width = int(xs[-1] - xs[0] + 1) if len(xs) else 1
    text = cols[xs[0] : xs[-1] + 1] if len(xs) else cols
    coverage = float(text.mean()) if len(xs) else 0.0
    stroke_h, stroke_v = float(np.median(_runs(band))), float(np.median(_runs(band.T)))
    gaps = _runs((~text)[None, :]) if (~text).any() else np.array([0])
    gaps = gaps[gaps < MAX_GLYPH_GAP_PX]
    log_gap = float(np.log(np.median(gaps) + 0.5)) if len(gaps) else 0.0
    _, pieces = ndimage.label(band)
    ink_px = ink[m]
    colour = ink_px.mean(axis=0)
    share = colour / max(float(colour.mean()), 1e-3)
    gy, gx = np.gradient(dark / depth)
    border = ndimage.binary_dilation(m) & ~ndimage.binary_erosion(m)
    edge = float(np.hypot(gx, gy)[border].mean()) if border.any() else 0.0
    log_h, log_sh = float(np.log(h)), float(np.log(stroke_h + 0.5))
    return np.array([
        log_h, y0 + h / 2, log_sh, np.log(stroke_v + 0.5), m.sum() / max(1, h * width), coverage, log_gap,
        np.log(pieces / max(width, 1) * h + 1e-3), depth, share[0], share[2], edge, np.log(width),
        log_sh - log_h, log_gap - log_h, colour[0], colour[1], colour[2],
        float(np.percentile(dark[m], 90)) / depth, float(np.std(ink_px.mean(axis=1))) / depth,
        *_letterforms(band, h),
    ], np.float64)


def measure_lines(windows: NDArray[np.uint8]) -> tuple[list[int], NDArray[np.float64]]:
    """Indices of the windows that hold print and their (n, :data:`N_MEASURES`) measures."""
    kept, rows = [], []
    for i, w in enumerate(windows):
        f = measure_line(w)
        if f is not None:
            kept.append(i)
            rows.append(f)
    return kept, (np.stack(rows) if rows else np.zeros((0, N_MEASURES)))


def deviation_rows(measures: NDArray[np.float64]) -> NDArray[np.float64]:
    """(n, N_MEASURES) measures of one document's lines -> (n, :data:`N_FEATURES`): each line's
    deviation from the median of the other lines, its absolute value, and the document's scatter
    (the median absolute deviation over its lines, the same on every row). Needs n >= 2."""
    n = len(measures)
    dev = np.stack([measures[i] - np.median(np.delete(measures, i, axis=0), axis=0) for i in range(n)])
    scatter = np.broadcast_to(np.median(np.abs(dev), axis=0), dev.shape)
    return np.concatenate([dev, np.abs(dev), scatter], axis=1)


__all__ = ["MEASURES", "N_FEATURES", "N_MEASURES", "deviation_rows", "measure_line", "measure_lines"]
