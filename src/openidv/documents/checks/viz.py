"""Visual zone: rectify the document, OCR its printed text, and cut out the portrait.

The frame comes from the MRZ when there is one (ICAO fixes where the MRZ sits, so no issuer
template is needed), else from the card outline. Outputs, in artifacts: the VIZ reading (for the
cross-checks), the rectified document, and ``portrait_rgb`` - the holder's photo, for the face
capability's document-to-selfie match. Evidence holds boxes and counts, not the text read.

Outcomes: pass when text was read (and a portrait found on a front side); review when the OCR read
too little to cross-check; not_applicable when no document frame could be established.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from openidv.checks.base import BaseCheck, CheckContext
from openidv.documents.checks.common import doc_captures, reference_date
from openidv.documents.geometry import SIZE_MM, DocumentFrame, find_card, frame_from_card, frame_from_mrz
from openidv.documents.mrz.parse import MRZResult
from openidv.documents.viz.extract import VIZReading, read_viz
from openidv.documents.viz.ocr import OCRUnavailable
from openidv.documents.viz.portrait import crop, find_face, widen
from openidv.domain import Capture, CaptureKind, CheckResult, Outcome, Session

PX_PER_MM = 9.0
MIN_WORDS = 6
# Nominal portrait zone (mm, x0 y0 x1 y1) of the MRZ side of passport and TD2 pages, used when
# the face detector misses (small, tilted, faint or unusual portraits); the face capability
# re-detects the face in the crop and decides whether it is usable.
# FRA-ID (France's 1988-2021 card) as TD2: the same ID-2 size, the portrait at the left of the face
# above the MRZ - nominal like the others, not measured on real cards.
PORTRAIT_ZONE_MM = {"TD3": (4.0, 15.0, 41.0, 63.0), "TD2": (4.0, 13.0, 36.0, 55.0), "FRA-ID": (4.0, 13.0, 36.0, 55.0)}


def _frame(cap: Capture, mrz: MRZResult | None, mrz_cap: str | None, quad: Any) -> DocumentFrame | None:
    if mrz is not None and cap.id == mrz_cap and quad is not None and mrz.format in SIZE_MM:
        return frame_from_mrz(mrz.format, len(mrz.lines), len(mrz.lines[0]), quad)
    cards = find_card(cap.image)
    return frame_from_card(cards[0]) if cards else None


FaceBox = tuple[int, int, int, int]


def upright_card_frame(frame: DocumentFrame, image: Any) -> tuple[DocumentFrame, Any, FaceBox | None, bool]:
    """The card outline's frame the right way up, the card rectified by it, the portrait's face box,
    and whether the outline had to be half-turned.

    An outline cannot tell a card's top from its bottom (a card photographed upside down or
    turned more than a quarter turn is read rotated by half a turn, and its text is then
    unreadable); the holder's portrait can, because the face detector finds upright faces only.
    """
    doc = frame.rectify(image, PX_PER_MM)
    face = find_face(doc)
    if face is None:
        turned = frame.half_turned()
        doc_t = turned.rectify(image, PX_PER_MM)
        face_t = find_face(doc_t)
        if face_t is not None:
            return turned, doc_t, face_t, True
    return frame, doc, face, False


# A card read with fewer confident letters and digits than this may be upside down with a portrait
# that did not say so (a face found the wrong way up, or none either way): its half-turned
# rectification is read too, and kept when it reads at least TURN_GAIN times as much and at least
# TURN_MIN_CHARS. On 40 train-split card fronts (var/diag): right-way-up readings 38-318 confident
# characters, the one upside-down card 7 (154 turned); 5 of 40 are read twice. One upside-down card
# is a thin basis for the margins; the portrait test (upright_card_frame) still decides first, and
# the evidence says when the text turned a card (half_turned_by_text).
TURN_CHECK_BELOW = 60
TURN_GAIN = 2.0
TURN_MIN_CHARS = 30


def read_card_upright(frame: DocumentFrame, doc: Any, face: FaceBox | None, image: Any,
                      read: Callable[[Any], VIZReading] = read_viz
                      ) -> tuple[DocumentFrame, Any, FaceBox | None, VIZReading, bool]:
    """Read a card's visual zone with `read`; when little was read, also the half-turned card,
    keeping the reading with more confident text (and that orientation's frame, rectification and
    portrait). The last value says whether the text turned the card."""
    viz = read(doc)
    have = viz.confident_chars()
    if have >= TURN_CHECK_BELOW:
        return frame, doc, face, viz, False
    turned = frame.half_turned()
    doc_t = turned.rectify(image, PX_PER_MM)
    viz_t = read(doc_t)
    got = viz_t.confident_chars()
    if got >= TURN_MIN_CHARS and got >= TURN_GAIN * have:
        return turned, doc_t, find_face(doc_t), viz_t, True
    return frame, doc, face, viz, False


class DocumentVIZCheck(BaseCheck):
    name = "document_viz"
    # 1.1.0: two page segmentation modes; a card read poorly is also read half-turned
    # 1.2.0: a third page segmentation mode (6, one block)
    version = "1.2.0"
    requires = ("image_usability", "document_mrz")
    run_if_upstream_failed = True
    timeout_s = 40.0
    reason_codes = ("DOCUMENT_NOT_FOUND",)
    score_meaning = "share of document photos whose visual zone was read (text found), 0-1"

    def applies(self, session: Session) -> bool:
        return bool(doc_captures(session))

    def run(self, ctx: CheckContext) -> CheckResult:
        mrz_r = ctx.upstream.get("document_mrz")
        mrz = mrz_r.artifacts.get("mrz") if mrz_r else None
        mrz_cap = mrz_r.artifacts.get("mrz_capture_id") if mrz_r else None
        quad = mrz_r.artifacts.get("mrz_quad") if mrz_r else None
        us_dates = bool(ctx.session.country and ctx.session.country.upper() == "US")
        evidence: list[dict[str, Any]] = []
        readings, portrait, frames, doc_frames = {}, None, {}, {}
        has_front = any(c.kind == CaptureKind.DOCUMENT_FRONT for c in doc_captures(ctx.session))
        for cap in doc_captures(ctx.session):
            frame = _frame(cap, mrz, mrz_cap, quad)
            ev: dict[str, Any] = {"capture_id": cap.id, "kind": cap.kind.value, "frame": frame.fmt if frame else None}
            evidence.append(ev)
            if frame is None:
                continue
            from_mrz = frame.fmt != "ID-1"
            holder_side = cap.kind == CaptureKind.DOCUMENT_FRONT or not has_front
            face: FaceBox | None = None
            searched = False
            if not from_mrz and holder_side:
                frame, doc, face, turned = upright_card_frame(frame, cap.image)
                searched = True
                ev["half_turned_by_portrait"] = turned
            else:
                doc = frame.rectify(cap.image, PX_PER_MM)
            frames[cap.id] = doc
            doc_frames[cap.id] = frame
            ev["visible_fraction"] = round(frame.fraction_visible(cap.image.shape), 3)
            if (frame.fmt == "TD1" and cap.id == mrz_cap) or (cap.kind == CaptureKind.DOCUMENT_BACK and has_front):
                # An ID-1 card's MRZ is on its back (ICAO 9303-5) and a licence's back carries the
                # barcode; the holder's printed data are on the front. Text on the back (issuer
                # notes, address, labels) is not the visual zone: reading it as such made the
                # MRZ/barcode-VIZ cross-checks fail genuine cards.
                ev["ocr"] = {"skipped": "back of the card: no visual-zone holder data"}
                continue
            read = functools.partial(read_viz, exclude_bottom=_mrz_share(frame.fmt) if cap.id == mrz_cap else 0.0,
                                     px_per_mm=PX_PER_MM,
                                     month_first=us_dates, today=reference_date(ctx.session))
            try:
                if searched:
                    frame, doc, face, viz, by_text = read_card_upright(frame, doc, face, cap.image, read)
                    ev["half_turned_by_text"] = by_text
                    frames[cap.id], doc_frames[cap.id] = doc, frame
                else:
                    viz = read(doc)
            except OCRUnavailable as exc:
                return self.result(Outcome.ERROR, evidence={"captures": evidence, "error": str(exc)})
            readings[cap.id] = viz
            ev["ocr"] = viz.evidence()
            if cap.kind == CaptureKind.DOCUMENT_FRONT or cap.id == mrz_cap:
                if not searched:
                    face = find_face(doc)
                box, source = (widen(face, doc.shape) if face else None), "face_detector"
                ev["face_box_mm"] = [round(v / PX_PER_MM, 1) for v in face] if face else None
                if box is None and cap.id == mrz_cap and frame.fmt in PORTRAIT_ZONE_MM:
                    zx0, zy0, zx1, zy1 = (round(v * PX_PER_MM) for v in PORTRAIT_ZONE_MM[frame.fmt])
                    box, source = (zx0, zy0, zx1, zy1), "icao_zone"
                ev["portrait_box_mm"] = [round(v / PX_PER_MM, 1) for v in box] if box else None
                ev["portrait_source"] = source if box else None
                if box is not None and portrait is None:
                    portrait = crop(doc, box)
                    ev["portrait_box_px"] = list(box)
        result = self._result(readings, portrait, frames, evidence)
        result.artifacts["frames"] = doc_frames
        return result

    def _result(self, readings: dict[str, Any], portrait: Any, frames: dict[str, Any],
                evidence: list[dict[str, Any]]) -> CheckResult:
        if not frames:
            return self.result(Outcome.NOT_APPLICABLE, evidence={"captures": evidence,
                                                                 "why": "no document frame (no MRZ, no card outline)"})
        read = [cid for cid, v in readings.items() if v.words >= MIN_WORDS]
        score = len(read) / max(len(frames), 1)
        outcome = Outcome.PASS if read else Outcome.REVIEW
        result = self.result(outcome, score=score,
                             evidence={"captures": evidence, "portrait_found": portrait is not None})
        result.artifacts["viz"] = readings
        result.artifacts["documents"] = frames
        if portrait is not None:
            result.artifacts["portrait_rgb"] = portrait
        return result


def _mrz_share(fmt: str) -> float:
    """Share of the document height taken by the MRZ zone (skipped by the VIZ OCR); FRA-ID's
    two 36-character lines on an ID-2 card take TD2's."""
    return {"TD1": 0.36, "TD2": 0.24, "TD3": 0.26, "MRV-A": 0.29, "MRV-B": 0.24, "FRA-ID": 0.24}.get(fmt, 0.0)
