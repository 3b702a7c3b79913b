"""Train the typeface-consistency model; calibrate it; evaluate it on held-out forgery families.

    OMP_NUM_THREADS=1 python -m openidv.documents.training.train_typeface --json var/bench/typeface.json

Steps (each cached under ``--data``, so a re-run resumes):

1. **data** - training documents with one value re-printed in another style
   (:func:`typeface_data.restyled_set`: train designs and capture conditions; no forgery family's code),
   calibration documents (genuine, train designs and conditions, other seeds), and two held-out sets
   from the forgery generator (:func:`typeface_data.forged_set`: test designs, held-out capture
   conditions glare / low light / low resolution; genuine and the local-edit families): a
   development set (seed 48M + i), on which the design was chosen, and a test set (49M + i) that
   gives the figures and the enabling verdict.
2. **fit** - :class:`TypefaceNet` on the training pairs (seed fixed), exported to ONNX
   (``typeface_pair.onnx``, sha256 in ``MODELS.json``).
3. **calibrate** - ``odd_max``: the oddest-line score that rejects :data:`CALIB_FALSE_REJECT` of the
   calibration documents.
4. **evaluate** - through the evaluation layer (kind pad; score = 1 / (1 + oddness / odd_max), 0.5
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

from openidv.documents.authenticity.typeface import CROP_H, CROP_W, MIN_LINES, MODEL, features, oddness
from openidv.documents.training.common import (
    MAX_HELDOUT_FALSE_REJECT,
    MIN_HELDOUT_DETECTION,
    PACKAGE_MODELS,
    degrade_image,
    export_onnx,
    seed_everything,
)
from openidv.documents.training.train_recapture_novelty import evaluate  # the same evaluation at a shipped threshold
from openidv.documents.training.typeface_data import LineSet, forged_set, restyled_set

VERSION = "1.0.0"
SEED = 46
DATA = Path("var/cache/typeface")
THRESHOLDS = Path("src/openidv/policy/data/thresholds/document_typeface.yaml")
CALIB_FALSE_REJECT = 0.01
AUGMENT_P = 0.5
LINE_VEIL_P = 0.2
LABEL_SMOOTHING = 0.05
TEST_FAMILIES = ("field_alteration", "digital_splicing", "mrz_tampering", "portrait_substitution")
# seed bases of the three sets: far apart so that no document is drawn twice
SEEDS = {"train": 46_000_000, "calib": 47_000_000, "dev": 48_000_000, "test": 49_000_000}


def build_model() -> Any:
    """Encoder of one value line (conv net, average and max pooled) and a pair head on
    ``|a - b|`` and ``a * b``; ``forward`` maps N lines to the N x N logits "printed differently"."""
    import torch
    import torch.nn as nn

    def block(cin: int, cout: int) -> list[Any]:
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]

    class TypefaceNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Sequential(*block(3, 16), *block(16, 16), nn.MaxPool2d(2), *block(16, 32), nn.MaxPool2d(2),
                                      *block(32, 48), nn.MaxPool2d(2), *block(48, 64))
            self.embed = nn.Sequential(nn.Dropout(0.3), nn.Linear(128, 64))
            self.head = nn.Sequential(nn.Linear(128, 64), nn.ReLU(inplace=True), nn.Linear(64, 1))

        def encode(self, x: Any) -> Any:
            f = self.conv(x)
            return self.embed(torch.cat([f.mean(dim=(2, 3)), f.amax(dim=(2, 3))], dim=1))

        def forward(self, x: Any) -> Any:
            e = self.encode(x)
            a, b = e.unsqueeze(1), e.unsqueeze(0)
            pair = torch.cat([(a - b).abs(), a * b], dim=2)
            return self.head(pair).squeeze(2)

    return TypefaceNet()


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

def targets(n: int, odd: int) -> tuple[np.ndarray, np.ndarray]:
    """Pair labels (1 = printed differently) and weights (both classes weigh alike; diagonal 0)."""
    y = np.zeros((n, n), np.float32)
    if odd >= 0:
        y[odd, :] = 1.0
        y[:, odd] = 1.0
        y[odd, odd] = 0.0
    w = np.ones((n, n), np.float32)
    np.fill_diagonal(w, 0.0)
    pos = float((y * w).sum())
    if pos > 0:
        w[y > 0] *= (w.sum() - pos) / pos
    return y, w / w.sum()


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


def fit(d: dict[str, Any], epochs: int, seed: int = SEED, log: bool = True) -> Any:
    import torch

    seed_everything(seed)
    model = build_model()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-3)
    groups = docs(d)
    rng = np.random.default_rng(seed)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=max(1, epochs * (len(groups) // 8 + 1)))
    for ep in range(epochs):
        model.train()
        total, steps = 0.0, 0
        order = rng.permutation(len(groups))
        for b in range(0, len(order), 8):
            opt.zero_grad()
            loss = torch.zeros(())
            for g in order[b : b + 8]:
                idx = groups[g]
                y, w = targets(len(idx), int(d["odd"][g]))
                y = y * (1 - 2 * LABEL_SMOOTHING) + LABEL_SMOOTHING
                logits = model(torch.from_numpy(features(augment(d["lines"][idx], rng))))
                bce = torch.nn.functional.binary_cross_entropy_with_logits(logits, torch.from_numpy(y),
                                                                           reduction="none")
                loss = loss + (bce * torch.from_numpy(w)).sum()
            loss = loss / len(order[b : b + 8])
            loss.backward()
            opt.step()
            sched.step()
            total, steps = total + float(loss.detach()), steps + 1
        if log:
            print(f"epoch {ep + 1}/{epochs} loss {total / max(steps, 1):.4f}", flush=True)
    model.eval()
    return model


def doc_scores(model: Any, d: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Each document's oddest-line score and whether that line is the altered one."""
    import torch

    out, hit = [], []
    with torch.no_grad():
        for g, idx in enumerate(docs(d)):
            logits = model(torch.from_numpy(features(d["lines"][idx]))).numpy().astype(np.float64)
            odd = oddness(1.0 / (1.0 + np.exp(-logits)))
            out.append(max(odd))
            hit.append(int(np.argmax(odd)) == int(d["odd"][g]))
    return np.array(out), np.array(hit)


