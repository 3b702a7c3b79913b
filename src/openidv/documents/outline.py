"""Where is the card in the photo? Card outlines as quadrilaterals, best first.

Candidates come from two sources on two edge maps (grey-level Canny edges, and strong colour
edges: a pale card on a beige desk differs in chroma more than in brightness):

* **Closed contours**, checked and repaired against the *edge evidence along their sides* (the
  median, over points along a side, of the colour gradient across it). A card's own print often
  has a stronger edge than the card against the background (a dark header or footer band on a
  card held over a similar colour), so the closed contour is the card minus its band: each side is
  moved outward to the farthest parallel edge, within :data:`REACH` of the card's extent, that runs
  the side's whole length (median support at least :data:`GROW_SUPPORT`), if that does not make the
  quadrilateral less ID-1-like.
* **Four straight lines** (:mod:`openidv.documents.outline_lines`): a shadow, a cable or a busy desk
  touching the card merges with it into one contour, but the card's sides are still straight edges.

**Ranking.** A logistic model over edge, contrast and shape features of every candidate
(:mod:`openidv.documents.outline_features`, :mod:`openidv.documents.outline_rank`; trained by
``python -m openidv.documents.training.train_outline_ranker``, card in
``models/card_outline_ranker.md``) picks the card; its first choice is grown once more with a lower
bar (:data:`WINNER_GROW_SUPPORT`). A photo whose best candidate is unlikely to be a card gets no
outline; other outlines count as other cards only when separate and likely enough.

Thresholds were set on generated photos of *train* templates under *train* capture conditions;
the figures in docs/documents.md are on held-out templates and conditions
(``benchmarks/card_outline.py --split test``).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import maximum_filter1d

from openidv.documents.outline_features import COLUMN, candidate_features
from openidv.documents.outline_lines import line_quads
from openidv.documents.outline_rank import ShippedRanker, load_ranker

ID1_ASPECT = 85.6 / 53.98
MAX_SIDE = 800  # the search runs on a copy whose longer side is at most this
MIN_SIDE_SUPPORT = 25.0  # Lab gradient units (3x3 Sobel on Lab scaled 0-255)
GROW_SUPPORT = 60.0
# The ranked first outline is grown once more with a lower bar: a card's header band on a dark desk
# in dim light has a weak outer edge, and a four-line outline stops at the band. Set on 1,000 train
# photos (var/diag/s25/growwin.py): first outline within 3 mm 918 -> 927 at 40 (918 at 60, 920 at
# 30, 901 at 20).
WINNER_GROW_SUPPORT = 40.0
REACH = 0.22  # how far a side may move outward, as a share of the card's extent across it
ASPECT_RANGE = (1.2, 1.9)  # side ratio of anything returned (ID-1 and passport pages under tilt)
GOOD_ASPECT = 0.15  # |log(aspect / ID-1)| of a first-rank outline
STRONG_EDGE = 160.0  # colour-gradient magnitude of the second edge map


def order_corners(pts: NDArray[Any]) -> NDArray[Any]:
    """Corners clockwise (in image coordinates) starting from the one nearest the top-left."""
    c = pts.mean(axis=0)
    ang = np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0])
    pts = pts[np.argsort(ang)]
    start = int(np.argmin(pts.sum(axis=1)))
    return np.roll(pts, -start, axis=0)


def same_place(a: NDArray[Any], b: NDArray[Any]) -> bool:
    """Two outlines of (nearly) the same region."""
    return bool(np.linalg.norm(a.mean(axis=0) - b.mean(axis=0)) < 0.1 * np.linalg.norm(a[0] - a[2]))


def aspect(q: NDArray[Any]) -> float:
    """Ratio of the mean long side to the mean short side (>= 1)."""
    s = np.linalg.norm(q - np.roll(q, -1, axis=0), axis=1)
    a = (s[0] + s[2]) / max(s[1] + s[3], 1e-6)
    return float(max(a, 1 / a))


class EdgeField:
    """Colour gradients of the searched image, and edge support along lines through it."""

    def __init__(self, img: NDArray[Any]) -> None:
        lab = cv2.cvtColor(img, cv2.COLOR_RGB2LAB) if img.ndim == 3 else img[..., None]
        lab = cv2.GaussianBlur(lab.astype(np.float32), (0, 0), 1.2).reshape(img.shape[0], img.shape[1], -1)
        self.gx = np.stack([cv2.Sobel(lab[..., i], cv2.CV_32F, 1, 0, ksize=3) for i in range(lab.shape[2])])
        self.gy = np.stack([cv2.Sobel(lab[..., i], cv2.CV_32F, 0, 1, ksize=3) for i in range(lab.shape[2])])

    def magnitude(self) -> NDArray[Any]:
        return np.asarray(np.sqrt((self.gx**2 + self.gy**2).max(axis=0)), np.float32)

    def profile(self, q: NDArray[Any], i: int, offsets: NDArray[Any], n: int = 40, band: int = 2) -> NDArray[Any]:
        """Support of side ``i`` (corner i to i+1) moved outward by each offset (pixels).

        Support is the median over points along the middle 76% of the side (corners are often
        rounded, held or out of focus) of the gradient across the side, the strongest within
        ``band`` pixels (outlines from contours sit a pixel or two off the edge).
        """
        d = q[(i + 1) % 4] - q[i]
        nrm = outward_normal(q, i)
        offs = np.arange(int(offsets.min()) - band, int(offsets.max()) + band + 1)
        t = np.linspace(0.12, 0.88, n)
        pts = q[i][None, None] + t[None, :, None] * d[None, None] + offs[:, None, None] * nrm[None, None]
        h, w = self.gx.shape[1:]
        inside = (pts[..., 0] >= 0) & (pts[..., 0] <= w - 1) & (pts[..., 1] >= 0) & (pts[..., 1] <= h - 1)
        x = np.clip(np.round(pts[..., 0]).astype(int), 0, w - 1)
        y = np.clip(np.round(pts[..., 1]).astype(int), 0, h - 1)
        across = np.abs(self.gx[:, y, x] * nrm[0] + self.gy[:, y, x] * nrm[1]).max(axis=0) * inside
        if band:
            across = maximum_filter1d(across, 2 * band + 1, axis=0)[band:-band]
        return np.asarray(np.median(across, axis=1))


def outward_normal(q: NDArray[Any], i: int) -> NDArray[Any]:
    d = q[(i + 1) % 4] - q[i]
    nrm = np.array([-d[1], d[0]]) / (np.linalg.norm(d) + 1e-9)
    mid = (q[i] + q[(i + 1) % 4]) / 2
    return nrm if float(np.dot(nrm, mid - q.mean(axis=0))) >= 0 else -nrm


def shift_side(q: NDArray[Any], i: int, off: float) -> NDArray[Any] | None:
    """Side ``i`` moved outward by ``off`` pixels, its corners sliding along the neighbouring sides."""
    q = q.copy()
    nrm = outward_normal(q, i)
    for k, nb in ((i, (i - 1) % 4), ((i + 1) % 4, (i + 2) % 4)):
        e = q[k] - q[nb]
        e = e / (np.linalg.norm(e) + 1e-9)
        cos = float(np.dot(e, nrm))
        if abs(cos) < 0.3:  # a neighbouring side almost parallel to this one: not a quadrilateral card
            return None
        q[k] = q[k] + e * off / cos
    return q


def _peaks(prof: NDArray[Any], floor: float, start: int = 3) -> list[int]:
    return [k for k in range(max(start, 1), len(prof) - 1)
            if prof[k] >= floor and prof[k] >= prof[k - 1] and prof[k] >= prof[k + 1]]


def grow(q: NDArray[Any], field: EdgeField, support: float = GROW_SUPPORT) -> NDArray[Any]:
    """Move each side outward to the farthest full-length parallel edge within reach (see module doc)."""
    for _ in range(2):
        moved = False
        for i in range(4):
            s = np.linalg.norm(q - np.roll(q, -1, axis=0), axis=1)
            ext = (s[(i + 1) % 4] + s[(i + 3) % 4]) / 2
            prof = field.profile(q, i, np.arange(0, int(REACH * ext) + 1))
            err = abs(np.log(aspect(q) / ID1_ASPECT))
            for off in sorted(_peaks(prof, support), reverse=True):
                q2 = shift_side(q, i, float(off))
                if q2 is not None and abs(np.log(aspect(q2) / ID1_ASPECT)) <= err:
                    q, moved = q2, True
                    break
        if not moved:
            break
    return q


def _contour_quads(edges: NDArray[Any], min_area_px: float, max_area_px: float) -> list[NDArray[Any]]:
    """Four-cornered convex hulls of the largest closed contours (coarser fits tried when needed:
    an object touching the card adds a corner or two to its hull)."""
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    out: list[NDArray[Any]] = []
    for c in sorted(contours, key=cv2.contourArea, reverse=True)[:20]:
        if not min_area_px <= cv2.contourArea(c) <= max_area_px:
            continue
        hull = cv2.convexHull(c)
        per = cv2.arcLength(hull, True)
        for eps in (0.03, 0.05, 0.08):
            approx = cv2.approxPolyDP(hull, eps * per, True)
            if len(approx) < 4:
                break
            if len(approx) == 4:
                q = order_corners(approx.reshape(4, 2).astype(np.float64))
                if ASPECT_RANGE[0] < aspect(q) < ASPECT_RANGE[1] + 0.4:  # room for growing
                    out.append(q)
                break
    return out


@dataclass(frozen=True)
class Candidates:
    """Every candidate outline of one photo, in the reduced copy's pixels (``scale`` = copy / photo)."""

    quads: list[NDArray[Any]]
    from_lines: list[bool]
    features: NDArray[Any]  # one row of outline_features.FEATURES per quad
    scale: float
    field: EdgeField

    def good(self, k: int) -> bool:
        """Edge evidence on all four sides and an ID-1-like aspect (the ranking rule before the ranker)."""
        row = self.features[k]
        supported = np.expm1(row[COLUMN["side_min"]]) >= MIN_SIDE_SUPPORT
        return bool(supported and row[COLUMN["aspect_error"]] <= GOOD_ASPECT)


