"""Train the one-class face-occlusion model on real faces (identity half 0 of an LFW folder).

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python -m openidv.face.training.occlusion \
        --root ../shared/data/lfw-dev --cache var/cache/face/lfw-dev-u1

Trains on identity half 0, sub-half 0 (a second name hash), so that the occlusion threshold can be
tuned on faces the model never saw (sub-half 1) and measured on identity half 1. Writes
``src/openidv/face/models/face_occlusion.npz`` and its MODELS.json entry. The model never
sees an occluder; its held-out evaluation (clean faces of the other identity half versus the
synthetic half-face occlusions of :mod:`openidv.face.degrade`) is printed and is part of
``python -m openidv.face.training.quality``'s report.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from openidv.face import occlusion
from openidv.face.quality import quality_chip
from openidv.face.training.lfw_data import LfwCorpus, identity_half, subject_of
from openidv.models.registry import record_model

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
VERSION = "1.0.0"


def features_of(data: LfwCorpus, idx: np.ndarray) -> np.ndarray:
    feats = [occlusion.cell_features(quality_chip(rgb, det)) for _, rgb, det in data.iter_faces(idx)]
    return np.stack(feats) if feats else np.zeros((0, occlusion.GRID**2, occlusion.N_FEATURES), np.float32)


OCCLUSION_SALT = "openidv-face-occlusion"


def training_indices(data: LfwCorpus) -> np.ndarray:
    """Identity half 0, and within it the identities of sub-half 0 (the other sub-half tunes its threshold)."""
    idx = data.indices(half=0)
    return np.array([k for k in idx if identity_half(subject_of(data.corpus.paths[k]), OCCLUSION_SALT) == 0])


def train(data: LfwCorpus, out_dir: Path, max_images: int = 0) -> dict[str, object]:
    idx = training_indices(data)
    if max_images:
        idx = idx[:max_images]
    model = occlusion.fit(features_of(data, idx))
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{occlusion.MODEL_NAME}.npz"
    model.save(path)
    record_model(
        out_dir,
        occlusion.MODEL_NAME,
        path,
        VERSION,
        card=f"{occlusion.MODEL_NAME}.md",
        trained_by="python -m openidv.face.training.occlusion",
        train_images=len(idx),
        train_split="LFW identity half 0, occlusion sub-half 0 (sha256 of the name)",
    )
    return {"train_images": len(idx), "path": str(path)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--root", type=Path, required=True)
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=MODELS_DIR)
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    data = LfwCorpus.load(args.root, args.cache, args.limit)
    print(json.dumps(train(data, args.out), indent=2))


if __name__ == "__main__":
    main()
