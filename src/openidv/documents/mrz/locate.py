"""Find MRZ blocks in a photo, at any rotation, by their geometry.

An MRZ is two or three long, parallel, equally long lines of evenly spaced characters of one
size. The locator therefore works on character-sized blobs rather than on the document outline
(which may be cut off, lost in a busy background or absent on a scan):

1. threshold the grey image locally (dark ink on lighter paper, whatever the lighting);
2. estimate the text orientation from the directions between neighbouring character blobs (the
   nearest neighbour of an MRZ character is the next character: the pitch is smaller than the line
   spacing); every strong orientation is tried;
3. in the de-rotated frame, chain blobs into text lines, bridge gaps (glare, a guilloche loop
   fused with a glyph), and keep long lines with a regular pitch;
4. group 2-3 parallel lines of similar extent and spacing into blocks, and describe each block by
   the four corners of its outer line centre-lines in the original image.

The direction of reading (upright or upside down) is left to the reader, which tries both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from openidv.documents.mrz.glyphs import flatten_light

WORK_SIDE = 1280  # longest side of the image the locator works on
NEAR_LEVEL_DEG = 2.5
SMALL_SIDE = 900
LEGIBLE_CAP = 10.0  # glyph height (work pixels) of a block whose geometry the locator can trust
FINE_SIDE = 2560  # longest side of the finest level (cost grows with its square)
# `locate_minor`: at the first level, up to 8 text directions at least 3% as common as the
# commonest and 3 degrees from each other, of which those more than MINOR_APART_DEG from every
# direction `locate` tried are searched (the page's print has side lobes 4-9 degrees either side
# of its own direction - neighbours across a word gap or a line - that would take every place).
MINOR_ANGLES = (8, 0.03, 3)
MINOR_APART_DEG = 10.0
# Camera shake smears each glyph across its neighbours: the strokes across the smear keep only a
# third of their contrast and fall above the mid-point threshold, so a line breaks into specks no
# glyph-sized blob is made of. When no legible block is found at any scale, the first scale is
# searched again with the ink threshold this far up from the local darkest value (on the
# specimens smeared 5-11 px at 640 and 1000 px: 39 -> 50 of 64 blocks of about the right width;
# 0.65 found 48, 0.6 with a 3 px closing 52 but joins glyphs of sharp photos).
SMEARED_INK = 0.6
# A shadow edge running along a text line (a phone held above the page) darkens the lower half of
# its glyphs and the paper under them: the mid-point threshold takes that paper for ink within a
# neighbourhood of the edge, and the two MRZ lines no longer pair. Last, the first scale is searched
# on the photo divided by its paper brightness (`glyphs.flatten_light` with a closing this many
# times the ink neighbourhood, the image amplified at most 255 / SHADOW_FLOOR times).
SHADOW_KERNEL = 1.5
SHADOW_FLOOR = 48.0


@dataclass
class TextLine:
    x0: float
    x1: float
    slope: float
    intercept: float  # centre-line y = intercept + slope * x (de-rotated work frame)
    cap: float  # character height
    pitch: float
    n_blobs: int
    pitch_slope: float = 0.0  # change of pitch per pixel along the line (perspective foreshortening)
    pitch_at_0: float = 0.0  # ... and the fitted pitch at x = 0, when pitch_slope is not 0

    def y_at(self, x: float) -> float:
        return self.intercept + self.slope * x

    @property
    def yc(self) -> float:
        return self.y_at((self.x0 + self.x1) / 2)


@dataclass
class Block:
    """A candidate MRZ: line count, estimated characters per line and the corners of the outer
    line centre-lines (TL, TR, BR, BL) in original-image pixels."""

    n_lines: int
    n_est: float
    quad: NDArray[Any]
    pitch_px: float  # character pitch in original pixels
    angle_deg: float
    lines: list[TextLine] = field(default_factory=list)


@dataclass(frozen=True)
class _Level:
    """One level of the search: the photo at a scale (divided by its paper brightness when
    `flatten`), its ink mask and the mask's glyph-sized blobs."""

    work: NDArray[Any]
    binary: NDArray[Any]
    blobs: NDArray[Any]