def candidates(img: NDArray[Any], min_area: float = 0.04) -> Candidates:
    """Closed-contour outlines (grown over bands) and four-line outlines, with their features."""
    scale = min(1.0, MAX_SIDE / max(img.shape[:2]))
    small = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else img
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY) if small.ndim == 3 else small
    field = EdgeField(small)
    area = gray.shape[0] * gray.shape[1]
    edge_maps = [cv2.Canny(cv2.GaussianBlur(gray, (5, 5), 0), 30, 90),
                 (field.magnitude() > STRONG_EDGE).astype(np.uint8) * 255]
    raw: list[NDArray[Any]] = []
    for edges in edge_maps:
        raw += [q for q in _contour_quads(edges, min_area * area, 0.98 * area)
                if not any(same_place(q, p) and np.abs(q - p).max() < 2 for p in raw)]
    quads = [q for q in (grow(q, field) for q in raw) if ASPECT_RANGE[0] < aspect(q) < ASPECT_RANGE[1]]
    n_contour = len(quads)
    lines = line_quads(edge_maps, gray.shape[:2], min_area, ASPECT_RANGE)
    if lines:  # drop those a contour outline already has (within 2 px at every corner)
        seen = np.asarray(quads) if quads else np.zeros((0, 4, 2))
        new = np.asarray(lines)
        for k in range(len(new)):
            if not len(seen) or np.abs(seen - new[k]).max(axis=(1, 2)).min() >= 2:
                seen = np.concatenate([seen, new[k:k + 1]])
                quads.append(new[k])
    from_lines = [k >= n_contour for k in range(len(quads))]
    lab = (cv2.cvtColor(small, cv2.COLOR_RGB2LAB) if small.ndim == 3 else small[..., None]).astype(np.float32)
    return Candidates(quads, from_lines, candidate_features(field.gx, field.gy, lab, quads, from_lines, ID1_ASPECT),
                      scale, field)


