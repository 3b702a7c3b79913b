"""The colour-flash challenge end to end on a real face, and the judging rules on measurements."""

from __future__ import annotations

import random

import numpy as np
import pytest

from openidv.liveness import simulator as sim
from openidv.liveness.active import ActiveParams, Frame, Observation, check_timing, judge, verify_response
from openidv.liveness.challenge import issue_challenge
from openidv.liveness.colour import FlashReading
from openidv.liveness.pose import ActionMeasure, Pose, judge_action, measure_action, pose_from_landmarks
from openidv.liveness.redteam.common import FaceRef


def shipped_params() -> ActiveParams:
    from openidv.policy.thresholds import ThresholdRegistry

    t = ThresholdRegistry.load().get("liveness_active")
    return ActiveParams(
        t["min_flash_magnitude"], t["min_flash_cosine"], int(t["max_flash_misses"]), t["min_turn"], t["min_nod"]
    )


@pytest.fixture(scope="module")
def genuine_run(hopper: FaceRef):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(4)
    ch = issue_challenge("s", n_colours=5, rng=random.Random(4))
    return ch, sim.genuine(hopper, ch, rng, sim.SimConfig(fps=(10.0, 11.0)))


def test_genuine_response_passes(genuine_run) -> None:  # type: ignore[no-untyped-def]
    ch, frames = genuine_run
    verdict = verify_response(frames, ch, shipped_params())
    assert verdict.ok, verdict.failures
    assert [f["observed"] for f in verdict.evidence["flashes"]].count(None) <= 1


def test_replay_for_a_new_challenge_fails(genuine_run) -> None:  # type: ignore[no-untyped-def]
    _, frames = genuine_run
    new = issue_challenge("s", n_colours=5, rng=random.Random(99))
    verdict = verify_response(sim.replay(frames, new, np.random.default_rng(0)), new, shipped_params())
    assert not verdict.ok and "colour_sequence_mismatch" in verdict.failures
    stale = verify_response(sim.replay(frames, new, np.random.default_rng(0), relabel=False), new, shipped_params())
    assert "challenge_id_mismatch" in stale.failures


def test_stream_without_flashes_fails(hopper: FaceRef) -> None:
    ch = issue_challenge("s", n_colours=5, rng=random.Random(5))
    frames = sim.render(hopper, ch, np.random.default_rng(5), sim.SimConfig(fps=(10.0, 11.0)), colours=None)
    verdict = verify_response(frames, ch, shipped_params())
    assert "colour_sequence_mismatch" in verdict.failures


def test_timing_problems_are_reported() -> None:
    ch = issue_challenge("s", rng=random.Random(6))
    img = np.zeros((8, 8, 3), np.uint8)
    frames = [Frame(img, i, 100.0 * i, ch.id) for i in range(10)]
    assert "sequence_does_not_cover_challenge" in check_timing(frames, ch, shipped_params())
    back = [Frame(img, i, 100.0 * (10 - i), ch.id) for i in range(10)]
    assert "timestamps_not_increasing" in check_timing(back, ch, shipped_params())
    fast = [Frame(img, i, 2.0 * i, ch.id) for i in range(10)]
    assert "implausible_frame_rate" in check_timing(fast, ch, shipped_params())


def test_judging_tolerates_one_unclear_flash_only() -> None:
    p = ActiveParams(0.01, 0.8, 1, 0.05, 0.05)
    good = [FlashReading(c, c, 0.99, 0.05, 3) for c in ("red", "green", "blue", "cyan")]
    action = ActionMeasure("turn_left", 0.2, 0.0, 5, 5)
    assert judge(Observation(60, [], 0, good, action), p).ok
    one_off = [FlashReading("red", "red", 0.99, 0.004, 3), *good[1:]]
    assert judge(Observation(60, [], 0, one_off, action), p).ok
    two_off = [FlashReading("red", "blue", 0.99, 0.05, 3), FlashReading("green", None, 0.0, 0.0, 3), *good[2:]]
    assert "colour_sequence_mismatch" in judge(Observation(60, [], 0, two_off, action), p).failures


def test_pose_rules() -> None:
    lm = np.array([[60, 50], [50, 50], [30, 50], [40, 50], [45, 70]], np.float32)
    pose = pose_from_landmarks(lm)
    assert abs(pose.yaw) < 1e-6 and pose.pitch > 0
    base = [Pose(0.0, 0.6, 20.0)] * 3
    left = [Pose(y, 0.6, 20.0) for y in (0.05, 0.15, 0.2, 0.1)]
    assert judge_action(measure_action("turn_left", base, left), 0.1, 0.1).ok
    wrong = judge_action(measure_action("turn_right", base, left), 0.1, 0.1)
    assert not wrong.ok and wrong.reason == "turned_the_wrong_way"
    still = judge_action(measure_action("nod", base, base), 0.1, 0.1)
    assert not still.ok
