"""Cross-checks between what the document says in each zone and what the applicant declared.

Each zone yields a :class:`Claims` record (surname, given names, birth and expiry dates, document
number, sex, nationality). Zones are compared pairwise; a disagreement is recorded with the field,
the two sources and a similarity, never with the values themselves (evidence is stored).
VIZ text is searched rather than parsed: a value read in the MRZ or barcode must appear somewhere
in the printed text (names fuzzily, across scripts; dates in any printed style; numbers exactly up
to O/0 and I/1), which needs no knowledge of the issuer's layout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rapidfuzz import fuzz

from openidv.documents.viz.extract import VIZReading
from openidv.documents.viz.normalise import name_key, name_similarity, number_key, ocr_fold

NAME_MATCH = 85.0  # token-set similarity (0-100) above which two names are the same person's
NAME_CLEAR_MISMATCH = 60.0  # below this, a printed name differs beyond any plausible OCR misread
CLEAR_OCR = 80.0  # mean Tesseract word confidence above which a missing value is believed missing


@dataclass
class Claims:
    source: str  # mrz | barcode | declared
    surname: str | None = None
    given_names: str | None = None
    date_of_birth: date | None = None
    date_of_expiry: date | None = None
    document_number: str | None = None
    sex: str | None = None
    nationality: str | None = None


@dataclass
class Disagreement:
    field: str
    a: str
    b: str
    similarity: float | None = None
    strong: bool = True  # False: could be an OCR misread rather than a real difference

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "between": [self.a, self.b], "strong": self.strong,
                **({} if self.similarity is None else {"similarity": round(self.similarity, 1)})}


@dataclass
class CrossCheck:
    compared: list[str] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)


def compare(a: Claims, b: Claims) -> CrossCheck:
    """Field-by-field comparison of two structured sources (only fields both have)."""
    out = CrossCheck()
    for name in ("surname", "given_names"):
        va, vb = getattr(a, name), getattr(b, name)
        if va and vb:
            out.compared.append(name)
            sim = _name_sim(va, vb, truncated=a.source == "mrz" or b.source == "mrz")
            if sim < NAME_MATCH:
                out.disagreements.append(Disagreement(name, a.source, b.source, sim))
    for name in ("date_of_birth", "date_of_expiry"):
        va, vb = getattr(a, name), getattr(b, name)
        if va and vb:
            out.compared.append(name)
            if va != vb:
                out.disagreements.append(Disagreement(name, a.source, b.source))
    if a.document_number and b.document_number:
        out.compared.append("document_number")
        if number_key(a.document_number) != number_key(b.document_number):
            out.disagreements.append(Disagreement("document_number", a.source, b.source))
    for name in ("sex", "nationality"):
        va, vb = getattr(a, name), getattr(b, name)
        if va and vb and va not in ("X", "<") and vb not in ("X", "<"):
            out.compared.append(name)
            if va.upper()[:3] != vb.upper()[:3]:
                out.disagreements.append(Disagreement(name, a.source, b.source))
    return out


def _name_sim(a: str, b: str, truncated: bool) -> float:
    ka, kb = name_key(a), name_key(b)
    sim = name_similarity(ka, kb)
    if truncated and ka and kb:  # the MRZ truncates long names: a prefix match is a match
        short, long_ = sorted((ka.replace(" ", ""), kb.replace(" ", "")), key=len)
        if len(short) >= 8 and long_.startswith(short):
            sim = 100.0
    return sim


def against_viz(ref: Claims, viz: VIZReading) -> CrossCheck:
    """Is each value of `ref` printed in the visual zone?"""
    out = CrossCheck()
    lines = [ocr_fold(t) for t, _ in viz.lines]
    for name in ("surname", "given_names"):
        v = getattr(ref, name)
        if v:
            out.compared.append(name)
            key = ocr_fold(v)
            best = max((fuzz.partial_ratio(key, ln) for ln in lines if ln), default=0.0)
            if best < NAME_MATCH:
                out.disagreements.append(Disagreement(name, ref.source, "viz", best, best < NAME_CLEAR_MISMATCH))
    clear = viz.mean_conf >= CLEAR_OCR
    # Printed two-digit years are ambiguous by a century: compare day, month and year mod 100.
    dates = {(d.day, d.month, d.year % 100) for d, _ in viz.dates}
    for name in ("date_of_birth", "date_of_expiry"):
        v = getattr(ref, name)
        if v and dates:
            out.compared.append(name)
            if (v.day, v.month, v.year % 100) not in dates:
                out.disagreements.append(Disagreement(name, ref.source, "viz", strong=clear and len(dates) >= 2))
    if ref.document_number:
        out.compared.append("document_number")
        tokens = {number_key(tok) for t, _ in viz.lines for tok in t.split()}
        tokens |= {number_key(t.replace(" ", "")) for t, _ in viz.lines}
        target = number_key(ref.document_number)
        if not any(target and target in tok for tok in tokens):
            out.disagreements.append(Disagreement("document_number", ref.source, "viz", strong=clear))
    return out
