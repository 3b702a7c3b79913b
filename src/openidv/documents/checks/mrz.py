"""Read and verify the MRZ of the document photos.

Outcomes: pass (an MRZ read with every check digit holding); fail MRZ_NOT_FOUND (no MRZ on a
document that should carry one), MRZ_UNREADABLE (an MRZ located but not read to a valid layout,
e.g. cut off or blurred; since 1.3.0 also a check digit that fails where the reader guessed a
character: the weakest character a failing check digit covers is below ``misread_below`` of the
``document_mrz`` threshold set, so a new photo is asked for; since 1.4.0 also a reading whose check
digits hold but hold just as well for another reading nearly as likely - closer than
``ambiguous_below`` of the ``document_mrz_ambiguity`` set, see ``mrz/ambiguity.py``; since 1.10.0
also a valid reading with a name letter - which no check digit covers - read with a probability
below ``doubtful_below`` of the ``document_mrz_names`` set, see ``mrz/name_doubt.py``), MRZ_CHECKSUM
(read confidently but a check digit does not hold after correction - a misprint, tampering or an unlucky misread, hence
review); review MRZ_FIELD_INVALID
(every check digit holds but a birth or expiry date is not a calendar date, or - FRA-ID, whose MRZ
has no expiry - the card number encodes no issue month the design was issued in); not_applicable for a
driver licence without MRZ, and (since 1.2.0) for a document of undeclared type on which no MRZ
was read: then ``document_barcode`` decides (a licence's barcode, or MRZ_NOT_FOUND / MRZ_UNREADABLE
from it when there is none). The result carries the parsed MRZ in its artifacts for later checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from openidv.checks.base import BaseCheck, CheckContext
from openidv.documents.checks.common import declared_type, doc_captures, gray_of, quad_box, reference_date
from openidv.documents.mrz.ambiguity import alternative_cost, ambiguous
from openidv.documents.mrz.misread import guessed, weakest_failing
from openidv.documents.mrz.name_doubt import doubtful_name, weakest_name_letter
from openidv.documents.mrz.parse import MRZResult
from openidv.documents.mrz.reader import MRZReading, read_gray
from openidv.domain import CheckResult, Outcome, Session

# Fields that are personal data: reported only as present/absent in evidence (values stay in
# the sealed capture and in the in-memory artifacts for the cross-checks).
_SAFE_FIELDS = ("document_code", "issuing_state", "nationality", "sex")


def _evidence(cap_id: str, kind: str, r: MRZReading) -> dict[str, Any]:
    ev: dict[str, Any] = {"capture_id": cap_id, "kind": kind, "status": r.status, "detail": r.detail,
                          "box": quad_box(r.quad), "blocks_found": r.blocks_found, "blocks_valid": r.blocks_valid,
                          "mean_confidence": round(r.mean_confidence, 3)}
    if r.result is not None:
        res = r.result
        ev.update({"format": res.format, "check_digits": dict(res.checks), "valid": res.valid,
                   "corrections": len(res.corrections), "field_errors": list(res.field_errors),
                   "fields": {k: res.fields.get(k) for k in _SAFE_FIELDS}})
    return ev


@dataclass(frozen=True)
class MRZThresholds:
    """The tuned points at which a reading is put down to the photo rather than passed or flagged:
    a failing check digit on a guessed character (``misread_below``), check digits holding as well
    for a nearly as likely other reading (``ambiguous_below``), a name letter guessed
    (``doubtful_below``); each from its own threshold set and tuning script."""

    misread_below: float
    ambiguous_below: float
    doubtful_below: float

    @classmethod
    def load(cls, threshold_set: Callable[[str], Any]) -> MRZThresholds:
        """From the three sets, looked up by `threshold_set` (a session's ``ctx.thresholds.set``,
        which records the versions used, or a registry's ``get``)."""
        return cls(float(threshold_set("document_mrz")["misread_below"]),
                   float(threshold_set("document_mrz_ambiguity")["ambiguous_below"]),
                   float(threshold_set("document_mrz_names")["doubtful_below"]))


DL_TYPES = ("driver_licence", "driver_license", "driving_licence")
DEFERRED = "no_mrz_deferred_to_barcode"  # evidence key document_barcode reads


class DocumentMRZCheck(BaseCheck):
    name = "document_mrz"
    # 1.10.0: a valid reading with a name letter read below doubtful_below asks for a new photo (stop 45);
    # 1.9.0: a reading whose lines are not seen whole (a thumb or glare over an end: blank end cells,
    # or print going on beyond every line) is unreadable, not a shorter layout (stop 44);
    # 1.8.0: the reader skips the two-line blocks of a zone read whole and the second look after it;
    # the locator's faint levels only after nothing trusted is read (stop 43: the slowest 1% of photos);
    # 1.7.0: the reader's relit look (a shadow edge along the MRZ lines), a bowed page's grid fit, and an
    # MRZ cut by the photo's edge read as unreadable rather than MRZ_CHECKSUM or a shorter valid layout;
    # 1.6.0: hand-held photos - the MRZ's lighting flattened (a shadow's edge), the character count
    # of a foreshortened line, a second search for shaken glyphs, mrz_glyphs 3.0.0 (camera shake);
    # 1.5.0: the locator's finer scales (a page small in a large photo) and the reader's second look
    # (a passport on a page of print);
    # 1.4.0: check digits that hold as well for a nearly as likely other reading ask for a new photo;
    # 1.3.0: a check digit failing on a guessed character asks for a new photo (misread_below);
    # 1.2.0: an undeclared document without any MRZ is left to document_barcode
    version = "1.10.0"
    requires = ("image_usability", "document_detect")
    run_if_upstream_failed = True
    reason_codes = ("MRZ_NOT_FOUND", "MRZ_UNREADABLE", "MRZ_CHECKSUM", "MRZ_FIELD_INVALID", "DOCUMENT_MULTIPLE")
    score_meaning = "mean glyph confidence of the MRZ read (0 when none is read)"

    def applies(self, session: Session) -> bool:
        return bool(doc_captures(session))

    def run(self, ctx: CheckContext) -> CheckResult:
        today = reference_date(ctx.session)
        located = ctx.upstream.get("document_detect")
        blocks = located.artifacts.get("mrz_blocks", {}) if located is not None else {}
        readings: list[tuple[str, MRZReading]] = []
        evidence = []
        for cap in doc_captures(ctx.session):
            r = read_gray(gray_of(cap), today, blocks=blocks.get(cap.id), read_all=True)
            readings.append((cap.id, r))
            evidence.append(_evidence(cap.id, cap.kind.value, r))
        best = _best(readings)
        th = MRZThresholds.load(ctx.thresholds.set)
        outcome, codes, score = self._judge(best, readings, ctx.session, th)
        ev: dict[str, Any] = {"captures": evidence}
        if best is not None and best[1].result is not None:
            ev.update(_doubt_evidence(best[1].result, th, codes))
        if outcome is Outcome.NOT_APPLICABLE and declared_type(ctx.session) is None:
            # The type was not declared and no MRZ was read: a document without one (a driver
            # licence; its text or barcode may even look like an MRZ block) or an MRZ document
            # photographed badly. document_barcode decides: when it finds no barcode either, it
            # fails with this code (MRZ_NOT_FOUND or MRZ_UNREADABLE).
            ev[DEFERRED] = _missing_code(readings)
        result = self.result(outcome, score=score, reason_codes=codes, evidence=ev)
        if best is not None and best[1].result is not None:
            result.artifacts["mrz"] = best[1].result
            result.artifacts["mrz_quad"] = best[1].quad
            result.artifacts["mrz_capture_id"] = best[0]
        return result

    def _judge(self, best: tuple[str, MRZReading] | None, readings: list[tuple[str, MRZReading]],
               session: Session, th: MRZThresholds) -> tuple[Outcome, list[str], float]:
        if any(r.blocks_valid >= 2 for _, r in readings):
            return Outcome.FAIL, ["DOCUMENT_MULTIPLE"], 0.0
        if best is None:
            declared = declared_type(session)
            if declared in DL_TYPES or declared is None:  # a licence has no MRZ (undeclared: see run)
                return Outcome.NOT_APPLICABLE, [], 0.0
            return Outcome.FAIL, [_missing_code(readings)], 0.0
        return judge_reading(best[1], th)


def _doubt_evidence(res: MRZResult, th: MRZThresholds, codes: list[str]) -> dict[str, Any]:
    """What the doubt rules saw: for a valid reading, the closest other valid reading and the
    weakest name letter; for a failing one, how sure the characters under the failing digits were."""
    if not res.valid:
        weakest = weakest_failing(res)
        return {"failed_check_digits": {"weakest_character": None if weakest is None else round(weakest, 4),
                                        "misread_below": th.misread_below,
                                        "read_as": "misread" if "MRZ_UNREADABLE" in codes else "as printed"}}
    cost = alternative_cost(res)
    name = weakest_name_letter(res)
    return {"closest_other_valid_reading": {"nats": None if cost is None else round(cost, 3),
                                            "ambiguous_below": th.ambiguous_below,
                                            "ambiguous": ambiguous(res, th.ambiguous_below)},
            "weakest_name_letter": {"probability": None if name is None else round(name, 4),
                                    "doubtful_below": th.doubtful_below,
                                    "doubtful": doubtful_name(res, th.doubtful_below)}}


def judge_reading(r: MRZReading, th: MRZThresholds) -> tuple[Outcome, list[str], float]:
    """Outcome, codes and score for one reading with a result (status ``ok``) of a document that
    carries an MRZ; the benchmarks use it to say what the check would raise on a photo."""
    assert r.result is not None
    if not r.result.valid:
        # a check digit that fails where a character was guessed is more likely the photo than
        # the document: ask for a new one; read surely, it is printed that way (review)
        if guessed(r.result, th.misread_below):
            return Outcome.FAIL, ["MRZ_UNREADABLE"], r.mean_confidence
        return Outcome.FAIL, ["MRZ_CHECKSUM"], r.mean_confidence
    if ambiguous(r.result, th.ambiguous_below):
        # the check digits hold, but as well for another reading nearly as likely (B read for 8
        # twice, at weights that cancel): they have not decided between the two - a new photo
        return Outcome.FAIL, ["MRZ_UNREADABLE"], r.mean_confidence
    if doubtful_name(r.result, th.doubtful_below):
        # no check digit covers the names: a guessed letter would pass unseen - a new photo
        return Outcome.FAIL, ["MRZ_UNREADABLE"], r.mean_confidence
    # check digits hold, yet a date is impossible (or FRA-ID's issue month missing): never a silent pass
    if r.result.field_errors:
        return Outcome.REVIEW, ["MRZ_FIELD_INVALID"], r.mean_confidence
    return Outcome.PASS, [], r.mean_confidence


def _missing_code(readings: list[tuple[str, MRZReading]]) -> str:
    """MRZ_UNREADABLE when an MRZ-like block was located but not read, else MRZ_NOT_FOUND."""
    return "MRZ_UNREADABLE" if "unreadable" in {r.status for _, r in readings} else "MRZ_NOT_FOUND"


def _best(readings: list[tuple[str, MRZReading]]) -> tuple[str, MRZReading] | None:
    ok = [(cid, r) for cid, r in readings if r.status == "ok" and r.result is not None]
    if not ok:
        return None
    return max(ok, key=lambda cr: (cr[1].result.valid if cr[1].result else False, cr[1].mean_confidence))
