"""Decode the PDF417 barcode (driver licences, many ID cards) and validate its AAMVA payload.

Outcomes: pass (decoded and a well-formed AAMVA record); fail BARCODE_NOT_FOUND when a driver
licence (declared, or recognised by the absence of an MRZ) shows no decodable barcode on its back,
BARCODE_INVALID when the payload is not AAMVA or its fields are inconsistent; MRZ_NOT_FOUND or
MRZ_UNREADABLE (as ``document_mrz`` found it) when the type was not declared and neither an MRZ
(``document_mrz`` deferred to this check) nor a barcode was read; not_applicable when the document
has an MRZ and no barcode (passports) or no back was captured for an MRZ document.
"""

from __future__ import annotations

from typing import Any

from openidv.checks.base import BaseCheck, CheckContext
from openidv.documents.barcode import aamva
from openidv.documents.barcode.pdf417 import read_pdf417
from openidv.documents.checks.common import declared_type, doc_captures, gray_of, quad_box, reference_date
from openidv.documents.checks.mrz import DEFERRED, DL_TYPES
from openidv.domain import CaptureKind, CheckResult, Outcome, Session


class DocumentBarcodeCheck(BaseCheck):
    name = "document_barcode"
    # 1.1.0: the MRZ's code when document_mrz deferred and no barcode was read either;
    # 1.2.0: the photo of a passport page (valid TD3 MRZ) is not searched
    version = "1.2.0"
    requires = ("image_usability", "document_mrz")
    run_if_upstream_failed = True
    reason_codes = ("BARCODE_NOT_FOUND", "BARCODE_INVALID", "MRZ_NOT_FOUND", "MRZ_UNREADABLE")
    score_meaning = "1 for a valid AAMVA record, 0.5 for a decoded but invalid one, 0 for none"

    def applies(self, session: Session) -> bool:
        return bool(doc_captures(session))

    def run(self, ctx: CheckContext) -> CheckResult:
        today = reference_date(ctx.session)
        caps = sorted(doc_captures(ctx.session), key=lambda c: c.kind != CaptureKind.DOCUMENT_BACK)
        evidence: list[dict[str, Any]] = []
        passport_page = _passport_page(ctx)
        for cap in caps:
            if cap.id == passport_page:
                # ICAO 9303 puts no barcode on a passport's data page: searching a 40 Mpx photo of one
                # for PDF417 cost seconds (3.4 s at 7200 x 5400, stop 33) and could only find noise
                evidence.append({"capture_id": cap.id, "kind": cap.kind.value, "decoded": False,
                                 "skipped": "a passport data page (TD3 MRZ read valid) carries no barcode"})
                continue
            bc = read_pdf417(gray_of(cap))
            ev: dict[str, Any] = {"capture_id": cap.id, "kind": cap.kind.value, "decoded": bc.found,
                                  "box": quad_box(bc.quad), "attempts": len(bc.attempts)}
            evidence.append(ev)
            if bc.payload is None:
                continue
            try:
                rec = aamva.parse(bc.payload, today)
            except aamva.AAMVAError as exc:
                ev["problem"] = str(exc)
                return self.result(Outcome.FAIL, score=0.5, reason_codes=["BARCODE_INVALID"],
                                   evidence={"captures": evidence})
            ev.update({"iin": rec.iin, "aamva_version": rec.version, "problems": rec.problems,
                       "jurisdiction": rec.fields.get("jurisdiction")})
            outcome = Outcome.PASS if rec.valid else Outcome.FAIL
            result = self.result(outcome, score=1.0 if rec.valid else 0.5,
                                 reason_codes=[] if rec.valid else ["BARCODE_INVALID"], evidence={"captures": evidence})
            result.artifacts["aamva"] = rec
            return result
        return self._none_found(ctx, evidence)

    def _none_found(self, ctx: CheckContext, evidence: list[dict[str, Any]]) -> CheckResult:
        mrz = ctx.upstream.get("document_mrz")
        has_mrz = mrz is not None and "mrz" in mrz.artifacts
        mrz_deferred = mrz.evidence.get(DEFERRED) if mrz is not None else None
        has_back = bool(ctx.session.captures_of(CaptureKind.DOCUMENT_BACK))
        codes = []
        if mrz_deferred in ("MRZ_NOT_FOUND", "MRZ_UNREADABLE"):  # neither an MRZ nor a barcode read
            codes.append(str(mrz_deferred))
        if declared_type(ctx.session) in DL_TYPES or (has_back and not has_mrz):
            codes.append("BARCODE_NOT_FOUND")
        if not codes:
            return self.result(Outcome.NOT_APPLICABLE, evidence={"captures": evidence,
                                                                 "why": "no barcode expected on this document"})
        return self.result(Outcome.FAIL, score=0.0, reason_codes=codes, evidence={"captures": evidence})


def _passport_page(ctx: CheckContext) -> str | None:
    """The capture a valid TD3 (passport page) MRZ was read from, if any."""
    mrz = ctx.upstream.get("document_mrz")
    reading = mrz.artifacts.get("mrz") if mrz is not None else None
    if reading is None or getattr(reading, "format", None) != "TD3" or not getattr(reading, "valid", False):
        return None
    cap_id = mrz.artifacts.get("mrz_capture_id") if mrz is not None else None
    return str(cap_id) if cap_id is not None else None
