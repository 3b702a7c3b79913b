"""Cross-session movement replay: strokes that another session already made.

A replay bot moves the pointer along recorded human strokes, re-fitted to the new targets (moved,
scaled, turned), re-timed and noised. Its movement *is* human movement, so a model of how humans
move cannot see it (bot-vs-human recall on the replay family held out: 3%). What gives it away is
that the same recording comes back: no person draws the same curve with the same speed profile
twice to within a fraction of a percent of its length (none of the tuning users' strokes came
that close to another person's).

Each stroke (a movement between pauses and clicks, at least :data:`MIN_CHORD_PX` from start to
end; :func:`openidv.behavior.skeleton.donor_strokes`) becomes a *shape descriptor* that ignores
where, how large and in which direction it was drawn and a uniform change of its speed: the path,
averaged over :data:`BINS` equal fractions of its duration (first to last sample), mapped by the
similarity that takes the first fraction's mean to 0 and the last one's to 1 (complex plane). Two
descriptors are compared by their root-mean-square difference in those units. What it does not
ignore, by design: a non-uniform re-timing or a stretch of one axis moves a stroke out of reach
(``tune_replay`` measures both), so an attacker who distorts each replay that way is not found.

Storage and lookup follow the selfie replay check (:mod:`openidv.liveness.replay`): every decided
session leaves, for each of its longest strokes, one signal per locality-sensitive hash table
(:data:`TABLES` tables of :data:`PROJECTIONS` quantised random projections, drawn from the
deployment's blinding key so that no one outside it can compute a stroke's buckets). A stroke
within the matching distance of a stored one shares a table key with it with probability about
99.8% (see :data:`WIDTH`); the key is blinded like every signal key, the descriptor is sealed.
Keys carry :data:`FORMAT`, so a change of descriptor or hashing never compares unlike strokes.

Within one session (:func:`find_looped`): a bot that loops one recorded segment (plays it again
and again, lightly noised) repeats its own strokes. No tuning user's strokes came within the
shipped in-session distance of another stroke of the same recording, over hours of movement, so
two distinct strokes of one session within it are a loop; this needs no store. The distance is
tuned by ``tune_replay --in-session``.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openidv.behavior.events import Pointer
from openidv.behavior.skeleton import donor_spans

SIGNAL_KIND = "behavior_stroke"
BINS = 15  # time bins per stroke: 15 x (x, y) = 30 numbers
MIN_CHORD_PX = 30.0  # shorter strokes are too alike between people to tell anything
MAX_STROKES = 24  # the longest strokes of a session are stored and looked up (most distinctive)
TABLES = 6
PROJECTIONS = 4
# Bucket width of a projection. At the shipped matching distance (RMS 0.006, Euclidean 0.033 over
# 30 numbers) two matching strokes share a projection's bucket with probability ~0.89, a table's
# key with ~0.64 and at least one of six tables' keys with ~0.998.
WIDTH = 0.25
_FINE = 8  # dense samples per bin before averaging (the raw samples are irregular)
MIN_SPAN = 0.25  # strokes whose first and last bins lie closer (share of the chord) are skipped
LOOP_MIN_STROKES = 2  # a session with fewer strokes has no pair to compare: not judged by the loop rule
# A stroke this close to a straight line drawn at constant speed carries nothing of the hand that
# made it: any two such strokes match. The loop rule leaves them out (straight, uniform movement is
# behavior_bot's concern); pointer samples that a remote desktop or assistive software interpolates
# between two far-apart positions are such strokes (a review, stop 33: 18 of 3,687 human 2-min
# windows resampled at 60 Hz were flagged before). Twice the loop distance: two strokes each
# farther than this from the straight one can still be within the loop distance of each other.
STRAIGHT_WITHIN = 0.01
# Stored keys carry the format (2: projections drawn per deployment); a change of descriptor or
# hashing bumps it, and old keys stop matching.
FORMAT = 2


LSH_LABEL = "behavior_stroke/lsh"  # blinded with the deployment's key, it seeds the projections


@functools.lru_cache(maxsize=8)
def _lsh(secret: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Projections and offsets drawn from `secret` (the blinded :data:`LSH_LABEL`): each deployment
    has its own, so an attacker cannot compute which buckets a recording falls in and crowd them
    with decoy strokes until it leaves the newest entries the lookup compares."""
    seed = int(hashlib.sha256(f"openidv-stroke-lsh:{secret}".encode()).hexdigest()[:16], 16)
    rng = np.random.default_rng(seed)
    return rng.normal(size=(TABLES, PROJECTIONS, 2 * BINS)), rng.uniform(0, WIDTH, size=(TABLES, PROJECTIONS))


