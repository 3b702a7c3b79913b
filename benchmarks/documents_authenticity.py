"""System-level forgery detection: every document check together, per forgery family.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/documents_authenticity.py --genuine 120 --per-family 30 \\
        --json var/bench/authenticity_system.json

Each sample is a generated document from held-out templates, held-out capture conditions and
held-out portrait identities, genuine or forged by one of the nine families, sent through the
pipeline (image_usability + every document check) as one session with its front and back. The
session's score (higher = genuine) is the authenticity check's score (in (0, 1], 0.5 at its
thresholds), set to 0, below every model score, when any document rule fires (MRZ_CHECKSUM,
DATA_MISMATCH, BARCODE_INVALID, TEMPLATE_MISMATCH, DOCUMENT_RECAPTURED, ...).
Scores go through the evaluation layer (`openidv eval`, kind pad): per-family detection
(1 - APCER) at the threshold that rejects 1% of genuine documents, with bootstrap CIs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from documents_common import document_pipeline, latency, peak_rss_mb, rate

RULE_FIRED = 0.0
FRAUD_CODES = {"MRZ_CHECKSUM", "DATA_MISMATCH", "BARCODE_INVALID", "DOCUMENT_TAMPERED", "DOCUMENT_RECAPTURED",
               "TEMPLATE_MISMATCH", "PORTRAIT_SUBSTITUTED"}


def session_for(kind: str, family: str | None, seed: int, portraits: Any) -> Any:
    from openidv.documents.synth.capture import capture, sample_params
    from openidv.documents.synth.dataset import conditions_for
    from openidv.documents.synth.document import make_document
    from openidv.documents.synth.forgery import forge
    from openidv.documents.synth.templates import templates
    from openidv.domain import Capture, CaptureKind, Session

    rng = np.random.default_rng(seed)
    pool = templates(kind, "test")
    t = pool[int(rng.integers(len(pool)))]
    doc = make_document(t, int(rng.integers(1 << 31)), portraits, 12.0)
    if family:
        doc = forge(doc, family, rng, portraits)
    caps = []
    cond = str(rng.choice(conditions_for("test")))
    for side, ck in ((doc.front, CaptureKind.DOCUMENT_FRONT), (doc.back, CaptureKind.DOCUMENT_BACK)):
        if side is None:
            continue
        img = capture(side.image, sample_params(cond, rng), rng, doc_width_mm=t.size_mm[0]).image
        caps.append(Capture(kind=ck, data=b"", image=img, content_type="image/jpeg"))
    return Session(captures=caps), t.id, cond


def _template_columns(auth: Any) -> dict[str, Any]:
    """What template matching saw (margin, nearest other design), so that another rule can be replayed."""
    tm = (auth.evidence.get("template") or {}) if auth is not None else {}
    checked = bool(tm.get("checked"))
    return {"template_margin": tm.get("margin") if checked else None,
            "template_nearest_other": tm.get("nearest_other_template") if checked else None,
            "template_design_similarity": tm.get("design_similarity") if checked else None,
            "template_mismatch": bool(tm.get("mismatch")) if checked else None}


def _recapture_columns(auth: Any) -> dict[str, Any]:
    """The largest tile-model recapture probability and capture novelty over the session's photos."""
    caps = (auth.evidence.get("captures") or []) if auth is not None else []
    rec = [c["recapture"] for c in caps if c.get("recapture") is not None]
    nov = [c["capture_novelty"] for c in caps if c.get("capture_novelty") is not None]
    return {"recapture_max_seen": max(rec) if rec else None, "capture_novelty": max(nov) if nov else None}


def _typeface_columns(auth: Any) -> dict[str, Any]:
    """Whether the values' typefaces were compared, how odd the oddest one was, and which field."""
    tf = (auth.evidence.get("typeface") or {}) if auth is not None else {}
    checked = bool(tf.get("checked"))
    return {"typeface_checked": checked, "typeface_oddness": tf.get("oddness") if checked else None,
            "typeface_oddest": tf.get("oddest_field") if checked else None,
            "typeface_altered": bool(tf.get("altered")) if checked else None}


