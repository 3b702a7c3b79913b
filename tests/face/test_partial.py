"""Half-face detectors and the no-face diagnosis that uses them (openidv.face.partial, .diagnose)."""

from __future__ import annotations

import numpy as np

from openidv.face import partial
from openidv.face.analysis import assess_image, hidden_subject_suspected
from openidv.face.diagnose import diagnose_no_face, hidden_subject, inner_box
from openidv.face.embedding import default_embedder
from openidv.face.occlusion import shipped_model
from openidv.face.quality import QualityAssessment
from openidv.face.training.partial import cover_other_half, fit_detector


def _hide(rgb, det, half: str, colour=(40, 90, 160)):
    left, top, right, bottom = det.box
    w, h = right - left, bottom - top
    x0, x1, y0, y1 = int(left - 0.1 * w), int(right + 0.1 * w), int(top - 0.1 * h), int(bottom + 0.1 * h)
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    out = rgb.copy()
    region = {"upper": (slice(y0, cy), slice(x0, x1)), "left": (slice(y0, y1), slice(x0, cx))}[half]
    out[region] = colour
    return out


def test_part_boxes_split_the_face_box_at_its_centre_lines():
    box = (10, 20, 110, 120)
    assert partial.part_box(box, "upper") == (10, 20, 110, 70)
    assert partial.part_box(box, "lower") == (10, 70, 110, 120)
    assert partial.part_box(box, "side") == (10, 20, 60, 120)


def test_a_face_with_its_upper_half_hidden_shows_its_lower_half(hopper, det, thresholds):
    img = _hide(hopper, det, "upper")
    found = partial.find_partial_faces(img, thresholds["min_partial_margin"])
    assert found, "the visible lower half was not found"
    best = found[0]
    assert best.part == "lower" and best.hidden == "upper"
    cx = (best.box[0] + best.box[2]) / 2
    assert det.box[0] < cx < det.box[2]


def test_a_face_with_one_side_hidden_shows_the_other_side(hopper, det, thresholds):
    img = _hide(hopper, det, "left")
    found = partial.find_partial_faces(img, thresholds["min_partial_margin"])
    assert found and found[0].part == "right"
    assert found[0].face_width == 2 * (found[0].box[2] - found[0].box[0])


def test_faceless_images_show_no_half_face(thresholds):
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, (480, 640, 3), dtype=np.uint8)
    plain = np.full((480, 640, 3), 128, np.uint8)
    for img in (noise, plain):
        assert partial.find_partial_faces(img, thresholds["min_partial_margin"]) == []


def test_diagnosis_reports_occlusion_even_behind_a_dark_object(hopper, det, thresholds):
    for colour in ((40, 90, 160), (5, 5, 5)):
        codes, evidence = diagnose_no_face(_hide(hopper, det, "upper", colour), thresholds, shipped_model(), 1)
        assert codes == ("FACE_OCCLUDED",), evidence
        assert evidence["visible_half"]["part"] == "lower"


def test_diagnosis_of_a_faceless_scene_is_face_not_found(thresholds):
    plain = np.full((480, 640, 3), 128, np.uint8)
    codes, _ = diagnose_no_face(plain, thresholds, shipped_model(), 1)
    assert codes == ("FACE_NOT_FOUND",)


def test_training_covers_only_the_other_half(hopper, det):
    rng = np.random.default_rng(3)
    donor = hopper[::-1].copy()
    out = cover_other_half(hopper, det.box, "lower", donor, rng)
    left, top, right, bottom = partial.part_box(det.box, "lower")
    h = det.box[3] - det.box[1]
    keep = (slice(top + int(0.09 * h), bottom), slice(left, right))
    assert np.array_equal(out[keep], hopper[keep])
    assert not np.array_equal(out, hopper)


