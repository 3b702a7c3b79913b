"""Visual-zone OCR per field, as the cross-check sees it, on genuine documents under held-out conditions.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/documents_viz_fields.py --n 300 --json var/bench/viz_fields.json

Photos: the MRZ sides of held-out TD3 passport pages and TD2 cards (held-out templates, capture
conditions and identities; the cache `benchmarks/documents_mrz.py` writes, generated when absent).
Each goes through the document checks with the shipped policy; for every photo whose MRZ was read
valid, the MRZ ~ visual-zone comparison of ``document_consistency`` says, per printed field, whether
the OCR read it in agreement with the MRZ (``agree``), read something else (``misread``: a genuine
document made to look altered), or did not find it (``unread``). Rates carry Wilson 95% intervals;
per capture condition too. The figure answers "how often does the OCR read a printed field right",
not "how often does a genuine session pass" (see ``documents_authenticity.py`` for that).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from documents_common import document_pipeline, emit, generated, latency, rate


def _session(jpg: Path) -> Any:
    import cv2

    from openidv.domain import Capture, CaptureKind, Session

    img = cv2.cvtColor(cv2.imread(str(jpg)), cv2.COLOR_BGR2RGB)
    return Session(captures=[Capture(kind=CaptureKind.DOCUMENT_FRONT, data=b"", image=img, content_type="image/jpeg")])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=300, help="photos, alternately TD3 and TD2")
    ap.add_argument("--seed", type=int, default=500000)
    ap.add_argument("--cache", type=Path, default=Path("var/bench/mrz-captures"))
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    pipeline = document_pipeline(1)
    fields: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # agree, misread, unread
    by_condition: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    photos = compared_photos = 0
    viz_ms: list[float] = []
    for jpg, truth in generated(args.cache, ["TD3", "TD2"], args.n, "test", args.seed):
        photos += 1
        t0 = time.perf_counter()
        res = pipeline.run(_session(jpg)).results
        viz_ms.append(res["document_viz"].latency_ms or (time.perf_counter() - t0) * 1000)
        ev = res["document_consistency"].evidence if "document_consistency" in res else {}
        pairs = [v for k, v in ev.items() if k.startswith("mrz~viz")]
        if not pairs:
            continue
        compared_photos += 1
        condition = str(truth.get("condition") or truth.get("params", {}).get("condition", "?"))
        for pair in pairs[:1]:
            misread = {d["field"] for d in pair["disagreements"]}
            unread = set(pair["unread"])
            for f in pair["compared"]:
                k = 1 if f in misread else 2 if f in unread else 0
                fields[f][k] += 1
                by_condition[condition][k] += 1

    def summary(c: list[int]) -> dict[str, Any]:
        n = sum(c)
        return {"n": n, "agree": rate(c[0], n), "misread": rate(c[1], n), "unread": rate(c[2], n)}

    total = [sum(v[i] for v in fields.values()) for i in range(3)]
    report = {
        "photos": photos, "photos_compared": compared_photos, "seed": args.seed,
        "all_fields": summary(total),
        "per_field": {f: summary(c) for f, c in sorted(fields.items())},
        "per_condition": {k: summary(c) for k, c in sorted(by_condition.items())},
        "document_viz_latency": latency(viz_ms),
    }
    emit(report, args.json)


if __name__ == "__main__":
    main()
