"""Bot generator: scripted pointers from naive to stealthy, on the skeleton of a human window.

Each family reproduces a way real automation moves a pointer:

==================  =====================================================================  =========
family              how it moves                                                            tier
==================  =====================================================================  =========
teleport            one event at each target (WebDriver / Playwright moves without steps)   naive
linear_constant     straight line, constant speed and step, fixed pauses (Puppeteer steps)  naive
linear_eased        straight line with an easing curve, Fitts-law durations                 simple
bezier              cubic Bezier with random control points, eased (ghost-cursor style)    medium
windmouse           WindMouse: gravity towards the target plus random wind (game bots)     medium
bezier_humanlike    Bezier + overshoot and correction, jitter, human durations and pauses  stealthy
sigma_lognormal     sum of lognormal sub-movements (kinematic theory), human timing         stealthy
replay              recorded human strokes re-fitted to new targets, time-warped, noised    stealthy
==================  =====================================================================  =========

Stealthy families copy the human window's own timing (durations, pauses, click dwell), so only the
path and velocity profile give them away. Every trajectory then passes through a recording
channel (event rate, jitter, timestamp quantisation, pixel rounding) drawn at random, the same
channels used to vary the human windows, so sampling artefacts carry no label.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from openidv.behavior.events import Pointer
from openidv.behavior.skeleton import DonorPool, Skeleton

F = np.ndarray
Trajectory = tuple[F, F, F]  # dense time (ms from the move's start), x, y

FAMILIES = (
    "teleport", "linear_constant", "linear_eased", "bezier", "windmouse", "bezier_humanlike",
    "sigma_lognormal", "replay",
)
TIERS = {
    "teleport": "naive", "linear_constant": "naive", "linear_eased": "simple", "bezier": "medium",
    "windmouse": "medium", "bezier_humanlike": "stealthy", "sigma_lognormal": "stealthy", "replay": "stealthy",
}
CHANNELS = ("fixed", "frame60", "frame120", "usb125", "rdp")


# ------------------------------------------------------------------ recording channels
def channel_times(rng: np.random.Generator, channel: str, t0: float, t1: float, fixed_dt: float) -> F:
    """Event times a recorder would report for a movement lasting from t0 to t1 (absolute ms)."""
    if t1 <= t0:
        return np.array([t1])
    if channel == "fixed":
        times = np.arange(t0 + fixed_dt, t1, fixed_dt)
    elif channel in ("frame60", "frame120", "usb125"):
        dt = {"frame60": 1000 / 60, "frame120": 1000 / 120, "usb125": 8.0}[channel]
        sd = {"frame60": 0.3, "frame120": 0.2, "usb125": 1.0}[channel]
        times = np.arange(t0 + rng.uniform(0, dt), t1, dt)
        times = np.sort(np.clip(times + rng.normal(0, sd, times.size), t0, t1))
    else:  # remote desktop: 64 Hz clock ticks, some samples dropped or merged
        q = 15.625
        times = np.arange(np.ceil(t0 / q) * q, t1, q)
        times = times[rng.random(times.size) > 0.12]
    return np.append(times, t1)


def sample(traj: Trajectory, times_rel: F, jitter_px: float, rng: np.random.Generator) -> tuple[F, F]:
    """Positions at the channel's event times, with optional hand-made jitter, rounded to pixels."""
    t, x, y = traj
    xs, ys = np.interp(times_rel, t, x), np.interp(times_rel, t, y)
    if jitter_px > 0 and xs.size > 2:
        xs[:-1] += rng.normal(0, jitter_px, xs.size - 1)
        ys[:-1] += rng.normal(0, jitter_px, ys.size - 1)
    return np.round(xs), np.round(ys)


# ------------------------------------------------------------------ paths and velocity profiles
def ease_linear(s: F) -> F:
    return s


def ease_in_out(s: F) -> F:
    return 0.5 - 0.5 * np.cos(np.pi * s)


def min_jerk(s: F) -> F:
    return 10 * s**3 - 15 * s**4 + 6 * s**5


def skewed_min_jerk(skew: float) -> Callable[[F], F]:
    """Minimum-jerk profile on warped time: peak speed earlier than the middle, as in reaching."""
    def f(s: F) -> F:
        return min_jerk(s**skew)
    return f


def _dense(dur: float) -> F:
    return np.linspace(0.0, max(dur, 1.0), max(int(dur / 2.0), 2) + 1)


