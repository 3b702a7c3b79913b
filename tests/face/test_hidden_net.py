"""The hidden-half face network (openidv.face.hidden_net) and its trainer (openidv.face.training.hidden_net)."""

from __future__ import annotations

import numpy as np
import pytest

from openidv.face import hidden_net
from openidv.face.diagnose import as_half, diagnose_no_face
from openidv.face.occlusion import shipped_model
from openidv.face.training import hidden_net as trainer


def _hide(rgb, box, half: str, colour=(40, 90, 160)):
    left, top, right, bottom = box
    w, h = right - left, bottom - top
    x0, x1, y0, y1 = int(left - 0.1 * w), int(right + 0.1 * w), int(top - 0.1 * h), int(bottom + 0.1 * h)
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    region = {
        "upper": (slice(y0, cy), slice(x0, x1)),
        "lower": (slice(cy, y1), slice(x0, x1)),
        "left": (slice(y0, y1), slice(x0, cx)),
        "right": (slice(y0, y1), slice(cx, x1)),
    }[half]
    out = rgb.copy()
    out[region] = colour
    return out


def test_windows_cover_the_photo_at_every_scale():
    windows = hidden_net.scan_windows((300, 400, 3))
    for share in hidden_net.SCALES:
        side = share * 300
        at = windows[np.isclose(windows[:, 2], side)]
        assert len(at) >= 1
        assert at[:, 0].min() - side / 2 >= -1e-3 and at[:, 0].max() + side / 2 <= 400 + 1e-3
        assert at[:, 1].min() - side / 2 >= -1e-3 and at[:, 1].max() + side / 2 <= 300 + 1e-3


def test_window_input_is_normalised_and_channels_first(hopper):
    x = hidden_net.crop_window(hopper, 200.0, 250.0, 180.0)
    assert x.shape == (3, hidden_net.INPUT, hidden_net.INPUT)
    assert abs(float(x.mean())) < 1e-3
    dark = hidden_net.crop_window((hopper * 0.2).astype(np.uint8), 200.0, 250.0, 180.0)
    assert float(np.abs(dark - x).mean()) < 0.3  # exposure is not what the network reads


def test_visible_box_is_the_half_opposite_the_hidden_one():
    f = hidden_net.HiddenFace((0, 0, 100, 100), "upper", 0.9)
    assert f.visible_box == (0, 50, 100, 100)
    assert as_half(f).part == "lower" and as_half(f).detector == "cnn"
    assert as_half(hidden_net.HiddenFace((0, 0, 100, 100), "left", 0.9)).face_width == 100


def test_the_shipped_network_reads_a_whole_face_as_a_face(hopper, det):
    p = hidden_net.shipped_net().face_probabilities(hopper, det.box)
    assert hidden_net.CLASSES[int(p.argmax())] == "face"


@pytest.mark.parametrize("half", ["upper", "lower", "left", "right"])
def test_the_shipped_network_finds_which_half_is_hidden(hopper, det, half):
    p = hidden_net.shipped_net().face_probabilities(_hide(hopper, det.box, half), det.box)
    assert hidden_net.CLASSES[int(p.argmax())] == f"hidden_{half}", p


def test_faceless_scenes_show_no_hidden_face(thresholds):
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, (240, 320, 3), dtype=np.uint8)
    plain = np.full((240, 320, 3), 128, np.uint8)
    for img in (noise, plain):
        assert hidden_net.shipped_net().find(img, thresholds["min_hidden_face_prob"]) == []


def test_diagnosis_without_the_threshold_key_does_not_run_the_network(hopper, det, thresholds):
    values = {k: v for k, v in thresholds.values.items() if k != "min_hidden_face_prob"}
    from openidv.policy.thresholds import ThresholdSet

    plain = np.full((240, 320, 3), 128, np.uint8)
    codes, evidence = diagnose_no_face(plain, ThresholdSet("face_quality", "t", values), shipped_model(), 1)
    assert codes == ("FACE_NOT_FOUND",) and "visible_half" not in evidence


def test_training_windows_carry_every_class(hopper, det):
    rng = np.random.default_rng(2)
    donor = np.ascontiguousarray(hopper[::-1])
    labels = {label for _ in range(6) for _, label in trainer.photo_windows(hopper, det.box, donor, rng)}
    assert labels == set(range(len(hidden_net.CLASSES)))


def test_hide_keeps_the_visible_half(hopper, det):
    out = trainer.hide(hopper, det.box, "upper", np.ascontiguousarray(hopper[::-1]), np.random.default_rng(1))
    left, top, right, bottom = det.box
    h = bottom - top
    keep = (slice(top + int(0.75 * h), bottom), slice(left + 10, right - 10))
    assert np.array_equal(out[keep], hopper[keep])
    assert not np.array_equal(out, hopper)


def test_smoke_training_exports_a_working_onnx_model(hopper, det, tmp_path):
    """CI retrains a tiny network on windows of one face (the real run uses LFW identity half 0)."""
    pytest.importorskip("torch")
    import onnxruntime as ort

    rng = np.random.default_rng(4)
    donor = np.ascontiguousarray(hopper[::-1])
    pairs = [p for _ in range(6) for p in trainer.photo_windows(hopper, det.box, donor, rng)]
    x = np.stack([hidden_net.normalise(w) for w, _ in pairs])
    y = np.asarray([label for _, label in pairs], np.int64)
    net = trainer.fit(x, y, epochs=1, seed=0)
    path = tmp_path / "net.onnx"
    trainer.export(net, path)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    probs = hidden_net.HiddenFaceNet(session).probabilities(x[:5])
    assert probs.shape == (5, len(hidden_net.CLASSES))
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert trainer.evaluate(net, x, y)["n"] == len(y)


def test_a_large_photo_is_searched_on_a_copy_and_boxes_come_back_in_its_pixels(hopper, det):
    import cv2

    img = _hide(hopper, det.box, "upper")
    big = cv2.resize(img, (img.shape[1] * 3, img.shape[0] * 3), interpolation=cv2.INTER_LINEAR)
    found = hidden_net.shipped_net().find(big, 0.5)
    assert found and found[0].hidden == "upper"
    cx = (found[0].box[0] + found[0].box[2]) / 2
    assert 3 * det.box[0] < cx < 3 * det.box[2]
    assert found[0].face_width > 1.5 * det.width
