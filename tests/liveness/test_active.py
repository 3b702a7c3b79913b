"""The colour-flash challenge end to end on a real face, and the judging rules on measurements."""

from __future__ import annotations

import random

import numpy as np
import pytest

from openidv.liveness import simulator as sim
from openidv.liveness.active import ActiveParams, Frame, Observation, check_timing, judge, verify_response
from openidv.liveness.challenge import issue_challenge
from openidv.liveness.colour import FlashReading
from openidv.liveness.pose import ActionMeasure, Pose, TimedPose, judge_action, measure_action, pose_from_landmarks
from openidv.liveness.redteam.common import FaceRef


def shipped_params() -> ActiveParams:
    from openidv.policy.thresholds import ThresholdRegistry

    t = ThresholdRegistry.load().get("liveness_active")
    return ActiveParams.from_thresholds(t)


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
    # the measured face per frame, for face_same_subject: known in (nearly) every frame
    assert len(verdict.subject_boxes) == len(frames)
    assert sum(b is not None for b in verdict.subject_boxes) >= 0.9 * len(frames)


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
    left = [TimedPose(100.0 * i, Pose(y, 0.6, 20.0)) for i, y in enumerate((0.05, 0.15, 0.2, 0.1))]
    assert judge_action(measure_action("turn_left", base, left, window_ms=0), 0.1, 0.1).ok
    wrong = judge_action(measure_action("turn_right", base, left, window_ms=0), 0.1, 0.1)
    assert not wrong.ok and wrong.reason == "turned_the_wrong_way"
    still = judge_action(measure_action("nod", base, [TimedPose(100.0 * i, p) for i, p in enumerate(base)]), 0.1, 0.1)
    assert not still.ok


def test_movement_is_measured_on_poses_averaged_over_time() -> None:
    """A one-frame landmark jump is averaged away; a movement held over several frames is kept."""
    base = [Pose(0.0, 0.6, 20.0)] * 5
    jump = [TimedPose(70.0 * i, Pose(0.12 if i == 5 else 0.0, 0.6, 20.0)) for i in range(12)]
    assert measure_action("turn_left", base, jump, window_ms=0).measured == pytest.approx(0.12)
    assert measure_action("turn_left", base, jump, window_ms=250).measured < 0.05
    held = [TimedPose(70.0 * i, Pose(0.12 if 3 <= i <= 9 else 0.0, 0.6, 20.0)) for i in range(12)]
    assert measure_action("turn_left", base, held, window_ms=250).measured == pytest.approx(0.12)


def _face(box: tuple[float, float, float, float]) -> tuple[tuple[float, float, float, float], np.ndarray]:
    return box, np.zeros((5, 2), np.float32)


def test_the_subject_is_tracked_past_a_larger_bystander() -> None:
    from openidv.liveness.active import track

    user, bystander = _face((90.0, 100.0, 210.0, 220.0)), _face((180.0, 60.0, 330.0, 210.0))
    first = track([bystander, user], None, (150.0, 160.0))
    assert first is user  # central, though smaller
    # the user turns (the box shifts a little); the bystander is larger but stays the bystander
    moved = _face((100.0, 102.0, 218.0, 222.0))
    assert track([bystander, moved], user[0]) is moved
    # the user leaves the frame: nobody else takes over
    assert track([bystander], user[0]) is None


