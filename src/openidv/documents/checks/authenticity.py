"""Is the document genuine: not edited, not a recapture, printed on its issuer's design?

Independent signals over each rectified document:

* the tile model (:mod:`openidv.documents.authenticity.detector`): DOCUMENT_RECAPTURED when the
  page-wide screen / print probability exceeds ``recapture_max``; DOCUMENT_TAMPERED when the most
  suspicious tiles exceed ``tamper_max`` - only if the threshold file enables that evidence
  (``tamper_enabled``: the training script enables it only when it detects at least half of the
  held-out local edits at its threshold; the shipped model's does not, so it is reported in the
  evidence and not acted on);
* capture-statistics novelty (:mod:`openidv.documents.authenticity.novelty`, holder's side only):
  DOCUMENT_RECAPTURED when the photo's noise, colour and spectrum lie further from genuine captures
  than ``novelty_max`` - a model of genuine captures only, so it also flags screens and printers the
  tile model never saw; only if ``document_recapture_novelty.enabled`` says its held-out evaluation
  earned it;
* portrait forensics (same condition): PORTRAIT_SUBSTITUTED when the tiles over the holder's photo
  are the suspicious ones (a pasted photo leaves edges and re-compression there);
* ghost image (:mod:`openidv.documents.authenticity.ghost`): PORTRAIT_SUBSTITUTED when the design the
  document matches prints a ghost image and the main portrait is not found in it (a pasted photo
  leaves the ghost showing the original holder) - only if ``document_ghost.enabled`` says its
  held-out evaluation earned it;
* typeface consistency (:mod:`openidv.documents.authenticity.typeface`): DOCUMENT_TAMPERED when one
  of the holder's values, cut at the places the matched design prints them, is printed unlike the
  others (another size, weight, spacing or ink: a re-typed field) beyond ``odd_max`` - on the holder's side
  of a recognised design whose portrait registers, and only if ``document_typeface.enabled`` says
  its held-out evaluation earned it;
* template matching (:mod:`openidv.documents.authenticity.template_match`): TEMPLATE_MISMATCH when
  the document is recognised as a registered design of its kind and that design is not one of the
  issuer the MRZ or barcode claims - again only if ``document_template.enabled`` says its held-out
  evaluation (on the pipeline's own rectification) earned it.

Thresholds come from ``document_authenticity``, ``document_recapture_novelty``, ``document_ghost``,
``document_typeface`` and ``document_template`` (tuned by the training scripts at 1% false
rejection of genuine documents; provenance in the files).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from openidv.checks.base import BaseCheck, CheckContext
from openidv.documents.authenticity.capture_stats import MIN_SIDE
from openidv.documents.authenticity.detector import TamperScores, score_document
from openidv.documents.authenticity.ghost import compare_ghost, mm_box_to_px
from openidv.documents.authenticity.novelty import novelty_score
from openidv.documents.authenticity.patches import PX_PER_MM
from openidv.documents.authenticity.template_match import load_features, load_registry
from openidv.documents.authenticity.typeface import MIN_LINES, design_lines, score_lines
from openidv.documents.authenticity.typeface import PX_PER_MM as TYPEFACE_PX_PER_MM
from openidv.documents.checks.common import claimed_design, doc_captures, portrait_registered
from openidv.documents.geometry import DocumentFrame
from openidv.domain import CheckResult, Outcome, Session
from openidv.policy.thresholds import ThresholdSet

VIZ_PX_PER_MM = 9.0


def _portrait_hot(s: TamperScores, box_px: list[int] | None) -> bool:
    """Are the hottest tiles over the portrait (box in VIZ pixels, tiles in tamper pixels)?"""
    if not box_px:
        return False
    f = PX_PER_MM / VIZ_PX_PER_MM
    x0, y0, x1, y1 = (v * f for v in box_px)
    hx0, hy0, hx1, hy1 = s.hot_tiles[0]
    cx, cy = (hx0 + hx1) / 2, (hy0 + hy1) / 2
    return bool(x0 <= cx <= x1 and y0 <= cy <= y1)


class DocumentAuthenticityCheck(BaseCheck):
    name = "document_authenticity"
    # 1.5.0: typeface consistency from print measures (typeface_lines 2.1.0); 1.4.0: typeface
    # consistency of the values; 1.3.0: capture-statistics novelty;
    # 1.2.0: ghost-image comparison; 1.1.0: tile model 2.0.0, gated evidence
    version = "1.5.0"
    requires = ("document_viz", "document_mrz", "document_barcode")
    run_if_upstream_failed = True
    timeout_s = 40.0
    reason_codes = ("DOCUMENT_TAMPERED", "DOCUMENT_RECAPTURED", "PORTRAIT_SUBSTITUTED", "TEMPLATE_MISMATCH")
    score_meaning = ("1 / (1 + r) of the least genuine document photo, r = the largest ratio of an acted-on "
                     "kind of evidence to its threshold: 0.5 at the threshold, below it a code fires")

    def applies(self, session: Session) -> bool:
        return bool(doc_captures(session))

    def run(self, ctx: CheckContext) -> CheckResult:
        viz = ctx.upstream.get("document_viz")
        frames: dict[str, DocumentFrame] = viz.artifacts.get("frames", {}) if viz else {}
        if not frames:
            return self.result(Outcome.NOT_APPLICABLE, evidence={"why": "no rectified document to inspect"})
        t = ctx.thresholds.set("document_authenticity")
        caps = {c.id: c for c in doc_captures(ctx.session)}
        viz_caps = viz.evidence.get("captures", []) if viz else []
        portrait_boxes = {e["capture_id"]: e.get("portrait_box_px") for e in viz_caps}
        codes: set[str] = set()
        per: list[dict[str, Any]] = []
        scores: list[float] = []
        novelty_t = ctx.thresholds.set("document_recapture_novelty")
        docs = {cid: frame.rectify(caps[cid].image, PX_PER_MM) for cid, frame in frames.items()}
        front = next((cid for cid in docs if caps[cid].kind.value == "document_front"), next(iter(docs)))
        for cid, doc in docs.items():
            # the novelty model knows fronts and data pages only (its references): never a back
            holder_side = caps[cid].kind.value == "document_front"
            row, score, found = self._capture_evidence(doc, t, novelty_t if holder_side else None,
                                                       portrait_boxes.get(cid))
            codes |= found
            scores.append(score)
            per.append({"capture_id": cid, **row})
        template = self._template(ctx, docs[front])
        if template.get("mismatch"):
            codes.add("TEMPLATE_MISMATCH")
        # the ghost comparison reads the holder's side only: the front, or the single photo sent
        holder = front if caps[front].kind.value == "document_front" or len(docs) == 1 else None
        ghost: dict[str, Any] = (self._ghost(ctx, docs[holder], template.get("best_template"), viz_caps, holder)
                                 if holder else {"checked": False, "why": "no rectified front of the document"})
        if ghost.get("substituted"):
            codes.add("PORTRAIT_SUBSTITUTED")
        if ghost.get("acted_on") and ghost.get("similarity") is not None:
            scores.append(1.0 / (1.0 + float(ghost["min_similarity"]) / max(float(ghost["similarity"]), 1e-3)))
        typeface: dict[str, Any] = (self._typeface(ctx, caps[holder].image, frames[holder], template, viz_caps, holder)
                                    if holder else {"checked": False, "why": "no rectified front of the document"})
        if typeface.get("altered"):
            codes.add("DOCUMENT_TAMPERED")
        if typeface.get("acted_on") and typeface.get("oddness") is not None:
            scores.append(1.0 / (1.0 + float(typeface["oddness"]) / max(float(typeface["odd_max"]), 1e-9)))
        return self.result(Outcome.FAIL if codes else Outcome.PASS, score=float(np.min(scores)),
                           reason_codes=sorted(codes),
                           evidence={"captures": per, "template": template, "ghost": ghost, "typeface": typeface,
                                     "threshold_set": f"{t.name}@{t.version}"})

    @staticmethod
    def _typeface(ctx: CheckContext, image: Any, frame: DocumentFrame, template: dict[str, Any],
                  viz_caps: list[dict[str, Any]], capture_id: str) -> dict[str, Any]:
        """Are the holder's values printed alike (authenticity/typeface.py)? Read at the places
        the design the front matched prints them, once the holder's face shows the frame registered;
        computed only where ``document_typeface.enabled`` says its held-out evaluation earned it
        (the shipped model's did not: nothing is spent on evidence that is not acted on)."""
        t = ctx.thresholds.set("document_typeface")
        if t["enabled"] <= 0:
            return {"checked": False, "why": "not enabled: its held-out evaluation did not earn it",
                    "threshold_set": f"{t.name}@{t.version}"}
        template_id = template.get("best_template")
        feat = load_features().get(template_id) if template_id else None
        if feat is None or not feat.fields_mm:
            return {"checked": False, "why": "no registered design with value places matched"}
        seen = next((e.get("face_box_mm") for e in viz_caps if e.get("capture_id") == capture_id), None)
        if not portrait_registered(seen, feat.portrait_mm):
            return {"checked": False, "why": "the holder's face is not where the design puts the portrait"}
        names, lines = design_lines(frame.rectify(image, TYPEFACE_PX_PER_MM), feat.fields_mm)
        s = score_lines(lines)
        if s is None:
            return {"checked": False, "why": f"{len(names)} value places on the photo; {MIN_LINES} are needed"}
        return {"checked": True, "template": template_id, "values": len(names), "oddness": round(s.score, 4),
                "oddest_field": names[s.oddest], "odd_max": float(t["odd_max"]), "acted_on": True,
                "altered": s.score > t["odd_max"], "threshold_set": f"{t.name}@{t.version}"}

    @staticmethod
    def _capture_evidence(doc: Any, t: ThresholdSet, novelty_t: ThresholdSet | None, portrait_box: list[int] | None
                          ) -> tuple[dict[str, Any], float, set[str]]:
        """Tile model and capture-statistics novelty on one rectified photo: its evidence row, its
        score (1 / (1 + r), r = the largest acted-on evidence over its threshold) and its codes."""
        codes: set[str] = set()
        tamper_on = t["tamper_enabled"] > 0
        s = score_document(doc)
        score = s.margin(t["tamper_max"] if tamper_on else None, t["recapture_max"])
        if tamper_on and s.tamper > t["tamper_max"]:
            codes.add("PORTRAIT_SUBSTITUTED" if _portrait_hot(s, portrait_box) else "DOCUMENT_TAMPERED")
        if s.recapture > t["recapture_max"]:
            codes.add("DOCUMENT_RECAPTURED")
        row: dict[str, Any] = {"recapture": round(s.recapture, 4), "screen": round(s.screen, 4),
                               "print": round(s.print, 4), "tamper": round(s.tamper, 4), "tamper_acted_on": tamper_on,
                               **({"hot_tiles_px": s.hot_tiles} if tamper_on else {})}
        if novelty_t is None:
            return row, score, codes
        # a rectified image too small to measure leaves the tile model's evidence alone; a model or
        # feature error is not caught here: the check then ends in error and the session goes to review
        novelty = novelty_score(doc) if min(doc.shape[:2]) >= MIN_SIDE else None
        novelty_on = novelty_t["enabled"] > 0
        row.update({"capture_novelty": None if novelty is None else round(novelty, 4),
                    "novelty_max": float(novelty_t["novelty_max"]), "novelty_acted_on": novelty_on,
                    "novelty_threshold_set": f"{novelty_t.name}@{novelty_t.version}"})
        if novelty_on and novelty is not None:
            score = min(score, 1.0 / (1.0 + novelty / max(float(novelty_t["novelty_max"]), 1e-9)))
            if novelty > novelty_t["novelty_max"]:
                codes.add("DOCUMENT_RECAPTURED")
        return row, score, codes

    def _ghost(self, ctx: CheckContext, front: Any, template_id: str | None, viz_caps: list[dict[str, Any]],
               capture_id: str) -> dict[str, Any]:
        """Main portrait vs ghost image on the design the front matched (see authenticity/ghost.py)."""
        if template_id is None:
            return {"checked": False, "why": "no registered design matched, so the ghost image's place is unknown"}
        feat = load_features().get(template_id)
        if feat is None or feat.ghost_mm is None:
            return {"checked": False, "why": f"design {template_id} has no registered ghost image"}
        seen = next((e.get("face_box_mm") for e in viz_caps if e.get("capture_id") == capture_id), None)
        if not portrait_registered(seen, feat.portrait_mm):
            # a face found elsewhere (or none) means the frame or the design is not the registered
            # one (an outline taken for the card's edge, a card upside down): nothing to compare
            return {"checked": False, "why": "the holder's face is not where the design puts the portrait"}
        c = compare_ghost(front, mm_box_to_px(feat.portrait_mm, PX_PER_MM), mm_box_to_px(feat.ghost_mm, PX_PER_MM),
                          PX_PER_MM)
        t = ctx.thresholds.set("document_ghost")
        on = t["enabled"] > 0
        if c is None:  # the boxes fall outside the rectified image, or text hides the ghost
            return {"checked": False, "why": "no ghost image to compare (outside the image or hidden by text)"}
        if c.visibility < t["min_visibility"]:
            # washed out by glare or dark, or a design without a ghost taken for one with
            return {"checked": False, "why": "no ghost image visible where the design prints it",
                    "visibility": round(c.visibility, 4)}
        sim = c.similarity
        return {"checked": True, "template": template_id, "similarity": round(sim, 4),
                "visibility": round(c.visibility, 4),
                "min_similarity": float(t["min_similarity"]), "acted_on": on,
                "substituted": on and sim < t["min_similarity"], "threshold_set": f"{t.name}@{t.version}"}

    def _template(self, ctx: CheckContext, front: Any) -> dict[str, Any]:
        claim = claimed_design(ctx)
        reg = load_registry()
        if claim is None or reg is None:
            return {"checked": False, "why": "no claimed issuer" if claim is None else "no template registry"}
        kind, issuer = claim
        got = reg.match(front, kind, issuer)
        if got is None:
            return {"checked": False, "why": f"no registered template for {kind}/{issuer}"}
        t = ctx.thresholds.set("document_template")
        on = t["enabled"] > 0
        if got.best < t["min_recognised"]:
            # resembling no registered design is what a badly rectified genuine card looks like
            # (an outline from a band of its print, a shadow), not evidence of another design
            return {"checked": False, "why": "the document resembles no registered design of its kind",
                    "best_similarity": round(got.best, 4), "min_recognised": float(t["min_recognised"])}
        return {"checked": True, "similarity": round(got.claimed, 4), "margin": round(got.margin, 4),
                "best_template": got.template, "nearest_other_template": got.other_template,
                "design_similarity": round(got.design_similarity, 4), "acted_on": on,
                "mismatch": on and got.margin < t["min_margin"], "threshold_set": f"{t.name}@{t.version}"}
