"""The face checks: quality, 1:1 selfie-to-portrait match, 1:N duplicate identity, watch list.

* ``face_quality`` finds the face in every selfie and portrait, judges its quality (reason codes
  per component, see :mod:`openidv.face.quality`) and embeds the usable ones. A failure asks for a
  new capture (policy: resubmit); the checks below then do not run, so a poor image is never
  guessed about.
* ``face_match`` compares the selfie with the portrait: an uploaded ``portrait`` capture and the
  document portrait crop a document check leaves in ``artifacts["portrait_rgb"]``, both when both
  exist (the weakest match decides; a client's portrait never replaces the document's). Its score
  is the calibrated -log10(FMR)/8 (:mod:`openidv.face.matching`); thresholds are the
  ``face_match`` set (``match``: pass at or above; between ``review`` and ``match``: review with
  FACE_MATCH_UNCERTAIN; below ``review``: FACE_MISMATCH). A portrait with no usable face fails
  with FACE_QUALITY_LOW (resubmit), never a match decision.
* ``face_duplicate`` searches the gallery of approved identities; a hit at or above
  ``face_gallery.duplicate`` whose declared identity differs is DUPLICATE_IDENTITY (review), with
  the enrolled session in the evidence. Without a database it is not applicable and says so.
* ``face_watchlist`` searches the watch list (``face_gallery.watchlist``): WATCHLIST_MATCH (review).
"""

from __future__ import annotations

import math
from typing import Any

from openidv.checks.base import BaseCheck, CheckContext
from openidv.domain import CaptureKind, CheckResult, Outcome, Session
from openidv.face.analysis import FaceAnalysis, analyse
from openidv.face.binding import SUBJECT_BOXES, BoundFace, bind, embed_images, embed_subjects, sample
from openidv.face.embedding import default_embedder, similarity
from openidv.face.gallery import FaceGallery, GalleryHit
from openidv.face.identity import identity_keys, same_identity
from openidv.face.matching import MIN_FMR, SCORE_DECADES, shipped_calibration

QUALITY_CODES = (
    "FACE_NOT_FOUND",
    "MULTIPLE_FACES",
    "FACE_TOO_SMALL",
    "FACE_BLURRY",
    "FACE_TOO_DARK",
    "FACE_OVEREXPOSED",
    "FACE_POSE",
    "FACE_OCCLUDED",
    "FACE_COMPRESSED",
)
GALLERY_SERVICE = "face.gallery"
WATCHLIST_SERVICE = "face.watchlist"
PORTRAIT_ARTIFACT = "portrait_rgb"
DEFAULT_FPIR = 0.01  # per-search false duplicate/watch-list alerts the gallery threshold aims at


def face_images(session: Session) -> list[tuple[str, str, Any]]:
    return [(c.id, c.kind.value, c.image) for c in session.captures_of(CaptureKind.SELFIE, CaptureKind.PORTRAIT)]


def analyses_of(ctx: CheckContext) -> list[FaceAnalysis]:
    """The face_quality check's analyses (always present when a downstream face check runs)."""
    upstream = ctx.upstream.get(FaceQualityCheck.name)
    found = upstream.artifacts.get("analyses") if upstream is not None else None
    if found is None:
        raise RuntimeError("face_quality analyses are missing from the upstream results")
    return list(found)


def selfie_analysis(ctx: CheckContext) -> FaceAnalysis | None:
    return next((a for a in analyses_of(ctx) if a.kind == CaptureKind.SELFIE.value), None)


class FaceQualityCheck(BaseCheck):
    name = "face_quality"
    version = "1.0.0"
    requires = ("image_usability",)
    reason_codes = QUALITY_CODES
    score_meaning = (
        "unified face quality of the worst face image: logistic of its worst component margin, "
        "0.5 exactly at that component's threshold, higher = better"
    )

    def applies(self, session: Session) -> bool:
        return bool(session.captures_of(CaptureKind.SELFIE, CaptureKind.PORTRAIT))

    def run(self, ctx: CheckContext) -> CheckResult:
        thresholds = ctx.thresholds.set("face_quality")
        found = analyse(face_images(ctx.session), thresholds)
        codes = sorted({c for a in found for c in a.reason_codes})
        scores = [a.assessment.score if a.assessment else 0.0 for a in found]
        result = self.result(
            Outcome.FAIL if codes else Outcome.PASS,
            score=min(scores) if scores else 0.0,
            reason_codes=codes,
            evidence={
                "faces": [a.evidence() for a in found],
                "threshold_set": f"{thresholds.name}@{thresholds.version}",
                "embedder": f"{default_embedder().name}@{default_embedder().version}",
            },
        )
        result.artifacts["analyses"] = found
        return result


