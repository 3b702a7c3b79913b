"""Cross-session movement replay: strokes that another session already made.

A replay bot moves the pointer along recorded human strokes, re-fitted to the new targets (moved,
scaled, turned), re-timed and noised. Its movement *is* human movement, so a model of how humans
move cannot see it (bot-vs-human recall on the replay family held out: 3%). What gives it away is
that the same recording comes back: no person draws the same curve with the same speed profile
twice to within half a percent of its length.

Each stroke (a movement between pauses and clicks, at least :data:`MIN_CHORD_PX` from start to
end; :func:`openidv.behavior.skeleton.donor_strokes`) becomes a *shape descriptor* that ignores
where, how large, in which direction and how fast it was drawn: the path, averaged over
:data:`BINS` equal fractions of its duration, mapped by the similarity that takes the first
fraction's mean to 0 and the last one's to 1 (complex plane). Two descriptors are compared by
their root-mean-square difference, in units of the stroke's own length.

Storage and lookup follow the selfie replay check (:mod:`openidv.liveness.replay`): every decided
session leaves, for each of its longest strokes, one signal per locality-sensitive hash table
(:data:`TABLES` tables of :data:`PROJECTIONS` quantised random projections, fixed seed). A stroke
within the matching distance of a stored one shares a table key with it with probability above
99.9% (see :data:`WIDTH`); the key is blinded like every signal key, the descriptor is sealed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openidv.behavior.events import Pointer
from openidv.behavior.skeleton import donor_strokes

SIGNAL_KIND = "behavior_stroke"
BINS = 15  # time bins per stroke: 15 x (x, y) = 30 numbers
MIN_CHORD_PX = 30.0  # shorter strokes are too alike between people to tell anything
MAX_STROKES = 24  # the longest strokes of a session are stored and looked up (most distinctive)
TABLES = 6
PROJECTIONS = 4
# Bucket width of a projection. At the shipped matching distance (RMS 0.005, Euclidean 0.027 over
# 30 numbers) two matching strokes share a projection's bucket with probability ~0.91, a table's
# key with ~0.70 and at least one of six tables' keys with ~0.999.
WIDTH = 0.25
_FINE = 8  # dense samples per bin before averaging (the raw samples are irregular)


def _lsh() -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    rng = np.random.default_rng(20261130)  # part of the stored format: changing it orphans stored keys
    return rng.normal(size=(TABLES, PROJECTIONS, 2 * BINS)), rng.uniform(0, WIDTH, size=(TABLES, PROJECTIONS))


_A, _B = _lsh()


def _descriptor(t: NDArray[Any], x: NDArray[Any], y: NDArray[Any]) -> NDArray[np.float64]:
    tau = (t - t[0]) / max(float(t[-1] - t[0]), 1e-9)
    z = (x - x[0]) + 1j * (y - y[0])
    z = z / z[-1]
    f = np.linspace(0.0, 1.0, _FINE * BINS + 1)
    zr, zi = np.interp(f, tau, z.real), np.interp(f, tau, z.imag)
    b = np.minimum((f * BINS).astype(np.int64), BINS - 1)
    n = np.bincount(b, minlength=BINS)
    m = np.bincount(b, zr, BINS) / n + 1j * (np.bincount(b, zi, BINS) / n)
    # Re-framed on the first and last bins' means: a replay's first and last samples carry its noise
    # and its rounding, and framing on them alone tilts the whole stroke (measured: 52% -> 56% of
    # replays caught at the same distance, no more human strokes within it).
    span = m[-1] - m[0]
    m = (m - m[0]) / (span if abs(span) > 1e-9 else 1.0)
    return np.concatenate([m.real, m.imag])


def stroke_descriptors(p: Pointer, max_strokes: int = MAX_STROKES) -> NDArray[np.float32]:
    """(n, 2 * BINS) descriptors of the session's longest strokes, longest first."""
    strokes = sorted(donor_strokes(p, MIN_CHORD_PX), key=lambda s: -s.distance)[:max_strokes]
    if not strokes:
        return np.zeros((0, 2 * BINS), np.float32)
    return np.stack([_descriptor(s.t, s.x, s.y) for s in strokes]).astype(np.float32)


def distance(a: NDArray[Any], b: NDArray[Any]) -> NDArray[np.float64]:
    """RMS difference of descriptors (broadcasting), in units of the stroke's length."""
    return np.asarray(np.sqrt(np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2, axis=-1)))


def table_keys(d: NDArray[Any]) -> list[str]:
    """One locality-sensitive key per table for a descriptor."""
    cells = np.floor((np.einsum("tpd,d->tp", _A, np.asarray(d, np.float64)) + _B) / WIDTH).astype(np.int64)
    return [f"t{i}:" + ",".join(str(int(c)) for c in row) for i, row in enumerate(cells)]


@dataclass(frozen=True)
class StrokeMatch:
    stroke: int  # index in this session's descriptors (longest first)
    session_id: str  # the earlier session that made the same stroke
    distance: float


def find_replayed(
    signals: Any, descriptors: NDArray[Any], session_id: str, max_distance: float, per_key: int = 50
) -> list[StrokeMatch]:
    """For each stroke, its closest stored stroke of *another* session within `max_distance`."""
    found: list[StrokeMatch] = []
    for i, d in enumerate(descriptors):
        best: StrokeMatch | None = None
        seen: set[int | None] = set()
        for key in table_keys(d):
            for sig in signals.find(SIGNAL_KIND, signals.blind(key), limit=per_key, with_values=True):
                if sig.session_id == session_id or not sig.value or sig.id in seen:
                    continue
                seen.add(sig.id)
                dist = float(distance(d, np.frombuffer(sig.value, np.float32)))
                if dist <= max_distance and (best is None or dist < best.distance):
                    best = StrokeMatch(i, sig.session_id, dist)
        if best is not None:
            found.append(best)
    return found


def record(writer: Any, descriptors: Sequence[NDArray[Any]] | NDArray[Any]) -> int:
    """Store a decided session's strokes (sealed descriptor under each table's blinded key)."""
    n = 0
    for d in descriptors:
        raw = np.asarray(d, np.float32).tobytes()
        for key in table_keys(d):
            writer.put(SIGNAL_KIND, writer.blind(key), value=raw)
            n += 1
    return n