def line_path(a: F, b: F, dur: float, ease: Callable[[F], F]) -> Trajectory:
    t = _dense(dur)
    s = ease(t / t[-1])
    return t, a[0] + (b[0] - a[0]) * s, a[1] + (b[1] - a[1]) * s


def bezier_path(rng: np.random.Generator, a: F, b: F, dur: float, ease: Callable[[F], F],
                spread: float) -> Trajectory:
    """Cubic Bezier whose control points sit off the chord by up to `spread` of its length."""
    d = b - a
    length = float(np.hypot(*d)) or 1.0
    normal = np.array([-d[1], d[0]]) / length
    c1 = a + d * rng.uniform(0.15, 0.45) + normal * rng.uniform(-spread, spread) * length
    c2 = a + d * rng.uniform(0.55, 0.85) + normal * rng.uniform(-spread, spread) * length
    t = _dense(dur)
    s = ease(t / t[-1])[:, None]
    p = (1 - s) ** 3 * a + 3 * (1 - s) ** 2 * s * c1 + 3 * (1 - s) * s**2 * c2 + s**3 * b
    return t, p[:, 0], p[:, 1]


def windmouse_path(rng: np.random.Generator, a: F, b: F, step_ms: float) -> Trajectory:
    """Benjamin J. Land's WindMouse: velocity pulled to the target, pushed by a wandering wind."""
    gravity, wind_mag, max_step = rng.uniform(7, 11), rng.uniform(2, 4), rng.uniform(8, 16)
    pos, v, w = a.astype(float).copy(), np.zeros(2), np.zeros(2)
    xs, ys = [pos[0]], [pos[1]]
    for _ in range(2000):
        dist = float(np.hypot(*(b - pos)))
        if dist < 1.0:
            break
        wm = min(wind_mag, dist)
        if dist >= 12:
            w = w / np.sqrt(3) + (rng.uniform(-1, 1, 2) * (2 * wm + 1) / np.sqrt(5))
        else:
            w /= np.sqrt(3)
            max_step = max(3.0, max_step / np.sqrt(5)) if max_step >= 3 else rng.uniform(1, 3)
        v = v + w + gravity * (b - pos) / dist
        speed = float(np.hypot(*v))
        if speed > max_step:
            v = v / speed * (max_step / 2 + rng.uniform(0, max_step / 2))
        pos = pos + v
        xs.append(pos[0])
        ys.append(pos[1])
    xs.append(float(b[0]))
    ys.append(float(b[1]))
    t = np.cumsum(np.concatenate([[0.0], step_ms * rng.uniform(0.8, 1.2, len(xs) - 1)]))
    return t, np.asarray(xs), np.asarray(ys)


def sigma_lognormal_path(rng: np.random.Generator, a: F, b: F, dur: float) -> Trajectory:
    """Sum of 1-3 lognormal sub-movements with rotating direction (Plamondon's kinematic theory)."""
    d = b - a
    length = float(np.hypot(*d)) or 1.0
    base = float(np.arctan2(d[1], d[0]))
    t = np.linspace(0.0, max(dur, 20.0), max(int(dur), 20) + 1)
    vel = np.zeros((t.size, 2))
    n_sub = rng.choice([1, 2, 2, 3])
    shares = [rng.uniform(0.85, 1.05)] + [rng.uniform(-0.12, 0.12) for _ in range(n_sub - 1)]
    for i, share in enumerate(shares):
        t0 = -0.05 * dur + i * rng.uniform(0.2, 0.35) * dur
        sigma = rng.uniform(0.2, 0.45)
        mu = np.log(max(rng.uniform(0.3, 0.55) * dur, 5.0))
        tt = np.maximum(t - t0, 1e-6)
        lam = np.exp(-((np.log(tt) - mu) ** 2) / (2 * sigma**2)) / (tt * sigma * np.sqrt(2 * np.pi))
        lam[t <= t0] = 0.0
        theta0 = base + rng.normal(0, 0.25)
        theta1 = base + rng.normal(0, 0.25)
        cdf = np.cumsum(lam) * (t[1] - t[0])
        theta = theta0 + (theta1 - theta0) * np.clip(cdf, 0, 1)
        vel += (share * length * lam)[:, None] * np.column_stack([np.cos(theta), np.sin(theta)])
    pos = np.cumsum(vel, axis=0) * (t[1] - t[0])
    pos = pos - pos[0]
    end = pos[-1]
    # Rotate and scale so that the trajectory ends at the target, as a re-planned movement would.
    return t, *_fit_ends(pos[:, 0], pos[:, 1], np.array([0.0, 0.0]), end, a, b)


