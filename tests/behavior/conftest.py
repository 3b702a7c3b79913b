"""Behaviour test helpers: task skeletons and pointer streams made without any recorded data."""

from __future__ import annotations

import numpy as np
import pytest

from openidv.behavior.botgen import generate
from openidv.behavior.events import Pointer
from openidv.behavior.skeleton import Action, DonorPool, HumanStroke, Skeleton


def make_skeleton(seed: int, n_targets: int = 12) -> Skeleton:
    """A form-filling task: move to a field, click, pause; times like a person's."""
    rng = np.random.default_rng(seed)
    t, actions = 500.0, []
    for _ in range(n_targets):
        x, y = rng.uniform(50, 1200), rng.uniform(50, 700)
        dur = float(rng.uniform(350, 900))
        actions.append(Action("move", t, dur, float(x), float(y)))
        t += dur + float(rng.uniform(80, 300))
        actions.append(Action("down", t, 0.0, float(x), float(y)))
        t += float(rng.uniform(70, 140))
        actions.append(Action("up", t, 0.0, float("nan"), float("nan")))
        t += float(rng.uniform(400, 2500))
    return Skeleton((600.0, 400.0), tuple(actions))


def donors(seed: int = 0, n: int = 60) -> DonorPool:
    """Curved, bell-shaped strokes standing in for recorded ones (for replay bots)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        length, dur = rng.uniform(80, 700), rng.uniform(300, 900)
        t = np.arange(0.0, dur, 8.0)
        s = 10 * (t / dur) ** 3 - 15 * (t / dur) ** 4 + 6 * (t / dur) ** 5
        bend = rng.uniform(-0.15, 0.15) * length * np.sin(np.pi * s)
        out.append(HumanStroke(t, np.round(s * length), np.round(bend)))
    return DonorPool(out)


def bot(family: str, seed: int = 0) -> Pointer:
    return generate(family, make_skeleton(seed), np.random.default_rng(seed), donors(seed))


@pytest.fixture
def skeleton() -> Skeleton:
    return make_skeleton(7)
