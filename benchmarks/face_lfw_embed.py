"""Embed every image of an LFW-layout folder once into the git-ignored cache (resumable).

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python benchmarks/face_lfw_embed.py \
        --root ../shared/data/lfw-dev --cache var/cache/face/lfw-dev-u1

Prints progress and the total time; later evaluations read the cache (openidv.face.corpus).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from openidv.face.corpus import embed_corpus, lfw_images


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--root", type=Path, required=True)
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--upsample", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0, help="only the first N images (smoke runs)")
    args = ap.parse_args()
    paths = lfw_images(args.root)
    if args.limit:
        paths = paths[: args.limit]

    def progress(done: int, total: int, elapsed: float) -> None:
        per = elapsed / max(done, 1) * 1000
        print(f"{done}/{total} images, {elapsed:.0f} s, {per:.0f} ms/image", flush=True)

    t0 = time.monotonic()
    corpus = embed_corpus(args.root, paths, args.cache, upsample=args.upsample, progress=progress)
    total = time.monotonic() - t0
    counts = {s: int((corpus.status == s).sum()) for s in (0, 1, 2)}
    print(f"done: {len(paths)} images in {total:.0f} s; ok/no_face/unreadable = {counts}", file=sys.stderr)


if __name__ == "__main__":
    main()
