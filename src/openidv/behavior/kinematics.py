"""Pointer kinematics: strokes, resampling and dimensionless movement features.

Why this shape: the bot classifier is trained on one set of human recordings (remote-desktop mouse
logs) and must work on humans recorded elsewhere (browsers at 60-1000 Hz, other screens). So the
features avoid what identifies a recording setup:

- every stroke (a movement between pauses or clicks) is resampled onto a fixed 20 ms grid and
  lightly smoothed, so the native event rate and timestamp quantisation do not enter;
- movement is described by ratios (straightness, peak/mean speed, deviation/chord), by the
  dimensionless jerk, by stroke timing and by motor-control regularities humans show everywhere
  (the two-thirds power law between speed and curvature, Fitts-like growth of duration with
  distance, sub-movements and homing), never by screen size or raw pixel speeds;
- raw inter-sample intervals are never a feature.

Everything is vectorised over strokes: a session of a few thousand samples takes about a
millisecond.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from openidv.behavior.events import Pointer

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

GAP_MS = 300.0  # a pause longer than this ends a stroke
GRID_MS = 20.0  # resampling step
MIN_STROKE_SAMPLES = 4  # raw samples
MIN_STROKE_PATH_PX = 20.0
MIN_STROKE_MS = 80.0
TELEPORT_PX = 40.0  # a stroke starting this far from where the previous one ended: the pointer jumped
APPROACH_MS = 1000.0  # a click needs movement within this time before it


@dataclass
class Strokes:
    """Valid strokes of a pointer stream after resampling, concatenated."""

    sid: I64  # stroke index of each grid point
    t: F64
    x: F64
    y: F64
    start: I64  # first grid index of each stroke
    count: I64  # grid points per stroke
    duration: F64  # ms
    path: F64  # px, of the raw samples
    chord: F64  # px
    x0: F64
    y0: F64
    x1: F64
    y1: F64
    n_raw: int  # strokes before the validity filter
    teleports: int  # stroke starts far from the previous stroke's end
    gaps: F64  # pauses between consecutive strokes (ms)

    @property
    def n(self) -> int:
        return int(self.count.size)


def _clean(p: Pointer) -> tuple[F64, F64, F64]:
    """Finite samples, strictly increasing time (of equal timestamps the last sample wins)."""
    ok = np.isfinite(p.t) & np.isfinite(p.x) & np.isfinite(p.y)
    t, x, y = p.t[ok], p.x[ok], p.y[ok]
    if t.size and np.any(np.diff(t) < 0):
        order = np.argsort(t, kind="stable")
        t, x, y = t[order], x[order], y[order]
    keep = np.ones(t.size, dtype=bool)
    keep[:-1] = np.diff(t) > 0
    return t[keep], x[keep], y[keep]


def segment(p: Pointer) -> Strokes:
    """Split samples at pauses and clicks, keep the strokes long enough to measure, resample them."""
    t, x, y = _clean(p)
    n = t.size
    if n == 0:
        return _empty()
    split = np.zeros(n, dtype=bool)
    split[0] = True
    split[1:] = np.diff(t) > GAP_MS
    clicks = np.concatenate([p.down_t, p.up_t])
    idx = np.searchsorted(t, clicks[np.isfinite(clicks)], side="right")
    split[idx[(idx > 0) & (idx < n)]] = True
    starts = np.flatnonzero(split)
    ends = np.append(starts[1:], n) - 1
    step = np.hypot(np.diff(x), np.diff(y)) if n > 1 else np.zeros(0)
    cum = np.concatenate([[0.0], np.cumsum(step)])
    path = cum[ends] - cum[starts]
    duration = t[ends] - t[starts]
    jumps = np.hypot(x[starts[1:]] - x[ends[:-1]], y[starts[1:]] - y[ends[:-1]])
    gaps = t[starts[1:]] - t[ends[:-1]]
    valid = ((ends - starts + 1) >= MIN_STROKE_SAMPLES) & (path >= MIN_STROKE_PATH_PX) & (duration >= MIN_STROKE_MS)
    vs, ve = starts[valid], ends[valid]
    count = (np.floor(duration[valid] / GRID_MS).astype(np.int64) + 1)
    total = int(count.sum())
    gstart = (np.cumsum(count) - count).astype(np.int64)
    sid = np.repeat(np.arange(count.size), count)
    local = np.arange(total) - np.repeat(gstart, count)
    tg = np.repeat(t[vs], count) + local * GRID_MS
    xg, yg = np.interp(tg, t, x), np.interp(tg, t, y)
    xg, yg = _smooth(xg, sid), _smooth(yg, sid)
    return Strokes(
        sid=sid, t=tg, x=xg, y=yg, start=gstart, count=count, duration=duration[valid], path=path[valid],
        chord=np.hypot(x[ve] - x[vs], y[ve] - y[vs]), x0=x[vs], y0=y[vs], x1=x[ve], y1=y[ve],
        n_raw=int(starts.size), teleports=int(np.sum(jumps > TELEPORT_PX)), gaps=gaps,
    )


def _empty() -> Strokes:
    f, i = np.zeros(0, dtype=np.float64), np.zeros(0, dtype=np.int64)
    return Strokes(sid=i, t=f, x=f, y=f, start=i, count=i, duration=f, path=f, chord=f, x0=f, y0=f, x1=f, y1=f,
                   n_raw=0, teleports=0, gaps=f)


def _smooth(v: F64, sid: I64) -> F64:
    """[1, 2, 1]/4 smoothing inside each stroke (ends untouched)."""
    out = v.copy()
    if v.size >= 3:
        inner = (sid[:-2] == sid[1:-1]) & (sid[2:] == sid[1:-1])
        sm = (v[:-2] + 2 * v[1:-1] + v[2:]) / 4.0
        out[1:-1] = np.where(inner, sm, v[1:-1])
    return out


def _within(sid: I64, lag: int) -> NDArray[np.bool_]:
    return sid[lag:] == sid[:-lag] if sid.size > lag else np.zeros(0, dtype=bool)


def _offsets(count: I64, lag: int) -> I64:
    """Start offsets of each stroke in an array of per-stroke length ``count - lag``."""
    sizes = count - lag
    return (np.cumsum(sizes) - sizes).astype(np.int64)


def _first_max(values: F64, owner: I64, vmax: F64, offsets: I64, sizes: I64) -> F64:
    """Relative position (0..1) of each stroke's first maximum."""
    idx = np.flatnonzero(values >= vmax[owner])
    _, first = np.unique(owner[idx], return_index=True)
    return (idx[first] - offsets + 0.5) / sizes