class Photo:
    """A grey photo and the levels the locator made of it, each made once. The reader's looks search
    one photo several times (`locate`, then `locate_minor` on the same first level); connected
    components and the ink threshold are most of a level's cost. Only for the duration of one
    reading: nothing is kept between photos."""

    def __init__(self, gray: NDArray[Any]) -> None:
        self.gray = gray
        self._levels: dict[tuple[float, int | None, float, bool], _Level] = {}
        self.pyramid: dict[int, list[Block]] = {}  # `locate`'s blocks of the scales, per max_angles

    def level(self, scale: float, k: int | None, frac: float = 0.5, flatten: bool = False) -> _Level:
        key = (scale, k, frac, flatten)
        if key not in self._levels:
            gray = self.gray
            interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
            work = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=interp) if scale != 1 else gray
            if flatten:
                side = int(SHADOW_KERNEL * (k or max(15, (max(work.shape) // 45) | 1))) | 1
                work = flatten_light(work, side, SHADOW_FLOOR)
            binary = _binarise(work, k, frac)
            self._levels[key] = _Level(work, binary, _blobs(binary))
        return self._levels[key]


def as_photo(gray: NDArray[Any] | Photo) -> Photo:
    """`gray` itself when it is a `Photo` already (its levels are reused), else a new one."""
    return gray if isinstance(gray, Photo) else Photo(gray)


def _binarise(gray: NDArray[Any], k: int | None = None, frac: float = 0.5) -> NDArray[Any]:
    """Ink mask: darker than the mid-point (`frac` of the way up) between the local darkest and
    lightest values.

    A mean threshold also keeps mid-tone guilloche lines, which then fuse the glyphs into one
    blob; near text the local minimum is the ink, so the mid-point sits above the guilloche and
    cuts it away, while in flat areas the contrast floor keeps noise out."""
    k = k or max(15, (max(gray.shape) // 45) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    lo = cv2.blur(cv2.erode(gray, kernel), (k, k)).astype(np.int16)
    hi = cv2.blur(cv2.dilate(gray, kernel), (k, k)).astype(np.int16)
    cut = (lo + hi) // 2 if frac == 0.5 else (lo + frac * (hi - lo)).astype(np.int16)
    mask = (gray.astype(np.int16) < cut) & (hi - lo > 24)
    return mask.astype(np.uint8) * 255


def _blobs(binary: NDArray[Any]) -> NDArray[Any]:
    """(N, 6) x0, y0, w, h, area, fill of plausible glyph blobs."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    s = stats[1:].astype(np.float64)
    x, y, w, h, area = s[:, 0], s[:, 1], s[:, 2], s[:, 3], s[:, 4]
    fill = area / np.maximum(w * h, 1)
    keep = (h >= 5) & (h <= 90) & (w >= 2) & (w <= 14 * h) & (area >= 10) & (fill >= 0.1)
    return np.stack([x, y, w, h, area, fill], axis=1)[keep]


def text_angles(binary: NDArray[Any], max_angles: int = 2, min_share: float = 0.35,
                suppress_deg: int = 12, blobs: NDArray[Any] | None = None) -> list[float]:
    """Dominant text directions (degrees, [0, 180)) from nearest-neighbour blob pairs: up to
    `max_angles` peaks of at least `min_share` of the strongest, each clearing `suppress_deg` round it.
    `blobs`: the mask's `_blobs`, when already found."""
    b = _blobs(binary) if blobs is None else blobs
    size = np.maximum(b[:, 2], b[:, 3])
    small = (size <= 60) & (b[:, 2] <= 2.5 * b[:, 3]) & (b[:, 3] <= 6 * b[:, 2])
    b, size = b[small], size[small]
    if len(b) < 10:
        return []
    c = b[:, :2] + b[:, 2:4] / 2
    dist, idx = cKDTree(c).query(c, k=3)
    hist = np.zeros(180)
    for k in (1, 2):
        j = idx[:, k]
        ok = (dist[:, k] < 2.0 * np.maximum(size, size[j])) & (np.abs(np.log(size / size[j])) < 0.6)
        d = c[j[ok]] - c[ok]
        ang = np.degrees(np.arctan2(d[:, 1], d[:, 0])) % 180
        np.add.at(hist, np.round(ang).astype(int) % 180, 1.0)
    smooth: NDArray[Any] = np.zeros(180)
    for s, wt in ((-2, 0.25), (-1, 0.6), (0, 1.0), (1, 0.6), (2, 0.25)):
        smooth += np.roll(hist, s) * wt
    peaks: list[float] = []
    best = 0.0
    for _ in range(max_angles):
        i = int(np.argmax(smooth))
        if smooth[i] <= 0 or (peaks and smooth[i] < min_share * best):
            break
        if not peaks:
            best = smooth[i]
        lo, hi = max(i - 2, 0), min(i + 3, 180)
        w = smooth[lo:hi]
        peaks.append(float(np.sum(np.arange(lo, hi) * w) / np.sum(w)))
        for s in range(-suppress_deg, suppress_deg + 1):
            smooth[(i + s) % 180] = 0
    return peaks


def _rotate(gray: NDArray[Any], angle: float) -> tuple[NDArray[Any], NDArray[Any]]:
    """Rotate so that text at `angle` becomes horizontal; returns image and 2x3 forward matrix."""
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(h * sin + w * cos), int(h * cos + w * sin)
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    rot = cv2.warpAffine(gray, m, (nw, nh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return rot, m


def _chains(b: NDArray[Any]) -> list[NDArray[Any]]:
    """Group blobs into horizontal chains: each blob links to its nearest right neighbour of a
    compatible size on the same centre line (vectorised over the k nearest blobs)."""
    n = len(b)
    if n < 2:
        return []
    x0, y0, w, h = b[:, 0], b[:, 1], b[:, 2], b[:, 3]
    cx, cy = x0 + w / 2, y0 + h / 2
    k = min(9, n)
    _, idx = cKDTree(np.stack([cx, cy], axis=1)).query(np.stack([cx, cy], axis=1), k=k)
    i = np.repeat(np.arange(n)[:, None], k, axis=1)
    j = idx
    hh = np.maximum(h[i], h[j])
    gap = x0[j] - (x0[i] + w[i])
    ok = (j != i) & (x0[j] > x0[i]) & (gap <= 1.1 * hh) & (gap >= -0.35 * hh)
    ok &= np.abs(cy[j] - cy[i]) <= 0.3 * hh
    ratio = h[j] / h[i]
    ok &= (ratio > 0.42) & (ratio < 2.4)
    gap = np.where(ok, gap, np.inf)
    best = np.argmin(gap, axis=1)
    has = np.isfinite(gap[np.arange(n), best])
    src = np.arange(n)[has]
    dst = j[np.arange(n), best][has]
    graph = coo_matrix((np.ones(len(src)), (src, dst)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    order = np.argsort(labels, kind="stable")
    cuts = np.flatnonzero(np.diff(labels[order])) + 1
    return [g for g in np.split(order, cuts) if len(g) >= 4]


def _trim(b: NDArray[Any]) -> NDArray[Any]:
    """Drop blobs at either end of a chain that do not continue its rhythm (a fragment of the
    background beyond the card edge, a guilloche knot): wrong height or off-pitch spacing."""
    b = b[np.argsort(b[:, 0] + b[:, 2] / 2)]
    h = b[:, 3]
    cap = float(np.sort(h)[int(0.75 * (len(h) - 1))])
    cx = b[:, 0] + b[:, 2] / 2
    gaps = np.diff(cx)
    good = gaps[(gaps > 0.7 * cap) & (gaps < 1.6 * cap)]
    if len(good) < 3:
        return b
    pitch = float(np.median(good))

    def odd(i: int, j: int) -> bool:  # blob i, neighbour j
        gap = abs(cx[j] - cx[i])
        wide_ok = b[i, 2] > 1.6 * b[i, 3] and gap < (b[i, 2] / 2 + pitch)  # merged fillers
        return bool(h[i] > 1.3 * cap or h[i] < 0.35 * cap
                    or (not wide_ok and not 0.6 * pitch < gap < 1.45 * pitch))

    lo, hi = 0, len(b) - 1
    while hi - lo >= 4 and odd(lo, lo + 1):
        lo += 1
    while hi - lo >= 4 and odd(hi, hi - 1):
        hi -= 1
    return b[lo : hi + 1]


def _line(b: NDArray[Any]) -> TextLine:
    b = _trim(b)
    x0, y0, w, h = b[:, 0], b[:, 1], b[:, 2], b[:, 3]
    cx, cy = x0 + w / 2, y0 + h / 2
    hs = np.sort(h)
    cap = float(hs[int(0.75 * (len(hs) - 1))])
    tall = h >= 0.75 * cap
    slope, intercept = 0.0, float(np.median(cy))
    if tall.sum() >= 2:
        tx, ty = cx[tall], cy[tall]
        vx = tx - tx.mean()
        denom = float((vx * vx).sum())
        if denom > 0:
            slope = float((vx * (ty - ty.mean())).sum() / denom)
            intercept = float(ty.mean() - slope * tx.mean())
    narrow = w <= 1.6 * h
    gaps = np.diff(np.sort(cx[narrow]))
    gaps = gaps[(gaps > 0.7 * cap) & (gaps < 1.6 * cap)]
    pitch = float(np.median(gaps)) if len(gaps) >= 3 else 1.06 * cap
    return TextLine(float(x0.min()), float((x0 + w).max()), slope, intercept, cap, pitch, len(b),
                    *_pitch_slope(np.sort(cx[narrow]), cap))


def _pitch_slope(xs: NDArray[Any], cap: float) -> tuple[float, float]:
    """How fast the character pitch changes along a line, per pixel: a page turned about its
    vertical axis shows glyphs at the near end up to twice as far apart as at the far end, and a
    count of characters from the median pitch then misses a TD3 by eight or more. A least-squares
    line through the glyph gaps against their position, returned as (slope, pitch at x = 0); (0, 0)
    unless at least 12 gaps support it and the pitch changes across the line by 12% of the median gap
    and by eight standard errors of the fit."""
    gaps = np.diff(xs)
    mids = (xs[1:] + xs[:-1]) / 2
    ok = (gaps > 0.45 * cap) & (gaps < 1.9 * cap)
    if ok.sum() < 12:
        return 0.0, 0.0
    g, m = gaps[ok], mids[ok]
    slope, icpt = np.polyfit(m, g, 1)
    resid = g - (icpt + slope * m)
    change = abs(slope) * float(m.max() - m.min())  # pitch change across the line
    standard_error = float(np.std(resid)) / np.sqrt(ok.sum())
    if change < 8 * standard_error or change < 0.12 * float(np.median(g)):
        return 0.0, 0.0
    return float(slope), float(icpt)


def _joinable(a: TextLine, b: TextLine) -> bool:
    cap = max(a.cap, b.cap)
    if not 0.55 < a.cap / b.cap < 1.8:  # a run of fillers is lower than a run of capitals
        return False
    gap = b.x0 - a.x1
    if abs(a.y_at(b.x0) - b.y_at(b.x0)) >= 0.35 * cap or not 0.75 < a.pitch / b.pitch < 1.33:
        return False
    # Across a wide gap (glare) only a substantial piece is joined: a few blobs far away are
    # more often background texture beyond the card edge than the rest of the line.
    return -cap < gap < 2.5 * cap or (gap < 9 * cap and min(a.n_blobs, b.n_blobs) >= 6)


def _join(a: TextLine, b: TextLine) -> TextLine:
    n = a.n_blobs + b.n_blobs
    slope = (a.slope * a.n_blobs + b.slope * b.n_blobs) / n
    mid = (min(a.x0, b.x0) + max(a.x1, b.x1)) / 2
    ymid = (a.y_at(mid) * a.n_blobs + b.y_at(mid) * b.n_blobs) / n
    return TextLine(min(a.x0, b.x0), max(a.x1, b.x1), slope, ymid - slope * mid,
                    (a.cap * a.n_blobs + b.cap * b.n_blobs) / n, (a.pitch * a.n_blobs + b.pitch * b.n_blobs) / n, n)


def _merge_lines(lines: list[TextLine]) -> list[TextLine]:
    """Join pieces of one text line split by a gap (glare, a glyph fused with the background)."""
    merged: list[TextLine] = []
    for ln in sorted(lines, key=lambda t: t.x0):
        for k, m in enumerate(merged):
            if _joinable(m, ln):
                merged[k] = _join(m, ln)
                break
        else:
            merged.append(ln)
    return merged


def _mrz_like(ln: TextLine) -> bool:
    n_est = (ln.x1 - ln.x0) / ln.pitch
    # Blur and low resolution swell blobs, so the pitch may look short against the height.
    return 16 <= n_est <= 56 and ln.n_blobs >= 8 and 0.65 * ln.cap < ln.pitch < 1.6 * ln.cap


def _compatible(a: TextLine, b: TextLine) -> bool:
    cap = max(a.cap, b.cap)
    dy = b.y_at((b.x0 + b.x1) / 2) - a.y_at((b.x0 + b.x1) / 2)
    if not 1.2 * cap < dy < 2.6 * cap or not 0.75 < a.pitch / b.pitch < 1.33:
        return False
    overlap = min(a.x1, b.x1) - max(a.x0, b.x0)
    return overlap > 0.7 * min(a.x1 - a.x0, b.x1 - b.x0)


def _blocks(lines: list[TextLine]) -> list[list[TextLine]]:
    cands = sorted([ln for ln in lines if _mrz_like(ln)], key=lambda ln: ln.yc)
    runs: list[list[TextLine]] = []
    for ln in cands:
        for run in runs:
            if _compatible(run[-1], ln):
                run.append(ln)
                break
        else:
            runs.append([ln])
    out: list[list[TextLine]] = []
    for run in runs:
        if len(run) == 2:
            out.append(run)
        elif len(run) >= 3:  # an extra text line may sit next to the MRZ: try every 3- and 2-line window
            out += [run[i : i + 3] for i in range(len(run) - 2)] + [run[i : i + 2] for i in range(len(run) - 1)]
        else:
            out.append(run)  # a single line: reported as a partial MRZ
    return out


def _block(run: list[TextLine], m_inv: NDArray[Any], scale: float, angle: float,
           x0: float | None = None, x1: float | None = None) -> Block:
    x0 = min(ln.x0 for ln in run) if x0 is None else x0
    x1 = max(ln.x1 for ln in run) if x1 is None else x1
    pitch = float(np.median([ln.pitch for ln in run]))
    top, bot = run[0], run[-1]
    pts = np.array([[x0, top.y_at(x0)], [x1, top.y_at(x1)], [x1, bot.y_at(x1)], [x0, bot.y_at(x0)]])
    orig = (np.hstack([pts, np.ones((4, 1))]) @ m_inv.T) / scale
    return Block(len(run), _count(x0, x1, pitch, run) + 0.35, orig, pitch / scale, angle, list(run))


def _count(x0: float, x1: float, pitch: float, run: list[TextLine]) -> float:
    """Characters between x0 and x1: the span over the pitch, or, when every line's pitch changes
    along it (`pitch_slope`), the median over lines of the integral of 1 / pitch(x)."""
    if any(ln.pitch_slope == 0.0 for ln in run):
        return (x1 - x0) / pitch
    counts = []
    for ln in run:
        p_lo, p_hi = ln.pitch_at_0 + ln.pitch_slope * x0, ln.pitch_at_0 + ln.pitch_slope * x1
        if min(p_lo, p_hi) <= 0.25 * pitch:
            return (x1 - x0) / pitch
        counts.append(np.log(p_hi / p_lo) / ln.pitch_slope)
    return float(np.median(counts))


def _run_blocks(run: list[TextLine], m_inv: NDArray[Any], scale: float, angle: float) -> list[Block]:
    """The block spanning all lines, plus - when the lines' ends disagree (one line extended by
    background or cut by glare) - the block spanning what all lines share."""
    out = [_block(run, m_inv, scale, angle)]
    pitch = float(np.median([ln.pitch for ln in run]))
    lo, hi = max(ln.x0 for ln in run), min(ln.x1 for ln in run)
    spread = max(lo - min(ln.x0 for ln in run), max(ln.x1 for ln in run) - hi)
    if len(run) >= 2 and spread > 1.5 * pitch and hi - lo > 16 * pitch:
        out.append(_block(run, m_inv, scale, angle, lo, hi))
    return out


def _scales(side: int) -> list[float]:
    """Work scales, coarse to fine. The first keeps the whole photo within `WORK_SIDE` (or enlarges
    a small one); the later ones, tried only while no legible block of two lines or more has been
    found (`locate`), halve the downsampling up to the photo's own resolution or `FINE_SIDE`: a
    passport filling a quarter of a 12-megapixel phone photo is a thousand pixels wide, yet at
    1280 px its glyphs are 6 px high and merge."""
    scale = min(1.0, WORK_SIDE / side)
    if scale > 0.8:  # close enough: resampling would cost more than it saves
        scale = 1.0
    if side < SMALL_SIDE:  # a small photo: upsample so merged glyphs separate again
        scale = min(2.0, SMALL_SIDE / side)
    out = [scale]
    while out[-1] < 1.0:
        out.append(min(1.0, 2 * out[-1], FINE_SIDE / side))
        if out[-1] <= out[-2] * 1.2:
            out.pop()
            break
    return out


def _locate_at(gray: NDArray[Any] | Photo, scale: float, max_angles: int, k: int | None,
               minor_angles: bool = False, frac: float = 0.5, flatten: bool = False) -> list[Block]:
    """Blocks found at one scale. `minor_angles`: instead of the dominant text directions, the
    weaker ones beside them (`MINOR_ANGLES`); `frac`: the ink threshold (`_binarise`); `flatten`:
    on the image divided by its paper brightness (`SHADOW_KERNEL`)."""
    lv = as_photo(gray).level(scale, k, frac, flatten)
    angles = text_angles(lv.binary, max_angles, blobs=lv.blobs)
    if minor_angles:
        angles = [a for a in text_angles(lv.binary, *MINOR_ANGLES, blobs=lv.blobs)
                  if min(min(abs(a - b), 180 - abs(a - b)) for b in angles or [a + 90]) > MINOR_APART_DEG]
    blocks: list[Block] = []
    for angle in angles:
        if min(angle, 180 - angle) < NEAR_LEVEL_DEG:  # near level: chaining tolerates the slope
            m = np.array([[1.0, 0, 0], [0, 1.0, 0]])
            b = lv.blobs
            angle = 0.0 if angle < 90 else 180.0
        else:
            rot, m = _rotate(lv.work, angle)
            b = _blobs(_binarise(rot, k, frac))
        pieces = [_line(b[idx]) for idx in _chains(b)]
        lines = _merge_lines([ln for ln in pieces if ln.x1 - ln.x0 > 2.5 * ln.cap])
        m_inv = cv2.invertAffineTransform(m)
        blocks += [blk for run in _blocks(lines) for blk in _run_blocks(run, m_inv, scale, angle)]
    return blocks


def locate(gray: NDArray[Any] | Photo, max_angles: int = 2, faint: bool = True) -> list[Block]:
    """Candidate MRZ blocks in a grey image, best-looking first (not yet read).

    A finer scale is tried only while no block of two lines or more has been found with glyphs
    at least `LEGIBLE_CAP` pixels high (a block of 6-pixel glyphs is found, but its pitch and so
    its width in characters are guessed badly; the finer level's blocks are added and the reader
    tries the most plausible first). The finer level's ink threshold keeps the first level's
    neighbourhood size in pixels, since the text it looks for is as small in pixels as the first
    level's would be. When nothing legible is found at any scale, the first scale is searched
    again with fainter ink (`SMEARED_INK`), then on flattened light (`SHADOW_KERNEL`) - unless
    `faint` is False: a caller that reads the blocks first and searches those levels only when
    nothing reads trusted (`reader.read_gray`; low-resolution photos, whose glyphs are under
    `LEGIBLE_CAP`, mostly read at the first level). The scales' blocks are kept in a `Photo`, so
    `locate(photo)` after `locate(photo, faint=False)` returns the same blocks, ranked with the
    faint levels' as if found at once."""
    photo = as_photo(gray)
    if max_angles not in photo.pyramid:
        photo.pyramid[max_angles] = _pyramid(photo, max_angles)
    found = list(photo.pyramid[max_angles])
    if faint and not legible(found):
        for frac, flatten in ((SMEARED_INK, False), (0.5, True)):
            found += _locate_at(photo, _scales(max(photo.gray.shape))[0], max_angles, None, frac=frac,
                                flatten=flatten)
            if legible(found):
                break
    return sorted(found, key=_plausibility, reverse=True)


def _pyramid(photo: Photo, max_angles: int) -> list[Block]:
    """Blocks of the scales, coarse to fine, until a legible one is found (unranked)."""
    found: list[Block] = []
    for level, scale in enumerate(_scales(max(photo.gray.shape))):
        k = None if level == 0 else max(15, (WORK_SIDE // 45) | 1)
        found += _locate_at(photo, scale, max_angles, k)
        if legible(found):
            break
    return found


def locate_relit(gray: NDArray[Any] | Photo, max_angles: int = 2) -> list[Block]:
    """Blocks at the first scale on the photo divided by its paper brightness (`SHADOW_KERNEL`),
    for a reading that found legible text but nothing that read as an MRZ. `locate` searches this
    way only when nothing legible is found at all; a hard shadow edge just above or between the
    MRZ lines (a phone held over the page) breaks only the MRZ's own lines - the mid-point
    threshold takes the shadowed paper beside the edge for ink and joins a line's glyphs into one
    blob - while the visual zone's text, in the light, is found as usual."""
    photo = as_photo(gray)
    found = _locate_at(photo, _scales(max(photo.gray.shape))[0], max_angles, None, flatten=True)
    return sorted(found, key=_plausibility, reverse=True)


def locate_minor(gray: NDArray[Any] | Photo) -> list[Block]:
    """Blocks along the photo's weaker text directions (`MINOR_ANGLES`) at the first scale, for a
    second look when nothing `locate` found reads as an MRZ: a passport lying on a page of print
    shows hundreds of the page's glyphs for each of its own, so the page's direction (and any
    within 12 degrees of it) is all `text_angles` reports."""
    photo = as_photo(gray)
    found = _locate_at(photo, _scales(max(photo.gray.shape))[0], 2, None, minor_angles=True)
    return sorted(found, key=_plausibility, reverse=True)


def legible(blocks: list[Block]) -> bool:
    """Is any block of two lines or more made of glyphs at least `LEGIBLE_CAP` pixels high? When
    none is, `locate` has also searched with fainter ink and on flattened light."""
    return any(b.n_lines >= 2 and bool(b.lines) and min(ln.cap for ln in b.lines) >= LEGIBLE_CAP
               for b in blocks)


def _plausibility(b: Block) -> float:
    widths = {1: (30, 36, 44), 2: (36, 44), 3: (30,)}.get(b.n_lines, (44,))
    miss = min(abs(b.n_est - w) for w in widths)
    return (b.n_lines >= 2) * 10 - miss + 0.1 * sum(ln.n_blobs for ln in b.lines) / max(b.n_est, 1)


def binarise(gray: NDArray[Any]) -> NDArray[Any]:
    """The locator's ink mask (local mid-point threshold with a contrast floor), for other steps
    that look for printed text."""
    return _binarise(gray)


def glyph_blobs(binary: NDArray[Any]) -> NDArray[Any]:
    """(N, 6) x0, y0, w, h, area, fill of the glyph-sized blobs of an ink mask."""
    return _blobs(binary)
