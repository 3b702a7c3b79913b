"""Leave-one-family-out for recapture at the level of the authenticity check.

    OMP_NUM_THREADS=1 python -m openidv.documents.training.train_tamper data       # tile data, once
    OMP_NUM_THREADS=1 python -m openidv.documents.training.train_recapture_novelty  # held-out documents
    OMP_NUM_THREADS=1 python benchmarks/documents_recapture_lofo.py --family screen_recapture --json OUT

Retrains the tile model without `--family` (`train_tamper.fit`, `--epochs` 3 as stop 10's
leave-one-family-out runs), sets its recapture threshold at 0.5% of its calibration documents as
`train_tamper` does, and scores the novelty model's held-out test documents (seed 21M + i: test
templates, glare / low light / low resolution) with it and with the shipped novelty model, which never
sees an attack. Prints detection per recapture species at 1% false rejection of the held-out genuine
documents (evaluation layer, with CIs) for the retrained tile model alone and for the check (either
evidence: 1 / (1 + the larger ratio to its threshold)), and the counts over each threshold.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np
from documents_common import emit, recapture_detection, recapture_documents


def main() -> None:
    import pandas as pd
    import torch

    from openidv.documents.authenticity.detector import STRIDE, aggregate
    from openidv.documents.authenticity.novelty import load_novelty, novelty_score
    from openidv.documents.authenticity.patches import features, tile
    from openidv.documents.training.train_tamper import fit, operating_points, score_test
    from openidv.policy import ThresholdRegistry

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--family", required=True, choices=("screen_recapture", "photocopy"))
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--tamper-data", type=Path, default=Path("var/cache/tamper"))
    ap.add_argument("--test", type=Path, default=Path("var/cache/recap/test"))
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    model = fit(args.family, args.epochs, data=args.tamper_data)
    _, rec_max = operating_points(score_test(model, args.tamper_data, "calib"))
    nov_max = float(ThresholdRegistry.load().get("document_recapture_novelty")["novelty_max"])
    nov = load_novelty()
    rows = []
    for name, fam, doc in recapture_documents(args.test):
        patches, origins = tile(doc, STRIDE)
        with torch.no_grad():
            probs = torch.softmax(model(torch.from_numpy(features(patches))), 1).numpy().astype(np.float64)
        rows.append({"sample_id": name, "family": fam, "tile": aggregate(probs, origins).recapture / rec_max,
                     "novelty": novelty_score(doc, nov) / nov_max})
    df = pd.DataFrame(rows)
    out: dict[str, Any] = {"held_out": args.family, "epochs": args.epochs, "recapture_max": rec_max}
    for name, ratio in (("tile", df.tile), ("check", np.maximum(df.tile, df.novelty))):
        out[name] = recapture_detection(df.sample_id, df.family, ratio,
                                        Path(f"var/bench/recapture_lofo_{args.family}_{name}.csv"))
    emit(out, args.json)


if __name__ == "__main__":
    main()
