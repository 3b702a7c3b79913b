"""Bona fide source faces for the generator: an LFW-style folder, split by person, detected once.

The split is by identity (a hash of the person folder name), so no person appears on both sides.
Detections are cached as JSON next to the training outputs (never in the repository).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from openidv.liveness.redteam.common import FaceRef


def split_of(person: str, test_fraction: float = 0.3) -> str:
    """'train' or 'test' for a person, stable across runs and machines."""
    h = int(hashlib.sha256(person.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "test" if h < test_fraction else "train"


@dataclass(frozen=True)
class SourceEntry:
    path: str
    person: str
    box: tuple[int, int, int, int]
    landmarks5: list[list[float]]


def detect_folder(root: Path, cache: Path, limit: int | None = None) -> list[SourceEntry]:
    """Detect the largest face in every image under `root`/<person>/ (cached in `cache`)."""
    if cache.is_file():
        return [SourceEntry(**e) for e in json.loads(cache.read_text())]
    from openidv.face.detection import detect_faces, detect_faces_with

    entries: list[SourceEntry] = []
    paths = sorted(p for p in root.glob("*/*.jpg"))
    for path in paths[:limit] if limit else paths:
        rgb = np.asarray(Image.open(path).convert("RGB"))
        dets = detect_faces_with(rgb, "hog", 0) or detect_faces(rgb)
        if not dets:
            continue
        d = dets[0]
        entries.append(
            SourceEntry(
                str(path),
                path.parent.name,
                tuple(int(v) for v in d.box),  # type: ignore[arg-type]
                [[float(x), float(y)] for x, y in d.landmarks5],
            )
        )
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps([e.__dict__ for e in entries]))
    return entries


def load_ref(entry: SourceEntry) -> FaceRef:
    rgb = np.asarray(Image.open(entry.path).convert("RGB"))
    b = entry.box
    box = (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
    return FaceRef(
        rgb,
        box,
        np.asarray(entry.landmarks5, np.float32),
        entry.person,
        Path(entry.path).stem,
    )
