"""One face from one image: detect, choose, align, embed.

Shared by the checks, the commands and the evaluation so that all of them measure exactly the same
pipeline. Which face to use when there are several is a policy of the caller: a selfie uses the
largest (the applicant is nearest the camera; more faces are a quality failure anyway), an LFW-style
photo the most central one (the data set's convention).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from openidv.face.alignment import align_face
from openidv.face.detection import FaceDetection, detect_faces
from openidv.face.embedding import Embedder

Choice = Literal["largest", "central"]


@dataclass(frozen=True)
class FaceSample:
    """The chosen face of an image, the other detections and its aligned chip."""

    detection: FaceDetection
    detections: tuple[FaceDetection, ...]
    chip: NDArray[np.uint8]

    @property
    def n_faces(self) -> int:
        return len(self.detections)


def choose_face(dets: list[FaceDetection], shape: tuple[int, ...], rule: Choice = "largest") -> FaceDetection:
    """The face to use: the largest, or the one whose centre is nearest the image centre."""
    if not dets:
        raise ValueError("no detections to choose from")
    if rule == "largest":
        return max(dets, key=lambda d: d.area)
    cy, cx = shape[0] / 2.0, shape[1] / 2.0

    def dist(d: FaceDetection) -> float:
        return float(np.hypot((d.box[0] + d.box[2]) / 2 - cx, (d.box[1] + d.box[3]) / 2 - cy))

    return min(dets, key=dist)


def auto_upsample(shape: tuple[int, ...]) -> int:
    """1 for small images (an LFW photo, a document portrait crop), 0 for camera frames.

    HOG finds faces down to ~80 px at upsample 0 and ~40 px at 1. Below a 400 px short side a
    face (or a second face) may well be under 80 px; a camera frame's face is far larger, so
    upsampling it would only cost time.
    """
    return 1 if min(shape[:2]) < 400 else 0


def find_face(
    rgb: NDArray[np.uint8], embedder: Embedder, *, upsample: int | None = None, rule: Choice = "largest"
) -> FaceSample | None:
    """Detect and align the chosen face for ``embedder``'s chip, or None when there is no face."""
    dets = detect_faces(rgb, upsample=auto_upsample(rgb.shape) if upsample is None else upsample)
    if not dets:
        return None
    det = choose_face(dets, rgb.shape, rule)
    chip = align_face(rgb, det, size=embedder.chip_size, padding=embedder.chip_padding)
    return FaceSample(detection=det, detections=tuple(dets), chip=chip)


def embed_samples(samples: list[FaceSample], embedder: Embedder) -> NDArray[np.float32]:
    """Embeddings of several samples in one batch, shape (n, dim)."""
    if not samples:
        return np.zeros((0, embedder.dim), np.float32)
    return embedder.embed(np.stack([s.chip for s in samples]))
