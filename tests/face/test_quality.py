from __future__ import annotations

import numpy as np
import pytest

from openidv.face import degrade, occlusion
from openidv.face.detection import detect_faces
from openidv.face.quality import (
    QualityMeasures,
    assess,
    blockiness,
    exposure,
    pose,
    quality_chip,
    sharpness,
)
from openidv.imaging.decode import decode_image, encode_jpeg
from openidv.policy.thresholds import ThresholdSet

LIMITS = {
    "max_other_face_ratio": 0.3,
    "min_inter_eye_px": 20.0,
    "min_sharpness": 0.025,
    "min_face_luma": 40.0,
    "max_face_luma": 220.0,
    "max_dark_clip": 0.3,
    "max_bright_clip": 0.3,
    "max_abs_yaw": 0.3,
    "min_pitch": 0.3,
    "max_pitch": 1.2,
    "max_abs_roll_deg": 25.0,
    "max_occlusion": 0.3,
    "max_blockiness": 1.6,
}


@pytest.fixture(scope="module")
def limits():
    return ThresholdSet("face_quality", "test", LIMITS)


def _good(**kw):
    base = {
        "other_face_ratio": 0.0,
        "inter_eye_px": 60.0,
        "sharpness": 0.06,
        "mean_luma": 120.0,
        "dark_clip": 0.0,
        "bright_clip": 0.0,
        "yaw": 0.0,
        "pitch": 0.7,
        "roll_deg": 2.0,
        "occlusion": 0.05,
        "blockiness": 1.05,
        "face_width_px": 150.0,
    }
    return QualityMeasures(**(base | kw))


def test_pose_of_a_frontal_face(det):
    ied, yaw, pitch, roll = pose(det.landmarks5)
    assert ied > 40
    assert abs(yaw) < 0.2
    assert 0.3 < pitch < 1.2
    assert abs(roll) < 15


def test_rotated_landmarks_change_roll(det):
    c = det.landmarks5.mean(axis=0)
    a = np.deg2rad(30)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]], np.float32)
    lm = (det.landmarks5 - c) @ rot.T + c
    assert abs(pose(lm)[3] - pose(det.landmarks5)[3]) == pytest.approx(30, abs=0.5)


def test_blur_lowers_sharpness_and_exposure_moves_luma(hopper, det):
    chip = quality_chip(hopper, det).astype(np.float32).mean(axis=2)
    rng = np.random.default_rng(0)
    blurred = quality_chip(degrade.blur(hopper, det, rng), det).astype(np.float32).mean(axis=2)
    assert sharpness(blurred) < 0.7 * sharpness(chip)
    dark = quality_chip(degrade.dark(hopper, det, rng), det).astype(np.float32).mean(axis=2)
    bright = quality_chip(degrade.overexposed(hopper, det, rng), det).astype(np.float32).mean(axis=2)
    assert exposure(dark)[0] < 40 < exposure(chip)[0] < exposure(bright)[0]


def test_heavy_jpeg_is_blocky(hopper, det):
    clean = blockiness(hopper, det.box)
    coarse = decode_image(encode_jpeg(hopper, quality=5)).rgb
    assert blockiness(coarse, det.box) > clean + 0.3


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"other_face_ratio": 0.9}, "MULTIPLE_FACES"),
        ({"inter_eye_px": 10.0, "sharpness": 0.01}, "FACE_TOO_SMALL"),
        ({"sharpness": 0.01}, "FACE_BLURRY"),
        ({"mean_luma": 20.0, "sharpness": 0.01}, "FACE_TOO_DARK"),
        ({"bright_clip": 0.8}, "FACE_OVEREXPOSED"),
        ({"yaw": -0.6}, "FACE_POSE"),
        ({"occlusion": 0.6}, "FACE_OCCLUDED"),
        ({"blockiness": 2.5}, "FACE_COMPRESSED"),
    ],
)
def test_each_component_has_its_reason_and_root_causes_mask_symptoms(limits, change, code):
    a = assess(_good(**change), limits)
    assert a.reason_codes == (code,)
    assert a.score < 0.5
    assert not a.acceptable


def test_collapsed_landmarks_of_an_occluded_face_are_not_a_size_problem():
    t = ThresholdSet("face_quality", "test", LIMITS | {"min_face_width_px": 60.0})
    # Normal box, landmarks pulled together by a hidden half: the occlusion is the root cause.
    a = assess(_good(inter_eye_px=15.0, occlusion=0.9, face_width_px=120.0), t)
    assert a.reason_codes == ("FACE_OCCLUDED",)
    # Box small as well: really a tiny face, whose upscaled chip looks occluded and blurred.
    a = assess(_good(inter_eye_px=15.0, occlusion=0.9, sharpness=0.01, face_width_px=40.0), t)
    assert a.reason_codes == ("FACE_TOO_SMALL",)
    # Small landmarks, normal box, nothing else wrong: still too small (no evidence of a cause).
    assert assess(_good(inter_eye_px=15.0, face_width_px=120.0), t).reason_codes == ("FACE_TOO_SMALL",)


def test_a_good_face_passes_with_score_above_half(limits):
    a = assess(_good(), limits)
    assert a.acceptable
    assert a.score > 0.5
    assert set(a.margins) >= {"size", "sharpness", "occlusion"}


def test_occlusion_model_flags_a_covered_half(hopper, det):
    rng = np.random.default_rng(0)
    # A tiny one-class model fitted on jittered copies of the one real face available offline.
    chips = []
    for _ in range(40):
        shift = rng.integers(-3, 4, 2)
        img = np.roll(hopper, tuple(shift), axis=(0, 1))
        img = np.clip(img.astype(np.float32) * rng.uniform(0.8, 1.2), 0, 255).astype(np.uint8)
        chips.append(occlusion.cell_features(quality_chip(img, det)))
    model = occlusion.fit(np.stack(chips), quantile=0.99)
    clean = model.score(quality_chip(hopper, det))
    covered = model.score(quality_chip(degrade.occluded(hopper, det, rng), det))
    assert covered > clean + 0.3


def test_degradations_keep_shape_and_two_faces_widen(hopper, det):
    rng = np.random.default_rng(1)
    for kind in ("blur", "dark", "overexposed", "occluded", "tiny"):
        out = degrade.degrade(kind, hopper, det, rng)
        assert out.shape == hopper.shape
        assert out.dtype == np.uint8
    two = degrade.degrade("two_faces", hopper, det, rng, other=hopper[:, ::-1].copy())
    assert two.shape[1] == 2 * hopper.shape[1]
    assert len(detect_faces(two)) == 2
    with pytest.raises(ValueError, match="unknown"):
        degrade.degrade("fog", hopper, det, rng)
