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

from openidv.face.embedding import Embedder, default_embedder, similarity
from openidv.face.extract import Choice, embed_samples, find_face
from openidv.face.matching import shipped_calibration

T = TypeVar("T")
MAX_FRAMES = 6  # frames embedded per session, drawn at random (the client cannot know which)
SUBJECT_BOXES = "subject_boxes"  # liveness_active's artifact: {capture id: the measured face's box}
CROP_MARGIN = 0.6  # around a tracked box, in box sizes: the detector needs context around the face


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


def subject_crop(image: NDArray[np.uint8], box: Sequence[float]) -> NDArray[np.uint8]:
    """The region around the face the liveness check measured: comparing the largest face of the
    whole frame would take a bystander, or a photo held beside the face, instead."""
    h, w = image.shape[:2]
    size = max(box[2] - box[0], box[3] - box[1], 1.0)
    m = CROP_MARGIN * size
    x0, y0 = max(int(box[0] - m), 0), max(int(box[1] - m), 0)
    x1, y1 = min(int(box[2] + m), w), min(int(box[3] + m), h)
    return np.ascontiguousarray(image[y0:y1, x0:x1]) if x1 - x0 > 8 and y1 - y0 > 8 else image


def embed_images(
    images: Sequence[NDArray[np.uint8]], embedder: Embedder | None = None, rule: Choice = "largest"
) -> list[NDArray[np.float32] | None]:
    """The chosen face's embedding in each image, or None where no face is found. No quality gate:
    a challenge frame is small and mid-turn by design; what matters is whose face it is."""
    embedder = embedder or default_embedder()
    samples = [find_face(np.asarray(img), embedder, rule=rule) for img in images]
    found = [s for s in samples if s is not None]
    vectors = iter(embed_samples(found, embedder))
    return [next(vectors) if s is not None else None for s in samples]


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
