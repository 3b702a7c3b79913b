"""Check-digit-guided correction of an MRZ reading.

The reader gives, for every character position, log-probabilities over the 37 MRZ characters.
Correction is a constrained maximum-likelihood decode:

1. *Field types*: a position may only hold the characters its field allows (letters in names and
   country codes, digits in dates and check digits), so a glyph read as ``0`` inside a name becomes
   ``O`` and an ``S`` inside a date becomes ``5`` - whichever allowed character the classifier
   found most likely.
2. *Check digits*: among the readings that satisfy every check digit (each field's and the
   composite), the most likely one is found exactly by dynamic programming over the check-digit
   residues modulo 10. It is accepted only if it costs little likelihood compared with the
   unconstrained reading (``field_budget`` / ``total_budget`` in nats); a confidently read but
   inconsistent MRZ - a tampered one - is therefore reported as failing its check digits, never
   silently "repaired".

Text from another OCR engine has no probabilities; :func:`hypotheses_from_text` turns it into
pseudo log-probabilities in which each character's usual confusions (O/0, I/1, B/8, S/5, Z/2,
G/6 ...) are possible at a fixed cost.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openidv.documents.mrz.alphabet import ALPHABET, INDEX, WEIGHTS, char_value
from openidv.documents.mrz.ambiguity import closest_alternative
from openidv.documents.mrz.formats import KIND_CHARS, NATIONAL, CheckSpec, FormatSpec, format_for
from openidv.documents.mrz.parse import MRZResult, best_layout, build_result, check_holds, effective_checks

N_CLASSES = len(ALPHABET)
FLOOR = -30.0  # log-probability given to characters a reading gives no support at all
CONFUSABLE: dict[str, str] = {
    "0": "ODQ", "O": "0DQ", "D": "0O", "Q": "O0", "1": "IL", "I": "1L", "L": "1I",
    "8": "B", "B": "8", "5": "S", "S": "5", "2": "Z", "Z": "2", "6": "G", "G": "6",
    "4": "A", "A": "4", "7": "T", "T": "7", "U": "V", "V": "U", "E": "F", "F": "E",
}
_VALUES = np.array([char_value(c) for c in ALPHABET], dtype=np.int64)
# What a check-digit correction may cost (nats below the best character its field allows) and
# change. Until stop 18: 6 / 9 nats, two characters per field, four in all. On generated *train*
# documents (1,000 genuine, 481 MRZs with a tampered birth-date digit and unchanged check digits)
# 250 of the 481 tampered MRZs came out "valid": most by changing some other, clearly printed
# character (3.5-7 nats), 47 by two or three changes (a line read one cell out of place, then
# "repaired"); of the 1,000 genuine readings none that needed two or more changes came out exact
# (11 did, all wrong), and none that needed one costing more than 0.5 nats. Hence one change per
# MRZ, and 4 nats: by those per-character costs the largest budget leaving at most 1% of the
# tampered MRZs valid; with both limits in place 9 of 481 (1.9%) stayed valid on train. When the
# cheapest repair needs more changes than allowed, nothing is repaired: trying the cheapest
# one-character repair instead was measured (stop 18) and made more tampered MRZs valid (train 9 ->
# 15 of 481; held-out test 11 -> 13 of 515) without making any genuine reading exact.
FIELD_BUDGET = 4.0
TOTAL_BUDGET = 4.0
MAX_CHANGES = 1


def hypotheses_from_text(text: str, confusion_cost: float = 2.0) -> NDArray[np.float64]:
    """Pseudo log-probabilities for a plain-text reading (one row per character)."""
    out = np.full((len(text), N_CLASSES), FLOOR)
    for i, ch in enumerate(text):
        if ch in INDEX:
            out[i, INDEX[ch]] = 0.0
        for rank, alt in enumerate(CONFUSABLE.get(ch, "")):
            out[i, INDEX[alt]] = -confusion_cost * (1.0 + rank)  # the usual confusion first
    return out


def allowed_mask(spec: FormatSpec) -> NDArray[np.bool_]:
    """Which characters each position may hold (cached per layout; read-only)."""
    return _allowed_mask(spec.name)


@functools.cache
def _allowed_mask(name: str) -> NDArray[np.bool_]:
    from openidv.documents.mrz.formats import FORMATS

    spec = FORMATS[name]
    mask = np.zeros((spec.n_lines * spec.width, N_CLASSES), dtype=bool)
    for p, kind in enumerate(spec.kinds()):
        # ICAO 9303 fixes the first letter of the document code per layout (P for a passport, A, C
        # or I for a card, V for a visa): a blurred I read as Z, S or L is a field-type correction
        chars = spec.doc_codes if kind == "code1" and spec.doc_codes else KIND_CHARS[kind]
        mask[p, [INDEX[c] for c in chars]] = True
    mask.setflags(write=False)
    return mask


@dataclass
class _Group:
    """Positions solved together: one field check (own constraint) or composite-only positions."""

    positions: list[int]
    own: list[int] | None  # weight of each position in its own check (digit: -1), None if no check
    comp: list[int]  # weight of each position in the composite check (0 if outside it)
    name: str


@dataclass
class _Solved:
    costs: NDArray[np.float64]  # best cost for each final composite residue
    group: _Group
    back: list[tuple[list[int], NDArray[np.int64]]]

    def picks(self, r: int) -> list[int]:
        """Chosen class per position for final composite residue `r` ([] if unreachable)."""
        return _trace(self.group, self.back, r) if np.isfinite(self.costs[r]) else []


def _weights(spec: FormatSpec, chk: CheckSpec) -> dict[int, int]:
    out: dict[int, int] = {}
    i = 0
    for s in chk.spans:
        for p in s.positions(spec.width):
            out[p] = WEIGHTS[i % 3]
            i += 1
    out[chk.digit.positions(spec.width)[0]] = -1
    return out


def _groups(spec: FormatSpec, text: str) -> tuple[list[_Group], bool]:
    checks = effective_checks(spec, text)
    composite = next((c for c in checks if c.name == "composite"), None)
    comp_w = _weights(spec, composite) if composite else {}
    groups: list[_Group] = []
    covered: set[int] = set()
    for chk in checks:
        if chk.name == "composite":
            continue
        own = _weights(spec, chk)
        pos = sorted(own)
        groups.append(_Group(pos, [own[p] for p in pos], [comp_w.get(p, 0) for p in pos], chk.name))
        covered.update(pos)
    for p in sorted(set(comp_w) - covered):
        groups.append(_Group([p], None, [comp_w[p]], "composite"))
    return groups, composite is not None


TOP_CANDIDATES = 6  # characters tried per position in the check-digit search, likeliest first
_AR = np.arange(10)
# _TAKE[so, sc]: flat indices into a flat 10 x 10 (own residue, composite residue) table that shift
# it by (so, sc) - one precomputed gather per position instead of building the indices each time
_SHIFT = (_AR[None, :] - _AR[:, None]) % 10  # [s, r] -> (r - s) mod 10
_TAKE = (_SHIFT[:, None, :, None] * 10 + _SHIFT[None, :, None, :]).reshape(10, 10, 100)
_NO_ARG = np.zeros((10, 10), dtype=np.int64)  # back-pointer of a position with one candidate
_NO_ARG.setflags(write=False)
_FILLER = INDEX["<"]
_VALUE_OF = [int(v) for v in _VALUES]


def _candidate_lists(cost: NDArray[np.float64], prune: float, no_filler: set[int]) -> list[list[int]]:
    """Per position, the `TOP_CANDIDATES` cheapest characters within `prune` nats (no filler where
    a check digit stands), cheapest first; one sort for the whole reading."""
    order = np.argsort(cost, axis=1)[:, :TOP_CANDIDATES]
    ok = (np.take_along_axis(cost, order, axis=1) <= prune).tolist()
    return [[c for c, keep in zip(row, oks, strict=True) if keep and not (p in no_filler and c == _FILLER)]
            for p, (row, oks) in enumerate(zip(order.tolist(), ok, strict=True))]


def _solve_group(g: _Group, cost: NDArray[np.float64], cands_at: list[list[int]]) -> _Solved:
    """Min-cost assignment of a group for every (own residue 0, composite residue r)."""
    table = np.full(100, np.inf)  # flat (own residue, composite residue)
    table[0] = 0.0
    back: list[tuple[list[int], NDArray[np.int64]]] = []
    own = g.own if g.own is not None else [0] * len(g.positions)
    for k, p in enumerate(g.positions):
        cands = cands_at[p]
        if not cands:
            table = np.full(100, np.inf)
            back.append(([0], _NO_ARG))
        elif len(cands) == 1:  # most positions of a clear reading: a plain shift
            one = _VALUE_OF[cands[0]]
            table = table[_TAKE[own[k] * one % 10, g.comp[k] * one % 10]]
            table += cost[p, cands[0]]
            back.append((cands, _NO_ARG))
        else:
            v = _VALUES[cands]
            # new residue r came from r - shift
            stacked = table[_TAKE[own[k] * v % 10, g.comp[k] * v % 10]] + cost[p, cands][:, None]
            back.append((cands, stacked.argmin(axis=0).reshape(10, 10)))
            table = stacked.min(axis=0)
    return _Solved(table[:10].copy(), g, back)


def _trace(g: _Group, back: list[tuple[list[int], NDArray[np.int64]]], r: int) -> list[int]:
    ro, rc = 0, r
    out = [0] * len(g.positions)
    for k in range(len(g.positions) - 1, -1, -1):
        cands, arg = back[k]
        c = cands[int(arg[ro, rc])]
        out[k] = c
        v = int(_VALUES[c])
        ro = (ro - (g.own[k] * v if g.own is not None else 0)) % 10
        rc = (rc - g.comp[k] * v) % 10
    return out


def _combine(solved: list[_Solved]) -> tuple[float, list[int]]:
    """Choose one composite residue per group so the residues sum to 0 mod 10, at least cost."""
    total = np.full(10, np.inf)
    total[0] = 0.0
    choice: list[NDArray[np.int64]] = []
    shift = (_AR[:, None] - _AR[None, :]) % 10  # [new, r] -> previous residue
    for s in solved:
        cand = total[shift] + s.costs[None, :]  # [new residue, group residue r]
        arg = cand.argmin(axis=1)
        total = cand[_AR, arg]
        choice.append(arg)
    picks = [0] * len(solved)
    acc = 0
    for i in range(len(solved) - 1, -1, -1):
        r = int(choice[i][acc])
        picks[i] = r
        acc = (acc - r) % 10
    return float(total[0]), picks


@dataclass
class Decoded:
    spec: FormatSpec
    text: str
    corrections: list[dict[str, Any]] = field(default_factory=list)
    confidence: list[float] = field(default_factory=list)
    unsupported: list[int] = field(default_factory=list)  # positions where no allowed character was read
    allowed_confidence: list[float] = field(default_factory=list)  # among the characters the field allows


def decode(
    spec: FormatSpec,
    logp: NDArray[np.float64],
    field_budget: float = FIELD_BUDGET,
    total_budget: float = TOTAL_BUDGET,
    prune: float = 14.0,
    max_field_changes: int = MAX_CHANGES,
    max_total_changes: int = MAX_CHANGES,
) -> Decoded:
    """Most likely reading that respects field types and, within the budgets, every check digit.

    A check-digit correction is refused when it costs more than the budgets (in nats) or changes
    more than `max_field_changes` characters of one field / `max_total_changes` overall: on a
    confident reading that would be forging validity, on a flat one it would be inventing text
    (see :data:`FIELD_BUDGET` for how the limits were chosen). The limits apply to the cheapest
    repair: when it needs more changes than allowed, no smaller, costlier one is searched for."""
    logp = np.maximum(np.asarray(logp, dtype=np.float64), FLOOR)
    masked = np.where(allowed_mask(spec), logp, -np.inf)
    best = masked.max(axis=1)
    cost = best[:, None] - masked  # >= 0; inf where not allowed
    chosen = masked.argmax(axis=1)
    raw = logp.argmax(axis=1)
    reasons = {p: "field_type" for p in range(len(chosen)) if chosen[p] != raw[p]}
    unsupported = [int(p) for p in np.flatnonzero(best <= FLOOR + 1e-9)]
    text0 = "".join(ALPHABET[c] for c in chosen)
    if all(check_holds(text0, spec, c) for c in effective_checks(spec, text0)):
        return _decoded(spec, logp, chosen, raw, reasons, unsupported, best)
    groups, has_comp = _groups(spec, text0)
    no_filler = {
        g.positions[g.own.index(-1)] for g in groups if g.own is not None and g.name != "optional_data"
    }
    # A repair is applied only within the budgets, and every character of it costs no more than the
    # whole repair: characters dearer than the larger budget cannot be part of an accepted repair,
    # so leaving them out of the search changes no result (the search is cheapest first, ties
    # broken in the same order) - at a 1.36-nat budget most positions keep one character.
    cands_at = _candidate_lists(cost, min(prune, max(field_budget, total_budget)), no_filler)
    solved = [_solve_group(g, cost, cands_at) for g in groups]
    joint, residues = _combine(solved) if has_comp else (float("inf"), [])
    changes = [_changes(chosen, g, s.picks(r)) for g, s, r in zip(groups, solved, residues, strict=False)]
    per_group = [float(s.costs[r]) for s, r in zip(solved, residues, strict=False)]
    if (has_comp and joint <= total_budget and all(c <= field_budget for c in per_group)
            and all(n <= max_field_changes for n in changes) and sum(changes) <= max_total_changes):
        for g, s, r in zip(groups, solved, residues, strict=True):
            _apply(chosen, g, s.picks(r), reasons)
    else:
        applied = 0
        for g, s in zip(groups, solved, strict=True):
            if g.own is None:
                continue
            r = int(np.argmin(s.costs))
            n = _changes(chosen, g, s.picks(r))
            if s.costs[r] <= field_budget and n <= max_field_changes and applied + n <= max_total_changes:
                _apply(chosen, g, s.picks(r), reasons)
                applied += n
    return _decoded(spec, logp, chosen, raw, reasons, unsupported, best)


def _decoded(spec: FormatSpec, logp: NDArray[np.float64], chosen: NDArray[np.int64], raw: NDArray[np.int64],
             reasons: dict[int, str], unsupported: list[int], best: NDArray[np.float64]) -> Decoded:
    """The result; each correction carries its cost in nats: below the raw character for a field-type
    change, below the best character the field allows for a check-digit change (what the budget counts)."""
    text = "".join(ALPHABET[c] for c in chosen)
    at = logp[np.arange(len(chosen)), chosen]
    probs = np.exp(at - _logsumexp(logp))
    # the same among the characters each field allows: a name's O whose glyph also looks like the
    # digit 0 is unsure overall, but sure among letters (what `mrz/name_doubt.py` asks)
    within = np.exp(at - _logsumexp(np.where(allowed_mask(spec), logp, -np.inf)))
    corrections = [
        {"line": p // spec.width, "position": p % spec.width, "read": ALPHABET[raw[p]], "corrected": text[p],
         "reason": reasons[p],
         "cost": round(float((best[p] if reasons[p] == "check_digit" else logp[p, raw[p]]) - logp[p, chosen[p]]), 2)}
        for p in sorted(reasons) if text[p] != ALPHABET[raw[p]]
    ]
    return Decoded(spec, text, corrections, [float(x) for x in probs], unsupported, [float(x) for x in within])


def _changes(chosen: NDArray[np.int64], g: _Group, picks: list[int]) -> int:
    if not picks:
        return 10**6
    return sum(1 for p, c in zip(g.positions, picks, strict=True) if chosen[p] != c)


def _apply(chosen: NDArray[np.int64], g: _Group, picks: list[int], reasons: dict[int, str]) -> None:
    for p, c in zip(g.positions, picks, strict=True):
        if chosen[p] != c:
            chosen[p] = c
            reasons[p] = "check_digit"


def _logsumexp(x: NDArray[np.float64]) -> NDArray[np.float64]:
    m = x.max(axis=1)
    return m + np.log(np.exp(x - m[:, None]).sum(axis=1))


def spec_for_reading(n_lines: int, width: int, logp: NDArray[np.float64]) -> FormatSpec | None:
    """The layout of a block, using the most likely letter at position 0 to tell visas apart."""
    letters = logp[0, 10:36]
    return format_for(n_lines, width, ALPHABET[10 + int(np.argmax(letters))])


# A national layout is tried when its line-1 start ("IDFRA") is read within this many nats of the
# most likely characters there: the same limit as the reader's field-type fixes (reader.MAX_TYPE_FIX_COST),
# so a blurred F read as E still gets the French layout tried; the check digits then choose.
NATIONAL_HEAD_NATS = 4.0


def national_for_reading(n_lines: int, width: int, logp: NDArray[np.float64]) -> list[FormatSpec]:
    """National layouts of this block shape whose line-1 start the reading supports."""
    out = []
    for (n, w, head), spec in NATIONAL.items():
        if n == n_lines and w == width and len(logp) >= len(head):
            rows = np.maximum(logp[: len(head)], FLOOR)
            cost = float((rows.max(axis=1) - rows[np.arange(len(head)), [INDEX[c] for c in head]]).sum())
            if cost <= NATIONAL_HEAD_NATS:
                out.append(spec)
    return out


def read_logp(
    lines_logp: list[NDArray[np.float64]], today: date | None = None, **budgets: Any
) -> MRZResult:
    """Decode per-line log-probabilities (lines of equal length) into a checked MRZ result: in the
    ICAO layout of the block's shape and in any national layout its first line supports, keeping
    the one whose check digits hold best (`parse.best_layout`)."""
    n, width = len(lines_logp), int(lines_logp[0].shape[0])
    flat = np.concatenate(lines_logp, axis=0)
    spec = spec_for_reading(n, width, flat)
    if spec is None:
        raise ValueError(f"{n} lines of {width} characters is not an MRZ layout")
    return best_layout([_read_layout(s, flat, today, **budgets)
                        for s in (*national_for_reading(n, width, flat), spec)])


def _read_layout(spec: FormatSpec, flat: NDArray[np.float64], today: date | None, **budgets: Any) -> MRZResult:
    """Decode in one layout: corrections, check digits, and for a valid reading the closest other
    valid one (mrz/ambiguity.py)."""
    width = spec.width
    dec = decode(spec, flat, **budgets)
    result = build_result(spec, dec.text, today, dec.corrections)
    result.char_confidence = dec.confidence
    result.allowed_confidence = dec.allowed_confidence
    if result.valid:
        alt = closest_alternative(spec, np.maximum(np.asarray(flat, dtype=np.float64), FLOOR), dec.text,
                                  allowed_mask(spec))
        result.alternative = None if alt is None else alt.to_dict(width)
    result.field_errors += [f"impossible_character:line{p // width}:{p % width}" for p in dec.unsupported]
    return result


def read_text(lines: list[str], today: date | None = None, confusion_cost: float = 2.0) -> MRZResult:
    """Parse MRZ text from any OCR, correcting confusable characters where field types and check
    digits say so."""
    from openidv.documents.mrz.parse import MRZFormatError

    clean = [ln.strip().replace(" ", "").upper() for ln in lines if ln.strip()]
    if not clean or any(len(ln) != len(clean[0]) for ln in clean):
        raise MRZFormatError(f"MRZ lines must be non-empty and of equal length: {[len(ln) for ln in clean]}")
    return read_logp([hypotheses_from_text(ln, confusion_cost) for ln in clean], today)
