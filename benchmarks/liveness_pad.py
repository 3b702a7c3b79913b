"""Latency of passive presentation-attack detection on one core.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/liveness_pad.py [--n 300] [IMAGE ...]

Measures, per face: cutting the two views and running the ONNX model (``pad``), and for
reference the face detection that precedes it on a full image (``detect``). Prints p50/p99
latency, throughput and peak memory. Without images it uses matplotlib's sample portrait.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
from PIL import Image


def _images(paths: list[Path]) -> list[np.ndarray]:
    if paths:
        from openidv.imaging.decode import decode_image  # applies EXIF orientation, as the service does

        return [decode_image(p.read_bytes()).rgb for p in paths]
    from matplotlib import cbook

    with cbook.get_sample_data("grace_hopper.jpg") as fh:
        return [np.asarray(Image.open(fh).convert("RGB"))]


def _stats(name: str, ms: list[float]) -> None:
    a = np.asarray(ms)
    print(f"{name:>7}: p50 {np.percentile(a, 50):6.2f} ms  p99 {np.percentile(a, 99):6.2f} ms  "
          f"mean {a.mean():6.2f} ms  throughput {1000.0 / a.mean():7.1f}/s  (n={len(a)})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("images", nargs="*", type=Path)
    ap.add_argument("--n", type=int, default=300)
    args = ap.parse_args()
    from openidv.liveness.faces import largest_face
    from openidv.liveness.pad import default_pad

    images = _images(args.images)
    faces = [(img, largest_face(img)) for img in images]
    faces = [(img, f) for img, f in faces if f is not None]
    if not faces:
        sys.exit("no face found in the given images")
    pad = default_pad()
    for img, f in faces[:3]:  # warm-up: model load, first allocations
        pad.score_face(img, f.box)
    pad_ms, det_ms = [], []
    for i in range(args.n):
        img, f = faces[i % len(faces)]
        t0 = time.perf_counter()
        pad.score_face(img, f.box)
        pad_ms.append((time.perf_counter() - t0) * 1000)
    for i in range(min(args.n, 30)):
        img, _ = faces[i % len(faces)]
        t0 = time.perf_counter()
        largest_face(img)
        det_ms.append((time.perf_counter() - t0) * 1000)
    print(f"images: {len(faces)}  sizes: {sorted({im.shape[:2] for im, _ in faces})}  threads: 1")
    _stats("pad", pad_ms)
    _stats("detect", det_ms)
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