def _descriptor(t: NDArray[Any], x: NDArray[Any], y: NDArray[Any]) -> NDArray[np.float64] | None:
    """The stroke's shape and uniform-speed profile (see the module docstring); None if degenerate."""
    tau = (t - t[0]) / max(float(t[-1] - t[0]), 1e-9)
    z = (x - x[0]) + 1j * (y - y[0])
    z = z / z[-1]
    f = np.linspace(0.0, 1.0, _FINE * BINS + 1)
    zr, zi = np.interp(f, tau, z.real), np.interp(f, tau, z.imag)
    b = np.minimum(np.arange(f.size) // _FINE, BINS - 1)  # by index: rounding never moves a sample
    n = np.bincount(b, minlength=BINS)
    m = np.bincount(b, zr, BINS) / n + 1j * (np.bincount(b, zi, BINS) / n)
    # Re-framed on the first and last bins' means: a replay's first and last samples carry its noise
    # and its rounding, and framing on them alone tilts the whole stroke (measured: 52% -> 56% of
    # replays caught at the same distance, no more human strokes within it).
    span = m[-1] - m[0]
    if abs(span) < MIN_SPAN:  # first and last bins almost coincide: the frame would blow up
        return None
    m = (m - m[0]) / span
    return np.concatenate([m.real, m.imag])


def timed_stroke_descriptors(
    p: Pointer, max_strokes: int | None = MAX_STROKES,
) -> tuple[NDArray[np.float32], NDArray[np.float64]]:
    """(n, 2 * BINS) descriptors of the session's longest strokes, longest first, and (n, 2) the
    time (ms) of each one's first and last sample. The strokes are the replay bots' donor strokes
    (:func:`openidv.behavior.skeleton.donor_spans`: 5+ samples, :data:`MIN_CHORD_PX` from start
    to end, some duration); `max_strokes` None keeps them all."""
    spans = [(float(np.hypot(p.x[b] - p.x[a], p.y[b] - p.y[a])), a, b) for a, b in donor_spans(p, MIN_CHORD_PX)]
    spans.sort(key=lambda s: -s[0])  # stable: equal chords keep their time order
    out, times = [], []
    for _, a, b in spans:
        d = _descriptor(p.t[a:b + 1] - p.t[a], p.x[a:b + 1], p.y[a:b + 1])
        if d is not None:
            out.append(d)
            times.append((float(p.t[a]), float(p.t[b])))
        if max_strokes is not None and len(out) == max_strokes:
            break
    if not out:
        return np.zeros((0, 2 * BINS), np.float32), np.zeros((0, 2))
    return np.stack(out).astype(np.float32), np.asarray(times, np.float64)


def stroke_descriptors(p: Pointer, max_strokes: int = MAX_STROKES) -> NDArray[np.float32]:
    """(n, 2 * BINS) descriptors of the session's longest strokes, longest first."""
    return timed_stroke_descriptors(p, max_strokes)[0]


def distance(a: NDArray[Any], b: NDArray[Any]) -> NDArray[np.float64]:
    """RMS difference of descriptors (broadcasting), in units of the stroke's length."""
    return np.asarray(np.sqrt(np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2, axis=-1)))


def table_keys(d: NDArray[Any], secret: str = "") -> list[str]:
    """One locality-sensitive key per table for a descriptor, under the deployment's projections."""
    a, b = _lsh(secret)
    cells = np.floor((np.einsum("tpd,d->tp", a, np.asarray(d, np.float64)) + b) / WIDTH).astype(np.int64)
    return [f"v{FORMAT}t{i}:" + ",".join(str(int(c)) for c in row) for i, row in enumerate(cells)]


@dataclass(frozen=True)
class StrokeMatch:
    stroke: int  # index in this session's descriptors (longest first)
    session_id: str  # the earlier session that made the same stroke
    distance: float


