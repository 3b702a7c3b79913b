"""Why was no face found? A specific instruction beats "we could not see your face".

When every detector misses, the usual causes are the quality problems themselves: the photo is
too dark or washed out, the face is tiny, blurred, or half hidden. This module looks for them:

* exposure of the central part of the image (where a selfie's face is), against the same
  ``face_quality`` luma limits;
* a weak face candidate: dlib's HOG detector with its threshold lowered by ``WEAK_ADJUST`` and one
  more level of upsampling. A candidate whose landmarks are plausible is measured like a face: too
  small (inter-eye distance), blurred (sharpness), or half-occluded (one half of the face grid
  looks like a face and the other does not, per the one-class occlusion model).

Nothing is found -> FACE_NOT_FOUND. Noise and faceless scenes rarely yield a plausible candidate
whose one half looks like a real face, so they keep FACE_NOT_FOUND.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
from numpy.typing import NDArray

from openidv.face import dlib_models
from openidv.face.detection import FaceDetection, downscale, landmarks_for_box, margin_confidence, plausible_landmarks
from openidv.face.occlusion import GRID
from openidv.face.quality import pose, quality_chip, sharpness

if TYPE_CHECKING:
    from openidv.face.occlusion import OcclusionModel
    from openidv.policy.thresholds import ThresholdSet

WEAK_ADJUST = -0.8  # HOG score offset for weak candidates (0 = the detector's own threshold)


def central_exposure(rgb: NDArray[np.uint8]) -> tuple[float, float, float]:
    """Mean luma and dark/bright clipped shares of the central 50% of the image."""
    h, w = rgb.shape[:2]
    centre = rgb[h // 4 : h - h // 4, w // 4 : w - w // 4]
    grey = cv2.cvtColor(np.ascontiguousarray(centre), cv2.COLOR_RGB2GRAY)
    return float(grey.mean()), float((grey <= 15).mean()), float((grey >= 245).mean())


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


def diagnose_no_face(
    rgb: NDArray[np.uint8], t: ThresholdSet, model: OcclusionModel, upsample: int
) -> tuple[tuple[str, ...], dict[str, object]]:
    """Reason codes for an image where no face was detected, and what was measured."""
    mean, dark, bright = central_exposure(rgb)
    evidence: dict[str, object] = {"central_luma": round(mean, 1), "dark_clip": round(dark, 3)}
    evidence["bright_clip"] = round(bright, 3)
    if mean < t["min_face_luma"] or dark > t["max_dark_clip"]:
        return ("FACE_TOO_DARK",), evidence
    if mean > t["max_face_luma"] or bright > t["max_bright_clip"]:
        return ("FACE_OVEREXPOSED",), evidence
    cand = weak_candidate(rgb, upsample)
    if cand is None:
        return ("FACE_NOT_FOUND",), evidence
    evidence["weak_candidate"] = {"box": list(cand.box), "confidence": round(cand.confidence, 3)}
    ied = pose(cand.landmarks5)[0]
    if ied < t["min_inter_eye_px"]:
        return ("FACE_TOO_SMALL",), evidence
    chip = quality_chip(rgb, cand)
    if half_occluded(chip, model, t["max_occlusion"]):
        return ("FACE_OCCLUDED",), evidence
    grey = cv2.cvtColor(chip, cv2.COLOR_RGB2GRAY).astype(np.float32)
    if sharpness(grey) < t["min_sharpness"]:
        return ("FACE_BLURRY",), evidence
    return ("FACE_NOT_FOUND",), evidence
