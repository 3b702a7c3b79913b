from __future__ import annotations

import threading

import numpy as np
import pytest

from openidv.errors import ImageError
from openidv.face.alignment import align_face
from openidv.face.detection import FaceDetection, detect_faces, detect_faces_with, plausible_landmarks


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
