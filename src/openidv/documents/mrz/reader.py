"""Read the MRZ of a photo: locate, rectify, cut glyphs, classify, decode with check digits.

Every located block is read under a few geometric hypotheses - upright or upside down, and, when
the block's measured extent does not match a whole MRZ line, anchored at its left or its right
end - and the reading that satisfies most check digits, then has the highest likelihood, wins.
Check digits thus verify the geometry as well as the characters, and the ends of the lines read
verify the layout (`line_ends`): a line hidden at an end by a thumb or glare reads as a shorter
layout whose check digits may hold, and is not trusted.
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
from openidv.documents.mrz.codes import known_state
from openidv.documents.mrz.correct import read_logp
from openidv.documents.mrz.glyphs import PITCH, canonical_size, cell_x, crop_cells, flatten_light, line_y
from openidv.documents.mrz.grid import fit_grid, glyph_centres
from openidv.documents.mrz.line_ends import line_gap, measure
from openidv.documents.mrz.locate import Block, Photo, as_photo, legible, locate, locate_minor, locate_relit
from openidv.documents.mrz.name_doubt import weakest_name_letter
from openidv.documents.mrz.parse import MRZResult

WIDTHS = {2: (44, 36), 3: (30,)}
MIN_MEAN_CONFIDENCE = 0.55
# What a check-digit repair of a reading from an image may cost, in nats, with mrz_glyphs 2.0.0
# (correct.FIELD_BUDGET, 4 nats, was derived at stop 18 for 1.0.0 and still applies to text from
# other OCR engines, whose pseudo-probabilities price a confusion at 2 nats). With 2.0.0 on
# generated train documents (seeds 97M: 1,000 genuine, 518 with a birth-date digit altered and the
# check digits left as printed; benchmarks/documents_mrz_repair_costs.py --budget 4), the repairs
# that made a genuine reading exact cost 0.21, 0.61 and 0.80 nats, one that made a genuine reading
# valid but wrong 1.91, and the four that made altered MRZs valid 2.77, 3.81, 3.81 and 3.99. Every
# budget from 0.80 up to (not including) 1.91 makes none of these errors: the middle of that range.
# With 4 nats, 3 of 515 held-out altered MRZs were read valid (repairs at 3.5-3.9 nats).
# Re-measured for mrz_glyphs 3.0.0 (same command): genuine repairs to an exact reading 0.77 nats,
# to a wrong one 0.01 (no budget refuses it), the one altered MRZ made valid 3.50; 1.36 still
# lies in the safe range.
REPAIR_BUDGET = 1.36


@dataclass
class Hypothesis:
    block: int
    width: int
    flipped: bool


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
    gap: str | None = None  # why the lines read are not whole (`line_ends.line_gap`), if they are not

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status}
        if self.result is not None:
            out.update(self.result.to_dict())
            out["valid"] = bool(self.result.valid and self.status == "ok")
            # no check digit covers the names: their weakest letter is the reader's only word on them
            # (the document_mrz check asks for a new photo below doubtful_below)
            weakest = weakest_name_letter(self.result)
            out["confidence"]["weakest_name_letter"] = None if weakest is None else round(weakest, 4)
        else:
            out.update({"format": None, "lines": [], "fields": {}, "check_digits": {}, "valid": False})
        out.update({"quad": self.quad, "blocks_found": self.blocks_found, "blocks_valid": self.blocks_valid,
                    "mean_confidence": round(self.mean_confidence, 4), "detail": self.detail,
                    "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()}})
        return out


def _hypotheses(b: Block, bi: int) -> list[Hypothesis]:
    """Layouts and orientations to try for a block, likelier orientation first (text found at more
    than 90 degrees was probably de-rotated upside down)."""
    first_flip = b.angle_deg > 90
    widths = sorted((w for w in WIDTHS.get(b.n_lines, ()) if abs(b.n_est - w) <= 7), key=lambda w: abs(b.n_est - w))
    return [Hypothesis(bi, width, flip) for width in widths for flip in (first_flip, not first_flip)]


def _canonical(gray: NDArray[Any], b: Block, h: Hypothesis) -> NDArray[Any]:
    """Warp the block into canonical geometry (its ink extent onto characters 0 .. width-1), then
    divide it by its paper brightness (`flatten_light`: a shadow's edge is not ink)."""
    quad = b.quad if not h.flipped else b.quad[[2, 3, 0, 1]]
    y0, y1 = line_y(0), line_y(b.n_lines - 1)
    xl, xr = cell_x(0) - 0.3 * PITCH, cell_x(h.width - 1) + 0.3 * PITCH
    dst = np.array([[xl, y0], [xr, y0], [xr, y1], [xl, y1]], np.float32)
    size = canonical_size(b.n_lines, h.width)
    x, y, w, hh = cv2.boundingRect(quad.astype(np.float32))
    pad = int(6 * b.pitch_px)
    x0, y0c = max(0, x - pad), max(0, y - pad)
    roi = gray[y0c : y + hh + pad, x0 : x + w + pad]
    src = (quad - [x0, y0c]).astype(np.float32)
    ratio = b.pitch_px / PITCH
    if ratio > 1.6:  # shrink first so the warp does not alias thin strokes
        roi = cv2.resize(roi, None, fx=1.3 / ratio, fy=1.3 / ratio, interpolation=cv2.INTER_AREA)
        src = src * 1.3 / ratio
    m = cv2.getPerspectiveTransform(dst, src)
    canon = cv2.warpPerspective(roi, m, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                borderMode=cv2.BORDER_REPLICATE)
    return flatten_light(canon)


def _offsets(b: Block, width: int) -> range:
    spread = 1 + min(3, round(abs(b.n_est - width)))
    return range(-spread, spread + 1)


def _line_score(logp: NDArray[Any], kinds_mask: NDArray[Any]) -> float:
    """Log-likelihood of a line under its field types (best allowed character per cell)."""
    return float(np.where(kinds_mask, logp, -np.inf).max(axis=1).sum())


def _windows(spec_masks: list[NDArray[Any]], per_line: list[NDArray[Any]], offs: range, n: int
             ) -> list[tuple[int, ...]]:
    """Offset combinations to decode, best first. MRZ lines are left-aligned, so one offset shared
    by all lines comes first (ranked by the type-constrained likelihood of the lines); then
    combinations where single lines deviate by one cell."""
    score = {(j, k): _line_score(lp[k - offs.start : k - offs.start + n], spec_masks[j])
             for j, lp in enumerate(per_line) for k in offs}
    lines = range(len(per_line))
    common = sorted(offs, key=lambda k: -sum(score[(j, k)] for j in lines))
    combos = [tuple(k for _ in lines) for k in common[:3]]
    for k in common[:2]:
        for j in lines:  # one line off by a cell (its own stray blob or lost end)
            for d in (-1, 1):
                c = tuple(k + (d if i == j else 0) for i in lines)
                if c not in combos and all(x in offs for x in c):
                    combos.append(c)
    return combos


def _read_hypothesis(gray: NDArray[Any], b: Block, h: Hypothesis, today: date | None
                     ) -> tuple[MRZResult, float, float, str | None] | None:
    """The best reading of a block under one hypothesis: (result, mean glyph confidence, summed
    log-likelihood, why its lines are not whole or None)."""
    canon = _canonical(gray, b, h)
    centres = glyph_centres(canon)
    grids = fit_grid(canon, b.n_lines, centres)
    offs = _offsets(b, h.width)
    cells = [g.centre(i) for g in grids for i in range(offs.start, h.width + offs.stop - 1)]
    logp = glyph_logp(crop_cells(canon, np.array(cells, np.float32)))
    span = h.width + len(offs) - 1
    per_line = [logp[j * span : (j + 1) * span] for j in range(b.n_lines)]
    inks = measure(canon, grids, offs.start - 1, span + 2, centres)  # a cell more each side
    masks = _kind_masks(b.n_lines, h.width, per_line[0][-offs.start : -offs.start + 5])
    best: tuple[tuple[int, float], MRZResult, float, str | None] | None = None
    for combo in _windows(masks, per_line, offs, h.width):
        lines = [per_line[j][k - offs.start : k - offs.start + h.width] for j, k in enumerate(combo)]
        try:
            res = read_logp(lines, today, field_budget=REPAIR_BUDGET, total_budget=REPAIR_BUDGET)
        except ValueError:
            continue
        ll = float(np.log(np.maximum(res.char_confidence, 1e-6)).sum())
        gap = line_gap(inks, [k - offs.start + 1 for k in combo], h.width)
        key = _score(res, ll, gap)
        if best is None or key > best[0]:
            best = (key, res, float(np.exp(np.concatenate(lines).max(axis=1)).mean()), gap)
        if key[0]:
            break
    if best is None:
        return None
    return best[1], best[2], best[0][1] * h.width * b.n_lines, best[3]


def _kind_masks(n_lines: int, width: int, head: NDArray[Any]) -> list[NDArray[Any]]:
    """Per-line field-type masks of the layout the first cells of line 1 (`head`, at the nominal
    offset) suggest: a national one (FRA-ID) when they support it, else the ICAO one."""
    from openidv.documents.mrz.correct import allowed_mask, national_for_reading, spec_for_reading

    national = national_for_reading(n_lines, width, head)
    spec = national[0] if national else spec_for_reading(n_lines, width, head[:1])
    if spec is None:
        return [np.ones((width, 37), bool)] * n_lines
    mask = allowed_mask(spec)
    return [mask[j * width : (j + 1) * width] for j in range(n_lines)]


MAX_LOW_SHARE = 0.06  # a reading with more shaky characters than this is not trusted
# Field-type corrections (a character its field forbids, replaced by the best allowed one) costing
# more than this in all (nats below what was read) mean the cells are misaligned rather than a
# glyph misread: a specimen photo tilted 25 degrees read its first line one cell late, "<UTO..."
# corrected to "IUTO..." at 5.5 nats and trusted because line 2's check digits held. The same
# limit as stop 18's check-digit correction budget (correct.FIELD_BUDGET).
MAX_TYPE_FIX_COST = 4.0


def trustworthy(res: MRZResult) -> bool:
    """Valid check digits on a confident reading: few characters below 0.2 probability, no costly
    field-type corrections, and issuing state and nationality codes that name a state (a line read
    a cell out of place shifts name letters or filler into them)."""
    c = res.char_confidence
    low = sum(1 for x in c if x < 0.2)
    fixes = sum(float(x.get("cost", 0.0)) for x in res.corrections if x.get("reason") == "field_type")
    return (res.valid and low <= max(2, MAX_LOW_SHARE * len(c)) and (sum(c) / max(len(c), 1)) >= 0.6
            and fixes <= MAX_TYPE_FIX_COST and states_known(res))


def states_known(res: MRZResult) -> bool:
    """Do the issuing state and nationality (where the format has them) name ICAO 9303 codes?"""
    return all(known_state(res.fields.get(k)) for k in ("issuing_state", "nationality") if k in res.fields)


def _score(res: MRZResult, ll: float, gap: str | None) -> tuple[int, float]:
    """Trusted valid readings of whole lines first, then the mean log-likelihood per character."""
    return int(gap is None and trustworthy(res)), ll / max(len(res.char_confidence), 1)


def _trusted(reading: MRZReading) -> bool:
    """A trustworthy result read from whole lines (`line_ends`): a line hidden at its end reads
    as a shorter layout whose check digits may hold."""
    return reading.gap is None and reading.result is not None and trustworthy(reading.result)


PROBE_CELLS = 12
PROBE_MIN_CONFIDENCE = 0.3


def _probe(gray: NDArray[Any], b: Block, width: int, flipped: bool) -> float:
    """Mean glyph confidence on a few middle cells of the first line at nominal positions: cheap
    evidence of which way up the block is, and whether it is an MRZ at all."""
    canon = _canonical(gray, b, Hypothesis(-1, width, flipped))
    start = (width - PROBE_CELLS) // 2
    cells = np.array([(cell_x(i), line_y(0)) for i in range(start, start + PROBE_CELLS)], np.float32)
    logp = glyph_logp(crop_cells(canon, cells))
    return float(np.exp(logp.max(axis=1)).mean())


def _read_block(gray: NDArray[Any], b: Block, bi: int, today: date | None
                ) -> tuple[tuple[int, float], MRZReading] | None:
    """Best reading of one block, stopping at the first trusted one. Hypotheses are ordered by a
    cheap probe of both orientations; a block whose glyphs look like nothing is skipped."""
    best: tuple[tuple[int, float], MRZReading] | None = None
    hyps = _hypotheses(b, bi)
    probes = {(h.width, h.flipped): _probe(gray, b, h.width, h.flipped) for h in hyps}
    hyps = [h for h in sorted(hyps, key=lambda h: -probes[(h.width, h.flipped)])
            if probes[(h.width, h.flipped)] >= PROBE_MIN_CONFIDENCE]
    for h in hyps:
        got = _read_hypothesis(gray, b, h, today)
        if got is None:
            continue
        res, conf, ll, gap = got
        key = _score(res, ll, gap)
        if best is None or key > best[0]:
            quad = (b.quad if not h.flipped else b.quad[[2, 3, 0, 1]]).round(1).tolist()
            best = (key, MRZReading("ok", res, quad, mean_confidence=conf, gap=gap))
        if key[0]:
            break
    return best


SECOND_LOOK_PROBED = (24, 8)  # blocks probed on a second look: beyond the first three, along minor directions
SECOND_LOOK_READ = 4  # ... and read, best probe first
# ... and a reading taken only if its line width is within this many characters of the block's
# measured one: a TD3 whose personal number is empty also reads as a TD2 whose check digits hold
# (the composite digit is the same), from a block 41 characters long (a held-out generated TD3 at
# 725 px, stop 39); the first look allows 7 for blur-swollen glyphs.
SECOND_LOOK_MAX_MISS = 3.0


def _read_whole(best: tuple[tuple[int, float], MRZReading] | None) -> bool:
    """Does the best reading name its issuing state and nationality? Then the zone was found whole
    and its glyphs were misread (glare, low resolution): a relit photo shows no other MRZ."""
    return best is not None and best[1].result is not None and states_known(best[1].result)


def _same_place(a: Block, b: Block) -> bool:
    """Do two blocks cover the same print (their centres within four character pitches a line)?"""
    gap = float(np.linalg.norm(a.quad.mean(axis=0) - b.quad.mean(axis=0)))
    return gap < 4 * max(a.pitch_px, b.pitch_px) * max(a.n_lines, b.n_lines, 1)


def _second_look(gray: NDArray[Any] | Photo, rest: list[Block], today: date | None, seen: list[Block] | None = None
                 ) -> tuple[tuple[int, float], MRZReading] | None:
    """A trusted reading among the blocks the first look left: those beyond the first few, and
    those along the photo's weaker text directions (`locate_minor`). A passport lying on a page of
    print competes with the page's lines, which `_plausibility` (geometry only) may rank above it
    and whose direction hides its own. Blocks read here are added to `seen`."""
    photo = as_photo(gray)
    minor = [b for b in locate_minor(photo) if b.n_lines >= 2]
    return _trusted_among(photo.gray, rest[: SECOND_LOOK_PROBED[0]] + minor[: SECOND_LOOK_PROBED[1]], today,
                          [] if seen is None else seen)


def _relit_look(gray: NDArray[Any] | Photo, today: date | None, seen: list[Block]
                ) -> tuple[tuple[int, float], MRZReading] | None:
    """A trusted reading among the blocks found on the photo with its light flattened
    (`locate_relit`: a shadow edge along the MRZ lines), where no earlier look has read a block
    of as many lines. A shadow edge above a TD1's first line hides that line from the first look,
    which reads the other two as a block of two and finds no MRZ in them; the relit look's block
    of three lines at that place is another layout, not a second opinion of the same one."""
    photo = as_photo(gray)
    relit = [b for b in locate_relit(photo) if b.n_lines >= 2]
    return _trusted_among(photo.gray, relit[: SECOND_LOOK_PROBED[0]], today, seen, same_lines=True)


def _trusted_among(gray: NDArray[Any], blocks: list[Block], today: date | None, seen: list[Block],
                   same_lines: bool = False) -> tuple[tuple[int, float], MRZReading] | None:
    """The first trusted reading (check digits, confidence, state codes) among `blocks`, ranked by
    the glyph probe, skipping every place already read (`seen`, extended with the blocks read
    here). Only a trusted reading is taken: a later look must never replace the first look's
    reading of a real MRZ with a likelier reading of other print. Nor does it read again where an
    earlier look read: another outline of an MRZ that read untrusted finds check digits that hold
    on a wrong name or sex (the real specimen photos under stress, stop 39) - a new photo is the
    answer there, not a second opinion. `same_lines`: a place counts as read only by a block of
    as many lines."""
    cands = [b for b in blocks
             if not any(_same_place(b, r) and (not same_lines or b.n_lines == r.n_lines) for r in seen)]
    probed = []
    for i, b in enumerate(cands):
        hyps = _hypotheses(b, i)
        if hyps:
            probed.append((max(_probe(gray, b, h.width, h.flipped) for h in hyps), i))
    for p, i in sorted(probed, reverse=True)[:SECOND_LOOK_READ]:
        if p < PROBE_MIN_CONFIDENCE:
            break
        got = _read_block(gray, cands[i], i, today)
        seen.append(cands[i])
        res = got[1].result if got is not None else None
        if got is not None and res is not None and _trusted(got[1]) and \
                abs(cands[i].n_est - len(res.lines[0])) <= SECOND_LOOK_MAX_MISS:
            return got
    return None


Read = tuple[tuple[int, float], MRZReading]


def _first_look(gray: NDArray[Any], found: list[Block], max_blocks: int, today: date | None, read_all: bool,
                memo: dict[int, Read | None]) -> tuple[Read | None, list[Block]]:
    """The best reading of the first `max_blocks` blocks and the blocks read trusted (one per
    place: two outlines of one MRZ are one), stopping at the first trusted one unless `read_all`.
    A block whose place a block of more lines read whole (`_read_whole`) is not read: some of the
    lines of an MRZ read whole (a TD1's first two) fit no layout. `memo` keeps each block's reading
    (by identity) for a later first look over a longer list."""
    best: Read | None = None
    trusted: list[Block] = []
    whole: list[Block] = []
    for bi, b in enumerate(found[:max_blocks]):
        if any(_same_place(b, w) and b.n_lines < w.n_lines for w in whole):
            continue
        if id(b) not in memo:
            memo[id(b)] = _read_block(gray, b, bi, today)
        got = memo[id(b)]
        if got is None:
            continue
        if _read_whole(got):
            whole.append(b)
        if _trusted(got[1]) and not any(_same_place(b, t) for t in trusted):
            trusted.append(b)
        if best is None or got[0] > best[0]:
            best = got
        if trusted and not read_all:
            break
    return best, trusted


def read_gray(gray: NDArray[Any], today: date | None = None, max_blocks: int = 3,
              blocks: list[Block] | None = None, read_all: bool = False) -> MRZReading:
    """Read the MRZ in a grey image (uint8, any size and orientation).

    Blocks are read best-looking first (`_first_look`); reading stops at the first trusted one
    unless `read_all` (used to notice a second document in the photo: ``blocks_valid`` counts
    trusted blocks). `blocks` may be passed when the caller has already located them; else the
    locator's faint levels, searched only when nothing legible is found, are searched only if
    the blocks found without them read nothing trusted (the first look then starts again over
    all blocks, ranked as `locate` ranks them, reusing the readings made). When none of the first
    `max_blocks` reads trusted and none read whole, `_second_look` searches elsewhere for a
    trusted reading, then `_relit_look` on the photo with its light flattened."""
    t0 = time.perf_counter()
    photo = Photo(gray)  # the looks below search the same levels of it
    lazy = blocks is None
    blocks = locate(photo, faint=False) if blocks is None else blocks
    t1 = time.perf_counter()
    memo: dict[int, Read | None] = {}
    found = [b for b in blocks if b.n_lines >= 2]
    best, trusted = _first_look(gray, found, max_blocks, today, read_all, memo)
    if lazy and not trusted and not legible(blocks):
        blocks = locate(photo)
        found = [b for b in blocks if b.n_lines >= 2]
        best, trusted = _first_look(gray, found, max_blocks, today, read_all, memo)
    valid_blocks = len(trusted)
    # A reading that names its states found the zone whole and misread it (glare, low resolution):
    # neither another place (the second look) nor the relit photo holds the MRZ.
    if not valid_blocks and not _read_whole(best):
        seen = list(found[:max_blocks])
        later = _second_look(photo, found[max_blocks:], today, seen)
        # relit only where it can find what the first looks missed: something legible was found (else
        # `locate` has searched the relit photo already)
        if later is None and legible(blocks):
            later = _relit_look(photo, today, seen)
        if later is not None:
            best, valid_blocks = later, 1
    t2 = time.perf_counter()
    timings = {"locate": (t1 - t0) * 1000, "read": (t2 - t1) * 1000, "total": (t2 - t0) * 1000}
    if best is None and not found:
        detail = "a single MRZ-like text line (partial MRZ?)" if blocks else "no MRZ-like text lines"
        return MRZReading("not_found", blocks_found=0, detail=detail, timings_ms=timings)
    if best is None:
        return MRZReading("unreadable", blocks_found=len(found), detail="no block matched an MRZ layout",
                          timings_ms=timings)
    reading = best[1]
    reading.blocks_found, reading.blocks_valid, reading.timings_ms = max(len(found), 1), valid_blocks, timings
    res = reading.result
    if res is None or (not trustworthy(res) and reading.mean_confidence < MIN_MEAN_CONFIDENCE):
        reading.status = "unreadable"
        reading.detail = f"low glyph confidence {reading.mean_confidence:.2f}"
    elif res.valid and not trustworthy(res):
        # Check digits hold, but on too many guessed characters, or on a line read out of place.
        reading.status = "unreadable"
        reading.detail = ("check digits hold only on a low-confidence reading" if states_known(res) else
                          "check digits hold but the issuing state or nationality is no ICAO code "
                          "(a line read a cell out of place?)")
    elif not res.valid and not states_known(res):
        # Neither check digits nor state codes: text that looked like an MRZ block (a licence's
        # address lines), or an MRZ read too badly to say it was tampered with (MRZ_CHECKSUM).
        reading.status = "unreadable"
        reading.detail = "check digits fail and the issuing state or nationality is no ICAO code"
    elif _cut_off(reading, gray.shape) and (not res.valid or len(res.lines[0]) < max(WIDTHS[2])):
        # An MRZ that reaches the photo's edge may go on beyond it: a TD3 cut after 36 characters
        # reads as a TD2 whose check digits fail (not a document printed that way: MRZ_CHECKSUM would
        # say so) or, with an empty optional-data field, hold. Only a valid TD3 (44 characters, the
        # longest line) is kept; a valid TD1, TD2 or MRV-B at the edge asks for a new photo too.
        reading.status = "unreadable"
        reading.detail = "the MRZ reaches the edge of the photo (cut off?)"
    elif reading.gap is not None:
        # A line hidden at an end (a thumb, glare) reads as a shorter layout, or with blank cells
        # where its last characters are: neither valid nor tampered with, but not seen whole.
        reading.status = "unreadable"
        reading.detail = reading.gap
    return reading


# How close (in character pitches) an MRZ line's ink may come to the photo's edge before the line
# may go on beyond it. A document cropped to its own edges leaves more: ICAO 9303 places a TD3's
# 44 characters (111.8 mm at 2.54 mm) on a 125 mm page from about 6 mm in, some 2.8 pitches each side.
EDGE_PITCHES = 1.0


def _cut_off(reading: MRZReading, shape: tuple[int, ...]) -> bool:
    """Does the read MRZ's outline come within `EDGE_PITCHES` of the photo's edge?"""
    if reading.quad is None or reading.result is None or not reading.result.lines:
        return False
    quad = np.asarray(reading.quad, np.float64)
    pitch = float(np.linalg.norm(quad[1] - quad[0])) / max(len(reading.result.lines[0]) - 0.4, 1.0)
    h, w = shape[:2]
    margin = min(quad[:, 0].min(), quad[:, 1].min(), w - 1 - quad[:, 0].max(), h - 1 - quad[:, 1].max())
    return bool(margin < EDGE_PITCHES * pitch)


def read_image(rgb: NDArray[Any], today: date | None = None) -> MRZReading:
    """Read the MRZ in an RGB image."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) if rgb.ndim == 3 else rgb
    return read_gray(np.ascontiguousarray(gray), today)
