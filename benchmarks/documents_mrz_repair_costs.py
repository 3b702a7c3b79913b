"""What the MRZ reader's check-digit repairs cost, on genuine and on altered MRZs.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/documents_mrz_repair_costs.py --seed 97000000 --n 1000 \\
        --split train --budget 4 --workers 2 --json var/bench/mrz_repair_costs_train.json

For each seed, a generated document and its twin with one MRZ birth-date digit altered (check digits
left as printed; careful forgers who fix them are skipped), photographed and read. For every reading
the reader made valid by a check-digit repair: the repair's cost in nats and whether the result is
exact. Genuine repairs that make a reading exact are what the repair budget is for; repairs that make
an altered MRZ valid are what it must refuse (``mrz/reader.py``, REPAIR_BUDGET, chose its value from
these on the train split).
"""

from __future__ import annotations

import argparse
import sys
from multiprocessing import get_context
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from documents_common import emit

KINDS = ("TD1", "TD2", "TD3")


def one(job: tuple[int, str, float | None]) -> list[dict[str, Any]]:
    from openidv.documents.mrz import reader
    from openidv.documents.mrz.reader import read_image
    from openidv.documents.synth.dataset import make_sample

    seed, split, budget = job
    if budget is not None:  # what the repairs would cost under another budget (this process only)
        reader.REPAIR_BUDGET = budget
    kind = KINDS[seed % 3]
    rows = []
    for family in (None, "mrz_tampering"):
        s = make_sample(kind, split, seed, forgery=family)
        if family and s.doc.forgery_detail.get("check_digits_fixed"):
            continue
        r = read_image(s.image)
        res = r.result
        rows.append({"seed": seed, "family": family or "genuine", "status": r.status,
                     "valid": bool(res is not None and res.valid and r.status == "ok"),
                     "exact": bool(res is not None and res.lines == s.doc.mrz_lines),
                     "repair_costs": [c["cost"] for c in (res.corrections if res else [])
                                      if c["reason"] == "check_digit"]})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=97000000)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--split", choices=("train", "test"), default="train")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--budget", type=float, default=None,
                    help="repair budget in nats instead of the shipped REPAIR_BUDGET (4 = stop 18's)")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    jobs = [(args.seed + i, args.split, args.budget) for i in range(args.n)]
    if args.workers > 1:
        with get_context("fork").Pool(args.workers) as pool:
            rows = [x for part in pool.imap(one, jobs, chunksize=8) for x in part]
    else:
        rows = [x for j in jobs for x in one(j)]
    report: dict[str, Any] = {"seed": args.seed, "n": args.n, "split": args.split, "budget": args.budget}
    for family in ("genuine", "mrz_tampering"):
        repaired = [x for x in rows if x["family"] == family and x["valid"] and x["repair_costs"]]
        report[family] = {
            "readings": sum(x["family"] == family for x in rows),
            "valid": sum(x["valid"] for x in rows if x["family"] == family),
            "repaired_exact_costs": sorted(max(x["repair_costs"]) for x in repaired if x["exact"]),
            "repaired_wrong_costs": sorted(max(x["repair_costs"]) for x in repaired if not x["exact"]),
        }
    emit(report, args.json)


if __name__ == "__main__":
    main()
