"""Capture integrity: signs that the pixels did not come from a real camera pointed at a person.

Strong signals (each enough to fail): a virtual-camera or emulator device name, automation flags
in the session telemetry, a frame sequence whose frames are pixel-identical. Weak signals (send
to review): impossible resolutions or frame rates, contradictory or editor-stamped EXIF, a
capture cleaner than any camera sensor produces (no measurable noise).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from openidv.domain import Capture, Session

VIRTUAL_CAMERA = re.compile(
    r"obs[- ]?(virtual|studio|cam)|manycam|snap ?camera|xsplit|e2esoft|\bvcam\b|splitcam|youcam|camtwist|"
    r"v4l2 ?loopback|dummy video|virtual ?(cam|camera|webcam|video)|iriun|epoccam|\bndi\b|mmhmm|chromacam|"
    r"akvcam|unity video capture|fake ?(cam|camera|media|video)|screen ?capture|droidcam",
    re.IGNORECASE,
)
EMULATOR = re.compile(
    r"android sdk built for|\bemulator\b|genymotion|bluestacks|\bnox(player)?\b|ldplayer|memu|goldfish|"
    r"ranchu|sdk_gphone|vbox86|simulator",
    re.IGNORECASE,
)
EDITORS = re.compile(
    r"photoshop|gimp|snapseed|facetune|faceapp|pixlr|picsart|meitu|lightroom|affinity|paint\.net",
    re.IGNORECASE,
)
AUTOMATION_UA = re.compile(r"headless|selenium|puppeteer|playwright|phantomjs|webdriver", re.IGNORECASE)


@dataclass
class IntegrityFindings:
    strong: list[str] = field(default_factory=list)
    weak: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


def noise_sigma(rgb: NDArray[np.uint8]) -> float:
    """Immerkaer's fast noise estimate (grey levels) on the luma, over flat areas only."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    kernel = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)
    resp = np.abs(cv2.filter2D(grey, -1, kernel))[1:-1, 1:-1]
    grad = cv2.Laplacian(cv2.GaussianBlur(grey, (0, 0), 1.5), cv2.CV_32F)[1:-1, 1:-1]
    flat = np.abs(grad) < np.percentile(np.abs(grad), 50)
    vals = resp[flat] if flat.any() else resp.ravel()
    return float(np.sqrt(np.pi / 2) * vals.mean() / 6.0)


def _texts(cap: Capture) -> list[str]:
    md = cap.metadata
    exif = md.exif or {}
    extra = md.model_extra or {}
    return [
        str(v)
        for v in (
            md.camera_label,
            md.source,
            exif.get("make"),
            exif.get("model"),
            exif.get("software"),
            extra.get("device_model"),
            extra.get("device_label"),
        )
        if v
    ]


def metadata_findings(captures: Sequence[Capture], session: Session, out: IntegrityFindings) -> None:
    for cap in captures:
        for text in _texts(cap):
            if VIRTUAL_CAMERA.search(text):
                out.strong.append("virtual_camera")
            if EMULATOR.search(text):
                out.strong.append("emulator")
        md = cap.metadata
        if md.fps is not None and not (1.0 <= md.fps <= 240.0):
            out.weak.append("impossible_frame_rate")
        aspect = cap.width / max(cap.height, 1)
        if not (0.4 <= aspect <= 2.5) or max(cap.width, cap.height) > 8192:
            out.weak.append("impossible_resolution")
        exif = md.exif or {}
        if exif.get("software") and EDITORS.search(str(exif["software"])):
            out.weak.append("edited_in_software")
        if md.camera_label and exif.get("model") and not _same_device(md.camera_label, str(exif["model"])):
            out.weak.append("exif_contradicts_camera")
        taken = _exif_time(exif)
        if taken is not None and abs((session.created_at.replace(tzinfo=None) - taken).days) > 1:
            out.weak.append("exif_date_far_from_session")
        if md.source == "native_camera" and md.exif is not None and not md.exif:
            out.weak.append("exif_missing")
    sizes = {(c.width, c.height) for c in captures if c.kind.value == "frame"}
    if len(sizes) > 1:
        out.weak.append("frame_resolution_changes")


def _same_device(label: str, model: str) -> bool:
    a, b = re.sub(r"\W+", "", label.lower()), re.sub(r"\W+", "", model.lower())
    return bool(a and b and (a in b or b in a))


def _exif_time(exif: dict[str, Any]) -> datetime | None:
    raw = exif.get("datetime_original") or exif.get("datetime")
    try:
        return datetime.strptime(str(raw)[:19], "%Y:%m:%d %H:%M:%S") if raw else None
    except ValueError:
        return None


def telemetry_findings(session: Session, out: IntegrityFindings) -> None:
    tel = session.telemetry
    if tel is None:
        return
    dev = tel.device or {}
    if any(bool(dev.get(k)) for k in ("webdriver", "headless", "automation")):
        out.strong.append("automation_flag")
    for key in ("user_agent", "userAgent", "gpu_renderer", "platform", "model"):
        val = str(dev.get(key) or "")
        if val and AUTOMATION_UA.search(val):
            out.strong.append("automation_user_agent")
        if val and EMULATOR.search(val):
            out.strong.append("emulator")


def static_sequence(frames: Sequence[NDArray[np.uint8]], near: float = 0.25) -> dict[str, float]:
    """How much of a sequence is frozen: identical pairs and near-identical (mean |diff| < near)."""
    if len(frames) < 2:
        return {"identical_pairs": 0.0, "near_identical_share": 0.0}
    identical, close = 0, 0
    for a, b in itertools.pairwise(frames):
        if a.shape != b.shape:
            continue
        d = float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())
        identical += d == 0.0
        close += d < near
    return {"identical_pairs": float(identical), "near_identical_share": close / (len(frames) - 1)}


def pixel_findings(
    stills: Sequence[NDArray[np.uint8]],
    frames: Sequence[NDArray[np.uint8]],
    min_noise: float,
    max_static_share: float,
    out: IntegrityFindings,
) -> None:
    frozen = static_sequence(frames)
    out.details["sequence"] = frozen
    if frozen["identical_pairs"] >= 2 or frozen["near_identical_share"] > max_static_share:
        out.strong.append("frozen_sequence")
    sigmas = [noise_sigma(img) for img in [*stills, *frames[:: max(1, len(frames) // 5)]]]
    out.details["noise_sigma"] = [round(s, 3) for s in sigmas]
    if sigmas and float(np.median(sigmas)) < min_noise:
        out.weak.append("too_clean_for_a_camera")
