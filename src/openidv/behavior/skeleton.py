"""The task skeleton of a recorded window: where the pointer went and when it clicked.

Bots are generated *on the skeleton of a real human window*: they visit the same targets and click
in the same places, but move there their own way. Human and bot windows then differ only in how
the pointer moves and how the timing is produced, not in the task, so the classifier cannot learn
"this looks like remote-desktop admin work" instead of "this moves like a person".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from openidv.behavior.events import Pointer
from openidv.behavior.kinematics import GAP_MS


@dataclass(frozen=True)
class Action:
    """One step of a task: move to (x, y) in `dur` ms starting at `t`, or press / release there."""

    kind: str  # "move" | "down" | "up"
    t: float
    dur: float
    x: float
    y: float


@dataclass(frozen=True)
class Skeleton:
    start: tuple[float, float]
    actions: tuple[Action, ...]

    @property
    def t0(self) -> float:
        return self.actions[0].t if self.actions else 0.0


@dataclass(frozen=True)
class HumanStroke:
    """A recorded movement (raw samples, time from its start), kept as a donor for replay bots."""

    t: np.ndarray
    x: np.ndarray
    y: np.ndarray

    @property
    def distance(self) -> float:
        return float(np.hypot(self.x[-1] - self.x[0], self.y[-1] - self.y[0]))


def _raw_strokes(p: Pointer) -> list[tuple[int, int]]:
    """(first, last) sample index of each movement between pauses and clicks."""
    n = p.t.size
    if n == 0:
        return []
    split = np.zeros(n, dtype=bool)
    split[0] = True
    split[1:] = np.diff(p.t) > GAP_MS
    clicks = np.concatenate([p.down_t, p.up_t])
    idx = np.searchsorted(p.t, clicks, side="right")
    split[idx[(idx > 0) & (idx < n)]] = True
    starts = np.flatnonzero(split)
    ends = np.append(starts[1:], n) - 1
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def extract(p: Pointer) -> Skeleton:
    """Moves (start time, duration, end point) and clicks of a pointer stream, in time order."""
    actions: list[Action] = []
    for a, b in _raw_strokes(p):
        if b > a:
            actions.append(Action("move", float(p.t[a]), float(p.t[b] - p.t[a]), float(p.x[b]), float(p.y[b])))
    for t, x, y in zip(p.down_t.tolist(), p.down_x.tolist(), p.down_y.tolist(), strict=True):
        actions.append(Action("down", t, 0.0, x, y))
    for t in p.up_t.tolist():
        actions.append(Action("up", t, 0.0, float("nan"), float("nan")))
    actions.sort(key=lambda act: (act.t, act.kind != "move"))
    start = (float(p.x[0]), float(p.y[0])) if p.n else (0.0, 0.0)
    return Skeleton(start, tuple(actions))


def donor_spans(p: Pointer, min_distance: float = 30.0) -> list[tuple[int, int]]:
    """(first, last) sample index of each recorded stroke long enough to be replayed by a replay
    bot: 5+ samples, `min_distance` px from start to end, some duration. The movement-replay check
    describes the same strokes (:func:`openidv.behavior.replay.timed_stroke_descriptors`)."""
    out = []
    for a, b in _raw_strokes(p):
        if b - a >= 4 and p.t[b] > p.t[a] and float(np.hypot(p.x[b] - p.x[a], p.y[b] - p.y[a])) >= min_distance:
            out.append((a, b))
    return out


def donor_strokes(p: Pointer, min_distance: float = 30.0) -> list[HumanStroke]:
    """Recorded strokes long enough to be replayed by a replay bot (:func:`donor_spans`)."""
    return [HumanStroke(p.t[a:b + 1] - p.t[a], p.x[a:b + 1].copy(), p.y[a:b + 1].copy())
            for a, b in donor_spans(p, min_distance)]


class DonorPool:
    """Recorded strokes indexed by length, for replay bots (lengths computed once)."""

    def __init__(self, strokes: list[HumanStroke]) -> None:
        self.strokes = strokes
        self.log_length = np.log(np.maximum([s.distance for s in strokes], 1.0)) if strokes else np.zeros(0)

    def __len__(self) -> int:
        return len(self.strokes)

    def pick(self, rng: np.random.Generator, distance: float) -> HumanStroke:
        """A stroke within a factor 1.6 of the distance (the closest one if none is)."""
        gap = np.abs(self.log_length - np.log(max(distance, 1.0)))
        pool = np.flatnonzero(gap < np.log(1.6))
        return self.strokes[int(rng.choice(pool))] if pool.size else self.strokes[int(np.argmin(gap))]
