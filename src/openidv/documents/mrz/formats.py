"""The five ICAO 9303 MRZ layouts, and national ones, as data: where each field sits and what each
check digit covers.

Positions are (line, start, end) with `end` exclusive. Each field has a *kind* that limits the
characters it may hold (letters only in names and country codes, digits only in dates and check
digits); the reader uses the kinds to resolve confusable glyphs (O/0, I/1, B/8, S/5 ...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openidv.documents.mrz import fra_id
from openidv.documents.mrz.alphabet import DIGITS, FILLER, LETTERS

# Characters each field kind may hold.
KIND_CHARS: dict[str, str] = {
    "code1": LETTERS,  # first character of the document code
    "code2": LETTERS + FILLER,
    "alpha": LETTERS + FILLER,  # issuing state, nationality, names
    "date": DIGITS + FILLER,  # YYMMDD; ICAO allows fillers for unknown parts of a birth date
    "check": DIGITS,
    "check_opt": DIGITS + FILLER,  # check digit of an optional field that may be all fillers
    "sex": "MFX" + FILLER,
    "alnum": DIGITS + LETTERS + FILLER,
    "digit": DIGITS,  # national layouts' numeric parts (FRA-ID's issue month, serial, office)
    "dept2": DIGITS + "AB",  # FRA-ID: second character of a departement (2A, 2B: Corsica)
}


@dataclass(frozen=True)
class Span:
    line: int
    start: int
    end: int

    def positions(self, width: int) -> list[int]:
        """Flat indices (line-major) of this span's characters."""
        return [self.line * width + i for i in range(self.start, self.end)]


@dataclass(frozen=True)
class Field:
    name: str
    span: Span
    kind: str


@dataclass(frozen=True)
class CheckSpec:
    """A check digit at `digit` over the concatenation of `spans`."""

    name: str
    spans: tuple[Span, ...]
    digit: Span

    def covered(self, width: int) -> list[int]:
        """Flat indices of every character the check covers: its data, then the digit itself."""
        return [p for span in (*self.spans, self.digit) for p in span.positions(width)]


@dataclass(frozen=True)
class FormatSpec:
    name: str
    n_lines: int
    width: int
    fields: tuple[Field, ...]
    checks: tuple[CheckSpec, ...]
    composite: CheckSpec | None = None
    doc_codes: str = ""  # first letters of the document code this layout is used with
    extra: dict[str, str] = field(default_factory=dict)
    # What a national layout implies beyond its fields: adds them to the parsed fields, returns
    # field errors (FRA-ID: nationality, issue month and validity, mrz/fra_id.py)
    derive: Callable[[dict[str, Any], date | None], list[str]] | None = None

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def kinds(self) -> list[str]:
        """Field kind of every flat position."""
        out = ["alnum"] * (self.n_lines * self.width)
        for f in self.fields:
            for p in f.span.positions(self.width):
                out[p] = f.kind
        return out

    def all_checks(self) -> tuple[CheckSpec, ...]:
        return self.checks + ((self.composite,) if self.composite else ())


def _s(line: int, start: int, end: int) -> Span:
    return Span(line, start, end)


def _header(width: int) -> tuple[Field, ...]:
    return (
        Field("document_code", _s(0, 0, 1), "code1"),
        Field("document_code_2", _s(0, 1, 2), "code2"),
        Field("issuing_state", _s(0, 2, 5), "alpha"),
        Field("names", _s(0, 5, width), "alpha"),
    )


def _two_line_second(width: int, optional_end: int) -> tuple[Field, ...]:
    return (
        Field("document_number", _s(1, 0, 9), "alnum"),
        Field("document_number_check", _s(1, 9, 10), "check_opt"),
        Field("nationality", _s(1, 10, 13), "alpha"),
        Field("date_of_birth", _s(1, 13, 19), "date"),
        Field("date_of_birth_check", _s(1, 19, 20), "check"),
        Field("sex", _s(1, 20, 21), "sex"),
        Field("date_of_expiry", _s(1, 21, 27), "date"),
        Field("date_of_expiry_check", _s(1, 27, 28), "check"),
        Field("optional_data", _s(1, 28, optional_end), "alnum"),
    )


