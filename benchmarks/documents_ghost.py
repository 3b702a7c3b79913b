"""Cost of the ghost-image comparison per document (one core).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/documents_ghost.py --n 60 --json var/bench/ghost_latency.json

Generated documents of held-out designs that print a ghost image, rectified to 8 px/mm; times
``ghost_similarity`` alone (locate + text mask + comparison), each document scored `--repeat` times.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from documents_common import latency, peak_rss_mb


def main() -> None:
    from openidv.documents.authenticity.ghost import ghost_similarity, mm_box_to_px
    from openidv.documents.authenticity.patches import PX_PER_MM
    from openidv.documents.authenticity.template_match import load_features
    from openidv.documents.synth.portraits import default_portraits
    from openidv.documents.training.tamper_data import make_doc

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=96_000_000)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    feats, portraits = load_features(), default_portraits("test")
    docs = []
    seed = args.seed
    while len(docs) < args.n:
        s = make_doc("test", None, seed, portraits)
        seed += 1
        f = feats[s.template]
        if f.ghost_mm is not None:
            docs.append((s.image, mm_box_to_px(f.portrait_mm, PX_PER_MM), mm_box_to_px(f.ghost_mm, PX_PER_MM)))
    times = []
    for img, pbox, gbox in docs:
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            ghost_similarity(img, pbox, gbox, PX_PER_MM)
            times.append((time.perf_counter() - t0) * 1000)
    report = {"documents": len(docs), "calls": len(times), "latency": latency(times), "peak_rss_mb": peak_rss_mb()}
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
