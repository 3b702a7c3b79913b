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


class _Scripted:
    """Models whose per-window bot scores are given (the decision logic under test, not the model)."""

    def __init__(self, bot_scores: list[float], anomaly: float = 0.0) -> None:
        real = models()
        self._bot, self._anomaly_value, self.anomaly = np.asarray(bot_scores), anomaly, self
        self.top_features = real.anomaly.top_features

    def bot(self, x: np.ndarray) -> np.ndarray:
        return self._bot[: x.shape[0]] if x.shape[0] <= self._bot.size else np.resize(self._bot, x.shape[0])

    def score(self, x: np.ndarray) -> np.ndarray:
        return np.full(x.shape[0], self._anomaly_value)


def _long(k: int = 4) -> Pointer:
    p = bot("bezier", 3)
    parts = [p.shifted(-i * 70_000.0) for i in range(k)]
    return Pointer(*(np.concatenate([getattr(q, f) for q in parts]) for f in
                     ("t", "x", "y", "down_t", "down_x", "down_y", "up_t")))


def test_one_bot_window_between_human_ones_is_reviewed() -> None:
    """The median of a human minute and a bot minute looks human: the bot window must not hide."""
    t = packaged_thresholds()
    a = assess(Interaction(mouse=_long(3)), t, _Scripted([0.001, 0.9999, 0.001]))  # type: ignore[arg-type]
    assert a.bot_score is not None and a.bot_score < t.review
    assert a.decision == REVIEW and "BOT_SUSPECTED" in a.reason_codes and a.evidence["max_window_bot_score"] > t.bot
    calm = assess(Interaction(mouse=_long(3)), t, _Scripted([0.001, 0.002, 0.001]))  # type: ignore[arg-type]
    assert calm.decision == HUMAN


def test_windows_start_at_events_so_an_idle_day_hides_nothing() -> None:
    from openidv.behavior.scoring import MAX_WINDOWS, _windows

    p = bot("bezier", 3)
    lone = Pointer(np.r_[p.t, 86_400_000.0], np.r_[p.x, 5.0], np.r_[p.y, 5.0], p.down_t, p.down_x, p.down_y, p.up_t)
    windows = _windows(lone)
    assert len(windows) == 2 and windows[0].n == p.n  # the movement whole, the lone move apart
    # a crowd of one-move windows cannot push the busy window out of the scored ones
    crowd_t = np.arange(1, 300) * 61_000.0 + 10_000_000.0
    crowded = Pointer(np.r_[p.t, crowd_t], np.r_[p.x, crowd_t * 0], np.r_[p.y, crowd_t * 0],
                      p.down_t, p.down_x, p.down_y, p.up_t)
    kept = _windows(crowded)
    assert len(kept) == MAX_WINDOWS and max(w.n for w in kept) == p.n


def test_touch_mixed_with_mouse_and_an_anomaly_each_get_a_human() -> None:
    t = packaged_thresholds()
    human = _Scripted([0.001])
    touch = bot("linear_constant", 4)
    mixed = assess(Interaction(mouse=bot("bezier", 3), touch=touch), t, human)  # type: ignore[arg-type]
    assert mixed.decision == REVIEW and "DEVICE_INCONSISTENT" in mixed.reason_codes
    odd = assess(Interaction(mouse=bot("bezier", 3)), t, _Scripted([0.001], anomaly=1.0))  # type: ignore[arg-type]
    assert odd.decision == REVIEW and "BEHAVIOR_ANOMALY" in odd.reason_codes


def test_key_timing_identical_to_the_millisecond_is_automation() -> None:
    n = 40
    keys = Keys(np.arange(n) * 100.0, np.full(n, 50.0), np.ones(n, dtype=bool))  # dwell 50, flight 50, always
    a = assess(Interaction(keys=keys), packaged_thresholds())
    assert "synthetic_keystrokes" in a.signatures and a.decision == BOT
    rng = np.random.default_rng(0)
    human = Keys(np.cumsum(rng.uniform(90, 260, n)), rng.uniform(60, 140, n), np.ones(n, dtype=bool))
    assert "synthetic_keystrokes" not in assess(Interaction(keys=human), packaged_thresholds()).signatures


def test_device_findings_decide_the_endpoint_and_command_answer() -> None:
    from openidv.behavior.scoring import with_device

    out = {"decision": HUMAN, "reason_codes": []}
    assert with_device(out, automation=True, inconsistent=False)["decision"] == BOT
    merged = with_device(out, automation=False, inconsistent=True)
    assert merged["decision"] == REVIEW and merged["reason_codes"] == ["DEVICE_INCONSISTENT"]
    assert with_device(out, automation=False, inconsistent=False)["decision"] == HUMAN
