"""Read the MRZ of a photo: locate, rectify, cut glyphs, classify, decode with check digits.

Every located block is read under a few geometric hypotheses - upright or upside down, and, when
the block's measured extent does not match a whole MRZ line, anchored at its left or its right
end - and the reading that satisfies most check digits, then has the highest likelihood, wins.
Check digits thus verify the geometry as well as the characters.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from openidv.documents.mrz.classifier import glyph_logp
from openidv.documents.mrz.correct import read_logp
from openidv.documents.mrz.glyphs import CAP, LINE_PITCH, PITCH, canonical_size, cell_centres, crop_cells
from openidv.documents.mrz.locate import Block, locate
from openidv.documents.mrz.parse import MRZResult

WIDTHS = {2: (44, 36), 3: (30,)}
MIN_MEAN_CONFIDENCE = 0.55


@dataclass
class Hypothesis:
    block: int
    width: int
    flipped: bool
    first: int  # index of the character at the block's left ink edge
    span: int  # number of characters the block's ink extent covers


@dataclass
class MRZReading:
    """What the reader found: a result, or a status saying why there is none."""

    status: str  # ok | not_found | unreadable
    result: MRZResult | None = None
    quad: list[list[float]] | None = None  # MRZ corners in the image (TL, TR, BR, BL as read)
    blocks_found: int = 0
    blocks_valid: int = 0
    mean_confidence: float = 0.0
    detail: str = ""
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status}
        if self.result is not None:
            out.update(self.result.to_dict())
        else:
            out.update({"format": None, "lines": [], "fields": {}, "check_digits": {}, "valid": False})
        out.update({"quad": self.quad, "blocks_found": self.blocks_found, "blocks_valid": self.blocks_valid,
                    "mean_confidence": round(self.mean_confidence, 4), "detail": self.detail,
                    "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()}})
        return out


def _hypotheses(b: Block, bi: int, flipped: bool | None = None) -> list[Hypothesis]:
    """Geometric readings of a block: the ink extent is a whole line (always tried), or - when the
    measured extent is clearly short - a left- or right-anchored part of one."""
    out = []
    for width in WIDTHS.get(b.n_lines, ()):
        if abs(b.n_est - width) > 6:
            continue
        spans = [(0, width)]
        short = round(b.n_est)
        if short < width - 1.5 and flipped is not None:
            spans += [(0, short), (width - short, short)]
        for flip in ((False, True) if flipped is None else (flipped,)):
            out += [Hypothesis(bi, width, flip, first, span) for first, span in spans]
    return out


def _canonical(gray: NDArray[Any], b: Block, h: Hypothesis) -> NDArray[Any]:
    """Warp the block into canonical geometry for hypothesis `h`."""
    quad = b.quad if not h.flipped else b.quad[[2, 3, 0, 1]]
    y0 = 0.8 * LINE_PITCH
    y1 = y0 + (b.n_lines - 1) * LINE_PITCH
    xl = PITCH + (h.first + 0.2) * PITCH
    xr = PITCH + (h.first + h.span - 0.2) * PITCH
    dst = np.array([[xl, y0], [xr, y0], [xr, y1], [xl, y1]], np.float32)
    size = canonical_size(b.n_lines, h.width)
    x, y, w, hh = cv2.boundingRect(quad.astype(np.float32))
    pad = int(3 * b.pitch_px)
    x0, y0c = max(0, x - pad), max(0, y - pad)
    roi = gray[y0c : y + hh + pad, x0 : x + w + pad]
    src = (quad - [x0, y0c]).astype(np.float32)
    ratio = b.pitch_px / PITCH
    if ratio > 1.6:  # shrink first so the warp does not alias thin strokes
        roi = cv2.resize(roi, None, fx=1 / ratio * 1.3, fy=1 / ratio * 1.3, interpolation=cv2.INTER_AREA)
        src = src / ratio * 1.3
    m = cv2.getPerspectiveTransform(dst, src)
    return cv2.warpPerspective(roi, m, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                               borderMode=cv2.BORDER_REPLICATE)


def refine_centres(canon: NDArray[Any], n_lines: int, width: int) -> NDArray[Any]:
    """Move the nominal cell centres onto the glyphs actually seen (per-line affine fit)."""
    nominal = cell_centres(n_lines, width)
    binary = cv2.adaptiveThreshold(canon, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 8)
    _, _, stats, cents = cv2.connectedComponentsWithStats(binary, connectivity=8)
    s = stats[1:]
    c = cents[1:]
    ok = (s[:, 3] > 0.45 * CAP) & (s[:, 3] < 1.5 * CAP) & (s[:, 2] < 1.3 * PITCH) & (s[:, 2] > 1)
    s, c = s[ok], c[ok]
    out = nominal.copy().reshape(n_lines, width, 2)
    for j in range(n_lines):
        row = out[j]
        near = np.abs(c[:, 1] - row[0, 1]) < 0.45 * LINE_PITCH
        if near.sum() < 6:
            continue
        cx, cy = c[near, 0], c[near, 1]
        idx = np.round((cx - PITCH) / PITCH - 0.5)
        valid = (idx >= 0) & (idx < width)
        idx, cx, cy = idx[valid], cx[valid], cy[valid]
        resid = cx - ((idx + 0.5) * PITCH + PITCH)
        keep = np.abs(resid - np.median(resid)) < 0.3 * PITCH if len(resid) else resid > 0
        if keep.sum() < 6 or np.ptp(idx[keep]) < width / 3:
            continue
        ax, bx = np.polyfit(idx[keep], cx[keep], 1)[::-1]
        tall = keep & (s[near][valid][:, 3] > 0.75 * CAP)
        if tall.sum() >= 4 and np.ptp(idx[tall]) > 0:
            ay, by = np.polyfit(idx[tall], cy[tall], 1)[::-1]
        else:
            ay, by = float(row[0, 1]), 0.0
        i = np.arange(width)
        row[:, 0] = ax + bx * i
        row[:, 1] = ay + by * i
    return out.reshape(-1, 2).astype(np.float32)


def _read_hypothesis(gray: NDArray[Any], b: Block, h: Hypothesis, today: date | None
                     ) -> tuple[MRZResult, float, float] | None:
    canon = _canonical(gray, b, h)
    centres = refine_centres(canon, b.n_lines, h.width)
    logp = glyph_logp(crop_cells(canon, centres))
    lines = [logp[i * h.width : (i + 1) * h.width] for i in range(b.n_lines)]
    try:
        res = read_logp(lines, today)
    except ValueError:
        return None
    conf = float(np.exp(logp.max(axis=1)).mean())
    return res, conf, float(logp.max(axis=1).sum())


def _score(res: MRZResult, ll: float) -> tuple[int, float]:
    return sum(res.checks.values()) - (0 if res.valid else 1), ll


def _read_block(gray: NDArray[Any], b: Block, bi: int, today: date | None
                ) -> tuple[tuple[int, float], MRZReading] | None:
    """Best reading of one block: orientation first, then (if needed) anchored partial spans."""
    best: tuple[tuple[int, float], MRZReading, Hypothesis] | None = None
    for stage in (None, "anchored"):
        hyps = _hypotheses(b, bi) if stage is None else _hypotheses(b, bi, best[2].flipped if best else False)
        for h in hyps:
            if stage == "anchored" and h.span == h.width:
                continue
            got = _read_hypothesis(gray, b, h, today)
            if got is None:
                continue
            res, conf, ll = got
            key = _score(res, ll)
            if best is None or key > best[0]:
                quad = (b.quad if not h.flipped else b.quad[[2, 3, 0, 1]]).round(1).tolist()
                best = (key, MRZReading("ok", res, quad, mean_confidence=conf), h)
        if best is not None and best[1].result is not None and best[1].result.valid:
            break
    return None if best is None else (best[0], best[1])


def read_gray(gray: NDArray[Any], today: date | None = None, max_blocks: int = 3,
              blocks: list[Block] | None = None) -> MRZReading:
    """Read the MRZ in a grey image (uint8, any size and orientation); `blocks` may be passed when
    the caller has already located them."""
    t0 = time.perf_counter()
    blocks = locate(gray) if blocks is None else blocks
    t1 = time.perf_counter()
    found = [b for b in blocks if b.n_lines >= 2]
    if not found:
        detail = "a single MRZ-like text line (partial MRZ?)" if blocks else "no MRZ-like text lines"
        return MRZReading("not_found", blocks_found=0, detail=detail,
                          timings_ms={"locate": (t1 - t0) * 1000, "total": (t1 - t0) * 1000})
    best: tuple[tuple[int, float], MRZReading] | None = None
    valid_blocks = 0
    for bi, b in enumerate(found[:max_blocks]):
        got = _read_block(gray, b, bi, today)
        if got is None:
            continue
        if got[1].result is not None and got[1].result.valid:
            valid_blocks += 1
        if best is None or got[0] > best[0]:
            best = got
        if valid_blocks and bi + 1 < len(found) and found[bi + 1].n_lines < 2:
            break
    t2 = time.perf_counter()
    timings = {"locate": (t1 - t0) * 1000, "read": (t2 - t1) * 1000, "total": (t2 - t0) * 1000}
    if best is None:
        return MRZReading("unreadable", blocks_found=len(found), detail="no block matched an MRZ layout",
                          timings_ms=timings)
    reading = best[1]
    reading.blocks_found, reading.blocks_valid, reading.timings_ms = len(found), valid_blocks, timings
    if not reading.result or (not reading.result.valid and reading.mean_confidence < MIN_MEAN_CONFIDENCE):
        reading.status = "unreadable"
        reading.detail = f"low glyph confidence {reading.mean_confidence:.2f}"
    return reading


def read_image(rgb: NDArray[Any], today: date | None = None) -> MRZReading:
    """Read the MRZ in an RGB image."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) if rgb.ndim == 3 else rgb
    return read_gray(np.ascontiguousarray(gray), today)
