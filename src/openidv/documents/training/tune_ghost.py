"""Calibrate and measure the ghost-image check (portrait vs ghost image, see ``authenticity/ghost.py``).

    OMP_NUM_THREADS=1 python -m openidv.documents.training.tune_ghost --n 150 --workers 2 \\
        --json var/bench/ghost_tune.json

Only documents whose design has a ghost image are used. The threshold on the similarity is tuned by
the evaluation layer at BPCER (genuine documents rejected) <= 1% on *train* templates and capture
conditions (genuine documents vs portrait substitutions), then measured on templates, capture
conditions and portrait identities held out from all training; the check fires in the pipeline
only if that held-out measurement earns it (``training/common.py``). Nothing is learned from the
forgeries except where the threshold sits, so the held-out figure is also the leave-family-out one.

Documents are rectified with the capture's true homography, as for the tamper model; the pipeline
rectifies with the MRZ frame or the card outline, which ``benchmarks/documents_authenticity.py``
measures end to end. Writes ``policy/data/thresholds/document_ghost.yaml`` and the score files
``<json stem>_scores_{train,test}.csv`` (``openidv eval run --kind pad`` reads them).
"""

from __future__ import annotations

import argparse
import csv
import json
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from openidv.documents.authenticity.ghost import ghost_similarity, mm_box_to_px
from openidv.documents.authenticity.patches import PX_PER_MM
from openidv.documents.authenticity.template_match import load_features
from openidv.documents.training.common import MAX_HELDOUT_FALSE_REJECT, MIN_HELDOUT_DETECTION, wilson
from openidv.documents.training.tamper_data import make_doc

THRESHOLDS = Path(__file__).resolve().parents[2] / "policy" / "data" / "thresholds" / "document_ghost.yaml"
FAMILY = "portrait_substitution"
# Held-out seeds, fresh for each version of the comparison: 93_000_000 measured the first (the
# portrait searched in the ghost region with text in-painted: 2.7% of 150 held-out genuine documents
# rejected, mostly text over the ghost at low resolution); 94_000_000 the second (text masked out,
# ghost taken at its registered place: 0/150 rejected, 97.3% detected, but in the pipeline a card
# outline a few millimetres off put the ghost elsewhere); 95_000_000 the third (the ghost first
# located within 3 mm of its registered place).
SEEDS = {"train": 91_000_000, "test": 95_000_000}


def score_one(args: tuple[str, str | None, int]) -> dict[str, Any] | None:
    """Score one generated document; None if its design has no ghost image."""
    split, family, seed = args
    s = make_doc(split, family, seed, _portraits(split))
    feat = load_features().get(s.template)
    if feat is None or feat.ghost_mm is None:
        return None
    sim = ghost_similarity(s.image, mm_box_to_px(feat.portrait_mm, PX_PER_MM), mm_box_to_px(feat.ghost_mm, PX_PER_MM),
                           PX_PER_MM)
    return {"seed": seed, "family": family or "genuine", "template": s.template, "condition": s.condition,
            "score": float("nan") if sim is None else sim}


_PORTRAITS: dict[str, Any] = {}


def _portraits(split: str) -> Any:
    from openidv.documents.synth.portraits import default_portraits

    if split not in _PORTRAITS:
        _PORTRAITS[split] = default_portraits(split)
    return _PORTRAITS[split]


def collect(split: str, n: int, workers: int, seed0: int) -> list[dict[str, Any]]:
    """`n` genuine and `n` substituted documents of ghost-bearing designs of `split`."""
    rows: list[dict[str, Any]] = []
    counts = {"genuine": 0, FAMILY: 0}
    i = 0
    with ProcessPoolExecutor(max_workers=workers) as pool:
        while min(counts.values()) < n:
            batch = [(split, fam, seed0 + 2 * (i + k) + (fam is not None))
                     for k in range(8 * workers) for fam in (None, FAMILY)]
            i += 8 * workers
            for r in pool.map(score_one, batch):
                if r is not None and counts[r["family"]] < n:
                    counts[r["family"]] += 1
                    rows.append(r)
    return rows


