"""Build the template signature registry and tune the template-match threshold.

    OMP_NUM_THREADS=1 python -m openidv.documents.training.build_templates --docs 6

For every generator template, signatures of `--docs` genuine documents (flat renders) are
averaged into the reference. The threshold is then tuned on *train* templates only: captured
genuine documents vs template-mismatch forgeries of train templates; the value at 1% false
rejection of genuine documents is written to ``policy/data/thresholds/document_template.yaml``
with its provenance, and the held-out-template figures are reported (not used for tuning).
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from openidv.documents.authenticity.patches import PX_PER_MM
from openidv.documents.authenticity.template_match import Registry, registry_path, signature
from openidv.documents.synth.document import make_document
from openidv.documents.synth.templates import templates
from openidv.documents.training.tamper_data import make_doc

THRESHOLDS = Path(__file__).resolve().parents[2] / "policy" / "data" / "thresholds" / "document_template.yaml"


def _issuer(t: Any) -> str:
    return t.iin if t.kind == "DL" else t.issuer


def build(n_docs: int) -> Registry:
    import cv2

    ids, kinds, issuers, sigs = [], [], [], []
    for t in templates():
        acc = []
        for s in range(n_docs):
            d = make_document(t, 1000 + s, None, 12.0)
            flat = cv2.resize(d.front.image, (int(t.size_mm[0] * PX_PER_MM), int(t.size_mm[1] * PX_PER_MM)),
                              interpolation=cv2.INTER_AREA)
            acc.append(signature(flat))
        ids.append(t.id)
        kinds.append(t.kind)
        issuers.append(_issuer(t))
        sigs.append(np.mean(acc, axis=0))
    reg = Registry(tuple(ids), tuple(kinds), tuple(issuers), np.array(sigs, np.float32))
    np.savez_compressed(registry_path(), ids=np.array(ids), kinds=np.array(kinds), issuers=np.array(issuers),
                        signatures=reg.signatures)
    return reg


def scores(reg: Registry, split: str, n: int, seed: int) -> tuple[list[float], list[float]]:
    from openidv.documents.synth.templates import make_template

    gen: list[float] = []
    mis: list[float] = []
    for i in range(n):
        for family, out in ((None, gen), ("template_mismatch", mis)):
            s = make_doc(split, family, seed + 2 * i + (family is not None))
            kind, idx = s.template.split("-")[0].upper(), int(s.template.split("-")[1])
            t = make_template(kind, idx)
            m = reg.match(s.image, t.kind, _issuer(t))
            if m is not None:
                out.append(m[0])
    return gen, mis


def main() -> None:
    import yaml

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=6)
    ap.add_argument("--n", type=int, default=150)
    args = ap.parse_args()
    reg = build(args.docs)
    g_tr, m_tr = scores(reg, "train", args.n, 30_000_000)
    thr = float(np.quantile(g_tr, 0.01))
    g_te, m_te = scores(reg, "test", args.n, 40_000_000)
    report = {
        "threshold": thr,
        "train": {"genuine": len(g_tr), "mismatch": len(m_tr), "detected": float(np.mean(np.array(m_tr) < thr))},
        "test": {"genuine": len(g_te), "mismatch": len(m_te), "false_reject": float(np.mean(np.array(g_te) < thr)),
                 "detected": float(np.mean(np.array(m_te) < thr))},
    }
    THRESHOLDS.write_text(yaml.safe_dump({
        "name": "document_template", "version": date.today().isoformat() + ".1", "values": {"min_similarity": thr},
        "source": {"tool": "python -m openidv.documents.training.build_templates", "target": "1% false rejection "
                   "of genuine documents of train templates (train capture conditions)", "measured": report},
    }, sort_keys=False), encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
