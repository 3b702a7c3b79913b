"""The behaviour feature vector of one pointer stream (a session or a window of one).

Per-stroke descriptors (:mod:`openidv.behavior.kinematics`) are summarised by their median and
inter-quartile range; session-level features add motor-control regularities (two-thirds power
law, duration and peak speed against distance), pause and click timing, and the two movement
signature of scripted pointers (clicks at new places with no approach movement). Pointer jumps
between strokes are counted for evidence but are no feature: recorders lose the pointer when it
leaves the window, so jumps say more about the recorder than about the person. The order
of :data:`FEATURE_NAMES` is the model's input order: append, never reorder.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from openidv.behavior.events import Pointer
from openidv.behavior.kinematics import APPROACH_MS, GAP_MS, TELEPORT_PX, Strokes, segment, stroke_features

F64 = NDArray[np.float64]

STROKE_KEYS = (
    "straight", "logdur", "peakratio", "tpeak", "nsub", "jerk", "dev", "turn", "turnsign", "overshoot",
    "homing", "vcv", "stops",
)
SESSION_KEYS = (
    "log_strokes", "straight_frac", "dur_cv", "fitts_corr", "peak_corr", "speed_q90_q50", "accel_norm",
    "twothirds_beta", "twothirds_r2", "angle_entropy", "pause_q10", "pause_q50", "pause_q90", "pause_cv",
    "dwell_med", "dwell_spread", "dwell_short_frac", "preclick_med", "noapproach_frac",
)
FEATURE_NAMES: tuple[str, ...] = (
    *(f"{k}_med" for k in STROKE_KEYS), *(f"{k}_iqr" for k in STROKE_KEYS), *SESSION_KEYS,
)
FEATURE_VERSION = "2"
MIN_STROKES = 2  # fewer valid strokes: the movement model has too little to judge
MIN_RAW_STROKES = 3
_QUARTILES = np.array([0.25, 0.5, 0.75])


@dataclass(frozen=True)
class PointerFeatures:
    """The feature vector plus the counts that say how much evidence it rests on."""

    vector: F64
    strokes: int
    raw_strokes: int
    clicks: int
    noapproach_clicks: int
    teleports: int

    @property
    def scorable(self) -> bool:
        """Enough movement for the models: two measurable strokes, or three movements of any size.

        Training windows pass the same gate, so the models never judge a kind of input they did
        not see in training.
        """
        return self.strokes >= MIN_STROKES or self.raw_strokes >= MIN_RAW_STROKES

    def as_dict(self) -> dict[str, float | None]:
        return {k: (None if not np.isfinite(v) else round(float(v), 5)) for k, v in zip(FEATURE_NAMES, self.vector,
                                                                                         strict=True)}


def row_quantiles(m: F64, qs: F64) -> F64:
    """Linear-interpolation quantiles (as numpy's default) of each row, ignoring NaN; one sort in all.

    np.percentile costs tens of microseconds per call on small arrays; a session needs dozens.
    """
    if m.shape[1] == 0:
        return np.full((m.shape[0], qs.size), np.nan)
    srt = np.sort(m, axis=1)  # NaN sorts last
    k = np.isfinite(srt).sum(axis=1)
    pos = qs[None, :] * np.maximum(k - 1, 0)[:, None]
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, np.maximum(k - 1, 0)[:, None])
    rows = np.arange(m.shape[0])[:, None]
    frac = pos - lo
    out = srt[rows, lo] * (1.0 - frac) + srt[rows, hi] * frac
    out[k == 0] = np.nan
    return out


def _corr(a: F64, b: F64) -> float:
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 4:
        return float("nan")
    a, b = a[ok] - a[ok].mean(), b[ok] - b[ok].mean()
    den = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / den) if den > 1e-12 else float("nan")


def _power_law(curv: F64) -> tuple[float, float]:
    """Slope and r^2 of log speed on log radius of curvature (humans: about 1/3)."""
    v, kappa = curv[0], curv[1]
    ok = (v > 20.0) & (kappa > 1e-6) & (kappa < 1e3)
    if ok.sum() < 10:
        return float("nan"), float("nan")
    lx, ly = -np.log(kappa[ok]), np.log(v[ok])
    dx, dy = lx - lx.mean(), ly - ly.mean()
    sxx, syy, sxy = float(dx @ dx), float(dy @ dy), float(dx @ dy)
    if sxx < 1e-12:
        return float("nan"), float("nan")
    r2 = sxy * sxy / (sxx * syy) if syy > 1e-12 else 0.0
    return sxy / sxx, r2


def _entropy(theta: F64) -> float:
    a = np.abs(theta[theta != 0.0])
    if a.size < 10:
        return float("nan")
    hist = np.bincount(np.minimum((a / np.pi * 12).astype(np.int64), 11), minlength=12).astype(np.float64)
    p = hist[hist > 0] / a.size
    return float(-(p * np.log(p)).sum() / np.log(12))


def _stroke_block(s: Strokes) -> tuple[F64, dict[str, float]]:
    if s.n == 0:
        return np.full(2 * len(STROKE_KEYS), np.nan), {}
    f = stroke_features(s)
    qs = row_quantiles(np.vstack([f[k] for k in STROKE_KEYS]), _QUARTILES)
    block = np.concatenate([qs[:, 1], qs[:, 2] - qs[:, 0]])
    log_chord = np.log10(np.maximum(s.chord, 1.0))
    speed, accel = f["_speed"], f["_accel"]
    v50, v90 = row_quantiles(speed[None, :], np.array([0.5, 0.9]))[0]
    a90 = row_quantiles(accel[None, :], np.array([0.9]))[0, 0]
    beta, r2 = _power_law(f["_curv"])
    dur = s.duration
    extra = {
        "straight_frac": float(np.mean(f["straight"] > 0.995)),
        "dur_cv": float(np.std(dur) / max(float(np.mean(dur)), 1e-9)) if s.n >= 2 else float("nan"),
        "fitts_corr": _corr(log_chord, f["logdur"]),
        "peak_corr": _corr(log_chord, np.log10(np.maximum(f["_vmax"], 1e-3))),
        "speed_q90_q50": float(v90 / max(v50, 1e-9)),
        "accel_norm": float(a90 * 10 ** qs[1, 1] / max(v50, 1e-9)),
        "twothirds_beta": beta,
        "twothirds_r2": r2,
        "angle_entropy": _entropy(f["_theta"]),
    }
    return block, extra


def _clicks(p: Pointer) -> tuple[dict[str, float], int]:
    """Click timing: dwell (press to release), stillness before the press, approach movement."""
    out = {k: float("nan") for k in ("dwell_med", "dwell_spread", "dwell_short_frac", "preclick_med",
                                     "noapproach_frac")}
    downs = p.down_t[np.isfinite(p.down_t)]
    if downs.size == 0:
        return out, 0
    dwell = np.full(downs.size, np.nan)
    if p.up_t.size:
        nxt = np.searchsorted(p.up_t, downs, side="left")
        ok = nxt < p.up_t.size
        dwell[ok] = p.up_t[nxt[ok]] - downs[ok]
    following = np.append(downs[1:], np.inf)
    dwell = np.where((dwell >= 0) & (dwell < np.minimum(3000.0, following - downs)), dwell, np.nan)
    d = dwell[np.isfinite(dwell)]
    if d.size:
        q25, q50, q75 = row_quantiles(d[None, :], _QUARTILES)[0]
        out["dwell_med"] = float(np.log10(q50 + 1.0))
        out["dwell_spread"] = float(np.log10((q75 + 1.0) / (q25 + 1.0)))
        out["dwell_short_frac"] = float(np.mean(d < 15.0))
    before = np.searchsorted(p.t, downs, side="left")  # moves strictly before each press
    last = np.full(downs.size, np.nan)
    if p.t.size:
        last = np.where(before > 0, p.t[np.maximum(before - 1, 0)], np.nan)
    pre = np.clip(downs - last, 0.0, APPROACH_MS)
    out["preclick_med"] = float(np.log10(row_quantiles(pre[None, :], np.array([0.5]))[0, 0] + 1.0))
    n_recent = before - np.searchsorted(p.t, downs - APPROACH_MS, side="left")
    # Where the pointer was before the approach window: the last move (or press) before it.
    prev_x, prev_y = _position_before(p, downs - APPROACH_MS)
    moved = np.hypot(p.down_x - prev_x, p.down_y - prev_y) > TELEPORT_PX
    noapproach = (n_recent < 2) & np.where(np.isfinite(prev_x), moved, True)
    out["noapproach_frac"] = float(np.mean(noapproach))
    return out, int(noapproach.sum())


def _position_before(p: Pointer, times: F64) -> tuple[F64, F64]:
    t = np.concatenate([p.t, p.down_t])
    if t.size == 0:
        return np.full(times.size, np.nan), np.full(times.size, np.nan)
    order = np.argsort(t, kind="stable")
    t, xs, ys = t[order], np.concatenate([p.x, p.down_x])[order], np.concatenate([p.y, p.down_y])[order]
    i = np.searchsorted(t, times, side="left") - 1
    ok = i >= 0
    j = np.maximum(i, 0)
    return np.where(ok, xs[j], np.nan), np.where(ok, ys[j], np.nan)


def _pauses(s: Strokes) -> dict[str, float]:
    g = s.gaps[(s.gaps >= GAP_MS) & (s.gaps <= 10_000.0)]
    if g.size < 2:
        return {"pause_q10": float("nan"), "pause_q50": float("nan"), "pause_q90": float("nan"),
                "pause_cv": float("nan")}
    q10, q50, q90 = np.log10(row_quantiles(g[None, :], np.array([0.1, 0.5, 0.9]))[0])
    return {"pause_q10": float(q10), "pause_q50": float(q50), "pause_q90": float(q90),
            "pause_cv": float(np.std(g) / np.mean(g))}


def pointer_features(p: Pointer) -> PointerFeatures:
    """The feature vector (order: :data:`FEATURE_NAMES`); NaN where a feature has no support."""
    s = segment(p)
    block, session = _stroke_block(s)
    clicks, noapproach = _clicks(p)
    session.update(clicks)
    session.update(_pauses(s))
    session["log_strokes"] = float(np.log10(1.0 + s.n))
    tail = np.array([session.get(k, np.nan) for k in SESSION_KEYS], dtype=np.float64)
    vector = np.concatenate([block, tail])
    return PointerFeatures(vector, s.n, s.n_raw, int(p.down_t.size), noapproach, s.teleports)
