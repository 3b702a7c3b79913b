"""Telemetry events as arrays: the one representation every behaviour feature is computed from.

Telemetry arrives as a list of small JSON objects (schema version 1). Feature code wants numpy
arrays, so :func:`parse_events` makes one pass over the list and sorts each stream by time. The
bot generator and the mouse-recording importer build :class:`Interaction` directly, so training and
live scoring run the very same feature code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
_NUM = (int, float)  # exact types: bool is not a number here


def _arr(values: list[float] | F64) -> F64:
    return np.asarray(values, dtype=np.float64)


@dataclass
class Pointer:
    """Pointer samples and button presses of one pointer type, times in ms, sorted by time."""

    t: F64 = field(default_factory=lambda: _arr([]))
    x: F64 = field(default_factory=lambda: _arr([]))
    y: F64 = field(default_factory=lambda: _arr([]))
    down_t: F64 = field(default_factory=lambda: _arr([]))
    down_x: F64 = field(default_factory=lambda: _arr([]))
    down_y: F64 = field(default_factory=lambda: _arr([]))
    up_t: F64 = field(default_factory=lambda: _arr([]))

    @property
    def n(self) -> int:
        return int(self.t.size)

    def window(self, start_ms: float, end_ms: float) -> Pointer:
        """The samples and presses with start <= t < end (for scoring long recordings in windows)."""
        m = (self.t >= start_ms) & (self.t < end_ms)
        d = (self.down_t >= start_ms) & (self.down_t < end_ms)
        u = (self.up_t >= start_ms) & (self.up_t < end_ms)
        return Pointer(self.t[m], self.x[m], self.y[m], self.down_t[d], self.down_x[d], self.down_y[d],
                       self.up_t[u])

    def shifted(self, offset: float) -> Pointer:
        """The same stream with `offset` ms subtracted from every time."""
        return Pointer(self.t - offset, self.x, self.y, self.down_t - offset, self.down_x, self.down_y,
                       self.up_t - offset)

    def span_ms(self) -> float:
        times = np.concatenate([self.t, self.down_t, self.up_t])
        return float(times.max() - times.min()) if times.size else 0.0


@dataclass
class Keys:
    """Key strokes: press time and dwell (ms), and their class; never the key itself."""

    t: F64 = field(default_factory=lambda: _arr([]))
    dwell: F64 = field(default_factory=lambda: _arr([]))
    char: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))

    @property
    def n(self) -> int:
        return int(self.t.size)


@dataclass
class Interaction:
    """Everything behavioural in a session: mouse/pen and touch pointers, keys and context counts."""

    mouse: Pointer = field(default_factory=Pointer)
    touch: Pointer = field(default_factory=Pointer)
    keys: Keys = field(default_factory=Keys)
    untrusted: int = 0
    pastes: int = 0
    pasted_chars: int = 0
    focus_changes: int = 0
    hidden_changes: int = 0
    wheel: int = 0
    steps: list[tuple[float, str]] = field(default_factory=list)
    n_events: int = 0


class _PointerLists:
    def __init__(self) -> None:
        self.t: list[float] = []
        self.x: list[float] = []
        self.y: list[float] = []
        self.dt: list[float] = []
        self.dx: list[float] = []
        self.dy: list[float] = []
        self.ut: list[float] = []

    def build(self) -> Pointer:
        t, x, y = _finite(_arr(self.t), _arr(self.x), _arr(self.y))
        order = np.argsort(t, kind="stable")
        dt, dx, dy = _finite(_arr(self.dt), _arr(self.dx), _arr(self.dy))
        dorder = np.argsort(dt, kind="stable")
        ut = _arr(self.ut)
        return Pointer(t[order], x[order], y[order], dt[dorder], dx[dorder], dy[dorder], np.sort(ut[np.isfinite(ut)]))


def _finite(t: F64, x: F64, y: F64) -> tuple[F64, F64, F64]:
    ok = np.isfinite(t) & np.isfinite(x) & np.isfinite(y)
    return (t, x, y) if ok.all() else (t[ok], x[ok], y[ok])


def _num(v: Any) -> float | None:
    if type(v) not in _NUM:
        return None
    f = float(v)
    return f if np.isfinite(f) else None


def parse_events(events: Iterable[Any]) -> Interaction:
    """Arrays from telemetry events; malformed events are skipped (schema validation reports them).

    Written for speed: a session has thousands of pointer moves, so the common move (exactly
    type, ts, x, y) does the least work possible; non-finite values are dropped later in numpy.
    """
    mouse, touch = _PointerLists(), _PointerLists()
    kt: list[float] = []
    kd: list[float] = []
    kc: list[bool] = []
    out = Interaction()
    n = 0
    for raw in events:
        n += 1
        if type(raw) is dict:
            ev: dict[str, Any] = raw
        elif isinstance(raw, Mapping):
            ev = dict(raw)
        else:
            continue
        kind: Any = ev.get("type")
        ts: Any = ev.get("ts")
        if type(ts) not in _NUM:
            continue
        if kind == "move" and len(ev) == 4:  # the plain mouse move: no pointer type, trusted
            x0: Any = ev.get("x")
            y0: Any = ev.get("y")
            if type(x0) in _NUM and type(y0) in _NUM:
                mouse.t.append(ts)
                mouse.x.append(x0)
                mouse.y.append(y0)
            continue
        if ev.get("trusted") is False:
            out.untrusted += 1
        if kind == "move" or kind == "down" or kind == "up":
            x: Any = ev.get("x")
            y: Any = ev.get("y")
            if type(x) not in _NUM or type(y) not in _NUM:
                continue
            lists = touch if ev.get("pointer") == "touch" else mouse
            if kind == "move":
                lists.t.append(ts)
                lists.x.append(x)
                lists.y.append(y)
            elif kind == "down":
                lists.dt.append(ts)
                lists.dx.append(x)
                lists.dy.append(y)
            else:
                lists.ut.append(ts)
        elif kind == "key":
            dwell: Any = ev.get("dwell")
            kt.append(ts)
            kd.append(dwell if type(dwell) in _NUM else np.nan)
            kc.append(ev.get("class") in ("char", "space"))
        else:
            _context(out, kind, ev, float(ts))
    out.n_events = n
    order = np.argsort(_arr(kt), kind="stable")
    out.keys = Keys(_arr(kt)[order], _arr(kd)[order], np.asarray(kc, dtype=bool)[order])
    out.mouse, out.touch = mouse.build(), touch.build()
    return out


def _context(out: Interaction, kind: Any, ev: Mapping[str, Any], ts: float) -> None:
    if kind == "paste":
        out.pastes += 1
        length = _num(ev.get("length"))
        out.pasted_chars += int(length) if length is not None and length > 0 else 0
    elif kind in ("focus", "blur"):
        out.focus_changes += 1
    elif kind == "visibility" and ev.get("state") == "hidden":
        out.hidden_changes += 1
    elif kind == "wheel":
        out.wheel += 1
    elif kind == "step" and isinstance(ev.get("name"), str):
        out.steps.append((ts, str(ev["name"])[:64]))


def pointer_events(p: Pointer, *, pointer: str = "mouse") -> list[dict[str, Any]]:
    """Telemetry events (schema version 1) for a pointer stream, sorted by time."""
    out: list[tuple[float, int, dict[str, Any]]] = []
    extra = {} if pointer == "mouse" else {"pointer": pointer}
    for t, x, y in zip(p.t.tolist(), p.x.tolist(), p.y.tolist(), strict=True):
        out.append((t, 1, {"type": "move", "ts": round(t, 1), "x": round(x, 1), "y": round(y, 1), **extra}))
    for t, x, y in zip(p.down_t.tolist(), p.down_x.tolist(), p.down_y.tolist(), strict=True):
        out.append((t, 0, {"type": "down", "ts": round(t, 1), "x": round(x, 1), "y": round(y, 1), "button": 0,
                           **extra}))
    # An up event carries where the pointer was: the last move or press before it.
    times = np.concatenate([p.t, p.down_t])
    order = np.argsort(times, kind="stable")
    xs, ys = np.concatenate([p.x, p.down_x])[order], np.concatenate([p.y, p.down_y])[order]
    at = np.clip(np.searchsorted(times[order], p.up_t, side="right") - 1, 0, None)
    for i, t in enumerate(p.up_t.tolist()):
        ux, uy = (float(xs[at[i]]), float(ys[at[i]])) if times.size else (0.0, 0.0)
        out.append((t, 2, {"type": "up", "ts": round(t, 1), "x": round(ux, 1), "y": round(uy, 1), "button": 0,
                           **extra}))
    out.sort(key=lambda item: (item[0], item[1]))
    return [e for _, _, e in out]
