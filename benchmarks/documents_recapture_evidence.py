"""Both kinds of recapture evidence on the held-out documents of the novelty model's test split.

    OMP_NUM_THREADS=1 python benchmarks/documents_recapture_evidence.py --json var/bench/s26_combo.json

Reads the documents `python -m openidv.documents.training.train_recapture_novelty` generated and
cached (`--data`, split `test`: held-out templates, glare / low light / low resolution, test
identities; rectified with the true homography), scores each genuine or recaptured one with the
shipped tile model (`recapture` against `recapture_max`) and the shipped novelty model (against
`novelty_max`), and evaluates through the evaluation layer, per recapture species, the tile model
alone, the novelty model alone and the check (1 / (1 + the larger ratio to its threshold)): detection
at 1% false rejection of the held-out genuine documents, with CIs, and counts at the shipped thresholds.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

RECAPTURES = ("screen_recapture", "photocopy", "screen_recapture_oled", "inkjet_print")


def main() -> None:
    import cv2
    import pandas as pd

    from openidv.documents.authenticity.detector import score_document
    from openidv.documents.authenticity.novelty import load_novelty, novelty_score
    from openidv.documents.training.train_tamper import evaluate_scores
    from openidv.policy import ThresholdRegistry

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("var/cache/recap/test"))
    ap.add_argument("--out", type=Path, default=Path("var/bench"), help="folder for the score files")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    reg = ThresholdRegistry.load()
    rec_max = float(reg.get("document_authenticity")["recapture_max"])
    nov_max = float(reg.get("document_recapture_novelty")["novelty_max"])
    model = load_novelty()
    rows = []
    for path in sorted(args.data.glob("*.npz")):
        with np.load(path) as z:
            fam = str(z["family"])
            if fam != "genuine" and fam not in RECAPTURES:
                continue
            doc = np.ascontiguousarray(cv2.imdecode(z["doc"], cv2.IMREAD_COLOR)[:, :, ::-1])
        rows.append({"sample_id": path.stem, "family": fam, "tile": score_document(doc).recapture / rec_max,
                     "novelty": novelty_score(doc, model) / nov_max})
    if not rows:
        raise SystemExit(f"no cached documents under {args.data}: run train_recapture_novelty first")
    df = pd.DataFrame(rows)
    out: dict[str, Any] = {"n": df.family.value_counts().to_dict()}
    for name, ratio in (("tile", df.tile), ("novelty", df.novelty), ("check", np.maximum(df.tile, df.novelty))):
        ev = pd.DataFrame({"sample_id": df.sample_id, "subject_id": df.sample_id,
                           "label": np.where(df.family == "genuine", "bona_fide", "attack"),
                           "species": np.where(df.family == "genuine", "", df.family), "score": 1 / (1 + ratio)})
        csv = args.out / f"recapture_evidence_{name}.csv"
        csv.parent.mkdir(parents=True, exist_ok=True)
        ev.to_csv(csv, index=False)
        res = evaluate_scores(csv)
        out[name] = {"threshold_at_1pct": res["threshold"], "detection_at_1pct": res["detection_per_species"],
                     "flagged_at_shipped": {f: int((ratio[df.family == f] > 1).sum())
                                            for f in ("genuine", *RECAPTURES)}}
    text = json.dumps(out, indent=2, default=float)
    print(text)
    if args.json:
        args.json.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
