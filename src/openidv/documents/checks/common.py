"""Helpers shared by the document checks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

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
