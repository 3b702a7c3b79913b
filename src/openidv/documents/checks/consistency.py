"""Cross-checks between zones and declared data, and the document's validity for this applicant.

document_consistency: MRZ vs barcode (structured), MRZ/barcode vs the printed visual zone
(searched), and the best available document data vs what the applicant declared. DATA_MISMATCH
(zones disagree: a printed value clearly differs), VIZ_DATA_UNCONFIRMED (a printed value read too
doubtfully to call; a reviewer compares) and DECLARED_DATA_MISMATCH (the applicant typed something
else). A printed field the OCR did not read at all is ``unread``: VIZ_FIELD_UNREAD (review) unless
the policy's ``viz_unread`` param is ``pass`` (1.1.0; see
:func:`openidv.documents.viz.crosscheck.against_viz` and docs/documents.md for the trade-off).

document_validity: expiry against the session date and the applicant's age against the policy's
``minimum_age`` param, from the most reliable source (a valid MRZ, then the barcode, then the VIZ).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from openidv.checks.base import BaseCheck, CheckContext
from openidv.documents.ages import age_on
from openidv.documents.authenticity.template_match import load_features, load_registry
from openidv.documents.barcode.aamva import AAMVARecord
from openidv.documents.checks.common import claimed_design, doc_captures, portrait_registered, reference_date
from openidv.documents.checks.viz import MIN_WORDS, PX_PER_MM
from openidv.documents.mrz.parse import MRZResult, given_names_confidence, surname_confidence
from openidv.documents.viz.crosscheck import Claims, CrossCheck, against_viz, compare
from openidv.documents.viz.places import (
    PLACE_FIELDS,
    PlaceLine,
    judge_at_places,
    place_lines,
    with_place_lines,
)
from openidv.domain import CheckResult, Outcome, Session


def _d(v: Any) -> date | None:
    try:
        return date.fromisoformat(v) if isinstance(v, str) else None
    except ValueError:
        return None


def mrz_claims(r: MRZResult) -> Claims:
    f = r.fields
    return Claims("mrz", f.get("surname") or None, f.get("given_names") or None, _d(f.get("date_of_birth")),
                  _d(f.get("date_of_expiry")), f.get("document_number") or None, f.get("sex"), f.get("nationality"),
                  issuer=f.get("issuing_state") or None, surname_conf=surname_confidence(r),
                  given_conf=given_names_confidence(r), valid_until=_d(f.get("valid_until_derived")))


def barcode_claims(rec: AAMVARecord) -> Claims:
    f = rec.fields
    given = " ".join(x for x in (f.get("first_name"), f.get("middle_names")) if x and x != "NONE")
    return Claims("barcode", f.get("family_name"), given or None, _d(f.get("date_of_birth")),
                  _d(f.get("date_of_expiry")), f.get("customer_id"), f.get("sex"), None)


def declared_claims(session: Session) -> Claims:
    a = session.applicant
    return Claims("declared", a.surname, a.given_names, a.date_of_birth, None, a.document_number, None, a.nationality)


def _sources(ctx: CheckContext) -> tuple[Claims | None, Claims | None, dict[str, Any]]:
    mrz_r = ctx.upstream.get("document_mrz")
    bc_r = ctx.upstream.get("document_barcode")
    viz_r = ctx.upstream.get("document_viz")
    mrz = mrz_r.artifacts.get("mrz") if mrz_r else None
    bc = bc_r.artifacts.get("aamva") if bc_r else None
    viz = viz_r.artifacts.get("viz", {}) if viz_r else {}
    mc = mrz_claims(mrz) if isinstance(mrz, MRZResult) and mrz.valid else None
    bcc = barcode_claims(bc) if isinstance(bc, AAMVARecord) else None
    return mc, bcc, viz


SOFT = {"VIZ_DATA_UNCONFIRMED", "VIZ_FIELD_UNREAD"}  # a person compares; not a failure


def _month_first(ctx: CheckContext, ref: Claims) -> bool:
    """Numeric dates are printed month first on US licences (the AAMVA barcode's country says so).
    Documents with an MRZ print them day first whoever issues them (ICAO 9303-3: DD MM YY or
    DD MMM YYYY); reading a US-issued ID card's 04/08/1987 as April 8 made genuine cards
    DATA_MISMATCH (3 of 9 such genuine train sessions, stop 19)."""
    if ref.source != "barcode":
        return False
    rec = ctx.upstream["document_barcode"].artifacts["aamva"]
    return isinstance(rec, AAMVARecord) and rec.country == "USA"


class _Places:
    """Each visual-zone photo's values read again at the places its registered design prints them
    (viz/places.py), at most once per photo and only when asked: the design must be recognised
    (``document_template.min_recognised``) and the holder's face must sit where it prints the
    portrait, else the places are not where the rectification puts them."""

    def __init__(self, ctx: CheckContext) -> None:
        self.ctx = ctx
        self.evidence: dict[str, dict[str, Any]] = {}
        self._lines: dict[str, list[PlaceLine]] = {}

    def lines(self, cid: str) -> list[PlaceLine]:
        if cid not in self._lines:
            ev: dict[str, Any] = {}
            self._lines[cid] = self._read(cid, ev)
            self.evidence[cid[:8]] = ev
        return self._lines[cid]

    def _read(self, cid: str, ev: dict[str, Any]) -> list[PlaceLine]:
        viz_r = self.ctx.upstream.get("document_viz")
        doc = viz_r.artifacts.get("documents", {}).get(cid) if viz_r else None
        claim, reg = claimed_design(self.ctx), load_registry()
        if doc is None or claim is None or reg is None:
            ev["why"] = "no rectified photo, claimed issuer or template registry"
            return []
        got = reg.match(doc, *claim)
        if got is None or got.best < self.ctx.thresholds.set("document_template")["min_recognised"]:
            ev["why"] = "not recognised as a registered design of its kind"
            return []
        feat = load_features().get(got.template)
        seen = next((e.get("face_box_mm") for e in viz_r.evidence.get("captures", []) if e.get("capture_id") == cid),
                    None) if viz_r else None
        if feat is None or not feat.fields_mm:
            ev["why"] = f"design {got.template} has no recorded value places"
            return []
        if not portrait_registered(seen, feat.portrait_mm):
            ev["why"] = "the holder's face is not where the design prints the portrait"
            return []
        lines = place_lines(doc, feat.fields_mm, PX_PER_MM)
        ev.update({"design": got.template, "places_read": len(lines)})
        return lines


class DocumentConsistencyCheck(BaseCheck):
    name = "document_consistency"
    # 1.1.0: VIZ values clear / doubtful / unread by word confidence; US dates month first.
    # 1.2.0: a date one digit off read at DATE_ONE_DIGIT_SURE_CONF is a clear mismatch unless a
    # digit was lost in reading; a changed document number must not be contradicted by the other
    # reading; more OCR look-alikes (Z/T as 7, H as II, $ as S, } as J); MRZ documents' numeric
    # dates read day first whoever the issuer.
    # 1.3.0: a replaced surname is a clear mismatch when a clearly read name stands at a surname
    # label or above the given names (viz/anchors.py), whatever doubtful words the zone holds.
    # 1.4.0: a birth or expiry date printed as no calendar date, a digit or two from the reference's,
    # read clearly twice, is a clear mismatch (viz/impossible_dates.py); so is a surname shown at its
    # place a letter or two off (MRZ letters read surely); given names not found are unread (or
    # unconfirmed beside a clear unexplained name); a number off only by glare look-alikes is
    # unconfirmed.
    # 1.5.0: given names retyped a letter or two, read surely, are a clear mismatch, and vowels count
    # as look-alike letters (diacritics); a document number replaced whole by another of its format
    # (viz/other_number.py); the surname's slot above the given names read on mixed-case designs.
    # 1.6.0: a date or document number the page reading missed is read again where the document's
    # registered design prints it (viz/places.py), and that reading judged like the others.
    # 1.7.0: machine-read data with no visual-zone reading at all to compare them with (no card
    # outline found on the front, or too little text read) is VIZ_FIELD_UNREAD, not silence; a date
    # printed as no calendar date counts when read alike twice and surely (90) once; a number read
    # but for one character with a neighbouring word glued on is no changed copy; 6 / O and 8 / S
    # are number look-alikes.
    version = "1.7.0"
    requires = ("document_mrz", "document_barcode", "document_viz")
    run_if_upstream_failed = True
    reason_codes = ("DATA_MISMATCH", "DECLARED_DATA_MISMATCH", "VIZ_DATA_UNCONFIRMED", "VIZ_FIELD_UNREAD")
    score_meaning = "share of compared fields that agree, across every pair of sources"

    def applies(self, session: Session) -> bool:
        return bool(doc_captures(session))

    def run(self, ctx: CheckContext) -> CheckResult:
        mc, bcc, viz = _sources(ctx)
        checks: dict[str, CrossCheck] = {}
        places = _Places(ctx)
        if mc and bcc:
            checks["mrz~barcode"] = compare(mc, bcc)
        today = reference_date(ctx.session)
        for ref in (r for r in (mc, bcc) if r is not None):
            # The document says how its dates are printed, not the applicant's market.
            month_first = _month_first(ctx, ref)
            for cid, reading in viz.items():
                if reading.words >= MIN_WORDS:
                    cc = against_viz(ref, reading, today, month_first)
                    if any(not d.strong and d.field in PLACE_FIELDS for d in cc.disagreements):
                        lines = places.lines(cid)
                        if lines:  # the fields the page reading missed, read again where the design prints them
                            placed = against_viz(ref, with_place_lines(reading, lines, month_first, today), today,
                                                 month_first)
                            cc, aligned = judge_at_places(cc, placed, ref, lines, month_first, today)
                            places.evidence[cid[:8]].setdefault("aligned_by", {})[ref.source] = aligned
                    checks[f"{ref.source}~viz:{cid[:8]}"] = cc
        # The MRZ or barcode was read but no photo's visual zone was (document_viz found no card
        # outline on the front, or read too little text there): every printed field is unread. Left
        # silent, such a session passed the cross-checks without a printed value compared (a front
        # whose outline was missed on a busy background, stop 38).
        unread_zone = [r.source for r in (mc, bcc) if r is not None
                       and not any(k.startswith(f"{r.source}~viz") for k in checks)]
        doc = mc or bcc
        if doc is not None:
            checks["document~declared"] = compare(doc, declared_claims(ctx.session))
        if not checks:
            return self.result(Outcome.NOT_APPLICABLE, evidence={"why": "no machine-read data to compare"})
        codes = set()
        # A printed field the OCR missed is no evidence either way; the policy's `viz_unread`
        # param says whether it still needs a person ("review", the default) or not ("pass").
        unread_review = ctx.params.get("viz_unread", "review") != "pass"  # anything else: review
        for name, cc in checks.items():
            for d in cc.disagreements:
                if name.endswith("declared"):
                    codes.add("DECLARED_DATA_MISMATCH")
                elif d.unread:
                    if unread_review:
                        codes.add("VIZ_FIELD_UNREAD")
                else:
                    codes.add("DATA_MISMATCH" if d.strong else "VIZ_DATA_UNCONFIRMED")
        if unread_zone and unread_review:
            codes.add("VIZ_FIELD_UNREAD")
        unread = sum(d.unread for c in checks.values() for d in c.disagreements)
        compared = sum(len(c.compared) for c in checks.values()) - unread
        agree = compared - sum(not d.unread for c in checks.values() for d in c.disagreements)
        evidence: dict[str, Any] = {name: {"compared": c.compared,
                           "disagreements": [d.as_dict() for d in c.disagreements if not d.unread],
                           "unread": [d.field for d in c.disagreements if d.unread]}
                    for name, c in checks.items()}
        if places.evidence:
            evidence["read_at_place"] = places.evidence
        if unread_zone:
            evidence["visual_zone_not_read"] = {
                "sources": unread_zone,
                "why": f"no document photo's visual zone was read ({MIN_WORDS} or more words): no card outline "
                       "on the holder's side, or too little text"}
        outcome = Outcome.FAIL if codes - SOFT else Outcome.REVIEW if codes else Outcome.PASS
        return self.result(outcome, score=agree / max(compared, 1), reason_codes=sorted(codes), evidence=evidence)


def _expiry(src: Claims, ctx: CheckContext, ev: dict[str, Any]) -> date | None:
    """The date the document stops being valid, noting in `ev` where it comes from: the printed
    expiry; where the document encodes none (FRA-ID), the validity derived from what it does
    encode (mrz/fra_id.py), capped by the policy's date for legacy cards; None when unknown (for
    an FRA-ID without an issue month, document_mrz's MRZ_FIELD_INVALID sends the session to review)."""
    if src.date_of_expiry is not None:
        ev["expiry_source"] = "printed"
        return src.date_of_expiry
    if src.valid_until is None:
        if "date_of_issue" in _mrz_field_errors(ctx):
            ev["expiry"] = "unknown: no expiry encoded, no issue month read (document_mrz: MRZ_FIELD_INVALID)"
        return None
    ev["expiry_source"], ev["valid_until_derived"] = "derived", src.valid_until.isoformat()
    cap = _legacy_cap(ctx.params.get("legacy_id_valid_until"))
    if cap is not None and cap < src.valid_until:
        ev["expiry_source"], ev["legacy_id_valid_until"] = "policy_cap", cap.isoformat()
        return cap
    return src.valid_until


def _mrz_field_errors(ctx: CheckContext) -> list[str]:
    mrz_r = ctx.upstream.get("document_mrz")
    mrz = mrz_r.artifacts.get("mrz") if mrz_r else None
    return list(mrz.field_errors) if isinstance(mrz, MRZResult) else []


def _legacy_cap(value: Any) -> date | None:
    """The policy's last day of validity for legacy cards (policy/engine.py checks it on load and
    hands a date or None; None: no cap)."""
    return value if isinstance(value, date) else None


class DocumentValidityCheck(BaseCheck):
    name = "document_validity"
    version = "1.1.0"  # 1.1.0: a validity derived where the document encodes no expiry (FRA-ID)
    requires = ("document_mrz", "document_barcode")
    run_if_upstream_failed = True
    reason_codes = ("DOCUMENT_EXPIRED", "UNDERAGE")
    score_meaning = "1 when the document is in date and the holder old enough, else 0"

    def applies(self, session: Session) -> bool:
        return bool(doc_captures(session))

    def run(self, ctx: CheckContext) -> CheckResult:
        mc, bcc, _ = _sources(ctx)
        src = mc or bcc
        if src is None:
            ev: dict[str, Any] = {"why": "no valid MRZ or barcode data"}
            failed = [n for n in self.requires
                      if n in ctx.upstream and ctx.upstream[n].outcome in (Outcome.FAIL, Outcome.ERROR)]
            if failed:  # the reading failed and says why itself: the policy need not also ask for a capture
                ev["upstream"] = failed
            return self.result(Outcome.NOT_APPLICABLE, evidence=ev)
        today = reference_date(ctx.session)
        min_age = int(ctx.params.get("minimum_age", 18))
        codes: list[str] = []
        ev = {"source": src.source, "minimum_age": min_age, "reference_date": today.isoformat()}
        expiry = _expiry(src, ctx, ev)
        if expiry is not None:
            ev["expired"] = expiry < today
            ev["days_to_expiry"] = (expiry - today).days
            if expiry < today:
                codes.append("DOCUMENT_EXPIRED")
        if src.date_of_birth is not None:
            age = age_on(src.date_of_birth, today)
            ev["meets_minimum_age"] = age >= min_age
            if age < min_age:
                codes.append("UNDERAGE")
        if "expired" not in ev and "meets_minimum_age" not in ev:
            return self.result(Outcome.NOT_APPLICABLE, evidence={**ev, "why": "no dates read"})
        return self.result(Outcome.FAIL if codes else Outcome.PASS, score=0.0 if codes else 1.0,
                           reason_codes=codes, evidence=ev)
