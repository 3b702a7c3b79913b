"""Scoring with the shipped models: naive bots are caught, signatures fire, real humans pass."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from openidv.behavior.events import Interaction, Keys, Pointer
from openidv.behavior.features import FEATURE_NAMES
from openidv.behavior.scoring import BOT, HUMAN, REVIEW, assess, models, packaged_thresholds, score_pointer

from .conftest import bot


def test_shipped_models_load_and_match_the_features() -> None:
    m = models()
    assert m.anomaly.names == FEATURE_NAMES
    x = np.zeros((3, len(FEATURE_NAMES)))
    x[1] = np.nan
    out = m.bot(x)
    assert out.shape == (3,) and np.all((out >= 0) & (out <= 1))
    t = packaged_thresholds()
    assert 0 < t.review <= t.bot <= 1 and t.ref.startswith("behavior_bot@")


@pytest.mark.parametrize("family", ["linear_constant", "teleport", "linear_eased"])
def test_naive_bots_are_caught(family: str) -> None:
    a = assess(Interaction(mouse=bot(family, 21)), packaged_thresholds())
    assert a.decision == BOT and a.bot_score is not None and a.bot_score > 0.9
    assert a.reason_codes[0] in ("BOT_SUSPECTED", "AUTOMATION_DETECTED")


def test_teleporting_clicks_are_a_signature() -> None:
    t = np.arange(0, 10) * 1500.0
    xy = np.random.default_rng(0).uniform(0, 1000, (10, 2))
    p = Pointer(t + 1, xy[:, 0], xy[:, 1], t + 2, xy[:, 0], xy[:, 1], t + 60)  # one move, then a click, each time
    a = assess(Interaction(mouse=p), packaged_thresholds())
    assert "pointer_teleport" in a.signatures and a.bot_score == 1.0 and a.decision == BOT


def test_synthetic_keystrokes_are_automation() -> None:
    keys = Keys(np.arange(20) * 50.0, np.full(20, 0.4), np.ones(20, dtype=bool))
    a = assess(Interaction(keys=keys), packaged_thresholds())
    assert a.signatures == ["synthetic_keystrokes"] and a.decision == BOT
    assert a.reason_codes == ["AUTOMATION_DETECTED"]


def test_nothing_to_judge_is_review() -> None:
    a = assess(Interaction(), packaged_thresholds())
    assert a.decision == REVIEW and a.bot_score is None and "insufficient_data" in a.evidence


def test_long_recordings_are_scored_in_windows() -> None:
    p = bot("bezier", 3)
    parts = [p.shifted(-k * 70_000.0) for k in range(4)]  # four copies, 70 s apart: 4+ minutes
    long = Pointer(*(np.concatenate([getattr(q, f) for q in parts]) for f in
                     ("t", "x", "y", "down_t", "down_x", "down_y", "up_t")))
    ps = score_pointer(long, models())
    assert ps.windows >= 4 and ps.bot_score is not None


MOUSE_DEV = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "mouse-dev" / "training_files"


@pytest.mark.shared
def test_real_human_windows_pass() -> None:
    """Real people (their windows were in training, so this is a sanity check, not an evaluation)."""
    from openidv.behavior.balabit import read_balabit

    root = MOUSE_DEV
    if not root.is_dir():
        pytest.skip(f"{root} is absent (real development data is optional)")
    t = packaged_thresholds()
    decisions = []
    for path in sorted(root.glob("user*/session_*"))[::9]:
        m = read_balabit(path).mouse
        for start in (600_000.0, 1_800_000.0):
            a = assess(Interaction(mouse=m.window(start, start + 60_000)), t)
            if a.bot_score is not None:
                decisions.append(a.decision)
    assert decisions and decisions.count(BOT) <= 1 and decisions.count(HUMAN) >= 0.8 * len(decisions)
