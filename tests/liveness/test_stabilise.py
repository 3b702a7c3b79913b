from __future__ import annotations

import numpy as np

from openidv.liveness.stabilise import box_convention, landmark_frame, stable_landmarks

TRUTH = np.array([[160, 100], [140, 100], [90, 100], [110, 100], [125, 140]], np.float32)


def _biased(box: tuple[float, float, float, float]) -> np.ndarray:
    """A shape predictor whose landmarks lean towards where the box sits (as dlib's do)."""
    centre = np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2])
    true_centre, _ = landmark_frame(TRUTH)
    return (TRUTH + 0.2 * (centre - true_centre)).astype(np.float32)


def test_landmarks_stop_following_the_detectors_box() -> None:
    """The same unmoving face, framed alternately by two detector boxes 17 px apart: the first
    landmarks jump with the box, the re-predicted ones barely move."""
    boxes = [(50.0, 40.0, 200.0, 190.0) if i % 2 else (50.0, 57.0, 200.0, 207.0) for i in range(12)]
    observed = [(b, _biased(b)) for b in boxes]
    images = [np.zeros((240, 240, 3), np.uint8)] * len(boxes)
    stable = stable_landmarks(images, observed, lambda rgb, box: _biased(box))
    before = np.ptp([o[1][4, 1] for o in observed])
    after = np.ptp([o[1][4, 1] for o in stable])
    assert before > 3.0 and after < before / 3
    assert [o[0] for o in stable] == boxes  # the boxes (used for the colour readings) are kept


def test_frames_without_landmarks_pass_through_and_too_few_are_left_alone() -> None:
    box = (50.0, 40.0, 200.0, 190.0)
    observed = [None, (box, None), (box, TRUTH)]
    images = [np.zeros((10, 10, 3), np.uint8)] * 3
    assert box_convention(observed) is None
    assert stable_landmarks(images, observed, lambda rgb, b: TRUTH + 1) == observed


def test_frames_without_usable_landmarks_pass_through_while_others_are_re_predicted() -> None:
    box = (50.0, 40.0, 200.0, 190.0)
    bad = np.full((5, 2), np.nan, np.float32)
    observed = [(box, TRUTH), None, (box, None), (box, TRUTH), (box, bad), (box, TRUTH)]
    images = [np.zeros((240, 240, 3), np.uint8)] * len(observed)
    stable = stable_landmarks(images, observed, lambda rgb, b: TRUTH + 1)
    assert stable[1] is None and stable[2] == (box, None) and stable[4] is observed[4]
    assert all(np.allclose(stable[i][1], TRUTH + 1) for i in (0, 3, 5))
