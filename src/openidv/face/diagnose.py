"""Why was no face found? A specific instruction beats "we could not see your face".

When every detector misses, the usual causes are the quality problems themselves: the photo is
too dark or washed out, the face is tiny, blurred, or half hidden. This module looks for them:

* exposure of the central part of the image (where a selfie's face is), against the same
  ``face_quality`` luma limits;
* a visible half of a face (:mod:`openidv.face.partial`: detectors trained on the upper, lower
  and side halves of real faces): the other half is hidden, FACE_OCCLUDED, judged first by the
  exposure of the visible half;
* failing those, a window the hidden-half network (:mod:`openidv.face.hidden_net`, a small CNN
  that reads square windows as a whole face, background, or a face with one half hidden) reads
  as a half-hidden face with at least ``min_hidden_face_prob``: the same evidence, with
  ``detector: cnn``;
* a weak face candidate: dlib's HOG detector with its threshold lowered by ``WEAK_ADJUST`` and one
  more level of upsampling. A candidate whose landmarks are plausible is measured like a face: too
  small (inter-eye distance), blurred (sharpness), or half-occluded (one half of the face grid
  looks like a face and the other does not, per the one-class occlusion model).

Nothing is found -> FACE_NOT_FOUND. Noise and faceless scenes rarely yield a plausible candidate
whose one half looks like a real face, so they keep FACE_NOT_FOUND.

The same half-face evidence also serves when a face *was* detected (:func:`hidden_subject`): a
detected face may be a bystander, or a shrunken box on the visible part of a half-hidden face.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
from numpy.typing import NDArray

from openidv.face import dlib_models
from openidv.face.detection import FaceDetection, downscale, landmarks_for_box, margin_confidence, plausible_landmarks
from openidv.face.hidden_net import CLASSES, HiddenFace, shipped_net
from openidv.face.occlusion import GRID
from openidv.face.partial import PartialFace, find_partial_faces
from openidv.face.quality import pose, quality_chip, sharpness

if TYPE_CHECKING:
    from openidv.face.occlusion import OcclusionModel
    from openidv.policy.thresholds import ThresholdSet

WEAK_ADJUST = -0.8  # HOG score offset for weak candidates (0 = the detector's own threshold)
# A weak candidate's own diagnosis wins over a visible half only when it is about the same face,
# i.e. its box at least this share of the face width the half implies (a design choice, not tuned:
# a tiny candidate elsewhere in the frame must not overrule a face-sized half).
COMPARABLE_WIDTH = 0.6


def central_exposure(rgb: NDArray[np.uint8]) -> tuple[float, float, float]:
    """Mean luma and dark/bright clipped shares of the central 50% of the image."""
    h, w = rgb.shape[:2]
    return region_exposure(rgb, (w // 4, h // 4, w - w // 4, h - h // 4))


def weak_candidate(rgb: NDArray[np.uint8], upsample: int) -> FaceDetection | None:
    """The strongest sub-threshold HOG candidate with plausible landmarks, if any."""
    work, scale = downscale(rgb, 640)

    def run(det: Any) -> Any:
        return det.run(work, min(upsample + 1, 2), WEAK_ADJUST)

    rects, scores, _ = dlib_models.HOG_DETECTOR.call(run)
    h, w = rgb.shape[:2]
    ranked = sorted(zip(scores, rects, strict=True), key=lambda p: -float(p[0]))
    for score, r in ranked[:3]:
        box = (
            max(0, round(r.left() / scale)),
            max(0, round(r.top() / scale)),
            min(w, round(r.right() / scale)),
            min(h, round(r.bottom() / scale)),
        )
        if box[2] - box[0] < 12 or box[3] - box[1] < 12:
            continue
        lm = landmarks_for_box(rgb, box)
        if plausible_landmarks(lm, box):
            conf = margin_confidence(float(score))
            return FaceDetection(box=box, landmarks5=lm, confidence=conf, detector="hog_weak")
    return None


def half_occluded(chip: NDArray[np.uint8], model: OcclusionModel, limit: float) -> bool:
    """One half of the face grid (top, bottom, left or right) face-like, the opposite half not."""
    r = np.log1p(model.cell_distances(chip) / model.cell_threshold).reshape(GRID, GRID)
    h = GRID // 2
    halves = {"top": r[:h].mean(), "bottom": r[h:].mean(), "left": r[:, :h].mean(), "right": r[:, h:].mean()}
    pairs = (("top", "bottom"), ("left", "right"))
    return any(min(halves[a], halves[b]) <= limit < max(halves[a], halves[b]) for a, b in pairs)


def region_exposure(rgb: NDArray[np.uint8], box: tuple[int, int, int, int]) -> tuple[float, float, float]:
    """Mean luma and dark/bright clipped shares inside a box (the whole image if the box is empty)."""
    left, top, right, bottom = box
    region = rgb[top:bottom, left:right]
    grey = cv2.cvtColor(np.ascontiguousarray(region if region.size else rgb), cv2.COLOR_RGB2GRAY)
    return float(grey.mean()), float((grey <= 15).mean()), float((grey >= 245).mean())


def inner_box(box: tuple[int, int, int, int], share: float = 0.7) -> tuple[int, int, int, int]:
    """The central ``share`` of a box each way: the part of a face region that is surely face.

    The same convention as the exposure of a detected face (its inner 70%): a visible half's
    box reaches to the occluder's edge and to the hair, which must not make the face "too dark".
    """
    left, top, right, bottom = box
    mx, my = round((right - left) * (1 - share) / 2), round((bottom - top) * (1 - share) / 2)
    return left + mx, top + my, right - mx, bottom - my


def exposure_codes(mean: float, dark: float, bright: float, t: ThresholdSet) -> tuple[str, ...]:
    if mean < t["min_face_luma"] or dark > t["max_dark_clip"]:
        return ("FACE_TOO_DARK",)
    if mean > t["max_face_luma"] or bright > t["max_bright_clip"]:
        return ("FACE_OVEREXPOSED",)
    return ()


def candidate_codes(
    rgb: NDArray[np.uint8], cand: FaceDetection, t: ThresholdSet, model: OcclusionModel
) -> tuple[str, ...]:
    """What is wrong with a weak full-face candidate, or () when nothing explains the miss.

    Occlusion is tested before size: a half-hidden face often yields a weak candidate on its
    visible half, smaller than the face, whose grid is face-like on one side only; a face that is
    really tiny looks uniformly face-like (or uniformly blurred) when its chip is enlarged.
    """
    chip = quality_chip(rgb, cand)
    if half_occluded(chip, model, t["max_occlusion"]):
        return ("FACE_OCCLUDED",)
    if pose(cand.landmarks5)[0] < t["min_inter_eye_px"]:
        return ("FACE_TOO_SMALL",)
    grey = cv2.cvtColor(chip, cv2.COLOR_RGB2GRAY).astype(np.float32)
    if sharpness(grey) < t["min_sharpness"]:
        return ("FACE_BLURRY",)
    return ()


def _size_contradicted(cand_codes: tuple[str, ...], half: PartialFace, t: ThresholdSet) -> bool:
    """A weak candidate's "too small" against a visible half that implies a face of normal size.

    The candidate is then the visible part of the half-hidden face (its landmarks collapse, so its
    inter-eye distance is small), not a tiny face: the same reading as for a detected face whose
    box is of normal size (``min_face_width_px``, :func:`openidv.face.quality.assess`).
    """
    limit = t.values.get("min_face_width_px")
    return cand_codes == ("FACE_TOO_SMALL",) and limit is not None and half.face_width >= float(limit)


def as_half(found: HiddenFace) -> PartialFace:
    """A hidden-half window of the network as a visible half (the same evidence shape as a HOG half)."""
    part = {"upper": "lower", "lower": "upper", "left": "right", "right": "left"}[found.hidden]
    return PartialFace(part, found.visible_box, found.probability, detector="cnn")


def network_halves(rgb: NDArray[np.uint8], t: ThresholdSet) -> list[HiddenFace]:
    """Hidden-half faces from :mod:`openidv.face.hidden_net`, or [] for sets without its threshold."""
    limit = t.values.get("min_hidden_face_prob")
    return [] if limit is None else shipped_net().find(rgb, float(limit))


def half_evidence(half: PartialFace) -> dict[str, object]:
    return {"part": half.part, "box": list(half.box), "margin": round(half.margin, 3), "detector": half.detector}


def diagnose_no_face(
    rgb: NDArray[np.uint8], t: ThresholdSet, model: OcclusionModel, upsample: int
) -> tuple[tuple[str, ...], dict[str, object]]:
    """Reason codes for an image where no face was detected, and what was measured.

    Order of evidence: a visible face half (:mod:`openidv.face.partial`) is the strongest, unless
    a weak full-face candidate at least comparable in size explains the miss; a half is judged
    by the exposure of what is visible (a dark scarf must not make the face "too dark"), then
    reported as FACE_OCCLUDED. Without a half, the exposure of the image centre, then the weak
    candidate, then FACE_NOT_FOUND.
    """
    mean, dark, bright = central_exposure(rgb)
    evidence: dict[str, object] = {"central_luma": round(mean, 1), "dark_clip": round(dark, 3)}
    evidence["bright_clip"] = round(bright, 3)
    cand = weak_candidate(rgb, upsample)
    cand_codes: tuple[str, ...] = ()
    if cand is not None:
        evidence["weak_candidate"] = {"box": list(cand.box), "confidence": round(cand.confidence, 3)}
        cand_codes = candidate_codes(rgb, cand, t, model)
    halves = find_partial_faces(rgb, t["min_partial_margin"]) or [as_half(f) for f in network_halves(rgb, t)]
    if halves:
        half = halves[0]
        evidence["visible_half"] = half_evidence(half)
        comparable = cand is not None and cand.width >= COMPARABLE_WIDTH * half.face_width
        if not (cand_codes and comparable) or _size_contradicted(cand_codes, half, t):
            return exposure_codes(*region_exposure(rgb, inner_box(half.box)), t) or ("FACE_OCCLUDED",), evidence
    codes = exposure_codes(mean, dark, bright, t)
    if codes:
        return codes, evidence
    return cand_codes or ("FACE_NOT_FOUND",), evidence


def hidden_subject(
    rgb: NDArray[np.uint8], det: FaceDetection, t: ThresholdSet, faces: Sequence[FaceDetection] = ()
) -> tuple[tuple[str, ...], dict[str, object]] | None:
    """FACE_OCCLUDED when the face that was detected is not the subject, who is half hidden.

    Run only for the faces :func:`openidv.face.analysis.hidden_subject_suspected` picks (failing
    quality, or off the centre of the frame), so a good centred face costs nothing. When half of
    the applicant's face is hidden, what the full-face detectors find is often a bystander, or a
    shrunken box on the visible part; in both cases its own reasons (too small, too dark, a pass)
    would tell the user the wrong thing. Evidence: a visible face half (:mod:`openidv.face.partial`,
    margin at least ``min_partial_margin``) implying a face at least ``min_hidden_face_ratio``
    times as wide as the detected one. That ratio is tuned on real faces with other quality
    problems (``openidv.face.training.quality``), for which a half found *on the
    detected face itself* implies at about its own width. Sets without the key skip the test.

    Failing that, the hidden-half network: a window it reads as a half-hidden face (probability at
    least ``min_hidden_face_prob``) at least ``COMPARABLE_WIDTH`` as wide as the detected face, which
    may be that face itself (its box shrunk to the visible part, or a borderline one whose grid
    occlusion score stayed under its limit). The network tells a whole face from a half-hidden one,
    so no size ratio is needed to rule out the detected face: a window overlapping one of ``faces``
    (or ``det``) that the network reads as a whole face is a window beside it and is skipped. Its
    threshold is tuned so that it costs at most 1% of faces with other quality problems their reason.
    """
    ratio = t.values.get("min_hidden_face_ratio")
    if ratio is None:
        return None
    for half in find_partial_faces(rgb, t["min_partial_margin"]):
        if half.face_width >= float(ratio) * det.width:
            return _hidden_result(rgb, half, det, t)
    whole: dict[tuple[int, int, int, int], bool] = {}
    for found in network_halves(rgb, t):
        if found.face_width < COMPARABLE_WIDTH * det.width:
            continue
        if any(_overlaps(found.box, f.box) and _reads_whole(rgb, f, whole) for f in (det, *faces)):
            continue  # a window beside a face that is wholly visible, not a half-hidden one
        return _hidden_result(rgb, as_half(found), det, t)
    return None


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int], share: float = 0.3) -> bool:
    """Whether two boxes share at least ``share`` of the smaller one's area."""
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return smaller > 0 and ix * iy >= share * smaller


def _reads_whole(
    rgb: NDArray[np.uint8], face: FaceDetection, memo: dict[tuple[int, int, int, int], bool]
) -> bool:
    """Whether the network reads a detected face's own window as a whole, visible face."""
    if face.box not in memo:
        p = shipped_net().face_probabilities(rgb, face.box)
        memo[face.box] = int(p.argmax()) == CLASSES.index("face")
    return memo[face.box]


def _hidden_result(
    rgb: NDArray[np.uint8], half: PartialFace, det: FaceDetection, t: ThresholdSet
) -> tuple[tuple[str, ...], dict[str, object]]:
    evidence: dict[str, object] = {
        "visible_half": half_evidence(half),
        "implied_face_width": half.face_width,
        "detected_face_width": det.width,
    }
    return exposure_codes(*region_exposure(rgb, inner_box(half.box)), t) or ("FACE_OCCLUDED",), evidence
