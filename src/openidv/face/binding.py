"""Is the person proven live the person who is matched? Selfie-to-frame subject binding.

The active challenge proves that *a* person moved and reflected the issued colours; the 1:1 match
compares the *selfie* with the document. Unless the challenge frames show the selfie's person, an
applicant can perform the challenge live and submit someone else's photo as the selfie (or the
other way round). This module embeds a few challenge frames drawn at random - the face the liveness
check measured in each (its tracked box), not whichever face is largest - and any further selfies
with the same network as the match and scores each against the first selfie on the
match's calibrated scale (:mod:`openidv.face.matching`), so the face_match thresholds - tuned by
the evaluation layer on real pairs - decide, and no new threshold is guessed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from openidv.face.alignment import align_face
from openidv.face.detection import MIN_FACE_SIDE, FaceDetection, landmarks_for_box
from openidv.face.embedding import Embedder, default_embedder, similarity
from openidv.face.extract import Choice, FaceSample, embed_samples, find_face
from openidv.face.matching import shipped_calibration

T = TypeVar("T")
MAX_FRAMES = 6  # frames embedded per session, drawn at random (the client cannot know which)
SUBJECT_BOXES = "subject_boxes"  # liveness_active's artifact: {capture id: the measured face's box}


@dataclass(frozen=True)
class BoundFace:
    """One frame or extra selfie compared with the first selfie."""

    capture_id: str
    kind: str
    score: float | None  # calibrated -log10(FMR)/8; None when no face was found
    similarity: float | None

    def evidence(self) -> dict[str, Any]:
        if self.score is None:
            return {"capture_id": self.capture_id, "kind": self.kind, "face": "not found"}
        return {"capture_id": self.capture_id, "kind": self.kind, "score": round(self.score, 4),
                "similarity": round(float(self.similarity or 0.0), 5)}


def sample(frames: Sequence[T], k: int = MAX_FRAMES, rng: random.Random | None = None) -> list[T]:
    """Up to ``k`` frames drawn at random by the operating system's generator, in frame order. Fixed
    positions (evenly spaced, say) let an attacker put the selfie's person in exactly the frames
    compared and perform the challenge in the others (a review, stop 34); the evidence names the
    frames drawn."""
    rng = rng or random.SystemRandom()
    picked = sorted(rng.sample(range(len(frames)), min(k, len(frames))))
    return [frames[i] for i in picked]


def subject_sample(image: NDArray[np.uint8], box: Sequence[float], embedder: Embedder) -> FaceSample | None:
    """The face the liveness check measured, at its tracked box: landmarks predicted in that box and
    the chip aligned from them, with no new detection. Searching the frame again would take the
    largest face - a bystander, or a photo held beside the face - and, within a region around the
    box, a neighbour reaching into it; it also cost a second detector pass on turned heads (CPU p99
    2.3 s per response, stop 34). None when the box lies (nearly) outside the frame."""
    h, w = image.shape[:2]
    clipped = (max(0, round(box[0])), max(0, round(box[1])), min(w, round(box[2])), min(h, round(box[3])))
    if clipped[2] - clipped[0] < MIN_FACE_SIDE or clipped[3] - clipped[1] < MIN_FACE_SIDE:
        return None
    det = FaceDetection(box=clipped, landmarks5=landmarks_for_box(image, clipped), confidence=1.0, detector="tracked")
    chip = align_face(image, det, size=embedder.chip_size, padding=embedder.chip_padding)
    return FaceSample(detection=det, detections=(det,), chip=chip)


def embed_subjects(
    frames: Sequence[tuple[NDArray[np.uint8], Sequence[float]]], embedder: Embedder | None = None
) -> list[NDArray[np.float32] | None]:
    """The embedding of the measured face in each (frame, tracked box), or None where the box is
    outside the frame (:func:`subject_sample`)."""
    embedder = embedder or default_embedder()
    return _embed([subject_sample(np.asarray(img), box, embedder) for img, box in frames], embedder)


def _embed(samples: Sequence[FaceSample | None], embedder: Embedder) -> list[NDArray[np.float32] | None]:
    found = [s for s in samples if s is not None]
    vectors = iter(embed_samples(found, embedder))
    return [next(vectors) if s is not None else None for s in samples]


def embed_images(
    images: Sequence[NDArray[np.uint8]], embedder: Embedder | None = None, rule: Choice = "largest"
) -> list[NDArray[np.float32] | None]:
    """The chosen face's embedding in each image, or None where no face is found. No quality gate:
    a challenge frame is small and mid-turn by design; what matters is whose face it is."""
    embedder = embedder or default_embedder()
    return _embed([find_face(np.asarray(img), embedder, rule=rule) for img in images], embedder)


def bind(
    reference: NDArray[np.float32],
    others: Sequence[tuple[str, str, NDArray[np.float32] | None]],
    embedder: Embedder | None = None,
) -> list[BoundFace]:
    """Score each (capture id, kind, embedding) against the reference selfie's embedding."""
    embedder = embedder or default_embedder()
    cal = shipped_calibration()
    out = []
    for cid, kind, emb in others:
        if emb is None:
            out.append(BoundFace(cid, kind, None, None))
            continue
        sim = float(similarity(reference, emb, embedder.metric)[0])
        out.append(BoundFace(cid, kind, float(cal.score(sim)), sim))
    return out