def _fit_ends(x: F, y: F, p0: F, p1: F, a: F, b: F) -> tuple[F, F]:
    """Similarity transform taking p0 -> a and p1 -> b (rotation, uniform scale, translation)."""
    src, dst = complex(*(p1 - p0)), complex(*(b - a))
    if abs(src) < 1e-9:
        return x - p0[0] + a[0], y - p0[1] + a[1]
    z = (x - p0[0] + 1j * (y - p0[1])) * (dst / src)
    return z.real + a[0], z.imag + a[1]


def replay_path(rng: np.random.Generator, a: F, b: F, donors: DonorPool, dur: float) -> Trajectory:
    """A recorded human stroke of similar length, mapped onto a -> b, time-warped and noised."""
    s = donors.pick(rng, float(np.hypot(*(b - a))))
    x, y = _fit_ends(s.x, s.y, np.array([s.x[0], s.y[0]]), np.array([s.x[-1], s.y[-1]]), a, b)
    warp = dur / max(float(s.t[-1]), 1.0) if dur > 0 else rng.uniform(0.85, 1.2)
    noise = rng.uniform(0.3, 1.2)
    return s.t * warp, x + rng.normal(0, noise, x.size), y + rng.normal(0, noise, y.size)


# ------------------------------------------------------------------ execution on a skeleton
@dataclass
class Style:
    """How one bot instance behaves; drawn once per generated window."""

    family: str
    channel: str
    fixed_dt: float
    jitter_px: float
    endpoint_sd: float
    copy_timing: bool
    const_dur: float
    const_pause: float
    fitts_a: float
    fitts_b: float
    dwell: Callable[[np.random.Generator, float], float]


def draw_style(family: str, rng: np.random.Generator) -> Style:
    naive = TIERS[family] == "naive"
    stealthy = TIERS[family] == "stealthy"
    channel = "fixed" if naive else str(rng.choice(CHANNELS if stealthy else CHANNELS[:4]))
    const_dwell = float(rng.choice([0.0, 0.0, 10.0, 50.0, 100.0]))
    lo, hi = sorted(rng.uniform(20, 160, 2))

    def dwell(r: np.random.Generator, human: float) -> float:
        if stealthy:
            return human if np.isfinite(human) and r.random() < 0.5 else float(r.lognormal(np.log(95), 0.35))
        if naive:
            return const_dwell
        return float(r.uniform(lo, hi + 1))

    return Style(
        family=family, channel=channel, fixed_dt=float(rng.choice([5.0, 10.0, 16.0, 20.0, 25.0])),
        jitter_px=float(rng.uniform(0.3, 1.5)) if family == "bezier_humanlike" else 0.0,
        endpoint_sd=float(rng.uniform(1.0, 4.0)) if stealthy else 0.0, copy_timing=stealthy,
        const_dur=float(rng.uniform(100, 600)), const_pause=float(rng.uniform(150, 1500)),
        fitts_a=float(rng.uniform(50, 200)), fitts_b=float(rng.uniform(60, 180)), dwell=dwell,
    )


def _duration(style: Style, rng: np.random.Generator, dist: float, human: float) -> float:
    if style.copy_timing:
        return max(human, 20.0)
    if style.family in ("linear_constant", "teleport"):
        return style.const_dur
    fitts = style.fitts_a + style.fitts_b * np.log2(1.0 + dist / 30.0)
    return float(fitts * rng.uniform(0.9, 1.1))


def _trajectory(style: Style, rng: np.random.Generator, a: F, b: F, dur: float,
                donors: DonorPool) -> Trajectory:
    f = style.family
    if f in ("linear_constant", "teleport"):
        return line_path(a, b, dur, ease_linear)
    if f == "linear_eased":
        return line_path(a, b, dur, ease_in_out if rng.random() < 0.5 else min_jerk)
    if f == "bezier":
        return bezier_path(rng, a, b, dur, ease_in_out, spread=0.3)
    if f == "windmouse":
        return windmouse_path(rng, a, b, step_ms=style.fixed_dt)
    if f == "bezier_humanlike":
        return _overshooting_bezier(rng, a, b, dur)
    if f == "sigma_lognormal":
        return sigma_lognormal_path(rng, a, b, dur)
    if f == "replay":
        return replay_path(rng, a, b, donors, dur)
    raise ValueError(f"unknown bot family {f!r}")


