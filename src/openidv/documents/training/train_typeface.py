"""Train the typeface-consistency model; calibrate it; evaluate it on held-out forgery families.

    OMP_NUM_THREADS=1 python -m openidv.documents.training.train_typeface --json var/bench/typeface.json

Steps (the documents are cached under ``--data``, so a re-run resumes):

1. **data** - training documents with one value re-printed in another style
   (:func:`typeface_data.restyled_set`: train designs and capture conditions; no forgery family's code),
   calibration documents (genuine, train designs and conditions, other seeds), and two held-out sets
   from the forgery generator (:func:`typeface_data.forged_set`: test designs, held-out capture
   conditions glare / low light / low resolution; genuine and the local-edit families): a
   development set (seed 48M + i), on which the design was chosen, and a test set (49M + i) that
   gives the figures and the enabling verdict.
2. **measure** - each value line's print measures and their deviations from the document's other
   lines (``authenticity/print_measures.py``), on every training document as drawn and on
   :data:`TRAIN_COPIES` copies degraded by the generic capture policy (:func:`augment`).
3. **fit** - boosted trees (``openidv.models.gbm``, seed fixed) on the lines: "printed differently"
   or not; exported to ONNX (``typeface_lines.onnx``, sha256 in ``MODELS.json``).
4. **calibrate** - ``odd_max``: the oddest-line probability that rejects :data:`CALIB_FALSE_REJECT` of
   the calibration documents, each under :data:`CALIB_COPIES` draws of the same degradations (the
   held-out conditions are harsher than the training ones; a threshold set on clean captures alone
   rejected 2.5% of held-out genuine documents on the development set, 1.8% with the copies).
5. **evaluate** - through the evaluation layer (kind pad; score = 1 / (1 + oddness / odd_max), 0.5
   at the threshold): per family detection at 1% held-out genuine false rejection and at
   ``odd_max``, and whether the evidence earns being acted on (``training/common.py``:
   ``MIN_HELDOUT_DETECTION`` of held-out re-typed fields, at most ``MAX_HELDOUT_FALSE_REJECT`` of
   held-out genuine documents). Values are cut at their true places (the generator's boxes) with the
   capture's true rectification: the model's own figure, not the pipeline's.

``--smoke`` trains a tiny model on a few documents into a temporary folder (CI proves the script
runs; nothing shipped is touched).
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import numpy as np

from openidv.documents.authenticity.print_measures import MEASURES, N_FEATURES, deviation_rows, measure_lines
from openidv.documents.authenticity.typeface import CROP_H, CROP_W, MIN_LINES, MODEL
from openidv.documents.training.common import (
    MAX_HELDOUT_FALSE_REJECT,
    MIN_HELDOUT_DETECTION,
    PACKAGE_MODELS,
    degrade_image,
    family_score_file,
)
from openidv.documents.training.train_recapture_novelty import evaluate  # the same evaluation at a shipped threshold
from openidv.documents.training.typeface_data import LineSet, forged_set, restyled_set
from openidv.models.gbm import ROUNDS, fit_gbm, predict_gbm, to_onnx

VERSION = "2.1.0"
SEED = 47
DATA = Path("var/cache/typeface")
THRESHOLDS = Path("src/openidv/policy/data/thresholds/document_typeface.yaml")
CALIB_FALSE_REJECT = 0.01
AUGMENT_P = 0.5
LINE_VEIL_P = 0.2
TRAIN_COPIES = 2  # degraded copies of each training document, besides the document as drawn
CALIB_COPIES = 3  # degraded copies of each calibration document (the calibration uses only these)
TEST_FAMILIES = ("field_alteration", "digital_splicing", "mrz_tampering", "portrait_substitution")
# seed bases of the three sets: far apart so that no document is drawn twice
SEEDS = {"train": 46_000_000, "calib": 47_000_000, "dev": 48_000_000, "test": 49_000_000}


# --- data -----------------------------------------------------------------------------------------

def _job(args: tuple[str, str | None, int]) -> LineSet:
    kind, family, seed = args
    if kind == "train":
        return restyled_set("train", seed)
    return forged_set("train" if kind == "calib" else "test", family, seed)  # dev and test: held out


def _save(sets: list[LineSet], path: Path) -> None:
    keep = [s for s in sets if len(s.lines) >= MIN_LINES]
    lines = np.concatenate([s.lines for s in keep]) if keep else np.zeros((0, CROP_H, CROP_W, 3), np.uint8)
    np.savez_compressed(path, lines=lines, doc=np.repeat(np.arange(len(keep)), [len(s.lines) for s in keep]),
                        odd=np.array([s.odd for s in keep]), family=np.array([s.family for s in keep]),
                        template=np.array([s.template for s in keep]), condition=np.array([s.condition for s in keep]))


def build(kind: str, plan: list[tuple[str | None, int]], path: Path, workers: int) -> Path:
    """Draw the documents of one set (cached: an existing file is kept)."""
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    jobs = [(kind, fam, SEEDS[kind] + i) for i, (fam, _) in enumerate(plan)]
    if workers > 1:
        with Pool(workers) as pool:
            sets = pool.map(_job, jobs, chunksize=8)
    else:
        sets = [_job(j) for j in jobs]
    _save(sets, path)
    return path


def load(path: Path) -> dict[str, Any]:
    z = np.load(path)
    return {k: z[k] for k in z.files}


def docs(d: dict[str, Any]) -> list[np.ndarray]:
    """Line indices of each document."""
    order = np.argsort(d["doc"], kind="stable")
    cuts = np.flatnonzero(np.diff(d["doc"][order])) + 1
    return np.split(order, cuts)


# --- fit ------------------------------------------------------------------------------------------

def augment(lines: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A document's lines degraded together (:func:`degrade_image`, the generic capture policy, on
    the stacked lines, so that all get the same loss of resolution, blur, exposure, noise and JPEG)
    with probability :data:`AUGMENT_P`, then each line on its own under a light veil or a change of
    exposure with probability :data:`LINE_VEIL_P`: glare or a shadow over one value must not make
    it odd, while the capture itself is shared by every value of a photo."""
    out = lines
    if rng.random() < AUGMENT_P:
        out = degrade_image(np.concatenate(list(lines), axis=0), rng).reshape(lines.shape)
    out = out.astype(np.float32)
    for i in range(len(out)):
        if rng.random() < LINE_VEIL_P:
            if rng.random() < 0.5:
                out[i] = out[i] + (255 - out[i]) * float(rng.uniform(0.1, 0.45))
            else:
                out[i] = out[i] * float(rng.uniform(0.6, 1.15))
    return np.clip(out, 0, 255).astype(np.uint8)


