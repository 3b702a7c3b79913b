"""Driver-licence barcode benchmark: PDF417 decode + AAMVA parse under held-out capture conditions.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/documents_barcode.py --n 500 --json var/bench/barcode.json

Images: `--n` generated photos of US-style driver-licence backs from held-out templates and
held-out capture conditions (glare, low light, low resolution at 5.5-8 px/mm - below about 5 px/mm
the 0.25 mm modules are not resolved at all), cached under `--cache`. A document counts as read
when the decoded payload equals the printed one byte for byte and parses as a valid AAMVA record.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from documents_common import emit, generated, latency, peak_rss_mb, rate


def main() -> None:
    import cv2

    from openidv.documents.barcode import aamva
    from openidv.documents.barcode.pdf417 import read_pdf417

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--seed", type=int, default=700000)
    ap.add_argument("--cache", type=Path, default=Path("var/bench/dl-captures"))
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    ok = 0
    times: list[float] = []
    cpu: list[float] = []
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    failures: list[dict[str, Any]] = []
    n = 0
    for path, truth in generated(args.cache, ["DL"], args.n, "test", args.seed, side="back", with_lfw=False):
        gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        t, c = time.perf_counter(), time.process_time()
        bc = read_pdf417(gray)
        good = False
        if bc.payload is not None:
            try:
                rec = aamva.parse(bc.payload)
                good = rec.valid and bc.payload.decode("latin-1") == truth["barcode"]
            except aamva.AAMVAError:
                good = False
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        n += 1
        ok += good
        per[truth["condition"]][0] += good
        per[truth["condition"]][1] += 1
        if not good and len(failures) < 20:
            failures.append({"file": path.name, "condition": truth["condition"], "decoded": bc.found})
    report = {"documents": rate(ok, n), "by_condition": {c: rate(k, m) for c, (k, m) in sorted(per.items())},
              "latency_wall": latency(times), "latency_cpu": latency(cpu), "peak_rss_mb": peak_rss_mb(),
              "failures": failures}
    emit(report, args.json)


if __name__ == "__main__":
    main()