def overlaps(a: NDArray[Any], b: NDArray[Any]) -> bool:
    """Two outlines sharing more than a tenth of the smaller one's area."""
    pa, pb = a.astype(np.float32), b.astype(np.float32)
    inter, _ = cv2.intersectConvexConvex(pa, pb)
    return bool(inter > 0.1 * min(cv2.contourArea(pa), cv2.contourArea(pb)))


def choose(c: Candidates, shipped: ShippedRanker | None) -> list[NDArray[Any]]:
    """The outlines `find_card` returns, in the photo's pixels: the ranker's first (grown over a band
    it stops at), then separate outlines likely enough to be other cards. Without a shipped ranker,
    the stop-15 rule: outlines with edge evidence on all sides and an ID-1 aspect, largest first."""
    if not c.quads:
        return []
    if shipped is None:
        order = sorted(range(len(c.quads)), reverse=True,
                       key=lambda k: (c.good(k), float(c.features[k, COLUMN["area" if c.good(k) else "side_min"]])))
        keep = [k for k in order if c.good(k)] or order[:1]
        first = c.quads[keep[0]]
    else:
        p = shipped.model.predict_proba(c.features)[:, 1]
        order = [int(k) for k in np.argsort(-p, kind="stable")]
        if p[order[0]] < shipped.min_card:
            return []
        keep = order[:1] + [k for k in order[1:] if c.good(k) and p[k] >= shipped.min_other_card]
        first = grow(c.quads[keep[0]], c.field, WINNER_GROW_SUPPORT)
    out = [first]
    for k in keep[1:]:
        if not any(same_place(c.quads[k], q) or overlaps(c.quads[k], q) for q in out):
            out.append(c.quads[k])
    return [q / c.scale for q in out]  # back to the photo's pixels (the search ran on a copy)


def _search(img: NDArray[Any], min_area: float) -> list[NDArray[Any]]:
    return choose(candidates(img, min_area), load_ranker())


class _Recent:
    """Outlines of the last few images searched, keyed by a digest of their pixels: the detect,
    visual-zone and barcode steps of one session look for the card in the same photo."""

    def __init__(self, size: int = 16) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[bytes, tuple[int, ...], float], list[NDArray[Any]]] = OrderedDict()

    def get_or_run(self, img: NDArray[Any], min_area: float) -> list[NDArray[Any]]:
        arr = np.ascontiguousarray(img)
        key = (hashlib.blake2b(arr.data, digest_size=16).digest(), arr.shape, min_area)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return [q.copy() for q in self._items[key]]
        found = _search(arr, min_area)
        with self._lock:
            self._items[key] = [q.copy() for q in found]
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return found


_recent = _Recent()


def find_card(img: NDArray[Any], min_area: float = 0.04) -> list[NDArray[Any]]:
    """Card outlines in an RGB or grey photo, best first, each ordered TL, TR, BR, BL as seen.

    All outlines with edge evidence on every side and a card-like aspect are returned (two cards
    in one photo give two); when there is none, the single best-supported candidate, so a card
    with one edge hidden is still framed. ``min_area`` is the smallest share of the photo.
    """
    return _recent.get_or_run(img, min_area)
