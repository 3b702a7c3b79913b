"""The colour response: does the light of the screen flashes show on the face, in the issued order?

For every frame we take the mean colour of the inner face and of the frame's border (the
background, far from the screen). A flash of colour c adds light of that colour to the face much
more than to the background, so the face's chromatic shift relative to the baseline frames,
minus the background's, points in c's direction. Six palette colours are 60 degrees apart in
the chromatic plane; each flash window is read as the nearest one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from openidv.liveness.challenge import PALETTE


def _chroma_direction(rgb: Sequence[float]) -> NDArray[np.float64]:
    v = np.asarray(rgb, np.float64) / 255.0
    d = v - v.mean()
    return d / (np.linalg.norm(d) or 1.0)


DIRECTIONS: dict[str, NDArray[np.float64]] = {name: _chroma_direction(rgb) for name, rgb in PALETTE.items()}


# A face pixel this bright in the baseline (any channel) may clip under a flash: a clipped
# channel cannot rise, which turns e.g. magenta into blue on a red-lit, brightly exposed face.
# 225 leaves room for the strongest reflection the protocol expects (about +13%).
CLIP_HEADROOM = 225


def face_slice(shape: tuple[int, ...], box: Sequence[float]) -> tuple[slice, slice]:
    """The inner face: the central 60% of the box, clipped to the frame."""
    h, w = shape[:2]
    x0, y0, x1, y1 = (float(v) for v in box)
    bw, bh = x1 - x0, y1 - y0
    fx0, fx1 = int(max(0, x0 + 0.2 * bw)), int(min(w, x1 - 0.2 * bw))
    fy0, fy1 = int(max(0, y0 + 0.2 * bh)), int(min(h, y1 - 0.2 * bh))
    return slice(fy0, max(fy0, fy1)), slice(fx0, max(fx0, fx1))


def unclipped(baseline: Sequence[NDArray[np.uint8]], box: Sequence[float]) -> NDArray[np.bool_] | None:
    """Inner-face pixels with headroom in every channel over the baseline frames (None: keep all,
    when fewer than a fifth of the face has headroom)."""
    if not baseline:
        return None
    shape = baseline[0].shape
    ys, xs = face_slice(shape, box)
    crops = [f[ys, xs].max(axis=2) for f in baseline if f.shape == shape]  # a resized frame is not compared
    if not crops or crops[0].size == 0:
        return None
    peak = np.max(crops, axis=0)
    keep = peak < CLIP_HEADROOM
    return keep if keep.size and keep.mean() >= 0.2 else None


def region_means(
    rgb: NDArray[np.uint8], box: Sequence[float], keep: NDArray[np.bool_] | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Mean RGB of the inner face (central 60% of the box; only `keep` pixels when given) and of
    a 10% border of the frame."""
    h, w = rgb.shape[:2]
    ys, xs = face_slice(rgb.shape, box)
    crop = rgb[ys, xs]
    face = (crop[keep] if keep is not None and keep.shape == crop.shape[:2] else crop.reshape(-1, 3)).astype(np.float64)
    m = max(2, int(0.1 * min(h, w)))
    border = np.concatenate(
        [
            rgb[:m].reshape(-1, 3),
            rgb[-m:].reshape(-1, 3),
            rgb[:, :m].reshape(-1, 3),
            rgb[:, -m:].reshape(-1, 3),
        ]
    ).astype(np.float64)
    return (face.mean(axis=0) if len(face) else np.full(3, np.nan)), border.mean(axis=0)


def chroma_shift(
    face: NDArray[np.float64], face0: NDArray[np.float64], bg: NDArray[np.float64], bg0: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Face chromatic shift (log RGB, brightness removed) minus the background's."""

    def shift(x: NDArray[np.float64], x0: NDArray[np.float64]) -> NDArray[np.float64]:
        d = np.log(np.maximum(x, 1.0)) - np.log(np.maximum(x0, 1.0))
        return np.asarray(d - d.mean(), np.float64)

    return shift(face, face0) - shift(bg, bg0)


@dataclass(frozen=True)
class FlashReading:
    """The colour a flash window shows best, with how clearly (threshold-free)."""

    expected: str
    best: str | None
    cosine: float
    magnitude: float
    n_frames: int
    shift: tuple[float, ...] = ()  # the mean chromatic shift itself (log RGB), for sequence-level rules

    def observed(self, min_magnitude: float, min_cosine: float) -> str | None:
        """The colour read at the given operating point (None: no clear colour)."""
        if self.best is None or self.magnitude < min_magnitude or self.cosine < min_cosine:
            return None
        return self.best

    def ok(self, min_magnitude: float, min_cosine: float) -> bool:
        return self.observed(min_magnitude, min_cosine) == self.expected


def measure_flash(shifts: Sequence[NDArray[np.float64]], expected: str) -> FlashReading:
    """The palette colour closest to the mean chromatic shift of one flash window."""
    if not shifts:
        return FlashReading(expected, None, 0.0, 0.0, 0)
    d = np.mean(np.asarray(shifts), axis=0)
    mag = float(np.linalg.norm(d))
    if mag == 0.0 or not np.isfinite(mag):  # no pixels measured: no colour, never a reading by accident
        return FlashReading(expected, None, 0.0, 0.0, len(shifts))
    cos = {name: float(d @ u) / mag for name, u in DIRECTIONS.items()}
    best = max(cos, key=lambda k: cos[k])
    return FlashReading(expected, best, cos[best], mag, len(shifts), tuple(float(v) for v in d))
