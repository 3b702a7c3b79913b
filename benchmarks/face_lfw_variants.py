"""LFW protocol accuracy of embedding variants, from the embedding cache (no recomputation).

    .venv/bin/python benchmarks/face_lfw_variants.py --root ../shared/data/lfw-dev --cache var/cache/face/lfw-dev-u1

Variants: dlib's raw descriptor with Euclidean distance (dlib's own convention), the unit vector
with cosine similarity, and each with the mirror-image average (flip test-time augmentation).
The protocol chooses each fold's threshold on the other nine folds, so comparing variants this way
uses no test-fold information beyond the protocol itself.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from openidv.face.corpus import embed_corpus, lfw_images
from openidv.face.lfw import image_path, protocol_accuracy, read_pairs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--root", type=Path, required=True)
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--upsample", type=int, default=1)
    args = ap.parse_args()
    pairs = read_pairs(args.root / "pairs.txt")
    corpus = embed_corpus(args.root, lfw_images(args.root), args.cache, upsample=args.upsample)
    where = corpus.index()

    def rel(name: str, i: int) -> str:
        return f"{name}/{image_path(Path(), name, i).name}"

    idx = [(where[rel(p.name1, p.i)], where[rel(p.name2, p.j)]) for p in pairs]
    a, b = np.array([i for i, _ in idx]), np.array([j for _, j in idx])
    ok = corpus.ok[a] & corpus.ok[b]
    flip = (corpus.raw + corpus.raw_flip) / 2
    variants = {
        "raw_euclidean": -np.linalg.norm(corpus.raw[a] - corpus.raw[b], axis=1),
        "raw_flip_euclidean": -np.linalg.norm(flip[a] - flip[b], axis=1),
        "cosine": np.einsum("nd,nd->n", corpus.embeddings("none")[a], corpus.embeddings("none")[b]),
        "cosine_flip": np.einsum("nd,nd->n", corpus.embeddings("flip")[a], corpus.embeddings("flip")[b]),
    }
    out = {
        "pairs": len(pairs),
        "pairs_without_face": int((~ok).sum()),
        "detectors": {d: int((corpus.detector == k).sum()) for k, d in enumerate(("hog", "cnn", "haar"))},
        "no_face_images": int((corpus.status == 1).sum()),
    }
    for name, s in variants.items():
        r = protocol_accuracy([float(x) if o else None for x, o in zip(s, ok, strict=True)], pairs)
        sizes = np.bincount([p.fold for p in pairs])
        wrong = sum(round((1 - acc) * n) for acc, n in zip(r.fold_accuracies, sizes, strict=True))
        out[name] = {"accuracy": round(r.accuracy, 5), "std_error": round(r.std_error, 5), "misclassified": wrong}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
