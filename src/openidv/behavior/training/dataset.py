"""Training windows: real human mouse recordings cut to onboarding length, and bots on their skeletons.

Recordings are hours long; a verification session is a minute or two. Each recording is cut into
consecutive windows whose length is drawn log-uniformly between 10 s and 2 min, windows with too
little movement are dropped (the same gate as live scoring), and at most ``max_windows`` are kept
per recording so that one long session does not dominate. Every window keeps its user: splits are
by user, never by window, and a bot made on a user's window (or replaying that user's strokes)
belongs to that user's group.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from openidv.behavior.balabit import read_balabit
from openidv.behavior.events import Pointer
from openidv.behavior.features import pointer_features

MIN_WINDOW_S = 10.0
MAX_WINDOW_S = 120.0


@dataclass(frozen=True)
class Window:
    user: str
    session: str
    index: int
    pointer: Pointer

    @property
    def sample_id(self) -> str:
        return f"{self.user}/{self.session}/w{self.index:03d}"


def recordings(root: Path) -> Iterator[tuple[str, str, Path]]:
    """(user, session, path) for every recording under ``root/<user>/<session>`` (sorted)."""
    for user_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(p for p in user_dir.iterdir() if p.is_file()):
            yield user_dir.name, path.name, path


def cut_windows(p: Pointer, rng: np.random.Generator, max_windows: int) -> list[Pointer]:
    """Consecutive windows of random onboarding length that pass the scoring gate, times from 0."""
    if p.n == 0:
        return []
    out: list[Pointer] = []
    pos, end = float(p.t[0]), float(p.t[-1])
    while pos < end:
        length = float(np.exp(rng.uniform(np.log(MIN_WINDOW_S), np.log(MAX_WINDOW_S)))) * 1000.0
        w = p.window(pos, pos + length)
        if w.n and pointer_features(w).scorable:
            out.append(w.shifted(pos))
        pos += length
    if len(out) > max_windows:
        keep = np.sort(rng.choice(len(out), size=max_windows, replace=False))
        out = [out[i] for i in keep]
    return out


def human_windows(root: Path, seed: int, max_windows: int = 40, limit_users: int | None = None) -> list[Window]:
    """All windows of all recordings under ``root`` (deterministic for a seed)."""
    windows: list[Window] = []
    users_seen: list[str] = []
    for user, session, path in recordings(root):
        if user not in users_seen:
            users_seen.append(user)
        if limit_users is not None and len(users_seen) > limit_users:
            break
        rng = np.random.default_rng([seed, len(windows), sum(map(ord, session))])
        for i, w in enumerate(cut_windows(read_balabit(path).mouse, rng, max_windows)):
            windows.append(Window(user, session, i, w))
    return windows