def _overshooting_bezier(rng: np.random.Generator, a: F, b: F, dur: float) -> Trajectory:
    """A Bezier reach past the target followed, sometimes, by a short corrective movement."""
    ease = skewed_min_jerk(float(rng.uniform(0.7, 1.0)))
    if rng.random() < 0.5 or float(np.hypot(*(b - a))) < 60:
        return bezier_path(rng, a, b, dur, ease, spread=0.15)
    d = b - a
    over = b + d * rng.uniform(0.03, 0.1) + rng.normal(0, 3, 2)
    t1, x1, y1 = bezier_path(rng, a, over, dur * 0.8, ease, spread=0.15)
    t2, x2, y2 = line_path(over, b, dur * 0.2, min_jerk)
    return np.concatenate([t1, t1[-1] + t2[1:]]), np.concatenate([x1, x2[1:]]), np.concatenate([y1, y2[1:]])


def _pause(style: Style, rng: np.random.Generator) -> float:
    if style.family in ("linear_constant", "teleport"):
        return style.const_pause
    if style.family == "windmouse":
        return float(rng.lognormal(np.log(style.const_pause), 0.5))
    return float(rng.uniform(0.3, 1.7) * style.const_pause)


class _Recorder:
    def __init__(self) -> None:
        self.t: list[F] = []
        self.x: list[F] = []
        self.y: list[F] = []
        self.down: list[tuple[float, float, float]] = []
        self.up: list[float] = []

    def moves(self, t: F, x: F, y: F) -> None:
        self.t.append(t)
        self.x.append(x)
        self.y.append(y)

    def pointer(self) -> Pointer:
        t, x, y = (np.concatenate(v) if v else np.zeros(0) for v in (self.t, self.x, self.y))
        d = np.asarray(self.down, dtype=np.float64).reshape(-1, 3)
        return Pointer(t, x, y, d[:, 0], d[:, 1], d[:, 2], np.asarray(self.up, dtype=np.float64))


def generate(family: str, sk: Skeleton, rng: np.random.Generator,
             donors: DonorPool | None = None) -> Pointer:
    """A bot of `family` performing the task of skeleton `sk` (same targets and clicks)."""
    if family == "replay" and not donors:
        raise ValueError("replay bots need donor strokes")
    pool = donors if donors is not None else DonorPool([])
    style = draw_style(family, rng)
    rec = _Recorder()
    pos = np.asarray(sk.start, dtype=np.float64)
    clock, human_down, bot_down = sk.t0, float("nan"), sk.t0
    rec.moves(np.array([clock]), np.round(pos[:1]), np.round(pos[1:]))
    naive = TIERS[family] == "naive"
    for act in sk.actions:
        if style.copy_timing:
            start = max(clock, act.t)
        elif act.kind == "move":
            start = clock + _pause(style, rng)
        else:
            start = clock if naive else clock + float(rng.uniform(0, 120))
        if act.kind == "move":
            target = np.array([act.x, act.y]) + rng.normal(0, style.endpoint_sd, 2) * (style.endpoint_sd > 0)
            if float(np.hypot(*(target - pos))) >= 1.0:
                clock = _move(style, rng, rec, pos, target, start, act.dur, pool)
                pos = target
        elif act.kind == "down":
            rec.down.append((start, float(np.round(pos[0])), float(np.round(pos[1]))))
            clock, bot_down, human_down = start, start, act.t
        else:
            t = max(bot_down + max(style.dwell(rng, act.t - human_down), 0.0), clock)
            rec.up.append(t)
            clock = t
    return rec.pointer()


def _move(style: Style, rng: np.random.Generator, rec: _Recorder, a: F, b: F, start: float, human_dur: float,
          donors: DonorPool) -> float:
    """Record one movement from a to b starting at `start`; returns when it ends."""
    dist = float(np.hypot(*(b - a)))
    dur = _duration(style, rng, dist, human_dur)
    if style.family == "teleport":
        rec.moves(np.array([start + dur]), np.round(b[:1]), np.round(b[1:]))
        return start + dur
    traj = _trajectory(style, rng, a, b, dur, donors)
    dur = float(traj[0][-1])
    times = channel_times(rng, style.channel, start, start + dur, style.fixed_dt)
    x, y = sample(traj, times - start, style.jitter_px, rng)
    rec.moves(times, x, y)
    return start + dur


