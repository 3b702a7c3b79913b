"""Find a face of which only one half is visible: the evidence behind FACE_OCCLUDED when no face is found.

When a hand, a phone or a scarf hides half of the face, the full-face detectors (HOG, CNN, Haar)
usually find nothing, and "no face found" would tell the user the wrong thing. Three small
HOG detectors, each trained (``python -m openidv.face.training.partial``) on the *visible half*
of real faces only, look for what is left:

* ``upper``: eyes and nose bridge (the lower half hidden: mask, scarf, hand over the mouth);
* ``lower``: nose tip, mouth and chin (the upper half hidden: hand over the eyes, a card);
* ``side``: one vertical half of the face (the image-left half; the image-right half is the same
  detector run on the mirrored image).

Each is trained on windows cut from real face boxes at their centre lines; in most training
photos the other half is hidden behind a patch of another photo, so that the window's border
does not expect more face beyond the cut. The quality report tests them with a different
occluder family (solid, noise and shaded fills, :mod:`openidv.face.degrade`); real hands and
scarves do not cut a face at its centre line, which the report's figures do not cover.
A half is only accepted when its detector's margin reaches the tuned ``min_partial_margin``
(``face_quality`` threshold set), which keeps faceless scenes at FACE_NOT_FOUND.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from openidv.face.detection import downscale
from openidv.face.dlib_models import Guarded

PACKAGE = "openidv.face"
PARTS = ("upper", "lower", "side")
MODEL_NAMES = {part: f"face_half_{part}" for part in PARTS}
MAX_SIDE = 640  # the searched image's longest side, as for the full-face HOG detector
UPSAMPLE_BELOW = 400  # images whose longest side is below this are searched at twice the size


@dataclass(frozen=True)
class PartialFace:
    """A visible half of a face: which half, where (original image pixels) and the detector margin."""

    part: str  # upper | lower | left | right (which half of the face is visible, image orientation)
    box: tuple[int, int, int, int]
    margin: float  # detector score minus its own threshold (0 = the detector's default); a probability for "cnn"
    detector: str = "hog"  # hog: the half-face detectors here; cnn: openidv.face.hidden_net

    @property
    def face_width(self) -> int:
        """Width of the whole face implied by the visible half (a side half is half as wide)."""
        w = self.box[2] - self.box[0]
        return 2 * w if self.part in ("left", "right") else w

    @property
    def hidden(self) -> str:
        return {"upper": "lower", "lower": "upper", "left": "right", "right": "left"}[self.part]


def part_box(box: tuple[int, int, int, int], part: str) -> tuple[int, int, int, int]:
    """The window of one visible half within a full face box (the definition used for training)."""
    left, top, right, bottom = box
    cx, cy = (left + right) // 2, (top + bottom) // 2
    return {
        "upper": (left, top, right, cy),
        "lower": (left, cy, right, bottom),
        "side": (left, top, cx, bottom),
    }[part]


def _load(part: str) -> Any:
    """The shipped dlib detector of one half, hash-verified through the model registry."""
    import dlib

    from openidv.models.registry import model_path

    return dlib.fhog_object_detector(str(model_path(PACKAGE, MODEL_NAMES[part])))


# Loaded on first use and called under a lock, like the other dlib models (dlib_models.Guarded).
_DETECTORS: dict[str, Guarded[Any]] = {part: Guarded(partial(_load, part)) for part in PARTS}


def _run(part: str, img: NDArray[np.uint8], adjust: float) -> list[tuple[tuple[float, float, float, float], float]]:
    """Every window of one half's detector with its margin (score minus the detector's threshold)."""
    rects, scores, _ = _DETECTORS[part].call(lambda det: det.run(img, 0, adjust))
    return [((r.left(), r.top(), r.right(), r.bottom()), float(s)) for r, s in zip(rects, scores, strict=True)]


def find_partial_faces(rgb: NDArray[np.uint8], min_margin: float, min_side: int = 20) -> list[PartialFace]:
    """Every visible face half whose margin reaches ``min_margin``, best first."""
    work, scale = downscale(rgb, MAX_SIDE)
    up = 2.0 if max(work.shape[:2]) < UPSAMPLE_BELOW else 1.0
    if up > 1.0:
        size = (work.shape[1] * 2, work.shape[0] * 2)
        work = np.ascontiguousarray(cv2.resize(work, size, interpolation=cv2.INTER_LINEAR))
    factor = scale * up
    h, w = rgb.shape[:2]
    found: list[PartialFace] = []

    def add(part: str, raw: list[tuple[tuple[float, float, float, float], float]], mirrored: bool) -> None:
        for (l_, t_, r_, b_), s in raw:
            if s < min_margin:
                continue
            if mirrored:
                l_, r_ = work.shape[1] - 1 - r_, work.shape[1] - 1 - l_
            box = (
                max(0, round(l_ / factor)),
                max(0, round(t_ / factor)),
                min(w, round(r_ / factor)),
                min(h, round(b_ / factor)),
            )
            if min(box[2] - box[0], box[3] - box[1]) >= min_side // 2:
                found.append(PartialFace(part, box, s))

    adjust = min(0.0, min_margin)
    add("upper", _run("upper", work, adjust), False)
    add("lower", _run("lower", work, adjust), False)
    add("left", _run("side", work, adjust), False)
    add("right", _run("side", np.ascontiguousarray(work[:, ::-1]), adjust), True)
    return sorted(found, key=lambda p: -p.margin)
