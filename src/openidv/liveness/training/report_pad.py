"""Evaluate the passive model through the evaluation layer, choose its operating points, and
(optionally) write the ``liveness_pad`` threshold set.

    python -m openidv.liveness.training.report_pad --run var/liveness/run \\
        --loso var/liveness/loso --out var/liveness/report [--write-thresholds PATH]

The test identities are split in two by a hash of the subject: the *calibration* half chooses
the shipped operating points (``attack_below`` = the lower, ``bona_fide_from`` = the higher of
the thresholds at BPCER 1% and at APCER_max 1%); the *evaluation* half reports every figure.
Per species: APCER at the BPCER-1% threshold of the evaluation half, and BPCER at APCER 1% for
that species alone, each with subject-bootstrap CIs from ``openidv.evaluation``. For every
leave-one-species-out run, the same two figures for the species it never saw.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from openidv.liveness.species import PRESENTATION_SPECIES
from openidv.liveness.training.metrics import threshold_at_bpcer


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open() as fh:
        return list(csv.DictReader(fh))


def half(subject: str) -> str:
    return "calibration" if int(hashlib.sha256(subject.encode()).hexdigest()[:4], 16) % 2 else "evaluation"


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(
            fh, fieldnames=["sample_id", "subject_id", "label", "species", "score"], extrasaction="ignore"
        )
        w.writeheader()
        w.writerows(rows)
    return path


def _eval(path: Path, threshold: float | None = None) -> dict[str, Any]:
    from openidv.evaluation.api import evaluate_path
    from openidv.evaluation.bootstrap import BootstrapConfig
    from openidv.evaluation.result import jsonable

    result = evaluate_path(path, "pad", threshold=threshold, config=BootstrapConfig(n_boot=300, seed=0))
    out: dict[str, Any] = jsonable(result.to_dict())
    return out


def species_figures(rows: list[dict[str, str]], work: Path, species: list[str]) -> dict[str, Any]:
    """APCER at BPCER 1% and BPCER at APCER 1% (with CIs) for each species in `species`."""
    bona = [r for r in rows if r["label"] == "bona_fide"]
    t = threshold_at_bpcer(np.array([float(r["score"]) for r in bona]), 0.01)
    at_t = _eval(write_rows(work / "all.csv", rows), threshold=t)
    out: dict[str, Any] = {"threshold_bpcer1": t, "bpcer_at_threshold": at_t["bpcer"], "species": {}}
    for sp in species:
        sub = bona + [r for r in rows if r["species"] == sp]
        res = _eval(write_rows(work / f"{sp}.csv", sub))
        out["species"][sp] = {
            "apcer_at_bpcer1": at_t["apcer_per_species"].get(sp),
            "bpcer_at_apcer1": res["bpcer_at_apcer"]["0.01"],
            "n_attack": sum(r["species"] == sp for r in rows),
        }
    out["n_bona_fide"] = len(bona)
    return out


def operating_points(rows: list[dict[str, str]], work: Path) -> dict[str, float]:
    bona = np.array([float(r["score"]) for r in rows if r["label"] == "bona_fide"])
    t_bpcer = threshold_at_bpcer(bona, 0.01)
    res = _eval(write_rows(work / "calibration.csv", rows))
    found = res["bpcer_at_apcer"]["0.01"].get("threshold")
    t_apcer = float(found) if found is not None else t_bpcer  # not reachable on tiny sets
    return {
        "attack_below": min(t_bpcer, t_apcer),
        "bona_fide_from": max(t_bpcer, t_apcer),
        "threshold_bpcer1": t_bpcer,
        "threshold_apcer1": t_apcer,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", type=Path, required=True, help="folder of the full model's scores.csv")
    ap.add_argument("--loso", type=Path, default=None, help="folder with one <species>/scores.csv per held-out run")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--write-thresholds", type=Path, default=None)
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rows = read_rows(args.run / "scores.csv")
    cal = [r for r in rows if half(r["subject_id"]) == "calibration"]
    ev = [r for r in rows if half(r["subject_id"]) == "evaluation"]
    species = [s.value for s in PRESENTATION_SPECIES]
    report: dict[str, Any] = {
        "operating_points": operating_points(cal, args.out),
        "in_distribution": species_figures(ev, args.out, species),
        "held_out": {},
    }
    for sp in species:
        path = args.loso / sp / "scores.csv" if args.loso else None
        if path is not None and path.is_file():
            loso_rows = [r for r in read_rows(path) if half(r["subject_id"]) == "evaluation"]
            report["held_out"][sp] = species_figures(loso_rows, args.out, [sp])["species"][sp]
    (args.out / "pad_report.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=1))
    if args.write_thresholds:
        write_thresholds(args.write_thresholds, report, args)


def write_thresholds(path: Path, report: dict[str, Any], args: argparse.Namespace) -> None:
    from openidv.models.registry import sha256_file
    from openidv.policy.thresholds import ThresholdSet

    op = report["operating_points"]
    ind = report["in_distribution"]
    source = {
        "tool": "python -m openidv.liveness.training.report_pad",
        "scores": str(args.run / "scores.csv"),
        "scores_sha256": sha256_file(args.run / "scores.csv"),
        "rule": "calibration half of the test identities: attack_below = min(t@BPCER1%, t@APCER_max1%), "
        "bona_fide_from = max(...); between them: undecided",
        "thresholds_found": {k: round(v, 6) for k, v in op.items()},
        "measured_on_evaluation_half": {
            sp: {"apcer_at_bpcer1": v["apcer_at_bpcer1"]["value"] if v["apcer_at_bpcer1"] else None}
            for sp, v in ind["species"].items()
        },
        "model": "openidv.liveness/models/pad_passive.onnx",
    }
    values = {"attack_below": round(op["attack_below"], 6), "bona_fide_from": round(op["bona_fide_from"], 6)}
    ThresholdSet("liveness_pad", datetime.now(UTC).strftime("%Y-%m-%d.1"), values, source).write(path)


if __name__ == "__main__":
    main()
