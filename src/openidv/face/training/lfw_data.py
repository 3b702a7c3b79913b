"""Real-face material for training and tuning: LFW-layout folders through the embedding cache.

Identities are split into two halves by a hash of the name, never by image, so a person whose
photos tuned a threshold or trained a model is never in the half that measures it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from openidv.face.corpus import DETECTORS, CorpusEmbeddings, embed_corpus, lfw_images
from openidv.face.detection import FaceDetection
from openidv.imaging.decode import decode_image


def identity_half(name: str, salt: str = "openidv-face") -> int:
    """0 (train/tune) or 1 (held out), stable across runs and machines."""
    return hashlib.sha256(f"{salt}:{name}".encode()).digest()[0] & 1


def subject_of(rel_path: str) -> str:
    return rel_path.split("/", 1)[0]


@dataclass
class LfwCorpus:
    root: Path
    corpus: CorpusEmbeddings

    @classmethod
    def load(cls, root: Path, cache: Path, limit: int = 0) -> LfwCorpus:
        paths = lfw_images(root)
        if limit:
            paths = paths[:limit]
        return cls(root, embed_corpus(root, paths, cache))

    def indices(self, half: int | None = None, ok_only: bool = True) -> NDArray[np.int64]:
        keep = [
            k
            for k, p in enumerate(self.corpus.paths)
            if (half is None or identity_half(subject_of(p)) == half) and (not ok_only or self.corpus.ok[k])
        ]
        return np.asarray(keep, dtype=np.int64)

    def detection(self, k: int) -> FaceDetection:
        c = self.corpus
        box = tuple(int(v) for v in c.boxes[k])
        return FaceDetection(
            box=(box[0], box[1], box[2], box[3]),
            landmarks5=c.landmarks[k].astype(np.float32),
            confidence=float(c.confidence[k]),
            detector=DETECTORS[int(c.detector[k])],
        )

    def image(self, k: int) -> NDArray[np.uint8]:
        return decode_image((self.root / self.corpus.paths[k]).read_bytes()).rgb

    def iter_faces(self, idx: NDArray[np.int64]) -> Iterator[tuple[int, NDArray[np.uint8], FaceDetection]]:
        for k in idx:
            yield int(k), self.image(int(k)), self.detection(int(k))