def score_set(rows: list[dict[str, Any]]) -> Any:
    """Comparable documents only: where text hides the ghost the check gives no evidence either way."""
    from openidv.evaluation import score_set_from_arrays

    rows = [r for r in rows if np.isfinite(r["score"])]
    return score_set_from_arrays(np.array([r["score"] for r in rows]),
                                 np.array([r["family"] == "genuine" for r in rows]),
                                 np.array([r["seed"] for r in rows]), kind="pad",
                                 species=np.array([r["family"] for r in rows]))


def measure(rows: list[dict[str, Any]], thr: float) -> dict[str, Any]:
    gen = np.array([r["score"] for r in rows if r["family"] == "genuine"])
    sub = np.array([r["score"] for r in rows if r["family"] == FAMILY])
    fr, det = int(np.sum(gen < thr)), int(np.sum(sub < thr))  # NaN (not comparable): the check does not fire
    return {"genuine": len(gen), "substituted": len(sub),
            "not_comparable": {"genuine": int(np.isnan(gen).sum()), "substituted": int(np.isnan(sub).sum())},
            "false_reject": fr / len(gen), "false_reject_ci95": wilson(fr, len(gen)),
            "detected": det / len(sub), "detected_ci95": wilson(det, len(sub)),
            "median_similarity": {"genuine": float(np.nanmedian(gen)), "substituted": float(np.nanmedian(sub))}}


def write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["subject", "label", "species", "score", "template", "condition"])
        for r in rows:
            w.writerow([r["seed"], "bona_fide" if r["family"] == "genuine" else "attack", r["family"],
                        r["score"], r["template"], r["condition"]])


def main(argv: list[str] | None = None) -> dict[str, Any]:
    import yaml

    from openidv.evaluation import BootstrapConfig, evaluate, tune_threshold

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=150, help="documents per class and split")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--json", type=Path, default=Path("var/bench/ghost_tune.json"))
    ap.add_argument("--no-write", action="store_true", help="measure only; leave the threshold file alone")
    args = ap.parse_args(argv)
    train = collect("train", args.n, args.workers, SEEDS["train"])
    test = collect("test", args.n, args.workers, SEEDS["test"])
    config = BootstrapConfig(n_boot=500, seed=0)
    tuned = tune_threshold(score_set(train), "pad", ["bpcer<=0.01"], config=config)
    thr = float(tuned.threshold)
    held = evaluate(score_set(test), "pad", threshold=thr, config=config)
    report: dict[str, Any] = {"min_similarity": thr, "train": measure(train, thr),
                              "test_heldout_templates_and_conditions": measure(test, thr),
                              "test_eval_layer": held.metrics.get("threshold")}
    m = report["test_heldout_templates_and_conditions"]
    enabled = m["detected"] >= MIN_HELDOUT_DETECTION and m["false_reject"] <= MAX_HELDOUT_FALSE_REJECT
    report["enabled"] = enabled
    args.json.parent.mkdir(parents=True, exist_ok=True)
    for name, rows in (("train", train), ("test", test)):
        write_csv(rows, args.json.with_name(f"{args.json.stem}_scores_{name}.csv"))
    args.json.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    if not args.no_write:
        THRESHOLDS.write_text(yaml.safe_dump({
            "name": "document_ghost", "version": date.today().isoformat() + ".1",
            "values": {"min_similarity": thr, "enabled": enabled},
            "source": {"tool": f"python -m openidv.documents.training.tune_ghost --n {args.n}",
                       "target": "BPCER <= 1% (genuine documents rejected) on train templates and capture conditions, "
                                 "documents whose design has a ghost image",
                       "enabled_rule": f"fires only if it detects >= {MIN_HELDOUT_DETECTION} of held-out portrait "
                                       f"substitutions and rejects <= {MAX_HELDOUT_FALSE_REJECT} of held-out genuine "
                                       "documents",
                       "measured": {k: report[k] for k in ("train", "test_heldout_templates_and_conditions")}},
        }, sort_keys=False), encoding="utf-8")
    print(json.dumps({k: report[k] for k in ("min_similarity", "enabled", "train",
                                             "test_heldout_templates_and_conditions")}, indent=2, default=str))
    return report


if __name__ == "__main__":
    main()