def test_colour_phase_uses_one_box_and_unclipped_pixels() -> None:
    from openidv.liveness.active import colour_box
    from openidv.liveness.colour import region_means, unclipped

    ch = issue_challenge("s", n_colours=5, rng=random.Random(7))
    img = np.full((100, 100, 3), 120, np.uint8)
    frames = [Frame(img, i, 100.0 * i, ch.id) for i in range(60)]
    lm = np.zeros((5, 2), np.float32)
    jitter = [(20.0 + (i // 3) % 3 - 1, 20.0, 80.0 + (i // 3) % 3 - 1, 80.0) for i in range(60)]  # -1, 0, +1 px
    obs = [(b, lm) if i % 3 == 0 else (b, None) for i, b in enumerate(jitter)]
    late = [(f, (b, lm)) for f, b in zip(frames, jitter, strict=True) if f.timestamp_ms >= ch.action_start_ms]
    for f, _ in late:  # the head action moves the face far: those boxes must not count
        obs[f.frame_index] = ((60.0, 20.0, 99.0, 80.0), lm)
    assert colour_box(frames, obs, ch) == (20.0, 20.0, 80.0, 80.0)  # the median of the colour phase's detections
    # a highlight clipped in red cannot show a red flash: those pixels are left out
    base = np.full((100, 100, 3), 120, np.uint8)
    base[40:60, 40:60, 0] = 255
    keep = unclipped([base], (20.0, 20.0, 80.0, 80.0))
    assert keep is not None and not keep[10:26, 10:26].any() and keep[:6, :6].all()
    face, _ = region_means(base, (20.0, 20.0, 80.0, 80.0), keep)
    assert face[0] == pytest.approx(120.0)


def test_a_false_detection_does_not_capture_the_track() -> None:
    from openidv.liveness.active import track

    user = _face((76.0, 100.0, 213.0, 237.0))
    spurious = _face((170.0, 132.0, 213.0, 175.0))  # a small box on the cheek, seen once
    assert track([spurious], user[0]) is None
    assert track([user], user[0]) is user


def test_frames_of_another_size_or_a_box_off_the_frame_do_not_break_the_colour_reading() -> None:
    from openidv.liveness.colour import region_means, unclipped

    small, large = np.full((60, 60, 3), 100, np.uint8), np.full((100, 100, 3), 100, np.uint8)
    box = (20.0, 20.0, 80.0, 80.0)
    keep = unclipped([large, small, large], box)  # the odd-sized frame is left out, not an exception
    assert keep is not None and keep.all()
    face, _ = region_means(small, box, keep)  # the mask does not fit this frame: all its pixels are used
    assert face[0] == pytest.approx(100.0)
    assert unclipped([large], (200.0, 200.0, 260.0, 260.0)) is None  # box outside the frame


def test_an_unmeasurable_flash_reads_as_no_colour() -> None:
    from openidv.liveness.colour import measure_flash

    r = measure_flash([np.full(3, np.nan)], "red")
    assert r.best is None and not r.ok(0.0, -1.0)


def test_the_colour_phase_needs_the_face() -> None:
    """A response whose face is not found before the head action gets no colour readings at all:
    whatever sits in a box found later is not evidence of the screen's light on a face."""
    from openidv.liveness.active import observe_response

    ch = issue_challenge("s", n_colours=5, rng=random.Random(8))
    frames = [Frame(np.full((120, 120, 3), 90, np.uint8), i, 60.0 * i, ch.id) for i in range(100)]
    face = ((30.0, 30.0, 90.0, 90.0), np.array([[60, 50], [50, 50], [30, 50], [40, 50], [45, 70]], np.float32))

    def only_in_action(rgb: np.ndarray) -> list:  # type: ignore[type-arg]
        return [face] if rgb[0, 0, 0] == 91 else []

    for f in frames:
        if f.timestamp_ms >= ch.action_start_ms:
            f.rgb[0, 0, 0] = 91  # marks the action phase for the fake landmarker
    o = observe_response(frames, ch, shipped_params(), only_in_action)
    assert all(r.best is None for r in o.flashes)
    verdict = judge(o, shipped_params())
    assert "colour_sequence_mismatch" in verdict.failures and "face_missing" in verdict.failures
    assert o.faces_tried < o.n_frames and o.faces_missing > 0.25 * o.faces_tried


def test_a_false_box_next_to_the_subject_does_not_hide_it() -> None:
    from openidv.liveness.active import track

    last = (100.0, 100.0, 220.0, 220.0)
    moved = _face((140.0, 100.0, 260.0, 220.0))
    spurious = _face((145.0, 145.0, 175.0, 175.0))  # nearer the old centre, far too small
    assert track([spurious, moved], last) is moved


def test_a_short_challenge_is_refused() -> None:
    from openidv.liveness.active import observe_response

    ch = issue_challenge("s", n_colours=3, rng=random.Random(9))
    frames = [Frame(np.zeros((40, 40, 3), np.uint8), i, 100.0 * i, ch.id) for i in range(60)]
    o = observe_response(frames, ch, shipped_params(), lambda rgb: [])
    assert "challenge_has_too_few_colours" in judge(o, shipped_params()).failures

