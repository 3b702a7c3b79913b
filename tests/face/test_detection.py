from __future__ import annotations

import threading

import numpy as np
import pytest

from openidv.errors import ImageError
from openidv.face.alignment import align_face
from openidv.face.detection import (
    FaceDetection,
    coarse_first,
    detect_faces,
    detect_faces_with,
    plausible_landmarks,
)


def test_detects_one_face_with_dlib_point_order(hopper):
    dets = detect_faces(hopper)
    assert len(dets) == 1
    d = dets[0]
    assert isinstance(d, FaceDetection)
    assert d.landmarks5.shape == (5, 2)
    assert d.landmarks5.dtype == np.float32
    left, top, right, bottom = d.box
    assert 0 <= left < right <= hopper.shape[1]
    assert 0 <= top < bottom <= hopper.shape[0]
    # dlib order: points 0-1 the eye on the image right, 2-3 the eye on the image left, 4 the nose.
    assert d.landmarks5[0:2, 0].mean() > d.landmarks5[2:4, 0].mean()
    assert d.landmarks5[4, 1] > d.landmarks5[:4, 1].mean()
    assert 0.5 < d.confidence <= 1.0
    assert plausible_landmarks(d.landmarks5, d.box)


def test_no_face_in_noise_and_flat_images():
    rng = np.random.default_rng(0)
    assert detect_faces(rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)) == []
    assert detect_faces(np.full((100, 100, 3), 128, np.uint8)) == []


@pytest.mark.parametrize("bad", [np.zeros((100, 100), np.uint8), np.zeros((100, 100, 3), np.float32), "x"])
def test_bad_input_is_a_typed_error(bad):
    with pytest.raises(ImageError):
        detect_faces(bad)


def test_large_image_is_searched_downscaled_and_mapped_back(hopper):
    big = np.ascontiguousarray(np.repeat(np.repeat(hopper, 4, axis=0), 4, axis=1))
    small = detect_faces(hopper)[0]
    large = detect_faces(big)[0]
    # Boxes depend on the HOG pyramid level; the landmarks (shape predictor at full resolution) do not.
    assert np.abs(large.landmarks5 / 4 - small.landmarks5).max() < 6
    assert large.box[2] <= big.shape[1]


def test_camera_frame_with_a_large_face_is_answered_from_the_coarse_copy(hopper):
    import cv2

    # A head-and-shoulders frame, 800x800 with a ~430 px face: ~215 px in the 400 px copy.
    frame = np.ascontiguousarray(cv2.resize(hopper[60:460, 60:460], (800, 800), interpolation=cv2.INTER_CUBIC))
    coarse = coarse_first(frame)
    assert coarse is not None and len(coarse) == 1
    fast = detect_faces(frame, upsample=0)[0]
    full = detect_faces_with(frame, "hog", upsample=0)[0]
    # Different pyramid levels give different boxes; the landmarks agree to a few pixels.
    assert np.abs(fast.landmarks5 - full.landmarks5).max() < 6


def test_small_face_in_a_large_frame_falls_back_to_the_full_search(hopper):
    import cv2

    canvas = np.full((900, 1200, 3), 120, np.uint8)
    face = cv2.resize(hopper, (256, 300), interpolation=cv2.INTER_AREA)  # ~107 px face
    canvas[300:600, 500:756] = face
    assert coarse_first(canvas) is None  # ~36 px in the copy: too small to trust it
    dets = detect_faces(canvas, upsample=0)
    assert len(dets) == 1 and 500 <= dets[0].box[0] < dets[0].box[2] <= 756


def test_small_images_are_never_searched_coarse(hopper):
    assert coarse_first(hopper[:300, :300].copy()) is None
    # 600x512 with a ~215 px face is ~125 px in the copy: a face 0.6 as wide would be under HOG's window.
    assert coarse_first(hopper) is None


def test_alternative_detectors_agree(hopper):
    hog = detect_faces_with(hopper, "hog")[0]
    haar = detect_faces_with(hopper, "haar")[0]
    assert np.abs(hog.landmarks5 - haar.landmarks5).max() < 8


def test_alignment_gives_dlib_chip(hopper):
    det = detect_faces(hopper)[0]
    chip = align_face(hopper, det)
    assert chip.shape == (150, 150, 3)
    assert chip.dtype == np.uint8
    assert align_face(hopper, det, size=112, padding=0.0).shape == (112, 112, 3)
    # The eyes sit on a horizontal line in the aligned chip.
    chip_det = detect_faces(align_face(hopper, det, size=300, padding=0.5), upsample=0)[0]
    eyes = chip_det.landmarks5[[0, 2]]
    assert abs(eyes[0, 1] - eyes[1, 1]) < 6


def test_detection_is_thread_safe(hopper):
    results: list[int] = []

    def work() -> None:
        results.append(len(detect_faces(hopper)))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [1, 1, 1, 1]


def test_repeated_search_of_identical_pixels_runs_the_detector_once(hopper, monkeypatch):
    from openidv.face import detection

    recent = detection._RecentDetections(size=4)
    monkeypatch.setattr(detection, "_recent", recent)
    calls = []
    real_call = detection.dlib_models.HOG_DETECTOR.call
    monkeypatch.setattr(detection.dlib_models.HOG_DETECTOR, "call", lambda fn: calls.append(1) or real_call(fn))
    first = detect_faces_with(hopper, "hog", 0)
    again = detect_faces_with(hopper.copy(), "hog", 0)  # same pixels, another array
    assert len(calls) == 1 and [d.box for d in first] == [d.box for d in again]
    changed = hopper.copy()
    changed[0, 0] ^= 1
    detect_faces_with(changed, "hog", 0)
    assert len(calls) == 2