def document_portrait(ctx: CheckContext) -> tuple[str, Any] | None:
    """A document portrait crop left by an upstream check, if any: (source name, RGB array)."""
    for name, res in ctx.upstream.items():
        rgb = res.artifacts.get(PORTRAIT_ARTIFACT)
        if rgb is not None:
            return f"{name}:{PORTRAIT_ARTIFACT}", rgb
    return None


class FaceMatchCheck(BaseCheck):
    """Selfie vs portrait; runs after ``document_viz`` (when installed) to see its portrait crop."""

    name = "face_match"
    version = "1.1.0"  # 1.1.0: an uploaded portrait no longer replaces the document's printed one
    requires = ("face_quality",)
    after = ("document_viz",)
    reason_codes = ("FACE_MISMATCH", "FACE_MATCH_UNCERTAIN", "FACE_QUALITY_LOW", "FACE_NOT_FOUND")
    score_meaning = "-log10(estimated false-match rate)/8 of selfie vs portrait: 0.5 = FMR 1e-4, higher = same"

    def applies(self, session: Session) -> bool:
        has_portrait = session.captures_of(CaptureKind.PORTRAIT, CaptureKind.DOCUMENT_FRONT)
        return bool(session.captures_of(CaptureKind.SELFIE) and has_portrait)

    def _portraits(self, ctx: CheckContext) -> list[FaceAnalysis]:
        """Every portrait the selfie must match: an uploaded ``portrait`` capture and the document's
        printed portrait crop. An uploaded portrait is the client's word (a chip read whose
        signature this service does not verify), so it never stands in for the document in hand:
        when both exist the selfie is matched against both."""
        found = [a for a in analyses_of(ctx) if a.kind == CaptureKind.PORTRAIT.value][:1]
        crop = document_portrait(ctx)
        if crop is not None:
            found += analyse([(crop[0], "document_portrait", crop[1])], ctx.thresholds.set("face_quality"))[:1]
        return found

    def run(self, ctx: CheckContext) -> CheckResult:
        selfie, portraits = selfie_analysis(ctx), self._portraits(ctx)
        if selfie is None or not selfie.usable:
            return self.result(Outcome.REVIEW, reason_codes=["FACE_NOT_FOUND"], evidence={"selfie": "not usable"})
        if not portraits:
            missing = {"portrait": "no portrait capture and no document portrait crop available"}
            return self.result(Outcome.REVIEW, reason_codes=["FACE_NOT_FOUND"], evidence=missing)
        usable = [p for p in portraits if p.usable and p.embedding is not None]
        if not usable or selfie.embedding is None:
            ev = {"portrait": portraits[0].evidence()}
            return self.result(Outcome.FAIL, reason_codes=["FACE_QUALITY_LOW"], evidence=ev)
        cal = shipped_calibration()
        t = ctx.thresholds.set("face_match")
        per = []
        for portrait in usable:
            assert portrait.embedding is not None  # kept by the filter above
            sim = float(similarity(selfie.embedding, portrait.embedding, default_embedder().metric)[0])
            per.append((cal.score(sim), sim, portrait.kind))
        score, sim, kind = min(per)  # the weakest match decides
        if score >= t["match"]:
            outcome, codes = Outcome.PASS, []
        elif score >= t["review"]:
            outcome, codes = Outcome.REVIEW, ["FACE_MATCH_UNCERTAIN"]
        else:
            outcome, codes = Outcome.FAIL, ["FACE_MISMATCH"]
        evidence: dict[str, Any] = {
            "similarity": round(sim, 5),
            "estimated_fmr": float(f"{cal.fmr(sim):.3g}"),
            "portrait_source": kind,
            "threshold_set": f"{t.name}@{t.version}",
            "calibration": cal.model,
        }
        if len(portraits) > 1:
            evidence["portraits"] = [
                {"source": k, "similarity": round(v, 5), "score": round(sc, 4)} for sc, v, k in per
            ]
        not_compared = dict.fromkeys((p.kind for p in portraits if p not in usable), "no usable face")
        has_document = bool(ctx.session.captures_of(CaptureKind.DOCUMENT_FRONT, CaptureKind.DOCUMENT_BACK))
        if has_document and not any(p.kind == "document_portrait" for p in portraits):
            not_compared["document_portrait"] = "not found on the document photos"
        if not_compared and outcome is Outcome.PASS:
            # the uploaded portrait matched, but the document's own could not be compared with it
            # (covered, cut off, or only a card's back sent): a person looks rather than trusting
            # the client's portrait alone
            outcome, codes = Outcome.REVIEW, ["FACE_MATCH_UNCERTAIN"]
            evidence["not_compared"] = not_compared
        return self.result(outcome, score=score, reason_codes=codes, evidence=evidence)