def _two_line_checks() -> tuple[CheckSpec, ...]:
    return (
        CheckSpec("document_number", (_s(1, 0, 9),), _s(1, 9, 10)),
        CheckSpec("date_of_birth", (_s(1, 13, 19),), _s(1, 19, 20)),
        CheckSpec("date_of_expiry", (_s(1, 21, 27),), _s(1, 27, 28)),
    )


TD3 = FormatSpec(
    "TD3", 2, 44,
    _header(44) + _two_line_second(44, 42) + (
        Field("optional_data_check", _s(1, 42, 43), "check_opt"),
        Field("composite_check", _s(1, 43, 44), "check"),
    ),
    (*_two_line_checks(), CheckSpec("optional_data", (_s(1, 28, 42),), _s(1, 42, 43))),
    CheckSpec("composite", (_s(1, 0, 10), _s(1, 13, 20), _s(1, 21, 43)), _s(1, 43, 44)),
    doc_codes="PACI",
)

MRV_A = FormatSpec(
    "MRV-A", 2, 44, _header(44) + _two_line_second(44, 44), _two_line_checks(), None, doc_codes="V"
)

TD2 = FormatSpec(
    "TD2", 2, 36,
    _header(36) + _two_line_second(36, 35) + (Field("composite_check", _s(1, 35, 36), "check"),),
    _two_line_checks(),
    CheckSpec("composite", (_s(1, 0, 10), _s(1, 13, 20), _s(1, 21, 35)), _s(1, 35, 36)),
    doc_codes="ACIP",
)

MRV_B = FormatSpec(
    "MRV-B", 2, 36, _header(36) + _two_line_second(36, 36), _two_line_checks(), None, doc_codes="V"
)

TD1 = FormatSpec(
    "TD1", 3, 30,
    (
        Field("document_code", _s(0, 0, 1), "code1"),
        Field("document_code_2", _s(0, 1, 2), "code2"),
        Field("issuing_state", _s(0, 2, 5), "alpha"),
        Field("document_number", _s(0, 5, 14), "alnum"),
        Field("document_number_check", _s(0, 14, 15), "check_opt"),
        Field("optional_data", _s(0, 15, 30), "alnum"),
        Field("date_of_birth", _s(1, 0, 6), "date"),
        Field("date_of_birth_check", _s(1, 6, 7), "check"),
        Field("sex", _s(1, 7, 8), "sex"),
        Field("date_of_expiry", _s(1, 8, 14), "date"),
        Field("date_of_expiry_check", _s(1, 14, 15), "check"),
        Field("nationality", _s(1, 15, 18), "alpha"),
        Field("optional_data_2", _s(1, 18, 29), "alnum"),
        Field("composite_check", _s(1, 29, 30), "check"),
        Field("names", _s(2, 0, 30), "alpha"),
    ),
    (
        CheckSpec("document_number", (_s(0, 5, 14),), _s(0, 14, 15)),
        CheckSpec("date_of_birth", (_s(1, 0, 6),), _s(1, 6, 7)),
        CheckSpec("date_of_expiry", (_s(1, 8, 14),), _s(1, 14, 15)),
    ),
    CheckSpec("composite", (_s(0, 5, 30), _s(1, 0, 7), _s(1, 8, 15), _s(1, 18, 29)), _s(1, 29, 30)),
    doc_codes="ACI",
)

