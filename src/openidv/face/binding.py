"""Is the person proven live the person who is matched? Selfie-to-frame subject binding.

The active challenge proves that *a* person moved and reflected the issued colours; the 1:1 match
compares the *selfie* with the document. Unless the challenge frames show the selfie's person, an
applicant can perform the challenge live and submit someone else's photo as the selfie (or the
other way round). This module embeds a few evenly spaced challenge frames (and any further
selfies) with the same network as the match and scores each against the first selfie on the
match's calibrated scale (:mod:`openidv.face.matching`), so the face_match thresholds - tuned by
the evaluation layer on real pairs - decide, and no new threshold is guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openidv.domain import Capture
from openidv.face.embedding import Embedder, default_embedder, similarity
from openidv.face.extract import embed_samples, find_face
from openidv.face.matching import shipped_calibration

MAX_FRAMES = 4  # frames embedded per session (~30-60 ms each on one core); evenly spaced


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


def spaced(frames: Sequence[Capture], k: int = MAX_FRAMES) -> list[Capture]:
    """Up to ``k`` frames evenly spaced over the sequence (by ``metadata.frame_index``, then upload
    order): a head turn's far end and its start are both looked at."""
    order = sorted(range(len(frames)), key=lambda i: (_index(frames[i]), i))
    if len(order) <= k:
        return [frames[i] for i in order]
    picks = np.linspace(0, len(order) - 1, k).round().astype(int)
    return [frames[order[int(p)]] for p in dict.fromkeys(picks.tolist())]


def _index(c: Capture) -> int:
    return c.metadata.frame_index if c.metadata.frame_index is not None else 0


def embed_images(
    images: Sequence[NDArray[np.uint8]], embedder: Embedder | None = None
) -> list[NDArray[np.float32] | None]:
    """The largest face's embedding in each image, or None where no face is found. No quality gate:
    a challenge frame is small and mid-turn by design; what matters is whose face it is."""
    embedder = embedder or default_embedder()
    samples = [find_face(np.asarray(img), embedder, rule="largest") for img in images]
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
