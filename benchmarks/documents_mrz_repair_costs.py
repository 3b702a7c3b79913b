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


def one(job: tuple[int, str, float | None]) -> list[dict[str, Any]]:
    """The readings of ``tune_mrz_misread.observe`` (a genuine document and its altered twin)."""
    from openidv.documents.mrz import reader
    from openidv.documents.training.tune_mrz_misread import observe

    seed, split, budget = job
    if budget is not None:  # what the repairs would cost under another budget (this process only)
        reader.REPAIR_BUDGET = budget
    return observe(seed, split)


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
        repaired = [x for x in rows if x["family"] == family and x["valid"] and x["status"] == "ok"
                    and x["repair_costs"]]
        report[family] = {
            "readings": sum(x["family"] == family for x in rows),
            "valid": sum(x["valid"] for x in rows if x["family"] == family),
            "repaired_exact_costs": sorted(max(x["repair_costs"]) for x in repaired if x["exact"]),
            "repaired_wrong_costs": sorted(max(x["repair_costs"]) for x in repaired if not x["exact"]),
        }
    emit(report, args.json)


if __name__ == "__main__":
    main()
