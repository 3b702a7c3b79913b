"""Helpers shared by the document checks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from openidv.checks.base import CheckContext
from openidv.documents.barcode.aamva import AAMVARecord
from openidv.documents.mrz.parse import MRZResult
from openidv.domain import Capture, CaptureKind, CheckResult, Session

DOC_KINDS = (CaptureKind.DOCUMENT_FRONT, CaptureKind.DOCUMENT_BACK)


def doc_captures(session: Session) -> list[Capture]:
    return session.captures_of(*DOC_KINDS)


def gray_of(cap: Capture) -> NDArray[Any]:
    img = cap.image
    return np.ascontiguousarray(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY) if img.ndim == 3 else img)


def reference_date(session: Session) -> date:
    return session.created_at.date()


def upstream_artifact(upstream: Mapping[str, CheckResult], check: str, key: str) -> Any:
    r = upstream.get(check)
    return None if r is None else r.artifacts.get(key)


def declared_type(session: Session) -> str | None:
    t = session.applicant.document_type
    return t.lower().replace("-", "_").replace(" ", "_") if t else None


def quad_box(quad: Any) -> list[float] | None:
    """Axis-aligned box [x0, y0, x1, y1] of a quad (evidence keeps boxes, not pixels)."""
    if quad is None:
        return None
    a = np.asarray(quad, dtype=float)
    return [round(float(v), 1) for v in (a[:, 0].min(), a[:, 1].min(), a[:, 0].max(), a[:, 1].max())]


# The face found on the rectified document confirms its frame (and design) if it sits where a portrait
# photo puts it in the registered box (ICAO 9303 / ISO 19794-5 photos centre the face, eyes a little
# above the middle): centre within these shares of the box's width and height from the box's centre,
# face width within these shares of the box's width. Generous: on 600 generated documents rectified
# with the true homography (var/diag/face_in_box.py) 99% of faces sit within 0.05 (x) and 0.09 (y)
# of the centre with widths 0.57-0.92 (all 0.53-0.95); narrow enough to refuse a card outline taken
# for the document's edge, or a card upside down (no face found).
REGISTRATION_DX, REGISTRATION_DY = 0.2, 0.25
REGISTRATION_WIDTH = (0.4, 1.1)


def portrait_registered(face_mm: list[float] | None, portrait_mm: tuple[float, float, float, float]) -> bool:
    """Does the face found on the rectified document sit where the design prints the portrait?"""
    if not face_mm:
        return False
    x0, y0, x1, y1 = face_mm
    px0, py0, px1, py1 = portrait_mm
    pw, ph = px1 - px0, py1 - py0
    dx, dy = abs((x0 + x1 - px0 - px1) / 2), abs((y0 + y1 - py0 - py1) / 2)
    ratio = (x1 - x0) / max(pw, 1e-6)
    return bool(dx <= REGISTRATION_DX * pw and dy <= REGISTRATION_DY * ph
                and REGISTRATION_WIDTH[0] <= ratio <= REGISTRATION_WIDTH[1])


def claimed_design(ctx: CheckContext) -> tuple[str, str] | None:
    """The document kind and issuer the machine-read data claim (a valid MRZ, else the barcode)."""
    mrz_r, bc_r = ctx.upstream.get("document_mrz"), ctx.upstream.get("document_barcode")
    mrz = mrz_r.artifacts.get("mrz") if mrz_r else None
    bc = bc_r.artifacts.get("aamva") if bc_r else None
    if isinstance(mrz, MRZResult) and mrz.valid:
        return mrz.format, str(mrz.fields.get("issuing_state") or "")
    if isinstance(bc, AAMVARecord):
        return "DL", bc.iin
    return None
