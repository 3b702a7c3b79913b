"""Time per document check: genuine held-out sessions through the pipeline, one check at a time.

    OMP_NUM_THREADS=1 python benchmarks/documents_check_latency.py --n 8 --json var/bench/doc_check_latency.json

Each session is a generated document (held-out templates and capture conditions, TD1/TD2/TD3/DL in
turn, front and back) as in benchmarks/documents_authenticity.py, with the same seeds. The pipeline
runs with one worker, so each check's `latency_ms` is its own time on one core; the first session
warms the models and is not counted. Prints mean, p50 and p99 per check and the per-session sum.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from documents_authenticity import session_for
from documents_common import document_pipeline


def main() -> None:
    from openidv.documents.synth.portraits import default_portraits

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=8)
    ap.add_argument("--seed", type=int, default=60_000_000)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    pipe = document_pipeline(workers=1)  # one check at a time: each latency_ms is its own
    portraits = default_portraits("test")
    kinds = ("TD1", "TD2", "TD3", "DL")
    per_check: dict[str, list[float]] = {}
    totals = []
    for i in range(args.n + 1):
        session, _, _ = session_for(kinds[i % 4], None, args.seed + i, portraits)
        results = pipe.run(session).results
        if i == 0:
            continue
        totals.append(sum(r.latency_ms or 0.0 for r in results.values()))
        for name, r in results.items():
            per_check.setdefault(name, []).append(float(r.latency_ms or 0.0))

    def stats(v: list[float]) -> dict[str, float]:
        a = np.array(v)
        return {"mean_ms": round(float(a.mean()), 1), "p50_ms": round(float(np.percentile(a, 50)), 1),
                "p99_ms": round(float(np.percentile(a, 99)), 1)}

    report = {"sessions": args.n, "seed": args.seed, "per_session_sum": stats(totals),
              "per_check": {k: stats(v) for k, v in per_check.items()}}
    text = json.dumps(report, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text)


if __name__ == "__main__":
    main()
