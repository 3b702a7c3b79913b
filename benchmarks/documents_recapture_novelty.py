"""Time and memory of the recapture novelty evidence per rectified document (capture statistics + kNN).

    OMP_NUM_THREADS=1 python benchmarks/documents_recapture_novelty.py --n 200

Documents are generated (held-out split, seeds 21M + i, genuine and recaptured, rectified with the
true homography at 8 px/mm, as the check rectifies) before timing; the timed part is what the
authenticity check adds per holder's-side photo: `describe` and the shipped model's score. Prints
p50 / p99 CPU and wall time, throughput on one core and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np

from openidv.documents.authenticity.capture_stats import describe
from openidv.documents.authenticity.novelty import load_novelty


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=21_000_000)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    from openidv.documents.training.tamper_data import make_doc

    families = (None, "screen_recapture", "photocopy")
    docs = [make_doc("test", families[i % 3], args.seed + i).image for i in range(args.n)]
    model = load_novelty()
    model.score_samples(describe(docs[0])[None, :])  # warm-up
    wall, cpu = [], []
    for d in docs:
        t0, c0 = time.perf_counter(), time.process_time()
        model.score_samples(describe(d)[None, :])
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    out = {"n": args.n, "shape_median": [int(v) for v in np.median([d.shape[:2] for d in docs], axis=0)],
           "wall_ms": {"p50": float(np.percentile(wall, 50)), "p99": float(np.percentile(wall, 99))},
           "cpu_ms": {"p50": float(np.percentile(cpu, 50)), "p99": float(np.percentile(cpu, 99))},
           "docs_per_s_one_core": 1000.0 / float(np.mean(cpu)),
           "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    text = json.dumps(out, indent=2)
    print(text)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