def judge_binding(bound: list[BoundFace], t: Any) -> tuple[Outcome, list[str]]:
    """The decision on faces compared with the selfie, on the ``face_match`` set ``t``: the weakest
    comparison decides as a 1:1 match would (below ``review``: another person; between ``review``
    and ``match``: uncertain). No face in any compared capture cannot show the same person."""
    scores = [b.score for b in bound if b.score is not None]
    if not scores:
        return Outcome.REVIEW, ["FACE_NOT_FOUND"]
    worst = min(scores)
    if worst < t["review"]:
        return Outcome.FAIL, ["SUBJECT_MISMATCH"]
    if worst < t["match"]:
        return Outcome.REVIEW, ["FACE_MATCH_UNCERTAIN"]
    return Outcome.PASS, []


class FaceSameSubjectCheck(BaseCheck):
    """The challenge frames and every further selfie show the person of the first selfie.

    The active challenge proves that someone live answered it; face_match proves that the selfie
    shows the document's holder. Without this check the two may be different people: the
    challenge performed live by one person, another person's photo sent as the selfie
    (:mod:`openidv.face.binding`)."""

    name = "face_same_subject"
    version = "1.0.0"
    requires = ("face_quality",)
    after = ("liveness_active",)  # its measured face boxes, when the liveness capability is installed
    reason_codes = ("SUBJECT_MISMATCH", "FACE_MATCH_UNCERTAIN", "FACE_NOT_FOUND")
    score_meaning = "the weakest -log10(FMR)/8 of a challenge frame or further selfie against the first selfie"

    def applies(self, session: Session) -> bool:
        selfies = session.captures_of(CaptureKind.SELFIE)
        return bool(selfies) and (len(selfies) > 1 or bool(session.captures_of(CaptureKind.FRAME)))

    def run(self, ctx: CheckContext) -> CheckResult:
        selfies = [a for a in analyses_of(ctx) if a.kind == CaptureKind.SELFIE.value]
        first = selfies[0] if selfies else None
        if first is None or first.embedding is None:
            return self.result(Outcome.REVIEW, reason_codes=["FACE_NOT_FOUND"], evidence={"selfie": "not usable"})
        others = [(a.source, "selfie", a.embedding) for a in selfies[1:]]
        others += self._frames(ctx)
        bound = bind(first.embedding, others)
        t = ctx.thresholds.set("face_match")
        outcome, codes = judge_binding(bound, t)
        scores = [b.score for b in bound if b.score is not None]
        evidence = {"reference": first.source, "compared": [b.evidence() for b in bound],
                    "threshold_set": f"{t.name}@{t.version}"}
        return self.result(outcome, score=min(scores) if scores else None, reason_codes=codes, evidence=evidence)

    def _frames(self, ctx: CheckContext) -> list[tuple[str, str, Any]]:
        """Embeddings of frames drawn at random: of the face the liveness check measured, where it
        says (its ``subject_boxes``), else of the face nearest the frame's centre."""
        live = ctx.upstream.get("liveness_active")
        boxes: dict[str, Any] = (live.artifacts.get(SUBJECT_BOXES) if live is not None else None) or {}
        frames = ctx.session.captures_of(CaptureKind.FRAME)
        if boxes:
            picked = sample([c for c in frames if c.id in boxes])
            vectors = embed_subjects([(c.image, boxes[c.id]) for c in picked])
        else:
            picked = sample(frames)
            vectors = embed_images([c.image for c in picked], rule="central")
        return [(c.id, "frame", v) for c, v in zip(picked, vectors, strict=True)]


def _hit_evidence(hit: GalleryHit, same: bool) -> dict[str, Any]:
    cal = shipped_calibration()
    return {
        "session_id": hit.entry.session_id,
        "similarity": round(hit.similarity, 5),
        "score": round(cal.score(hit.similarity), 4),
        "estimated_fmr": float(f"{cal.fmr(hit.similarity):.3g}"),
        "same_declared_identity": same,
        **({"label": hit.entry.attrs["label"]} if "label" in hit.entry.attrs else {}),
    }


