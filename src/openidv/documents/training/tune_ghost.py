"""Calibrate and measure the ghost-image check (portrait vs ghost image, see ``authenticity/ghost.py``).

    OMP_NUM_THREADS=1 python -m openidv.documents.training.tune_ghost --n 150 --workers 2 \
        --json var/bench/ghost_tune.json

Three kinds of document per split: genuine and portrait-substituted documents of designs that print
a ghost image, and genuine documents of designs that do not, read with the ghost box of a design that
does ("misread design": what the check sees when template matching picks the wrong design of an
issuer). Two thresholds, each by the evaluation layer on *train* templates and capture conditions:
``min_visibility`` (is a ghost there at all: genuine ghost documents vs misread designs, BPCER <= 1%),
then ``min_similarity`` (does it show the holder: genuine vs substituted among the visible ones,
BPCER <= 1%). Both are measured on templates, capture conditions and portrait identities held out
from all training; the check fires in the pipeline only if that held-out measurement earns it
(``training/common.py``). Nothing is learned from the forgeries except where the similarity threshold
sits, and that depends on genuine documents only, so the held-out figure is also the leave-family-out one.

Documents are rectified with the capture's true homography, as for the tamper model; the pipeline
rectifies with the MRZ frame or the card outline, which ``benchmarks/documents_authenticity.py``
measures end to end. Writes ``policy/data/thresholds/document_ghost.yaml`` and the score files
``<json stem>_scores_{train,test}.csv``.
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from openidv.documents.authenticity.ghost import compare_ghost, mm_box_to_px
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
# located within 3 mm of its registered place); 98_000_000 the fourth (a visibility gate added).
SEEDS = {"train": 91_000_000, "test": 98_000_000}


MISREAD = "misread_design"


@functools.cache
def _sibling(template_id: str) -> str | None:
    """A registered design with a ghost whose portrait sits where `template_id`'s does (same kind)."""
    feats = load_features()
    kind = template_id.split("-")[0]
    same = [t for t, f in feats.items() if t.startswith(kind + "-") and f.ghost_mm is not None]
    exact = [t for t in same if feats[t].portrait_mm == feats[template_id].portrait_mm]
    return exact[0] if exact else (same[0] if same else None)


def score_one(args: tuple[str, str | None, int]) -> dict[str, Any] | None:
    """Score one generated document (None if it does not belong to the requested kind)."""
    split, family, seed = args
    forged = None if family in (None, MISREAD) else family
    s = make_doc(split, forged, seed, _portraits(split))
    feats = load_features()
    feat = feats.get(s.template)
    if feat is None or (feat.ghost_mm is None) != (family == MISREAD):
        return None
    box_from = feats[_sibling(s.template) or ""] if family == MISREAD else feat
    assert box_from.ghost_mm is not None
    c = compare_ghost(s.image, mm_box_to_px(feat.portrait_mm, PX_PER_MM), mm_box_to_px(box_from.ghost_mm, PX_PER_MM),
                      PX_PER_MM)
    return {"seed": seed, "family": family or "genuine", "template": s.template, "condition": s.condition,
            "score": float("nan") if c is None else c.similarity,
            "visibility": float("nan") if c is None else c.visibility}


_PORTRAITS: dict[str, Any] = {}


def _portraits(split: str) -> Any:
    from openidv.documents.synth.portraits import default_portraits

    if split not in _PORTRAITS:
        _PORTRAITS[split] = default_portraits(split)
    return _PORTRAITS[split]


def collect(split: str, n: int, workers: int, seed0: int) -> list[dict[str, Any]]:
    """`n` documents of each kind (genuine, substituted, misread design) of `split`."""
    rows: list[dict[str, Any]] = []
    counts = {"genuine": 0, FAMILY: 0, MISREAD: 0}
    i = 0
    with ProcessPoolExecutor(max_workers=workers) as pool:
        while min(counts.values()) < n:
            todo = [f for f, c in counts.items() if c < n]
            batch = [(split, None if f == "genuine" else f, seed0 + 3 * (i + k) + j)
                     for k in range(8 * workers) for j, f in enumerate(("genuine", FAMILY, MISREAD)) if f in todo]
            i += 8 * workers
            for r in pool.map(score_one, batch):
                if r is not None and counts[r["family"]] < n:
                    counts[r["family"]] += 1
                    rows.append(r)
    return rows


def score_set(rows: list[dict[str, Any]], attack: str, key: str) -> Any:
    """Comparable documents only: where text hides the ghost the check gives no evidence either way."""
    from openidv.evaluation import score_set_from_arrays

    rows = [r for r in rows if r["family"] in ("genuine", attack) and np.isfinite(r[key])]
    return score_set_from_arrays(np.array([r[key] for r in rows]),
                                 np.array([r["family"] == "genuine" for r in rows]),
                                 np.array([r["seed"] for r in rows]), kind="pad",
                                 species=np.array([r["family"] for r in rows]))