# France's national identity card of 1988-2021 (millions still valid): 2 lines of 36 like TD2 but
# its own fields - surname on line 1 then the issuing office (departement + office), card number
# (12, issue year and month first), given names (14, separated by "<<", cut to fit), birth date and
# sex on line 2, no nationality or expiry; the composite covers everything before it. Read as TD2,
# its check digits fail and its card number's digits sit where TD2 wants letters.
FRA_ID = FormatSpec(
    "FRA-ID", 2, 36,
    (
        Field("document_code", _s(0, 0, 1), "code1"),
        Field("document_code_2", _s(0, 1, 2), "code2"),
        Field("issuing_state", _s(0, 2, 5), "alpha"),
        Field("surname", _s(0, 5, 30), "alpha"),
        Field("optional_data", _s(0, 30, 36), "alnum"),
        Field("document_number", _s(1, 0, 12), "alnum"),
        Field("document_number_check", _s(1, 12, 13), "check"),
        Field("given_names", _s(1, 13, 27), "alpha"),
        # kinds only (later fields override earlier ones position by position): the card number is
        # the issue year and month, the issuing office's code (departement - 01 to 95, 2A / 2B in
        # Corsica - and a digit, or an overseas 97x) and a 5-digit serial; line 1 ends with the same
        # office code and a 3-digit office number. Digits wherever the format has them: an O read
        # for a 0 is then a field-type fix, not a guess left to the check digits.
        Field("number_digits", _s(1, 0, 12), "digit"),
        Field("number_departement_2", _s(1, 5, 6), "dept2"),
        Field("office_digits", _s(0, 30, 36), "digit"),
        Field("office_departement_2", _s(0, 31, 32), "dept2"),
        Field("date_of_birth", _s(1, 27, 33), "date"),
        Field("date_of_birth_check", _s(1, 33, 34), "check"),
        Field("sex", _s(1, 34, 35), "sex"),
        Field("composite_check", _s(1, 35, 36), "check"),
    ),
    (
        CheckSpec("document_number", (_s(1, 0, 12),), _s(1, 12, 13)),
        CheckSpec("date_of_birth", (_s(1, 27, 33),), _s(1, 33, 34)),
    ),
    CheckSpec("composite", (_s(0, 0, 36), _s(1, 0, 35)), _s(1, 35, 36)),
    doc_codes="I",
    derive=fra_id.derive,
)

FORMATS: dict[str, FormatSpec] = {f.name: f for f in (TD1, TD2, TD3, MRV_A, MRV_B, FRA_ID)}
# National layouts, by the first characters of line 1 and their block shape: tried beside the ICAO
# layout of the same shape, and kept when their check digits hold better (mrz/correct.py).
NATIONAL: dict[tuple[int, int, str], FormatSpec] = {(2, 36, "IDFRA"): FRA_ID}


def national_format(n_lines: int, width: int, head: str) -> FormatSpec | None:
    """The national layout whose line 1 starts with `head` (at least 5 characters) in a block of
    this shape, or None."""
    for (n, w, start), spec in NATIONAL.items():
        if n == n_lines and w == width and head.startswith(start):
            return spec
    return None


def format_for(n_lines: int, width: int, first_char: str) -> FormatSpec | None:
    """The layout for a block of `n_lines` lines of `width` characters whose first character is given."""
    visa = first_char == "V"
    if n_lines == 3 and width == 30:
        return TD1
    if n_lines == 2 and width == 44:
        return MRV_A if visa else TD3
    if n_lines == 2 and width == 36:
        return MRV_B if visa else TD2
    return None


def long_document_number_check(fmt: FormatSpec, text: str) -> CheckSpec | None:
    """ICAO 9303 long document numbers (TD1, TD2): when the check-digit position holds a filler,
    the number continues in the optional data and its check digit is the last character before the
    next filler. Returns the adapted check, or None if this reading has no long number."""
    if fmt.name not in ("TD1", "TD2"):
        return None
    num = fmt.field("document_number").span
    cd = fmt.field("document_number_check").span
    opt = fmt.field("optional_data").span
    w = fmt.width
    if text[cd.line * w + cd.start] != FILLER:
        return None
    row = text[opt.line * w + opt.start : opt.line * w + opt.end]
    run = row.split(FILLER, 1)[0]
    if len(run) < 2:
        return None
    ext = Span(opt.line, opt.start, opt.start + len(run) - 1)
    digit = Span(opt.line, opt.start + len(run) - 1, opt.start + len(run))
    return CheckSpec("document_number", (num, ext), digit)