def line_rows(d: dict[str, Any], copies: int = 0, seed: int = SEED, clean: bool = True
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Deviation rows of every measured line of every document - as drawn when `clean`, and
    `copies` times degraded by :func:`augment` - with labels (1 = the document's odd line) and the
    drawing each row belongs to (a running index over documents and their copies; a drawing with
    fewer than MIN_LINES measured lines has no rows)."""
    rng = np.random.default_rng(seed)
    xs, ys, vs = [], [], []
    version = 0
    for g, idx in enumerate(docs(d)):
        drawings = ([d["lines"][idx]] if clean else []) + [augment(d["lines"][idx], rng) for _ in range(copies)]
        for lines in drawings:
            kept, measures = measure_lines(lines)
            if len(kept) >= MIN_LINES:
                xs.append(deviation_rows(measures))
                ys.append((np.array(kept) == int(d["odd"][g])).astype(np.int64))
                vs.append(np.full(len(kept), version))
            version += 1
    if not xs:
        return np.zeros((0, N_FEATURES)), np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(vs)


def fit(d: dict[str, Any], seed: int = SEED, rounds: int = ROUNDS) -> tuple[Any, np.ndarray]:
    """Boosted trees on the training documents' lines, as drawn and :data:`TRAIN_COPIES` times
    degraded; returns the booster and its training rows (for the ONNX export's equivalence check)."""
    x, y, _ = line_rows(d, TRAIN_COPIES, seed * 10 + 1)
    return fit_gbm(x, y, np.ones(len(y)), seed, rounds), x


def doc_scores(booster: Any, d: dict[str, Any], copies: int = 0, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Each drawing's oddest-line probability and whether that line is the altered one: the
    documents as drawn, or with `copies` only their degraded copies (document by document, copy by
    copy). A drawing with fewer than MIN_LINES measured lines scores 0 (it is not compared)."""
    x, y, v = line_rows(d, copies, seed, clean=not copies)
    p = predict_gbm(booster, x) if len(x) else np.zeros(0)
    n = len(d["odd"]) * (copies or 1)
    out, hit = np.zeros(n), np.zeros(n, bool)
    for k in np.unique(v):
        rows = np.flatnonzero(v == k)
        out[k] = p[rows].max()
        hit[k] = bool(y[rows][int(np.argmax(p[rows]))])
    return out, hit


# --- evaluation -----------------------------------------------------------------------------------

def score_file(test: dict[str, Any], odd: np.ndarray, odd_max: float, out: Path) -> Path:
    import pandas as pd

    meta = pd.DataFrame({"family": test["family"], "template": test["template"], "condition": test["condition"]})
    meta.insert(0, "sample_id", [f"typeface-{i:05d}" for i in range(len(meta))])
    return family_score_file(meta, "oddness", odd, odd_max, out)


def enabled(report: dict[str, Any]) -> bool:
    at = report["at_shipped_threshold"]
    det = at["detection_per_species"].get("field_alteration", {}).get("value") or 0.0
    return bool(det >= MIN_HELDOUT_DETECTION and at["genuine_false_reject"] <= MAX_HELDOUT_FALSE_REJECT)


def write_thresholds(odd_max: float, n_calib: int, report: dict[str, Any], path: Path = THRESHOLDS) -> bool:
    import yaml

    on = enabled(report)
    at = report["at_shipped_threshold"]
    fa = at["detection_per_species"].get("field_alteration", {})
    path.write_text(yaml.safe_dump({
        "name": "document_typeface", "version": date.today().isoformat() + ".1",
        "values": {"odd_max": float(odd_max), "enabled": on},
        "source": {"tool": "python -m openidv.documents.training.train_typeface",
                   "target": f"{CALIB_FALSE_REJECT:.0%} false rejection on {n_calib} degraded copies of calibration "
                             "genuine documents (train designs and conditions, not used to fit)",
                   "enabled_rule": f"acted on only if it detects >= {MIN_HELDOUT_DETECTION} of held-out re-typed "
                                   f"fields and rejects <= {MAX_HELDOUT_FALSE_REJECT} of held-out genuine documents",
                   "measured": {"heldout_genuine": at["genuine_n"],
                                "heldout_false_reject": round(at["genuine_false_reject"], 4),
                                "heldout_false_reject_ci95": [round(v, 4) for v in at["genuine_false_reject_ci95"]],
                                "heldout_detection_field_alteration": fa.get("value")}},
    }, sort_keys=False), encoding="utf-8")
    return on


def save(booster: Any, check_x: np.ndarray, out: Path, meta: dict[str, Any]) -> Path:
    """The booster as ONNX (refused if its outputs differ from XGBoost's on `check_x`), recorded in
    the manifest with its hash."""
    from openidv.models.registry import record_model

    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{MODEL}.onnx"
    path.write_bytes(to_onnx(booster, N_FEATURES, check_x, name=MODEL, output="odd"))
    record_model(out, MODEL, path, VERSION, card=f"{MODEL}.md",
                 trained_by="python -m openidv.documents.training.train_typeface", **meta)
    return path


def _pct(d: dict[str, Any] | None) -> str:
    if not d or d.get("value") is None:
        return "n/a"
    return f"{d['value']:.1%} [{d['ci_low']:.1%}, {d['ci_high']:.1%}]"


def write_card(out: Path, report: dict[str, Any]) -> None:
    """The model card, from this run's report."""
    at1, at = report["at_1pct_heldout_genuine"]["detection_per_species"], report["at_shipped_threshold"]
    dev = (report.get("development_set") or {}).get("at_1pct_heldout_genuine", {}).get("detection_per_species", {})
    dev_at = (report.get("development_set") or {}).get("at_shipped_threshold", {})
    rows = "\n".join(f"| {f} | {_pct(at1.get(f))} | {_pct(at['detection_per_species'].get(f))} |"
                     for f in sorted(at1))
    fr = at["genuine_false_reject_ci95"]
    (out / f"{MODEL}.md").write_text(f"""# Model card: {MODEL} {VERSION}

- **What it does**: measures what a document examiner compares on each printed holder value of a
  document (a {CROP_H} x {CROP_W} window at 12 px/mm from the value's left end, ink relative to the
  window's paper colour): {len(MEASURES)} measures of type height, stroke weight, letter spacing, ink
  colour and darkness and sharpness (`authenticity/print_measures.py`); each line is described by its
  deviation from the median of the document's other lines, the size of that deviation and the
  document's own scatter ({N_FEATURES} numbers). Boosted trees (XGBoost, depth 4, {report['rounds']}
  rounds, exported to ONNX) return the probability that the line was printed differently; the
  document's score is its oddest line's (`openidv.documents.authenticity.typeface`). Used by the
  `document_authenticity` check (DOCUMENT_TAMPERED) on fronts recognised as a registered design whose
  portrait registers.
- **Training data**: {report['train_documents']} generated fronts of train designs under train capture
  conditions, rectified with the capture's true homography, each as drawn and {TRAIN_COPIES} times
  degraded by the generic capture policy ({report['train_lines']} lines); in 70% one value's place was
  left blank by the renderer and the value printed there in another style - font family, weight,
  size, letter spacing or ink (`training/typeface_data.py`). No forgery family's code is used, but the
  restyled value is the kind of edit `field_alteration` makes: read that row as in distribution; the
  other families are edits of another kind.
- **Calibration**: `odd_max` {report['odd_max']:.4f} = the {1 - CALIB_FALSE_REJECT:.0%} point of
  {report['calibration_genuine']} degraded copies ({CALIB_COPIES} each) of genuine train-design
  documents not used to fit.
- **Held-out evaluation** (test designs, capture conditions glare / low light / low resolution, test
  portraits; values cut at their true places with the true rectification; evaluation layer, kind pad):

| family | detected at 1% held-out genuine false rejection | detected at `odd_max` |
|---|---|---|
{rows}

  Held-out genuine documents rejected at `odd_max`: {at['genuine_false_reject']:.1%}
  [{fr[0]:.1%}, {fr[1]:.1%}] of {at['genuine_n']}. The oddest value was the re-typed one in
  {report['oddest_is_altered_field'] or 0:.0%} of re-typed fields. Development set (same held-out
  designs and conditions, other seeds; the measures, the degraded copies and the calibration were
  chosen on it): re-typed fields {_pct(dev.get('field_alteration'))} at 1% of its genuine documents,
  {_pct((dev_at.get('detection_per_species') or {}).get('field_alteration'))} at `odd_max` with
  {dev_at.get('genuine_false_reject', 0):.1%} of its genuine documents rejected.
- **Acted on**: {'yes' if report.get('enabled') else 'no'} - the enabling rule asks for at least
  {MIN_HELDOUT_DETECTION:.0%} of held-out re-typed fields at `odd_max` with at most
  {MAX_HELDOUT_FALSE_REJECT:.0%} of held-out genuine documents rejected; the `document_authenticity`
  check computes this evidence only when its threshold file says `enabled: true`.
- **Limits**: generated designs print every value in one font and ink; a real design that prints the
  name or the number in another style would need its own places excluded. A field pasted from another
  document of the same design (splicing) is printed alike and is not this model's to find; an MRZ
  edit or a portrait is not a value line. A forger who matches the issuer's type size, weight,
  spacing and ink within a capture's noise is not found. In the pipeline the places come from the
  registered design and the card outline or MRZ frame, a millimetre or so off; fronts not recognised
  as a registered design are not compared.
- **Training**: `python -m openidv.documents.training.train_typeface`, seed {report['seed']}; measuring the lines
  takes a few minutes on one core, the trees seconds.
- **Licence**: weights Apache-2.0; trained only on generated documents.
""", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--train", type=int, default=3000)
    ap.add_argument("--calib", type=int, default=400)
    ap.add_argument("--test-genuine", type=int, default=400)
    ap.add_argument("--test-per-family", type=int, default=150)
    ap.add_argument("--rounds", type=int, default=ROUNDS)
    ap.add_argument("--seed", type=int, default=SEED,
                    help="seeds the trees and the degradation draws (another seed sizes run-to-run variation)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=PACKAGE_MODELS)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--scores", type=Path, default=Path("var/bench/typeface_scores.csv"))
    ap.add_argument("--thresholds", type=Path, default=THRESHOLDS)
    ap.add_argument("--no-write", action="store_true", help="evaluate only: leave the shipped model and thresholds")
    ap.add_argument("--smoke", action="store_true",
                    help="a tiny run whose data, model, card and thresholds go to a temporary folder (CI)")
    args = ap.parse_args(argv)
    if args.smoke:
        import tempfile

        tmp = Path(tempfile.mkdtemp(prefix="typeface-smoke-"))
        args.data, args.out, args.scores, args.thresholds = tmp / "data", tmp / "models", tmp / "s.csv", tmp / "t.yaml"
        args.train, args.calib, args.test_genuine, args.test_per_family, args.rounds = 12, 8, 8, 4, 5
    tag = f"{args.train}-{args.calib}-{args.test_genuine}-{args.test_per_family}"
    train = load(build("train", [(None, i) for i in range(args.train)], args.data / f"train-{tag}.npz", args.workers))
    calib = load(build("calib", [(None, i) for i in range(args.calib)], args.data / f"calib-{tag}.npz", args.workers))
    plan: list[tuple[str | None, int]] = [(None, i) for i in range(args.test_genuine)]
    plan += [(f, i) for f in TEST_FAMILIES for i in range(args.test_per_family)]
    dev = load(build("dev", plan, args.data / f"dev-{tag}.npz", args.workers))
    test = load(build("test", plan, args.data / f"test-{tag}.npz", args.workers))
    booster, train_x = fit(train, args.seed, args.rounds)
    calib_odd, _ = doc_scores(booster, calib, CALIB_COPIES, args.seed * 10 + 2)
    odd_max = float(np.quantile(calib_odd, 1.0 - CALIB_FALSE_REJECT))
    dev_odd, _ = doc_scores(booster, dev)
    dev_report = evaluate(score_file(dev, dev_odd, odd_max, args.scores.with_name(args.scores.stem + "_dev.csv")))
    test_odd, test_hit = doc_scores(booster, test)
    report = evaluate(score_file(test, test_odd, odd_max, args.scores))
    report["development_set"] = {k: dev_report[k] for k in ("at_1pct_heldout_genuine", "at_shipped_threshold")}
    report["calibration_oddness_quantiles"] = {str(q): float(np.quantile(calib_odd, q)) for q in (0.5, 0.9, 0.99)}
    fa = test["family"] == "field_alteration"
    report.update({"odd_max": odd_max, "calibration_genuine": len(calib_odd), "train_documents": len(train["odd"]),
                   "train_lines": len(train_x),
                   "test_documents": {str(f): int((test["family"] == f).sum()) for f in np.unique(test["family"])},
                   "oddest_is_altered_field": float(test_hit[fa].mean()) if fa.any() else None,
                   "rounds": args.rounds, "seed": args.seed})
    if not args.no_write:
        report["enabled"] = write_thresholds(odd_max, len(calib_odd), report, args.thresholds)
        save(booster, train_x[:2000], args.out, {"rounds": args.rounds, "seed": args.seed, "features": N_FEATURES})
        write_card(args.out, report)
    text = json.dumps(report, indent=2, default=float)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
