"""Tune when a valid MRZ reading is too close to another valid reading to be trusted.

    OMP_NUM_THREADS=1 python -m openidv.documents.training.tune_mrz_ambiguity --n 1000 \\
        --json var/bench/mrz_ambiguity_tune.json --write-thresholds

Check digits cannot tell apart two readings that both satisfy them (``L898902C3`` and ``LB9B902C3``:
two B-for-8 swaps at weights 3 and 7 cancel). `mrz.ambiguity.closest_alternative` gives, for a
reading whose check digits hold, the cost in nats of the closest other reading that holds them too;
the ``document_mrz`` check asks for a new photo when it is below ``ambiguous_below`` instead of
passing the reading as valid.

For each seed of the *train* split (train templates), a generated document's flat page is put
through one random photographic stress (`synth.photo_stress.random_stress`: scale, any rotation,
tilt, blur, noise, gamma, glare, JPEG together - the generator's own capture conditions are milder
than real phone photos, and on them nearly every reading is exact and far from any alternative)
and read. ``ambiguous_below`` is the ``--flag`` (1%) lower quantile of the alternative costs of the
readings that are valid and exact: at most that share of correctly read documents is asked for a
new photo. What it catches - wrong readings that claim validity - is reported beside it; they are
too few to tune on. Measured on held-out data by ``benchmarks/documents_mrz_robustness.py`` (the
real specimen photos) and ``benchmarks/documents_mrz.py`` (held-out templates and conditions).
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

KINDS = ("TD1", "TD2", "TD3")
# What a row's `cost` measures; readings saved under another definition cannot be reused (--rows).
STATISTIC = "nats to the closest other reading keeping every check digit (closest_alternative)"
THRESHOLDS = Path(__file__).resolve().parents[2] / "policy" / "data" / "thresholds" / "document_mrz_ambiguity.yaml"


def observe(seed: int, split: str) -> dict[str, Any]:
    """Read one generated document of `split` under a random photographic stress."""
    from openidv.documents.mrz.ambiguity import alternative_cost
    from openidv.documents.mrz.reader import read_image
    from openidv.documents.synth.dataset import make_document
    from openidv.documents.synth.photo_stress import random_stress
    from openidv.documents.synth.templates import templates

    kind = KINDS[seed % 3]
    rng = np.random.default_rng(seed)
    pool = templates(kind, "test" if split == "test" else "train")
    doc = make_document(pool[int(rng.integers(len(pool)))], int(rng.integers(1 << 31)), None, 12.0)
    page = doc.back if kind == "TD1" else doc.front
    assert page is not None
    name, stress = random_stress(rng)
    r = read_image(np.ascontiguousarray(stress(page.image)))
    res = r.result
    valid = bool(res is not None and res.valid and r.status == "ok")
    return {"seed": seed, "kind": kind, "stress": name, "status": r.status, "valid": valid,
            "exact": bool(res is not None and res.lines == doc.mrz_lines),
            "cost": alternative_cost(res) if valid and res is not None else None}


def _costs(rows: list[dict[str, Any]], exact: bool) -> list[float]:
    """Alternative costs of the valid readings that are (or are not) exact; none within the search
    counts as infinitely far."""
    return [math.inf if r["cost"] is None else float(r["cost"]) for r in rows if r["valid"] and r["exact"] == exact]


def tune(rows: list[dict[str, Any]], flag: float) -> float:
    """The `flag` lower quantile of the exact valid readings' alternative costs (its lowest value:
    ties at the quantile are not flagged, the comparison being strict)."""
    exact = np.sort(np.array(_costs(rows, True)))
    if len(exact) < 200:
        raise SystemExit(f"only {len(exact)} exact valid readings: use a larger --n")
    t = float(exact[int(np.floor(flag * len(exact)))])
    if not math.isfinite(t):
        raise SystemExit("the quantile lies beyond the search: nothing to tune")
    return t


def summary(rows: list[dict[str, Any]], t: float) -> dict[str, Any]:
    exact, wrong = _costs(rows, True), _costs(rows, False)
    return {"readings": len(rows), "valid_exact": len(exact), "valid_exact_flagged": sum(c < t for c in exact),
            "valid_wrong": len(wrong), "valid_wrong_flagged": sum(c < t for c in wrong)}


def write_thresholds(report: dict[str, Any], command: str, path: Path = THRESHOLDS) -> None:
    """``document_mrz_ambiguity.yaml`` with the tuned value and its provenance."""
    from openidv.documents.training.common import write_threshold_set

    target = (f"at most {report['flag']:.0%} of generated documents (train templates) read exactly and valid "
              "under random photographic stress are asked for a new photo because another reading keeping "
              "every check digit lies within this many nats")
    write_threshold_set(path, "document_mrz_ambiguity", report, "ambiguous_below", command, target,
                        settings=("seed", "n", "split", "flag", "statistic", "repair_budget"), statistic=STATISTIC,
                        reading="image readings repair check digits within reader.REPAIR_BUDGET = "
                                f"{report.get('repair_budget')} nats")


def main() -> None:
    from openidv.documents.training.common import add_tuning_io, earlier_rows

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000, help="generated documents, one stressed photo each")
    ap.add_argument("--seed", type=int, default=97000000)
    ap.add_argument("--split", default="train", choices=("train", "test"),
                    help="train to tune; test to measure the shipped threshold on held-out templates")
    ap.add_argument("--flag", type=float, default=0.01,
                    help="largest share of exact valid readings that may be asked for a new photo")
    ap.add_argument("--workers", type=int, default=1)
    from openidv.documents.mrz.reader import REPAIR_BUDGET

    add_tuning_io(ap)
    args = ap.parse_args()
    if args.rows is not None:
        rows = earlier_rows(args.rows, n=args.n, seed=args.seed, split=args.split, statistic=STATISTIC,
                            repair_budget=REPAIR_BUDGET)
    else:
        seeds = range(args.seed, args.seed + args.n)
        if args.workers > 1:
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(args.workers) as ex:
                rows = list(ex.map(observe, seeds, [args.split] * args.n, chunksize=8))
        else:
            rows = [observe(s, args.split) for s in seeds]
    report: dict[str, Any] = {"seed": args.seed, "n": args.n, "split": args.split, "statistic": STATISTIC,
                              "repair_budget": REPAIR_BUDGET, "flag": args.flag}
    if args.split == "train":
        report["ambiguous_below"] = tune(rows, args.flag)
        t = report["ambiguous_below"]
    else:
        from openidv.policy import ThresholdRegistry

        t = report["ambiguous_below"] = ThresholdRegistry.load().get("document_mrz_ambiguity")["ambiguous_below"]
    report.update(summary(rows, t))
    print(json.dumps(report, indent=1))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({**report, "rows": rows}, indent=1), encoding="utf-8")
    if args.write_thresholds:
        if args.split != "train":
            raise SystemExit("--write-thresholds tunes on the train split only")
        write_thresholds(report, f"python -m openidv.documents.training.tune_mrz_ambiguity --n {args.n} "
                                 f"--seed {args.seed} --flag {args.flag}")
        print(f"wrote {THRESHOLDS}")


if __name__ == "__main__":
    main()
