"""Bot generator: every family performs the skeleton's task, deterministically."""

from __future__ import annotations

import numpy as np
import pytest

from openidv.behavior.botgen import FAMILIES, TIERS, generate
from openidv.behavior.skeleton import extract

from .conftest import bot, donors, make_skeleton


@pytest.mark.parametrize("family", FAMILIES)
def test_family_clicks_where_the_task_clicks(family: str) -> None:
    sk = make_skeleton(11)
    p = generate(family, sk, np.random.default_rng(11), donors(11))
    targets = np.array([(a.x, a.y) for a in sk.actions if a.kind == "down"])
    clicks = np.column_stack([p.down_x, p.down_y])
    assert clicks.shape == targets.shape and p.up_t.size == targets.shape[0]
    err = np.hypot(*(clicks - targets).T)
    assert np.median(err) < 15.0  # stealthy bots miss the centre a little, naive ones never
    assert np.all(np.diff(p.t) >= 0) and np.all(p.up_t >= p.down_t)
    if TIERS[family] == "naive":
        assert err.max() < 1.0


def test_generation_is_deterministic() -> None:
    a, b = bot("bezier_humanlike", 3), bot("bezier_humanlike", 3)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.t, b.t)


def test_skeleton_of_a_bot_recovers_its_clicks() -> None:
    p = bot("linear_eased", 9)
    sk = extract(p)
    assert sum(a.kind == "down" for a in sk.actions) == p.down_t.size
    assert all(a.dur >= 0 for a in sk.actions)


def test_replay_needs_donors() -> None:
    with pytest.raises(ValueError, match="donor"):
        generate("replay", make_skeleton(1), np.random.default_rng(1))
