"""Does the MRZ reader report a tampered MRZ as it is printed, or "correct" it into validity?

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/documents_mrz_tamper.py --seed 98000000 --n 1000 --workers 2 \\
        --json var/bench/mrz_tamper_98M.json

For each seed: a genuine document and the same kind with one birth-date digit of its MRZ changed
(the ``mrz_tampering`` family of the generator), both photographed under held-out templates and
capture conditions (``--split test``). Half of the tampered documents also get recomputed check
digits (a careful forger; the check digits cannot catch those, so they are left out here); the
other half keep the printed check digits, so their MRZ *as printed* fails a check digit. Reported:
how many of those the reader calls ``valid`` (a check-digit correction hid the tampering), how
many genuine readings are valid and exact, and, of the readings that fail a check digit, how many
the ``document_mrz`` check reports MRZ_CHECKSUM (review) and how many it asks a new photo for
(the weakest character involved below the shipped ``misread_below``), and of the valid readings how
many it asks again because another valid reading is close (``ambiguous_below``) - for a tampered
MRZ read ``valid``, whether the check still passes it. Wilson 95% intervals. The
readings are those of ``training/tune_mrz_misread.observe``, which tunes that threshold on the
train split.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from multiprocessing import get_context
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from documents_common import emit, rate


def one(args: tuple[int, str]) -> list[dict[str, Any]]:
    from openidv.documents.training.tune_mrz_misread import observe

    return observe(*args)


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    from openidv.documents.training.tune_mrz_misread import checksum_flagged
    from openidv.policy import ThresholdRegistry

    reg = ThresholdRegistry.load()
    misread_below = float(reg.get("document_mrz")["misread_below"])
    ambiguous_below = float(reg.get("document_mrz_ambiguity")["ambiguous_below"])
    doubtful_below = float(reg.get("document_mrz_names")["doubtful_below"])
    out: dict[str, Any] = {"misread_below": misread_below, "ambiguous_below": ambiguous_below,
                           "doubtful_below": doubtful_below}
    for family in ("genuine", "mrz_tampering"):
        r = [x for x in rows if x["family"] == family]
        flagged = checksum_flagged(rows, family)
        n = len(r)
        out[family] = {
            "n": n,
            "status": dict(Counter(x["status"] for x in r)),
            "valid": rate(sum(x["valid"] for x in r), n),
            "exact": rate(sum(x["exact"] for x in r), n),
            "valid_not_exact": rate(sum(x["valid"] and not x["exact"] for x in r), n),
            "with_check_digit_corrections": sum(x["check_digit_corrections"] > 0 for x in r),
            # what the document_mrz check raises on the readings that fail a check digit: below the
            # shipped misread_below a new photo is asked for (MRZ_UNREADABLE), else MRZ_CHECKSUM
            "mrz_checksum_before": len(flagged),
            "mrz_checksum_now": sum(v >= misread_below for v in flagged),
            "asked_for_new_photo_now": sum(v < misread_below for v in flagged),
            # valid readings the check asks again for because another valid reading is close
            # (check digits that did not decide); the rest of the valid ones pass the check
            "valid_asked_again_ambiguous": sum(x["valid"] and _ambiguous(x, ambiguous_below) for x in r),
            # ... or because a name letter (no check digit) is a guess
            "valid_asked_again_name": sum(x["valid"] and not _ambiguous(x, ambiguous_below)
                                          and _doubtful(x, doubtful_below) for x in r),
            "valid_not_exact_seeds": [x.get("seed") for x in r if x["valid"] and not x["exact"]],
            "valid_not_exact_passing": sum(x["valid"] and not x["exact"] and not _ambiguous(x, ambiguous_below)
                                           and not _doubtful(x, doubtful_below) for x in r),
        }
    return out


def _doubtful(row: dict[str, Any], doubtful_below: float) -> bool:
    weakest = row.get("weakest_name")
    return weakest is not None and float(weakest) < doubtful_below


def _ambiguous(row: dict[str, Any], ambiguous_below: float) -> bool:
    cost = row.get("alternative_cost")
    return cost is not None and float(cost) < ambiguous_below


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=98000000)
    ap.add_argument("--n", type=int, default=1000, help="seeds: one genuine document and one tampered each")
    ap.add_argument("--split", choices=("train", "test"), default="test")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    jobs = [(args.seed + i, args.split) for i in range(args.n)]
    if args.workers > 1:
        with get_context("fork").Pool(args.workers) as pool:
            rows = [x for part in pool.imap(one, jobs, chunksize=8) for x in part]
    else:
        rows = [x for j in jobs for x in one(j)]
    report = {"seed": args.seed, "n": args.n, "split": args.split, **summary(rows)}
    emit(report, args.json)


if __name__ == "__main__":
    main()