def measure(rows: list[dict[str, Any]], min_visibility: float, min_similarity: float) -> dict[str, Any]:
    """Per kind: compared (visible), flagged (compared and below min_similarity), with Wilson CIs."""
    out: dict[str, Any] = {}
    for fam in ("genuine", FAMILY, MISREAD):
        rs = [r for r in rows if r["family"] == fam]
        comparable = [r for r in rs if np.isfinite(r["score"])]
        visible = [r for r in comparable if r["visibility"] >= min_visibility]
        flagged = sum(r["score"] < min_similarity for r in visible)
        out[fam] = {"n": len(rs), "not_comparable": len(rs) - len(comparable),
                    "not_visible": len(comparable) - len(visible), "compared": len(visible),
                    "flagged": flagged, "flagged_rate": flagged / max(len(rs), 1),
                    "flagged_ci95": wilson(flagged, len(rs)),
                    "median_similarity": float(np.median([r["score"] for r in comparable])) if comparable else None}
    return out


def write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["subject", "label", "species", "score", "visibility", "template", "condition"])
        for r in rows:
            w.writerow([r["seed"], "bona_fide" if r["family"] == "genuine" else "attack", r["family"],
                        r["score"], r["visibility"], r["template"], r["condition"]])


def _evaluated(rows: list[dict[str, Any]], thr: float, config: Any) -> Any:
    from openidv.evaluation import EvaluationInputError, evaluate

    try:
        return evaluate(score_set(rows, FAMILY, "score"), "pad", threshold=thr, config=config).metrics.get("threshold")
    except EvaluationInputError as exc:  # a class with no visible ghost (tiny runs)
        return {"not_evaluated": str(exc)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    import yaml

    from openidv.evaluation import BootstrapConfig, tune_threshold

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=150, help="documents per class and split")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--json", type=Path, default=Path("var/bench/ghost_tune.json"))
    ap.add_argument("--no-write", action="store_true", help="measure only; leave the threshold file alone")
    args = ap.parse_args(argv)
    train = collect("train", args.n, args.workers, SEEDS["train"])
    test = collect("test", args.n, args.workers, SEEDS["test"])
    config = BootstrapConfig(n_boot=500, seed=0)
    target = ["bpcer<=0.01"]
    vis = float(tune_threshold(score_set(train, MISREAD, "visibility"), "pad", target, config=config).threshold)
    shown = [r for r in train if not r["visibility"] < vis]
    if {r["family"] for r in shown if np.isfinite(r["score"])} < {"genuine", FAMILY}:
        shown = train  # a tiny run (smoke test) may leave a class with no visible ghost
    thr = float(tune_threshold(score_set(shown, FAMILY, "score"), "pad", target, config=config).threshold)
    held = [r for r in test if not r["visibility"] < vis]
    report: dict[str, Any] = {"min_visibility": vis, "min_similarity": thr, "train": measure(train, vis, thr),
                              "test_heldout_templates_and_conditions": measure(test, vis, thr),
                              "test_eval_layer_similarity_among_visible": _evaluated(held, thr, config)}
    m = report["test_heldout_templates_and_conditions"]
    enabled = (m[FAMILY]["flagged_rate"] >= MIN_HELDOUT_DETECTION
               and m["genuine"]["flagged_rate"] <= MAX_HELDOUT_FALSE_REJECT)
    report["enabled"] = enabled
    args.json.parent.mkdir(parents=True, exist_ok=True)
    for name, rows in (("train", train), ("test", test)):
        write_csv(rows, args.json.with_name(f"{args.json.stem}_scores_{name}.csv"))
    args.json.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    if not args.no_write:
        THRESHOLDS.write_text(yaml.safe_dump({
            "name": "document_ghost", "version": date.today().isoformat() + ".1",
            "values": {"min_visibility": vis, "min_similarity": thr, "enabled": enabled},
            "source": {"tool": f"python -m openidv.documents.training.tune_ghost --n {args.n}",
                       "target": "BPCER <= 1% each on train templates and capture conditions: min_visibility "
                                 "(genuine ghost documents vs designs without a ghost read with one's box), "
                                 "then min_similarity (genuine vs substituted among the visible)",
                       "enabled_rule": f"fires only if it detects >= {MIN_HELDOUT_DETECTION} of held-out portrait "
                                       f"substitutions and rejects <= {MAX_HELDOUT_FALSE_REJECT} of held-out genuine "
                                       "documents",
                       "measured": {k: report[k] for k in ("train", "test_heldout_templates_and_conditions")}},
        }, sort_keys=False), encoding="utf-8")
    print(json.dumps({k: report[k] for k in ("min_visibility", "min_similarity", "enabled", "train",
                                             "test_heldout_templates_and_conditions")}, indent=2, default=str))
    return report


if __name__ == "__main__":
    main()
