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
from pathlib import Path
from typing import Any

import numpy as np
from documents_common import emit, recapture_detection, recapture_documents


def main() -> None:
    import pandas as pd

    from openidv.documents.authenticity.detector import score_document
    from openidv.documents.authenticity.novelty import load_novelty, novelty_score
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
    for name, fam, doc in recapture_documents(args.data):
        rows.append({"sample_id": name, "family": fam, "tile": score_document(doc).recapture / rec_max,
                     "novelty": novelty_score(doc, model) / nov_max})
    if not rows:
        raise SystemExit(f"no cached documents under {args.data}: run train_recapture_novelty first")
    df = pd.DataFrame(rows)
    out: dict[str, Any] = {"n": df.family.value_counts().to_dict()}
    for name, ratio in (("tile", df.tile), ("novelty", df.novelty), ("check", np.maximum(df.tile, df.novelty))):
        out[name] = recapture_detection(df.sample_id, df.family, ratio, args.out / f"recapture_evidence_{name}.csv")
    emit(out, args.json)


if __name__ == "__main__":
    main()