# --- evaluation -----------------------------------------------------------------------------------

def score_file(test: dict[str, Any], odd: np.ndarray, odd_max: float, out: Path) -> Path:
    import pandas as pd

    df = pd.DataFrame({"family": test["family"], "template": test["template"], "condition": test["condition"]})
    df["sample_id"] = [f"typeface-{i:05d}" for i in range(len(df))]
    df["subject_id"] = df["sample_id"]
    df["label"] = np.where(df["family"] == "genuine", "bona_fide", "attack")
    df["species"] = np.where(df["family"] == "genuine", "", df["family"])
    df["oddness"] = odd
    df["score"] = 1.0 / (1.0 + odd / odd_max)
    out.parent.mkdir(parents=True, exist_ok=True)
    cols = ["sample_id", "subject_id", "label", "species", "score", "oddness", "template", "condition"]
    df[cols].to_csv(out, index=False)
    return out


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
                   "target": f"{CALIB_FALSE_REJECT:.0%} false rejection on {n_calib} calibration genuine documents "
                             "(train designs and conditions, not used to fit)",
                   "enabled_rule": f"acted on only if it detects >= {MIN_HELDOUT_DETECTION} of held-out re-typed "
                                   f"fields and rejects <= {MAX_HELDOUT_FALSE_REJECT} of held-out genuine documents",
                   "measured": {"heldout_genuine": at["genuine_n"],
                                "heldout_false_reject": round(at["genuine_false_reject"], 4),
                                "heldout_false_reject_ci95": [round(v, 4) for v in at["genuine_false_reject_ci95"]],
                                "heldout_detection_field_alteration": fa.get("value")}},
    }, sort_keys=False), encoding="utf-8")
    return on


