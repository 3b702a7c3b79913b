"""Is there a document in each document photo, and only one?

Evidence of a document: an MRZ-like block of text lines, a card-shaped outline, or a barcode-like
region. Two plausible MRZ blocks far apart, or two card outlines of similar size that do not
overlap, mean two documents in one photo.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from openidv.checks.base import BaseCheck, CheckContext
from openidv.documents.barcode.pdf417 import barcode_regions
from openidv.documents.checks.common import doc_captures, gray_of, quad_box
from openidv.documents.geometry import find_card
from openidv.documents.mrz.locate import Block, locate
from openidv.domain import CheckResult, Outcome, Session


def _plausible(b: Block) -> bool:
    widths = {2: (36, 44), 3: (30,)}.get(b.n_lines, ())
    return any(abs(b.n_est - w) < 2.5 for w in widths)


def _separate_mrz(blocks: list[Block]) -> int:
    """Number of plausible MRZ blocks that are not the same block seen twice."""
    kept: list[Block] = []
    for b in (b for b in blocks if _plausible(b)):
        c = b.quad.mean(axis=0)
        if all(np.linalg.norm(c - k.quad.mean(axis=0)) > 4 * k.pitch_px * k.n_lines for k in kept):
            kept.append(b)
    return len(kept)


def _separate_cards(quads: list[Any]) -> int:
    if len(quads) < 2:
        return len(quads)
    areas = [float(cv2.contourArea(np.asarray(q, np.float32))) for q in quads]
    a0 = areas[0]
    similar = [q for q, a in zip(quads, areas, strict=True) if 0.5 < a / a0 < 2.0]
    return len(similar)


class DocumentDetectCheck(BaseCheck):
    name = "document_detect"
    version = "1.0.0"
    requires = ("image_usability",)
    run_if_upstream_failed = True  # a blurred photo of nothing is still "no document"
    reason_codes = ("DOCUMENT_NOT_FOUND", "DOCUMENT_MULTIPLE")
    score_meaning = "1 when exactly one document is seen in every document photo, else 0"

    def applies(self, session: Session) -> bool:
        return bool(doc_captures(session))

    def run(self, ctx: CheckContext) -> CheckResult:
        per: list[dict[str, Any]] = []
        codes: set[str] = set()
        blocks_by_capture: dict[str, list[Block]] = {}
        for cap in doc_captures(ctx.session):
            gray = gray_of(cap)
            blocks = locate(gray)
            blocks_by_capture[cap.id] = blocks
            cards = find_card(cap.image)
            n_mrz = _separate_mrz(blocks)
            n_cards = _separate_cards(cards)
            n_bars = len(barcode_regions(gray, 2)) if n_mrz == 0 and not cards else 0
            found = n_mrz > 0 or n_cards > 0 or n_bars > 0 or any(b.n_lines >= 1 for b in blocks)
            # Two MRZ-like blocks may be one MRZ plus a long printed line: the MRZ check reads them
            # and reports DOCUMENT_MULTIPLE if both hold; here only two card outlines count.
            multiple = n_cards >= 2 and n_mrz != 1
            if not found:
                codes.add("DOCUMENT_NOT_FOUND")
            elif multiple:
                codes.add("DOCUMENT_MULTIPLE")
            per.append({"capture_id": cap.id, "kind": cap.kind.value, "mrz_blocks": n_mrz, "card_outlines": n_cards,
                        "barcode_regions": n_bars, "card_boxes": [quad_box(q) for q in cards[:3]]})
        result = self.result(Outcome.FAIL if codes else Outcome.PASS, score=0.0 if codes else 1.0,
                             reason_codes=sorted(codes), evidence={"captures": per})
        result.artifacts["mrz_blocks"] = blocks_by_capture
        return result
