"""Server-side cost of verifying one colour-flash challenge response, on one core.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/liveness_active.py [--n 40] [--faces DIR]

Simulated genuine responses (``openidv.liveness.simulator``: 5 flashes and a head action, about
5.5 s of frames at 10-18 fps, 240-320 px frames) are verified with the shipped operating points:
face detection and landmarks on every 3rd colour-phase frame and every action frame, each
frame's landmarks re-predicted on a stable box, the colour readings, the pose. Prints p50/p99
wall time per response, frames per response, the share that passed and peak memory. Faces: an
LFW-style folder (one face per person folder) when given, else matplotlib's sample portrait.
Rendering the frames is not timed.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
from PIL import Image


def _refs(folder: Path | None, n: int) -> list:  # type: ignore[type-arg]
    from openidv.face.detection import detect_faces
    from openidv.liveness.redteam.common import FaceRef

    if folder is None:
        from matplotlib import cbook

        with cbook.get_sample_data("grace_hopper.jpg") as fh:
            paths_rgb = [np.asarray(Image.open(fh).convert("RGB").resize((256, 300)))]
    else:
        people = sorted(p for p in folder.iterdir() if p.is_dir() and any(p.glob("*.jpg")))[:n]
        paths_rgb = [np.asarray(Image.open(sorted(p.glob("*.jpg"))[0]).convert("RGB")) for p in people]
    refs = []
    for i, rgb in enumerate(paths_rgb):
        dets = detect_faces(rgb)
        if dets:
            d = max(dets, key=lambda d: (d.box[2] - d.box[0]))
            refs.append(FaceRef(rgb, tuple(float(v) for v in d.box), d.landmarks5, f"p{i}", f"p{i}-1"))
    return refs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=40, help="responses to verify")
    ap.add_argument("--faces", type=Path, default=None, help="a folder of person folders (e.g. lfw-dev)")
    args = ap.parse_args()
    from openidv.liveness import simulator as sim
    from openidv.liveness.active import ActiveParams, verify_response
    from openidv.liveness.challenge import issue_challenge
    from openidv.policy.thresholds import ThresholdRegistry

    t = ThresholdRegistry.load().get("liveness_active")
    params = ActiveParams.from_thresholds(t)
    refs = _refs(args.faces, args.n)
    if not refs:
        raise SystemExit("no face found in the given faces")
    ms, frames, passed = [], [], 0
    for i in range(args.n + 2):
        ch = issue_challenge(f"s{i}", rng=random.Random(i))
        seq = sim.genuine(refs[i % len(refs)], ch, np.random.default_rng(i))
        t0 = time.perf_counter()
        verdict = verify_response(seq, ch, params)
        if i >= 2:  # the first two warm up the detector
            ms.append((time.perf_counter() - t0) * 1000.0)
            frames.append(len(seq))
            passed += verdict.ok
    a = np.asarray(ms)
    print(f"responses: {len(a)}  faces: {len(refs)}  frames per response: median {int(np.median(frames))}")
    print(f"verify: p50 {np.percentile(a, 50):7.1f} ms  p99 {np.percentile(a, 99):7.1f} ms  mean {a.mean():7.1f} ms  "
          f"throughput {1000.0 / a.mean():5.2f} responses/s on one core")
    print(f"passed: {passed}/{len(a)} (simulated genuine responses); slowest: {np.round(np.sort(a)[-3:]).tolist()} ms")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
