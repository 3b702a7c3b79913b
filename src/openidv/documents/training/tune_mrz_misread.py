"""Tune where a failed MRZ check digit counts as a misread rather than a fraud signal.

    OMP_NUM_THREADS=1 python -m openidv.documents.training.tune_mrz_misread --n 1000 \\
        --json var/bench/mrz_misread_tune.json --write-thresholds

For each seed of the *train* split (train templates and capture conditions): one genuine document
and one whose MRZ birth date was altered with the printed check digits left as they were (the
``mrz_tampering`` family, careful forgers excluded: their check digits hold), each photographed and
read. Every reading that is ``ok`` but fails a check digit is one the ``document_mrz`` check would
report MRZ_CHECKSUM; `misread.weakest_failing` says how sure the reader was of the characters
involved. ``misread_below`` is set so that at most ``--keep`` (1%) of the altered MRZs the check
flags now would be asked for a new photo instead (their lower quantile): the fraud signal is kept
on 99% of them, and a genuine MRZ whose check digit failed on a guessed character is asked for a
better photo (resubmit) instead of going to a reviewer as possible tampering. Measured on the held-out
split by ``benchmarks/documents_mrz_tamper.py``, which uses :func:`observe` too.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

KINDS = ("TD1", "TD2", "TD3")
# What `weakest_failing` measures; readings saved under another definition cannot be reused (--rows).
STATISTIC = "largest over failing check digits of their weakest character"
THRESHOLDS = Path(__file__).resolve().parents[2] / "policy" / "data" / "thresholds" / "document_mrz.yaml"


def observe(seed: int, split: str) -> list[dict[str, Any]]:
    """Read the genuine document of `seed` and its MRZ-altered twin (when the forger left the check
    digits as printed): status, validity, exactness and the weakest failing character of each."""
    from openidv.documents.mrz.ambiguity import alternative_cost
    from openidv.documents.mrz.misread import weakest_failing
    from openidv.documents.mrz.name_doubt import weakest_name_letter
    from openidv.documents.mrz.reader import read_image
    from openidv.documents.synth.dataset import make_sample

    kind = KINDS[seed % 3]
    out = []
    for family in (None, "mrz_tampering"):
        s = make_sample(kind, split, seed, forgery=family)
        if family and s.doc.forgery_detail.get("check_digits_fixed"):
            continue
        r = read_image(s.image)
        res = r.result
        out.append({
            "seed": seed, "family": family or "genuine", "kind": kind, "status": r.status,
            "valid": bool(res is not None and res.valid),
            "exact": bool(res is not None and res.lines == s.doc.mrz_lines),
            "check_digit_corrections": sum(1 for c in (res.corrections if res else []) if c["reason"] == "check_digit"),
            "repair_costs": [c["cost"] for c in (res.corrections if res else []) if c["reason"] == "check_digit"],
            "weakest_failing": weakest_failing(res) if res is not None and r.status == "ok" else None,
            # a valid reading: how far the closest other valid reading is (document_mrz asks again below
            # ambiguous_below); for the benchmarks, not used in tuning misread_below
            "alternative_cost": alternative_cost(res) if res is not None and r.status == "ok" else None,
            # and how sure its weakest name letter is (asked again below doubtful_below); benchmarks only
            "weakest_name": weakest_name_letter(res) if res is not None and r.status == "ok" else None,
        })
    return out


def checksum_flagged(rows: list[dict[str, Any]], family: str) -> list[float]:
    """Weakest failing character of every reading of `family` the check flags MRZ_CHECKSUM today."""
    return [float(r["weakest_failing"]) for r in rows
            if r["family"] == family and r["status"] == "ok" and not r["valid"] and r["weakest_failing"] is not None]


def tune(rows: list[dict[str, Any]], keep: float) -> float:
    """The `keep` lower quantile of the altered MRZs' weakest failing characters (lowest value, so
    that ties at the quantile stay flagged)."""
    tampered = np.sort(np.array(checksum_flagged(rows, "mrz_tampering")))
    if len(tampered) < 50:
        raise SystemExit(f"only {len(tampered)} altered MRZs fail a check digit: use a larger --n")
    k = int(np.floor(keep * len(tampered)))  # this many fall below the threshold
    return float(tampered[k])


def write_thresholds(report: dict[str, Any], command: str, path: Path = THRESHOLDS) -> None:
    """``document_mrz.yaml`` with the tuned value and its provenance."""
    from openidv.documents.training.common import write_threshold_set

    target = (f"at most {report['keep']:.0%} of altered MRZs (birth date changed, check digits left as printed) "
              "that fail a check digit on train templates and capture conditions are asked for a new photo "
              "(MRZ_UNREADABLE) instead of MRZ_CHECKSUM")
    write_threshold_set(path, "document_mrz", report, "misread_below", command, target,
                        settings=("seed", "n", "split", "keep", "statistic", "repair_budget"),
                        reading="image readings repair check digits within reader.REPAIR_BUDGET = "
                                f"{report.get('repair_budget')} nats")


def main() -> None:
    from openidv.documents.training.common import add_tuning_io, earlier_rows

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000, help="seeds (a genuine and an altered document each)")
    ap.add_argument("--seed", type=int, default=97000000)
    ap.add_argument("--keep", type=float, default=0.01,
                    help="largest share of altered MRZs flagged today that may be asked for a new photo instead")
    from openidv.documents.mrz.reader import REPAIR_BUDGET

    add_tuning_io(ap)
    args = ap.parse_args()
    if args.rows is not None:
        rows = earlier_rows(args.rows, n=args.n, seed=args.seed, statistic=STATISTIC, repair_budget=REPAIR_BUDGET)
    else:
        rows = [x for i in range(args.n) for x in observe(args.seed + i, "train")]
    t = tune(rows, args.keep)
    tam, gen = checksum_flagged(rows, "mrz_tampering"), checksum_flagged(rows, "genuine")
    report = {
        "seed": args.seed, "n": args.n, "split": "train", "statistic": STATISTIC, "repair_budget": REPAIR_BUDGET,
        "keep": args.keep,
        "misread_below": t,
        "tampered_checksum": len(tam), "tampered_moved": sum(v < t for v in tam),
        "genuine_checksum": len(gen), "genuine_moved": sum(v < t for v in gen),
        "genuine_readings": sum(r["family"] == "genuine" for r in rows),
        "tampered_readings": sum(r["family"] == "mrz_tampering" for r in rows),
    }
    print(json.dumps(report, indent=1))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({**report, "rows": rows}, indent=1), encoding="utf-8")
    if args.write_thresholds:
        write_thresholds(report, f"python -m openidv.documents.training.tune_mrz_misread --n {args.n} "
                                 f"--seed {args.seed} --keep {args.keep}")
        print(f"wrote {THRESHOLDS}")


if __name__ == "__main__":
    main()