def main() -> None:
    from openidv.documents.synth.forgery import FAMILIES, HELDOUT_SPECIES, applicable
    from openidv.documents.synth.portraits import default_portraits
    from openidv.evaluation.api import evaluate_path

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--genuine", type=int, default=120)
    ap.add_argument("--per-family", type=int, default=30)
    ap.add_argument("--seed", type=int, default=60_000_000)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--threshold-dir", type=Path, action="append", default=[],
                    help="a folder of threshold files that replace shipped ones (e.g. one enabling an evidence)")
    ap.add_argument("--scores", type=Path, default=Path("var/bench/authenticity_system_scores.csv"))
    ap.add_argument("--families", default=",".join(FAMILIES),
                    help="comma-separated forgery families to generate (default: every training family; the "
                         f"held-out recapture species {', '.join(HELDOUT_SPECIES)} only when named). "
                         "Session k of the run draws from seed + k, so a run of some families draws other "
                         "sessions than a full run at the same seed: compare runs made with the same options")
    args = ap.parse_args()
    all_families = FAMILIES + HELDOUT_SPECIES
    wanted = [f.strip() for f in args.families.split(",") if f.strip()]
    unknown = sorted(set(wanted) - set(all_families))
    if unknown:
        ap.error(f"unknown forgery families {unknown}; known: {', '.join(all_families)}")
    families = tuple(f for f in all_families if f in wanted)
    pipe = document_pipeline(workers=2, threshold_dirs=tuple(args.threshold_dir))
    portraits = default_portraits("test")
    kinds = ("TD1", "TD2", "TD3", "DL")
    plan = [(None, i) for i in range(args.genuine)] + [(f, i) for f in families for i in range(args.per_family)]
    rows, times = [], []
    for k, (family, i) in enumerate(plan):
        ok_kinds = [x for x in kinds if family is None or applicable(family, x)]
        kind = ok_kinds[i % len(ok_kinds)]
        session, template, cond = session_for(kind, family, args.seed + k, portraits)
        t0 = time.perf_counter()
        res = pipe.run(session).results
        times.append((time.perf_counter() - t0) * 1000)
        every = sorted({c for r in res.values() for c in r.reason_codes})
        codes = sorted(set(every) & FRAUD_CODES)
        auth = res.get("document_authenticity")
        # the check's score is in (0, 1], 0.5 at its thresholds; no authenticity score at all counts
        # as no evidence against (1); a rule that fired ranks the session below every model score (0)
        score = auth.score if auth is not None and auth.score is not None else 1.0
        rows.append({"sample_id": f"{family or 'genuine'}-{i}", "subject_id": f"{family or 'genuine'}-{i}",
                     "label": "attack" if family else "bona_fide", "species": family or "",
                     "score": RULE_FIRED if codes else score, "kind": kind, "condition": cond, "template": template,
                     "codes": "|".join(codes), "all_codes": "|".join(every),
                     "ghost_similarity": (auth.evidence.get("ghost") or {}).get("similarity") if auth else None,
                     **_template_columns(auth), **_recapture_columns(auth), **_typeface_columns(auth)})
    import pandas as pd

    args.scores.parent.mkdir(parents=True, exist_ok=True)
    df = pd.DataFrame(rows)
    df.to_csv(args.scores, index=False)
    genuine = np.sort(df.loc[df.label == "bona_fide", "score"].to_numpy())
    thr = float(np.quantile(genuine, 0.01))
    # per-family detection needs both classes: a genuine-only run (--per-family 0) reports rates only
    metrics = _plain(evaluate_path(args.scores, "pad", threshold=thr).metrics) if (df.label == "attack").any() else None
    # Share of sessions where a document rule fired (for genuine ones: false rejections by rule).
    # When more than 1% of genuine sessions are flagged, the 1% quantile is 0 and the rules detect
    # nothing at that threshold; these rates are then the figures to read.
    flagged = {f or "genuine": rate(int((df.loc[df.species == f, "codes"].fillna("") != "").sum()),
                                    int((df.species == f).sum())) for f in ["", *families]}
    # designs that print a ghost image get the ghost comparison (PORTRAIT_SUBSTITUTED); the others cannot
    from openidv.documents.authenticity.template_match import load_features

    feats = load_features()
    df["ghost_design"] = [t in feats and feats[t].ghost_mm is not None for t in df.template]
    flagged_by_design = {
        f"{f or 'genuine'} ({'ghost' if g else 'no ghost'})": rate(
            int((df.loc[(df.species == f) & (df.ghost_design == g), "codes"].fillna("") != "").sum()),
            int(((df.species == f) & (df.ghost_design == g)).sum()))
        for f in ["", *families] for g in (True, False)}
    # Any reason code at all (unconfirmed visual-zone data, unreadable MRZ, low resolution, ...):
    # the share of sessions the document checks keep from an automatic approval.
    with_any_reason = {f or "genuine": rate(int((df.loc[df.species == f, "all_codes"].fillna("") != "").sum()),
                                            int((df.species == f).sum())) for f in ["", *families]}
    # The same with the policy param viz_unread: pass (VIZ_FIELD_UNREAD, a field not read at all, then
    # raises nothing).
    soft = df["all_codes"].fillna("").map(lambda c: "|".join(x for x in c.split("|") if x != "VIZ_FIELD_UNREAD"))
    if_unread_passes = {f or "genuine": rate(int((soft[df.species == f] != "").sum()), int((df.species == f).sum()))
                        for f in ["", *families]}
    report = {"threshold_at_1pct_bpcer": thr, "flagged_by_rules": flagged, "with_any_reason": with_any_reason,
              "with_any_reason_if_unread_passes": if_unread_passes,
              "flagged_by_rules_and_design": flagged_by_design,
              "metrics": metrics, "latency_per_session": latency(times),
              "peak_rss_mb": peak_rss_mb(),
              "codes_by_family": {f: df.loc[df.species == f, "codes"].value_counts().to_dict()
                                  for f in ["", *families]},
              "all_codes_by_family": {f: df.loc[df.species == f, "all_codes"].value_counts().to_dict()
                                      for f in ["", *families]}}
    text = json.dumps(report, indent=2, default=str)
    print(text)
    if args.json:
        args.json.write_text(text, encoding="utf-8")


def _plain(obj: Any) -> Any:
    """Evaluation-layer Estimates as {value, ci_low, ci_high, ...} instead of Python reprs."""
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    return obj


if __name__ == "__main__":
    main()
