"""Time of the tamper / recapture tile model per document photo, one core.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/documents_tamper.py --n 60 --json var/bench/tamper_latency.json

Documents are generated from held-out templates and capture conditions and rectified to the model's
8 px/mm first (not timed: in the pipeline the visual-zone check has already rectified them); the
timed part is `score_document` (tiling, features, the ONNX model on every half-overlapping tile,
aggregation), as `DocumentAuthenticityCheck` runs it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from documents_common import emit, latency, peak_rss_mb


def main() -> None:
    from openidv.documents.authenticity.detector import _load, score_document, tile_origins_count
    from openidv.documents.training.tamper_data import IMAGE_FAMILIES, make_doc

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--seed", type=int, default=90_000_000)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    fams = [None, *IMAGE_FAMILIES]
    docs = [make_doc("test", fams[i % len(fams)], args.seed + i).image for i in range(args.n)]
    sess = _load()
    score_document(docs[0], sess)  # warm-up
    wall, cpu, tiles = [], [], []
    for d in docs:
        t0, c0 = time.perf_counter(), time.process_time()
        score_document(d, sess)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        tiles.append(tile_origins_count(d.shape))
    report = {"documents": args.n, "wall_ms": latency(wall), "cpu_ms": latency(cpu),
              "tiles_per_document": {"min": min(tiles), "median": float(np.median(tiles)), "max": max(tiles)},
              "peak_rss_mb": peak_rss_mb()}
    emit(report, args.json)


if __name__ == "__main__":
    main()