# ------------------------------------------------------------------ recording variation for humans
def rescale(p: Pointer, factor: float) -> Pointer:
    """Coordinates scaled (another screen or pixel density) and re-rounded to pixels."""
    return Pointer(p.t, np.round(p.x * factor), np.round(p.y * factor), p.down_t, np.round(p.down_x * factor),
                   np.round(p.down_y * factor), p.up_t)


def rechannel_human(p: Pointer, rng: np.random.Generator) -> Pointer:
    """A human recording as another recorder might have reported it (rate, jitter)."""
    mode = rng.choice(["native", "native", "retime", "decimate", "frame60", "usb125", "smooth", "jitter"])
    if mode == "native" or p.n < 3:
        return p
    if mode == "retime":
        return retime_uniform(p)
    if mode == "smooth":  # a cleaner sensor: moving average within bursts of movement
        return smooth_samples(p, int(rng.choice([3, 5])))
    if mode == "jitter":  # a noisier sensor or a fractional-pixel device, re-rounded
        sd = float(rng.uniform(0.3, 1.0))
        return Pointer(p.t, np.round(p.x + rng.normal(0, sd, p.n)), np.round(p.y + rng.normal(0, sd, p.n)),
                       p.down_t, p.down_x, p.down_y, p.up_t)
    if mode == "decimate":
        keep = np.zeros(p.n, dtype=bool)
        keep[:: 2] = True
        keep[-1] = True
        return Pointer(p.t[keep], p.x[keep], p.y[keep], p.down_t, p.down_x, p.down_y, p.up_t)
    # Re-sample each movement (pauses kept) at the new rate by linear interpolation.
    gaps = np.flatnonzero(np.diff(p.t) > 100.0)
    starts, ends = np.concatenate([[0], gaps + 1]), np.concatenate([gaps, [p.n - 1]])
    ts, xs, ys = [], [], []
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        times = channel_times(rng, str(mode), float(p.t[a]), float(p.t[b]), 16.0) if b > a else p.t[a:a + 1]
        times = np.concatenate([[p.t[a]], times[times > p.t[a]]]) if b > a else times
        ts.append(times)
        xs.append(np.round(np.interp(times, p.t[a:b + 1], p.x[a:b + 1])))
        ys.append(np.round(np.interp(times, p.t[a:b + 1], p.y[a:b + 1])))
    return Pointer(np.concatenate(ts), np.concatenate(xs), np.concatenate(ys), p.down_t, p.down_x, p.down_y, p.up_t)


def retime_uniform(p: Pointer, split_ms: float = 50.0) -> Pointer:
    """Samples spread evenly in time within each burst of movement.

    Mice report at a fixed rate while they move; recorders that stamp events with a coarse clock
    (remote desktop, 64 Hz timers) add timing noise that a browser would not. Even re-timing
    removes it, giving the same human movement as a precise recorder would have seen it.
    """
    if p.n < 2:
        return p
    split = np.concatenate([[True], np.diff(p.t) > split_ms])
    run = np.cumsum(split) - 1
    first = np.flatnonzero(split)
    last = np.append(first[1:], p.n) - 1
    k = (last - first)[run]
    idx = np.arange(p.n) - first[run]
    span = (p.t[last] - p.t[first])[run]
    t = p.t[first][run] + np.where(k > 0, idx * span / np.maximum(k, 1), 0.0)
    return Pointer(t, p.x, p.y, p.down_t, p.down_x, p.down_y, p.up_t)


def smooth_samples(p: Pointer, k: int, split_ms: float = 100.0) -> Pointer:
    """Centred moving average of k samples inside each burst of movement (bursts split at pauses)."""
    if p.n < k:
        return p
    burst = np.concatenate([[0], np.cumsum(np.diff(p.t) > split_ms)])
    x, y = p.x.copy(), p.y.copy()
    half = k // 2
    for b in np.unique(burst):
        idx = np.flatnonzero(burst == b)
        if idx.size < k:
            continue
        kernel = np.ones(k) / k
        xs = np.convolve(np.pad(p.x[idx], half, mode="edge"), kernel, mode="valid")
        ys = np.convolve(np.pad(p.y[idx], half, mode="edge"), kernel, mode="valid")
        x[idx], y[idx] = np.round(xs), np.round(ys)
    return Pointer(p.t, x, y, p.down_t, p.down_x, p.down_y, p.up_t)
