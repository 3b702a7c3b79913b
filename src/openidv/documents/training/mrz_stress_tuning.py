"""What the MRZ threshold-tuning scripts share: stressed readings of generated documents, and a
lower-quantile rule over the readings that are exact and valid.

Two rules of the ``document_mrz`` check ask for a new photo when a reading whose check digits hold
is still not sure enough: the closest other reading keeping every check digit is too near
(``tune_mrz_ambiguity.py``), or a name letter - which no check digit covers - is a guess
(``tune_mrz_names.py``). Both are tuned the same way: a generated document of the *train* split
(train templates) is put through one random photographic stress (`synth.photo_stress.random_stress`:
scale, any rotation, tilt, blur, noise, gamma, glare, JPEG together - the generator's own capture
conditions are milder than real phone photos, and on them nearly every reading is exact and sure)
and read; the threshold is the ``flag`` lower quantile of the statistic over readings that are valid
and exact, so at most that share of correctly read documents is asked again. What it catches -
wrong readings that claim validity - is reported beside it; they are too few to tune on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

KINDS = ("TD1", "TD2", "TD3")
# Each row holds both statistics (keys below), so one set of readings tunes either rule.
STATISTICS = {
    "cost": "nats to the closest other reading keeping every check digit (closest_alternative)",
    "weakest_name": "lowest classifier probability among the name letters as read, each among the characters "
                    "a name allows (weakest_name_letter)",
}


def observe(seed: int, split: str) -> dict[str, Any]:
    """Read one generated document of `split` under a random photographic stress."""
    from openidv.documents.mrz.ambiguity import alternative_cost
    from openidv.documents.mrz.name_doubt import weakest_name_letter
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
            "cost": alternative_cost(res) if valid and res is not None else None,
            "weakest_name": weakest_name_letter(res) if valid and res is not None else None,
            "wrong_fields": wrong_fields(res.format, res.lines, doc.mrz_lines) if res is not None else None}


def wrong_fields(fmt_name: str, read: list[str], truth: list[str]) -> list[str] | None:
    """The fields of layout `fmt_name` in which a reading differs from the printed lines (for
    reporting which misreads a rule catches); None when the reading has another shape."""
    from openidv.documents.mrz.formats import FORMATS

    fmt = FORMATS.get(fmt_name)
    if fmt is None or [len(x) for x in read] != [len(x) for x in truth]:
        return None
    flat_read, flat_truth = "".join(read), "".join(truth)
    return [f.name for f in fmt.fields
            if any(flat_read[p] != flat_truth[p] for p in f.span.positions(fmt.width) if p < len(flat_read))]


def values(rows: list[dict[str, Any]], key: str, exact: bool) -> list[float]:
    """The statistic `key` of the valid readings that are (or are not) exact; a missing value (no
    alternative within the search, no name letter) counts as infinitely sure."""
    return [math.inf if r.get(key) is None else float(r[key]) for r in rows if r["valid"] and r["exact"] == exact]


def tune(rows: list[dict[str, Any]], flag: float, key: str = "cost") -> float:
    """The `flag` lower quantile of the exact valid readings' statistic (its lowest value: ties at
    the quantile are not flagged, the comparison being strict)."""
    exact = np.sort(np.array(values(rows, key, True)))
    if len(exact) < 200:
        raise SystemExit(f"only {len(exact)} exact valid readings: use a larger --n")
    t = float(exact[int(np.floor(flag * len(exact)))])
    if not math.isfinite(t):
        raise SystemExit("the quantile lies beyond the search: nothing to tune")
    return t


def summary(rows: list[dict[str, Any]], t: float, key: str = "cost") -> dict[str, Any]:
    exact, wrong = values(rows, key, True), values(rows, key, False)
    return {"readings": len(rows), "valid_exact": len(exact), "valid_exact_flagged": sum(c < t for c in exact),
            "valid_wrong": len(wrong), "valid_wrong_flagged": sum(c < t for c in wrong)}


def read_rows(seed: int, n: int, split: str, workers: int) -> list[dict[str, Any]]:
    """`observe` for seeds ``seed .. seed + n - 1``, in `workers` processes."""
    seeds = range(seed, seed + n)
    if workers <= 1:
        return [observe(s, split) for s in seeds]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers) as ex:
        return list(ex.map(observe, seeds, [split] * n, chunksize=8))


THRESHOLDS_DIR = Path(__file__).resolve().parents[2] / "policy" / "data" / "thresholds"


@dataclass(frozen=True)
class Rule:
    """One threshold tuned by this scheme: the row statistic, the threshold set and value it
    writes, the script's module (for the command recorded as its source), and what flagging means."""

    key: str
    set_name: str
    value_name: str
    module: str
    flagged_because: str  # completes "... are asked for a new photo because ..."

    @property
    def path(self) -> Path:
        return THRESHOLDS_DIR / f"{self.set_name}.yaml"

    def write_thresholds(self, report: dict[str, Any], command: str, path: Path | None = None) -> None:
        """The threshold file with the tuned value and its provenance."""
        from openidv.documents.training.common import write_threshold_set

        target = (f"at most {report['flag']:.0%} of generated documents (train templates) read exactly and valid "
                  f"under random photographic stress are asked for a new photo because {self.flagged_because}")
        write_threshold_set(path or self.path, self.set_name, report, self.value_name, command, target,
                            settings=("seed", "n", "split", "flag", "statistic", "statistics", "repair_budget"),
                            statistic=STATISTICS[self.key],
                            reading="image readings repair check digits within reader.REPAIR_BUDGET = "
                                    f"{report.get('repair_budget')} nats")


def main(rule: Rule, doc: str | None) -> None:
    """The command line of a tuning script: read (or reuse) stressed documents, tune on the train
    split or measure the shipped value on the test split, print and optionally save and write."""
    import argparse
    import json

    from openidv.documents.mrz.reader import REPAIR_BUDGET
    from openidv.documents.training.common import add_tuning_io, earlier_rows

    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000, help="generated documents, one stressed photo each")
    ap.add_argument("--seed", type=int, default=97000000)
    ap.add_argument("--split", default="train", choices=("train", "test"),
                    help="train to tune; test to measure the shipped threshold on held-out templates")
    ap.add_argument("--flag", type=float, default=0.01,
                    help="largest share of exact valid readings that may be asked for a new photo")
    ap.add_argument("--workers", type=int, default=1)
    add_tuning_io(ap)
    args = ap.parse_args()
    if args.rows is not None:
        rows = earlier_rows(args.rows, n=args.n, seed=args.seed, split=args.split, statistics=STATISTICS,
                            repair_budget=REPAIR_BUDGET)
    else:
        rows = read_rows(args.seed, args.n, args.split, args.workers)
    report: dict[str, Any] = {"seed": args.seed, "n": args.n, "split": args.split, "statistic": STATISTICS[rule.key],
                              "statistics": STATISTICS, "repair_budget": REPAIR_BUDGET, "flag": args.flag}
    if args.split == "train":
        t = report[rule.value_name] = tune(rows, args.flag, rule.key)
    else:
        from openidv.policy import ThresholdRegistry

        t = report[rule.value_name] = ThresholdRegistry.load().get(rule.set_name)[rule.value_name]
    report.update(summary(rows, t, rule.key))
    print(json.dumps(report, indent=1))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({**report, "rows": rows}, indent=1), encoding="utf-8")
    if args.write_thresholds:
        if args.split != "train":
            raise SystemExit("--write-thresholds tunes on the train split only")
        rule.write_thresholds(report, f"python -m {rule.module} --n {args.n} --seed {args.seed} --flag {args.flag}")
        print(f"wrote {rule.path}")