def test_smoke_training_learns_a_half_face(hopper, det):
    """CI retrains a tiny detector on jittered copies of one face (the real run uses LFW half 0)."""
    import dlib

    rng = np.random.default_rng(5)
    images, boxes = [], []
    left, top, right, bottom = partial.part_box(det.box, "lower")
    for _ in range(8):
        dy, dx = (int(v) for v in rng.integers(-6, 7, 2))
        img = np.roll(hopper, (dy, dx), axis=(0, 1))
        images.append(np.ascontiguousarray(img))
        boxes.append([dlib.rectangle(left + dx, top + dy, right + dx, bottom + dy)])
    detector = fit_detector(images, boxes, "lower", c=5.0)
    rects = detector(hopper)
    assert len(rects) >= 1
    near = [
        r for r in rects if abs(r.left() - left) < 0.25 * (right - left) and abs(r.top() - top) < 0.25 * (bottom - top)
    ]
    assert near


def _with_bystander(rgb, det, scale: float = 0.5):
    """``rgb`` with a small copy of its face pasted in the top-left corner (a bystander)."""
    import cv2

    left, top, right, bottom = det.box
    pad = (right - left) // 3
    face = rgb[max(0, top - pad) : bottom + pad, max(0, left - pad) : right + pad]
    small = cv2.resize(face, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    out = rgb.copy()
    out[4 : 4 + small.shape[0], 4 : 4 + small.shape[1]] = small
    return out


def test_inner_box_keeps_the_central_share():
    assert inner_box((0, 0, 100, 50)) == (15, 8, 85, 42)


def test_a_bystander_does_not_hide_that_the_subject_is_half_hidden(hopper, det, thresholds):
    """The applicant's upper half hidden, a small face in the corner: FACE_OCCLUDED, not the bystander's verdict."""
    img = _hide(_with_bystander(hopper, det), det, "upper")
    a = assess_image("selfie", "selfie", img, thresholds, default_embedder())
    assert a.sample is not None and a.sample.detection.width < 0.6 * det.width  # the bystander was detected
    assert a.reason_codes == ("FACE_OCCLUDED",), a.evidence()
    hidden = a.evidence()["hidden_subject"]
    assert hidden["visible_half"]["part"] == "lower"
    assert hidden["implied_face_width"] >= thresholds["min_hidden_face_ratio"] * hidden["detected_face_width"]
    assert not a.usable


def test_a_face_that_fails_for_its_own_reason_keeps_it(hopper, det, thresholds):
    """A dark subject: the halves found are halves of the detected face itself, so FACE_TOO_DARK stands."""
    dark = (hopper.astype(np.float32) * 0.1).astype(np.uint8)
    a = assess_image("selfie", "selfie", dark, thresholds, default_embedder())
    assert a.reason_codes == ("FACE_TOO_DARK",)
    assert a.sample is not None and hidden_subject(dark, a.sample.detection, thresholds) is None


def test_only_failing_or_off_centre_faces_are_searched(det):
    ok = QualityAssessment((), 0.9, {})
    bad = QualityAssessment(("FACE_BLURRY",), 0.2, {})
    occluded = QualityAssessment(("FACE_OCCLUDED",), 0.2, {})
    left, top, right, bottom = det.box
    cx, cy = (left + right) // 2, (top + bottom) // 2
    centred = (2 * cx, 2 * cy, 3)
    assert not hidden_subject_suspected(det, centred, ok)
    assert hidden_subject_suspected(det, centred, bad)
    assert not hidden_subject_suspected(det, centred, occluded)
    assert hidden_subject_suspected(det, (8 * cy, 8 * cx, 3), ok)  # the face in the frame's top-left corner


def test_a_tiny_weak_candidate_does_not_overrule_a_face_sized_half(hopper, det, thresholds):
    from openidv.face.diagnose import _size_contradicted
    from openidv.face.partial import PartialFace

    half = PartialFace("lower", (100, 200, 300, 300), 0.5)
    assert _size_contradicted(("FACE_TOO_SMALL",), half, thresholds)
    assert not _size_contradicted(("FACE_BLURRY",), half, thresholds)
    small = PartialFace("lower", (100, 200, 130, 215), 0.5)
    assert not _size_contradicted(("FACE_TOO_SMALL",), small, thresholds)