def save(model: Any, out: Path, meta: dict[str, Any]) -> Path:
    import torch

    from openidv.models.registry import record_model

    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{MODEL}.onnx"
    export_onnx(model, torch.zeros(4, 3, CROP_H, CROP_W), path, "lines")
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
    rows = "\n".join(f"| {f} | {_pct(at1.get(f))} | {_pct(at['detection_per_species'].get(f))} |"
                     for f in sorted(at1))
    fr = at["genuine_false_reject_ci95"]
    (out / f"{MODEL}.md").write_text(f"""# Model card: {MODEL} {VERSION}

- **What it does**: embeds each printed holder value of a document (a {CROP_H} x {CROP_W} window at
  12 px/mm from the value's left end, ink relative to the window's paper colour) and scores every pair
  of values: the probability that they were *not* printed alike (font, weight, size, ink). A value's
  oddness is the median against the others; the document's score is its oddest value's
  (`openidv.documents.authenticity.typeface`). Used by the `document_authenticity` check
  (DOCUMENT_TAMPERED) on fronts recognised as a registered design whose portrait registers.
- **Training data**: {report['train_documents']} generated fronts of train designs under train capture
  conditions, rectified with the capture's true homography; in 70% one value's place was left blank
  by the renderer and the value printed there in another style - font family, weight, size, letter
  spacing or ink (`training/typeface_data.py`). No forgery family's code is used, but the restyled
  value is the kind of edit `field_alteration` makes: read that row as in distribution; the other
  families are edits of another kind.
- **Calibration**: `odd_max` {report['odd_max']:.4f} = the {1 - CALIB_FALSE_REJECT:.0%} point of
  {report['calibration_genuine']} genuine train-design documents not used to fit.
- **Held-out evaluation** (test designs, capture conditions glare / low light / low resolution, test
  portraits; values cut at their true places with the true rectification; evaluation layer, kind pad):

| family | detected at 1% held-out genuine false rejection | detected at `odd_max` |
|---|---|---|
{rows}

  Held-out genuine documents rejected at `odd_max`: {at['genuine_false_reject']:.1%}
  [{fr[0]:.1%}, {fr[1]:.1%}] of {at['genuine_n']}. The oddest value was the re-typed one in
  {report['oddest_is_altered_field'] or 0:.0%} of re-typed fields. Development set (same held-out
  designs and conditions, other seeds; the design was chosen on it): re-typed fields
  {_pct(dev.get('field_alteration'))} at 1% of its genuine documents.
- **Acted on**: {'yes' if report.get('enabled') else 'no'} - the enabling rule asks for at least
  {MIN_HELDOUT_DETECTION:.0%} of held-out re-typed fields at `odd_max` with at most
  {MAX_HELDOUT_FALSE_REJECT:.0%} of held-out genuine documents rejected; the `document_authenticity`
  check computes this evidence only when its threshold file says `enabled: true`.
- **Limits**: generated designs print every value in one font and ink; a real design that prints the
  name or the number in another style would need its own places excluded. A field pasted from another
  document of the same design (splicing) is printed alike and is not this model's to find; an MRZ
  edit or a portrait is not a value line. In the pipeline the places come from the registered design
  and the card outline or MRZ frame, a millimetre or so off; fronts not recognised as a registered
  design are not compared.
- **Training**: `python -m openidv.documents.training.train_typeface`, seed {SEED}, {report['epochs']} epochs;
  CPU, a few minutes per epoch on two cores.
- **Licence**: weights Apache-2.0; trained only on generated documents.
""", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--train", type=int, default=3000)
    ap.add_argument("--calib", type=int, default=400)
    ap.add_argument("--test-genuine", type=int, default=400)
    ap.add_argument("--test-per-family", type=int, default=150)
    ap.add_argument("--epochs", type=int, default=8)
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
        args.train, args.calib, args.test_genuine, args.test_per_family, args.epochs = 12, 8, 8, 4, 1
    tag = f"{args.train}-{args.calib}-{args.test_genuine}-{args.test_per_family}"
    train = load(build("train", [(None, i) for i in range(args.train)], args.data / f"train-{tag}.npz", args.workers))
    calib = load(build("calib", [(None, i) for i in range(args.calib)], args.data / f"calib-{tag}.npz", args.workers))
    plan: list[tuple[str | None, int]] = [(None, i) for i in range(args.test_genuine)]
    plan += [(f, i) for f in TEST_FAMILIES for i in range(args.test_per_family)]
    dev = load(build("dev", plan, args.data / f"dev-{tag}.npz", args.workers))
    test = load(build("test", plan, args.data / f"test-{tag}.npz", args.workers))
    model = fit(train, args.epochs)
    calib_odd, _ = doc_scores(model, calib)
    odd_max = float(np.quantile(calib_odd, 1.0 - CALIB_FALSE_REJECT))
    dev_odd, _ = doc_scores(model, dev)
    dev_report = evaluate(score_file(dev, dev_odd, odd_max, args.scores.with_name(args.scores.stem + "_dev.csv")))
    test_odd, test_hit = doc_scores(model, test)
    report = evaluate(score_file(test, test_odd, odd_max, args.scores))
    report["development_set"] = {k: dev_report[k] for k in ("at_1pct_heldout_genuine", "at_shipped_threshold")}
    report["calibration_oddness_quantiles"] = {str(q): float(np.quantile(calib_odd, q)) for q in (0.5, 0.9, 0.99)}
    fa = test["family"] == "field_alteration"
    report.update({"odd_max": odd_max, "calibration_genuine": len(calib_odd), "train_documents": len(train["odd"]),
                   "test_documents": {str(f): int((test["family"] == f).sum()) for f in np.unique(test["family"])},
                   "oddest_is_altered_field": float(test_hit[fa].mean()) if fa.any() else None,
                   "epochs": args.epochs, "seed": SEED})
    if not args.no_write:
        report["enabled"] = write_thresholds(odd_max, len(calib_odd), report, args.thresholds)
        save(model, args.out, {"epochs": args.epochs, "seed": SEED})
        write_card(args.out, report)
    text = json.dumps(report, indent=2, default=float)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
