"""Mouse recordings in the Balabit Mouse Dynamics Challenge layout.

Each file is a CSV with the header ``record timestamp,client timestamp,button,state,x,y``: times in
seconds since the recording started, ``state`` one of Move, Drag, Pressed, Released, Down, Up
(the last two with button Scroll). We read the client timestamps (the recorder's clock), turn
Move/Drag rows into pointer samples and Pressed/Released rows into button events, count scrolls,
and drop the out-of-screen sentinel coordinates (65535) the recorder writes when the pointer
leaves the remote desktop.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np

from openidv.behavior.events import Interaction, Pointer, pointer_events
from openidv.errors import ValidationFailed

HEADER = ("record timestamp", "client timestamp", "button", "state", "x", "y")
_SENTINEL = 65535
_MAX_BYTES = 512 * 1024 * 1024


def is_balabit_csv(head: str) -> bool:
    """Whether text starts with the Balabit header (tolerating spaces and case)."""
    first = head.splitlines()[0] if head else ""
    return tuple(c.strip().lower() for c in first.split(",")) == HEADER


def read_balabit(path: Path) -> Interaction:
    """Parse one recording; raises ValidationFailed for a file that is not in the layout."""
    if path.stat().st_size > _MAX_BYTES:
        raise ValidationFailed(f"{path.name}: larger than {_MAX_BYTES // 2**20} MiB")
    return parse_balabit(path.read_text(encoding="utf-8", errors="replace"), name=path.name)


def parse_balabit(text: str, name: str = "recording") -> Interaction:
    """Parse CSV text in the Balabit layout into an :class:`Interaction` (times in ms from 0)."""
    if not is_balabit_csv(text[:200]):
        raise ValidationFailed(f"{name}: not a mouse recording (expected header {','.join(HEADER)})")
    mt: list[float] = []
    mx: list[float] = []
    my: list[float] = []
    dt: list[float] = []
    dx: list[float] = []
    dy: list[float] = []
    ut: list[float] = []
    wheel = 0
    reader = csv.reader(io.StringIO(text))
    next(reader)
    for row in reader:
        if len(row) < 6:
            continue
        try:
            t, x, y = float(row[1]) * 1000.0, float(row[4]), float(row[5])
        except ValueError:
            continue
        state = row[3].strip()
        if not np.isfinite(t) or x >= _SENTINEL or y >= _SENTINEL or x < 0 or y < 0:
            continue
        if state in ("Move", "Drag"):
            mt.append(t)
            mx.append(x)
            my.append(y)
        elif state == "Pressed":
            dt.append(t)
            dx.append(x)
            dy.append(y)
        elif state == "Released":
            ut.append(t)
        elif row[2].strip() == "Scroll":
            wheel += 1
    return _interaction(mt, mx, my, dt, dx, dy, ut, wheel)


def _interaction(mt: list[float], mx: list[float], my: list[float], dt: list[float], dx: list[float],
                 dy: list[float], ut: list[float], wheel: int) -> Interaction:
    arrays = [np.asarray(v, dtype=np.float64) for v in (mt, mx, my, dt, dx, dy, ut)]
    times = np.concatenate([arrays[0], arrays[3], arrays[6]])
    t0 = float(times.min()) if times.size else 0.0
    order = np.argsort(arrays[0], kind="stable")
    dorder = np.argsort(arrays[3], kind="stable")
    mouse = Pointer(arrays[0][order] - t0, arrays[1][order], arrays[2][order],
                    arrays[3][dorder] - t0, arrays[4][dorder], arrays[5][dorder], np.sort(arrays[6]) - t0)
    return Interaction(mouse=mouse, wheel=wheel, n_events=int(times.size) + wheel)


def to_telemetry(inter: Interaction, source: str = "balabit-csv") -> dict[str, Any]:
    """Telemetry JSON (schema version 1) carrying the recording's pointer events and no device data."""
    events = pointer_events(inter.mouse)
    duration = max((e["ts"] for e in events), default=0.0)
    return {
        "version": "1",
        "collector": {"name": source, "version": "1"},
        "duration_ms": float(duration),
        "truncated": False,
        "device": {},
        "network": {},
        "events": events,
    }