def stroke_features(s: Strokes) -> dict[str, F64]:
    """Per-stroke dimensionless descriptors, each an array of length ``s.n``."""
    n, dt = s.n, GRID_MS / 1000.0
    c = s.count
    w1 = _within(s.sid, 1)
    vx, vy = (np.diff(s.x) / dt)[w1], (np.diff(s.y) / dt)[w1]
    own1 = np.repeat(np.arange(n), c - 1)
    off1, off2, off3 = _offsets(c, 1), _offsets(c, 2), _offsets(c, 3)
    speed = np.hypot(vx, vy)
    vmax = np.maximum.reduceat(speed, off1)
    vsum = np.add.reduceat(speed, off1)
    vmean = vsum / (c - 1)
    w2 = own1[1:] == own1[:-1]
    ax, ay = (np.diff(vx) / dt)[w2], (np.diff(vy) / dt)[w2]
    own2 = own1[1:][w2]
    w3 = own2[1:] == own2[:-1]
    jx, jy = (np.diff(ax) / dt)[w3], (np.diff(ay) / dt)[w3]
    duration_s = (c - 1) * dt
    length = np.maximum(vsum * dt, 1.0)
    jerk = np.log10(np.add.reduceat(jx * jx + jy * jy, off3) * dt * duration_s**5 / length**2 + 1e-9)
    cross = vx[:-1][w2] * vy[1:][w2] - vy[:-1][w2] * vx[1:][w2]
    dot = vx[:-1][w2] * vx[1:][w2] + vy[:-1][w2] * vy[1:][w2]
    moving = (speed[:-1][w2] > 1e-6) & (speed[1:][w2] > 1e-6)
    theta = np.where(moving, np.arctan2(cross, dot), 0.0)
    turn = np.add.reduceat(np.abs(theta), off2) / (c - 2)
    sign = np.sign(theta)
    flips = (sign[1:] * sign[:-1] < 0) & (own2[1:] == own2[:-1])
    turnsign = np.bincount(own2[1:][flips], minlength=n) / np.maximum(c - 3, 1)
    peak = np.zeros(speed.size, dtype=bool)
    if speed.size > 2:
        same = (own1[1:-1] == own1[:-2]) & (own1[1:-1] == own1[2:])
        peak[1:-1] = same & (speed[1:-1] > speed[:-2]) & (speed[1:-1] >= speed[2:])
    peak &= speed >= 0.2 * vmax[own1]
    nsub = np.bincount(own1[peak], minlength=n).astype(np.float64)
    chord = np.where(s.chord >= 5.0, s.chord, np.nan)
    ux, uy = (s.x1 - s.x0) / np.maximum(s.chord, 1e-9), (s.y1 - s.y0) / np.maximum(s.chord, 1e-9)
    rx, ry = s.x - s.x0[s.sid], s.y - s.y0[s.sid]
    proj = rx * ux[s.sid] + ry * uy[s.sid]
    perp = np.abs(rx * uy[s.sid] - ry * ux[s.sid])
    dist_end = np.hypot(s.x - s.x1[s.sid], s.y - s.y1[s.sid])
    near = dist_end < np.maximum(0.1 * s.chord, 3.0)[s.sid]
    return {
        "straight": np.clip(s.chord / np.maximum(s.path, 1e-9), 0.0, 1.0),
        "logdur": np.log10(np.maximum(s.duration, 1.0) / 1000.0),
        "peakratio": vmax / np.maximum(vmean, 1e-9),
        "tpeak": _first_max(speed, own1, vmax, off1, c - 1),
        "nsub": nsub,
        "jerk": jerk,
        "dev": np.maximum.reduceat(perp, s.start) / chord,
        "turn": turn,
        "turnsign": turnsign,
        "overshoot": np.clip(np.maximum.reduceat(proj, s.start) / chord - 1.0, 0.0, None),
        "homing": np.bincount(s.sid[near], minlength=n) / c,
        "vcv": np.sqrt(np.maximum(np.add.reduceat(speed * speed, off1) / (c - 1) - vmean**2, 0.0))
        / np.maximum(vmean, 1e-9),
        "stops": np.bincount(own1[speed < 0.05 * vmax[own1]], minlength=n) / (c - 1),
        "_vmax": vmax,
        "_theta": theta,
        "_speed": speed,
        "_accel": np.hypot(ax, ay),
        "_curv": _curvature(vx, vy, ax, ay, w2),
    }


def _curvature(vx: F64, vy: F64, ax: F64, ay: F64, w2: NDArray[np.bool_]) -> F64:
    """(speed, curvature) pairs at interior grid points, as a 2 x k array."""
    mx = ((vx[:-1] + vx[1:]) / 2.0)[w2]
    my = ((vy[:-1] + vy[1:]) / 2.0)[w2]
    v = np.hypot(mx, my)
    kappa = np.abs(mx * ay - my * ax) / np.maximum(v, 1e-9) ** 3
    return np.vstack([v, kappa])