def find_replayed(
    signals: Any, descriptors: NDArray[Any], session_id: str, max_distance: float, per_key: int = 50,
    since: datetime | None = None,
) -> list[StrokeMatch]:
    """For each stroke, its closest stored stroke of *another* session (stored after `since`) within
    `max_distance`; the newest `per_key` strokes under each key are compared."""
    found: list[StrokeMatch] = []
    secret = signals.blind(LSH_LABEL)
    for i, d in enumerate(descriptors):
        best: StrokeMatch | None = None
        seen: set[tuple[str, bytes]] = set()  # a stored stroke sits under each table's key: compare it once
        for key in table_keys(d, secret):
            for sig in signals.find(SIGNAL_KIND, signals.blind(key), since=since, limit=per_key, with_values=True):
                if sig.session_id == session_id or not sig.value or (sig.session_id, sig.value) in seen:
                    continue
                seen.add((sig.session_id, sig.value))
                dist = float(distance(d, np.frombuffer(sig.value, np.float32)))
                if dist <= max_distance and (best is None or dist < best.distance):
                    best = StrokeMatch(i, sig.session_id, dist)
        if best is not None:
            found.append(best)
    return found


@dataclass(frozen=True)
class LoopMatch:
    stroke: int  # index in this session's descriptors (longest first)
    other: int  # a later index: another stroke of the same session, not overlapping it in time
    distance: float


def _straight_descriptor() -> NDArray[np.float64]:
    t = np.linspace(0.0, 1000.0, 64)
    d = _descriptor(t, t / 10.0, np.zeros_like(t))
    assert d is not None
    return d


def featureless(descriptors: NDArray[Any]) -> NDArray[np.bool_]:
    """Which strokes lie within :data:`STRAIGHT_WITHIN` of a straight, constant-speed stroke."""
    d = np.asarray(descriptors, np.float64).reshape(-1, 2 * BINS)
    return np.asarray(distance(d, _straight_descriptor()[None, :]) <= STRAIGHT_WITHIN)


def find_looped(descriptors: NDArray[Any], times: NDArray[Any], max_distance: float) -> list[LoopMatch]:
    """Pairs of distinct strokes of one session, not overlapping in time (`times`: (n, 2) first and
    last sample, ms), within `max_distance` of each other, closest first: a recorded segment played
    again within the session. :func:`featureless` strokes take no part. Fewer than
    :data:`LOOP_MIN_STROKES` strokes: none (not judged)."""
    d = np.asarray(descriptors, np.float64).reshape(-1, 2 * BINS)
    t = np.asarray(times, np.float64)
    if t.size != 2 * len(d):
        raise ValueError(f"{len(d)} descriptors but stroke times of shape {t.shape}")
    t = t.reshape(-1, 2)
    if len(d) < LOOP_MIN_STROKES:
        return []
    dist = distance(d[:, None, :], d[None, :, :])
    disjoint = (t[:, None, 1] <= t[None, :, 0]) | (t[None, :, 1] <= t[:, None, 0])
    shaped = ~featureless(d)
    i, j = np.nonzero(np.triu(disjoint & (dist <= max_distance) & shaped[:, None] & shaped[None, :], k=1))
    found = [LoopMatch(int(a), int(b), float(dist[a, b])) for a, b in zip(i.tolist(), j.tolist(), strict=True)]
    return sorted(found, key=lambda m: m.distance)


def record(writer: Any, descriptors: Sequence[NDArray[Any]] | NDArray[Any]) -> int:
    """Store a decided session's strokes (sealed descriptor under each table's blinded key)."""
    n = 0
    secret = writer.blind(LSH_LABEL)
    for d in descriptors:
        raw = np.asarray(d, np.float32).tobytes()
        for key in table_keys(d, secret):
            writer.put(SIGNAL_KIND, writer.blind(key), value=raw)
            n += 1
    return n


def retention_start(days: int) -> datetime | None:
    """The oldest creation time kept under a retention of `days` (None: kept forever)."""
    return datetime.now(UTC) - timedelta(days=days) if days > 0 else None


def purge_expired(signals: Any, days: int) -> int:
    """Delete stored strokes older than the retention period (the service's retention passes)."""
    start = retention_start(days)
    return int(signals.purge(SIGNAL_KIND, start)) if start is not None else 0