class _GallerySearch(BaseCheck):
    """Shared search logic for the duplicate-identity and watch-list checks."""

    service = ""
    threshold_key = ""
    code = ""
    requires = ("face_quality",)

    def applies(self, session: Session) -> bool:
        return bool(session.captures_of(CaptureKind.SELFIE))

    def threshold(self, ctx: CheckContext, gallery_size: int) -> float:
        """The tuned floor, raised so that N x FMR stays at the per-search false-alarm target."""
        floor = ctx.thresholds.set("face_gallery")[self.threshold_key]
        fpir = float(ctx.params.get("face_gallery_fpir", DEFAULT_FPIR))
        by_size = -math.log10(max(fpir / max(gallery_size, 1), MIN_FMR)) / SCORE_DECADES
        return max(floor, min(by_size, 1.0))

    def hits(self, ctx: CheckContext, gallery: FaceGallery) -> tuple[list[GalleryHit], float]:
        selfie = selfie_analysis(ctx)
        if selfie is None or selfie.embedding is None:
            raise RuntimeError("the selfie has no embedding although face_quality passed")
        threshold = self.threshold(ctx, len(gallery))
        cal = shipped_calibration()
        min_sim = cal.similarity_at(10 ** (-min(threshold, cal.score(cal.similarity[-1])) * SCORE_DECADES)) - 0.05
        hits = gallery.search(selfie.embedding, k=10, min_similarity=min_sim)
        hits = [h for h in hits if cal.score(h.similarity) >= threshold]
        return self._not_erased(ctx, gallery, hits), threshold

    def _not_erased(self, ctx: CheckContext, gallery: FaceGallery, hits: list[GalleryHit]) -> list[GalleryHit]:
        """Hits whose session is not erased. Another service process may have erased the session
        (its erasure hook forgets the template only in that process): such a hit is dropped here,
        never reported, and forgotten by this process's gallery too. A session whose decision is
        still being written (its template added, not yet committed) is live and kept."""
        if ctx.env.signals is None or not hits:
            return hits
        gone = ctx.env.signals.erased_or_missing({h.entry.session_id for h in hits})
        for session_id in gone:
            gallery.remove_session(session_id)
        return [h for h in hits if h.entry.session_id not in gone]

    def gallery(self, ctx: CheckContext) -> FaceGallery | None:
        if ctx.env.signals is None:
            return None
        g = ctx.env.services.get(self.service)
        if g is None:
            raise RuntimeError(f"{self.service} is not loaded: the face plugin's setup() did not run")
        return g


class FaceDuplicateCheck(_GallerySearch):
    name = "face_duplicate"
    version = "1.0.0"
    service = GALLERY_SERVICE
    threshold_key = "duplicate"
    reason_codes = ("DUPLICATE_IDENTITY",)
    score_meaning = "1 - calibrated score of the best different-identity gallery hit (1 = no similar face)"

    def run(self, ctx: CheckContext) -> CheckResult:
        gallery = self.gallery(ctx)
        if gallery is None:
            return self.result(Outcome.NOT_APPLICABLE, evidence={"skipped": "no signal store (no database)"})
        assert ctx.env.signals is not None
        mine = identity_keys(ctx.session.applicant, ctx.env.signals.blind)
        hits, threshold = self.hits(ctx, gallery)
        hits = [h for h in hits if h.entry.session_id != ctx.session.id]
        rows = [_hit_evidence(h, same_identity(mine, h.entry.identity_keys)) for h in hits]
        dupes = [r for r in rows if not r["same_declared_identity"]]
        evidence = {"gallery_size": len(gallery), "threshold": threshold, "matches": rows}
        if dupes:
            evidence["matching_session_ids"] = [r["session_id"] for r in dupes]
            score = 1.0 - max(r["score"] for r in dupes)
            return self.result(Outcome.REVIEW, score=score, reason_codes=["DUPLICATE_IDENTITY"], evidence=evidence)
        return self.result(Outcome.PASS, score=1.0, evidence=evidence)


class FaceWatchlistCheck(_GallerySearch):
    name = "face_watchlist"
    version = "1.0.0"
    service = WATCHLIST_SERVICE
    threshold_key = "watchlist"
    reason_codes = ("WATCHLIST_MATCH",)
    score_meaning = "1 - calibrated score of the best watch-list hit (1 = no similar face)"

    def run(self, ctx: CheckContext) -> CheckResult:
        gallery = self.gallery(ctx)
        if gallery is None:
            return self.result(Outcome.NOT_APPLICABLE, evidence={"skipped": "no signal store (no database)"})
        hits, threshold = self.hits(ctx, gallery)
        rows = [_hit_evidence(h, False) for h in hits]
        evidence = {"watchlist_size": len(gallery), "threshold": threshold, "matches": rows}
        if rows:
            score = 1.0 - max(r["score"] for r in rows)
            return self.result(Outcome.REVIEW, score=score, reason_codes=["WATCHLIST_MATCH"], evidence=evidence)
        return self.result(Outcome.PASS, score=1.0, evidence=evidence)
