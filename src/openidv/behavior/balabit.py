"""Mouse recordings in the Balabit Mouse Dynamics Challenge layout.

Each file is a CSV with the header ``record timestamp,client timestamp,button,state,x,y``: times in
seconds since the recording started, ``state`` one of Move, Drag, Pressed, Released, Down, Up
(the last two with button Scroll). We read the client timestamps (the recorder's clock), turn
Move/Drag rows into pointer samples and Pressed/Released rows into button events, count scrolls,
and drop the out-of-screen sentinel coordinates (65535) the recorder writes when the pointer
leaves the remote desktop. Negative coordinates are kept: a screen left of or above the primary
one has them (the telemetry schema allows -100000 to 100000).

Nothing is dropped silently: :func:`parse_balabit_counted` also returns how many data rows were
pointer events, scroll steps, malformed (too few columns, a time or coordinate that is no number,
a negative time) or off screen, and a file with no data row, or none that can be read, is refused
(the first bad line named) instead of being scored as a recording without movement.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from openidv.behavior.events import Interaction, Pointer, pointer_events
from openidv.errors import ValidationFailed

HEADER = ("record timestamp", "client timestamp", "button", "state", "x", "y")
_SENTINEL = 65535
_COORD_MAX = 100_000  # the telemetry schema's coordinate bound
_MAX_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class RowCounts:
    """What became of a recording's data rows (the header and blank lines not counted);
    ``pointer + scrolls + malformed + off_screen + other == data_rows``."""

    data_rows: int
    pointer: int  # moves, drags, presses and releases: what the scorer reads
    scrolls: int  # wheel steps: counted, not scored
    malformed: int  # fewer than six columns, or a time or coordinate that is no number, or a negative time
    off_screen: int  # the recorder's sentinel (65535) or beyond the schema's coordinate range
    other: int  # well-formed rows of a state that carries nothing we use
    first_malformed_line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def is_balabit_csv(head: str) -> bool:
    """Whether text starts with the Balabit header (tolerating spaces and case)."""
    first = head.removeprefix("\ufeff").splitlines()[0] if head else ""  # a byte-order mark from Windows tools
    return tuple(c.strip().lower() for c in first.split(",")) == HEADER


def read_balabit(path: Path) -> Interaction:
    """Parse one recording; raises ValidationFailed for a file that is not in the layout."""
    return read_balabit_counted(path)[0]


def read_balabit_counted(path: Path) -> tuple[Interaction, RowCounts]:
    """:func:`read_balabit` plus what became of each data row."""
    if path.stat().st_size > _MAX_BYTES:
        raise ValidationFailed(f"{path.name}: larger than {_MAX_BYTES // 2**20} MiB")
    return parse_balabit_counted(path.read_text(encoding="utf-8", errors="replace"), name=path.name)


def parse_balabit(text: str, name: str = "recording") -> Interaction:
    """Parse CSV text in the Balabit layout into an :class:`Interaction` (times in ms from 0)."""
    return parse_balabit_counted(text, name)[0]


def parse_balabit_counted(text: str, name: str = "recording") -> tuple[Interaction, RowCounts]:
    """:func:`parse_balabit` plus what became of each data row; raises ValidationFailed when the
    file is not in the layout, holds no data row, or none of its data rows can be read.

    Lines are split on commas, not read as quoted CSV: the layout has no quoted fields, and one
    stray quote must not swallow the rest of the file. Any line ending (``\\n``, ``\\r\\n``, ``\\r``)."""
    text = text.removeprefix("\ufeff")
    if not is_balabit_csv(text[:200]):
        raise ValidationFailed(f"{name}: not a mouse recording (expected header {','.join(HEADER)})")
    mt: list[float] = []
    mx: list[float] = []
    my: list[float] = []
    dt: list[float] = []
    dx: list[float] = []
    dy: list[float] = []
    ut: list[float] = []
    wheel = rows = malformed = off_screen = other = 0
    first_bad: int | None = None
    for lineno, line in enumerate(text.splitlines()[1:], start=2):
        if not line.strip():
            continue  # blank lines are no data
        rows += 1
        row = line.split(",")
        try:
            if len(row) < 6:
                raise ValueError
            t, x, y = float(row[1]) * 1000.0, float(row[4]), float(row[5])
            if not (np.isfinite(t) and np.isfinite(x) and np.isfinite(y)) or t < 0:
                raise ValueError
        except ValueError:
            malformed += 1
            first_bad = first_bad or lineno
            continue
        if x >= _SENTINEL or y >= _SENTINEL or abs(x) > _COORD_MAX or abs(y) > _COORD_MAX:
            off_screen += 1
            continue
        state = row[3].strip()
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
        else:
            other += 1
    if not rows:
        raise ValidationFailed(f"{name}: a header and no data rows")
    if malformed == rows:
        raise ValidationFailed(f"{name}: none of its {rows} data rows could be read (line {first_bad}: expected "
                               "numeric client timestamp, x and y in the columns of the header)")
    pointer = rows - wheel - malformed - off_screen - other
    counts = RowCounts(rows, pointer, wheel, malformed, off_screen, other, first_bad)
    return _interaction(mt, mx, my, dt, dx, dy, ut, wheel), counts


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
