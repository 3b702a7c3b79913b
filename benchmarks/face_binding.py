"""Cost of subject binding (``face_same_subject``'s work) per challenge response, on one core.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/face_binding.py [--n 40] [--faces DIR]

Simulated genuine responses (as ``benchmarks/liveness_active.py``: the challenge's simulator, its
faces) are first verified by the liveness check, untimed, for its tracked face boxes; then timed:
6 frames drawn at random, the measured face embedded at its box in each, scored against the selfie
and judged on the shipped ``face_match`` thresholds. The selfie's own embedding is computed by
``face_quality`` in the pipeline and is not timed here. Prints p50/p99 wall time per response,
throughput, the outcomes and peak memory.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
from liveness_active import _refs  # the same simulated faces as the challenge benchmark


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=40, help="responses to bind")
    ap.add_argument("--faces", type=Path, default=None, help="a folder of person folders (e.g. lfw-dev)")
    args = ap.parse_args()
    from openidv.face.binding import bind, embed_images, embed_subjects, sample
    from openidv.face.checks import judge_binding
    from openidv.liveness import simulator as sim
    from openidv.liveness.active import ActiveParams, verify_response
    from openidv.liveness.challenge import issue_challenge
    from openidv.policy.thresholds import ThresholdRegistry

    registry = ThresholdRegistry.load()
    params = ActiveParams.from_thresholds(registry.get("liveness_active"))
    match = registry.get("face_match")
    refs = _refs(args.faces, args.n)
    if not refs:
        raise SystemExit("no face found in the given faces")
    selfies = [embed_images([r.rgb])[0] for r in refs]
    ms: list[float] = []
    compared: list[int] = []
    outcomes: Counter[str] = Counter()
    for i in range(args.n + 2):
        ref, selfie = refs[i % len(refs)], selfies[i % len(refs)]
        ch = issue_challenge(f"s{i}", rng=random.Random(i))
        seq = sorted(sim.genuine(ref, ch, np.random.default_rng(i)), key=lambda f: f.frame_index)
        boxes = verify_response(seq, ch, params).subject_boxes
        tracked = [(f.rgb, b) for f, b in zip(seq, boxes, strict=False) if b is not None]
        if selfie is None or not tracked:
            if i >= 2:  # counted, not hidden: a response the benchmark could not bind
                outcomes["no_selfie_face" if selfie is None else "no_tracked_face"] += 1
            continue
        t0 = time.perf_counter()
        picked = sample(tracked, rng=random.Random(i))
        compared.append(len(picked))
        bound = bind(selfie, [(str(k), "frame", v) for k, v in enumerate(embed_subjects(picked))])
        outcome, _ = judge_binding(bound, match)
        if i >= 2:  # the first two warm up the models
            ms.append((time.perf_counter() - t0) * 1000.0)
            outcomes[outcome.value] += 1
    a = np.asarray(ms)
    print(f"responses timed: {len(a)}  faces: {len(refs)}  frames compared per response: "
          f"min {min(compared)}, max {max(compared)}")
    print(f"bind: p50 {np.percentile(a, 50):7.1f} ms  p99 {np.percentile(a, 99):7.1f} ms  mean {a.mean():7.1f} ms  "
          f"throughput {1000.0 / a.mean():5.2f} responses/s on one core")
    print(f"outcomes (simulated genuine responses): {dict(outcomes)}")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
