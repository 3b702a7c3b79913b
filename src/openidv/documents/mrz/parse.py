"""Parse MRZ lines into fields and verify every check digit (no correction here; see correct.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openidv.documents.mrz.alphabet import FILLER, check_digit, is_mrz_text
from openidv.documents.mrz.formats import (
    FORMATS,
    KIND_CHARS,
    CheckSpec,
    FormatSpec,
    format_for,
    long_document_number_check,
    national_format,
)


class MRZFormatError(ValueError):
    """The text is not a block of MRZ lines of a known layout."""


@dataclass
class MRZResult:
    """A parsed MRZ: the lines, the fields, and the validity of every check digit."""

    format: str
    lines: list[str]
    fields: dict[str, Any]
    checks: dict[str, bool]
    corrections: list[dict[str, Any]] = field(default_factory=list)
    field_errors: list[str] = field(default_factory=list)
    char_confidence: list[float] = field(default_factory=list)  # per character, when read from an image
    # the same, among the characters its field allows (a digit is no alternative to a name letter)
    allowed_confidence: list[float] = field(default_factory=list)
    # The closest other reading whose check digits hold too (lines, cost in nats, changed cells), for
    # a valid reading from an image; None when none lies within the search (see mrz/ambiguity.py).
    alternative: dict[str, Any] | None = None

    @property
    def confidence(self) -> dict[str, float]:
        """Mean and minimum probability of the characters as finally read, and how many are shaky."""
        c = self.char_confidence
        if not c:
            return {}
        return {"mean": round(sum(c) / len(c), 4), "min": round(min(c), 4),
                "low_characters": float(sum(1 for x in c if x < 0.2))}

    @property
    def valid(self) -> bool:
        """All check digits hold (dates are reported separately in `field_errors`)."""
        return all(self.checks.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "lines": list(self.lines),
            "fields": dict(self.fields),
            "check_digits": dict(self.checks),
            "valid": self.valid,
            "corrections": list(self.corrections),
            "field_errors": list(self.field_errors),
            "confidence": self.confidence,
            "alternative": self.alternative,
        }


def span_text(text: str, spec: FormatSpec, spans: tuple[Any, ...]) -> str:
    w = spec.width
    return "".join(text[s.line * w + s.start : s.line * w + s.end] for s in spans)


def check_holds(text: str, spec: FormatSpec, chk: CheckSpec) -> bool:
    """Whether one check digit holds on a flat (concatenated) MRZ text."""
    digit = span_text(text, spec, (chk.digit,))
    data = span_text(text, spec, chk.spans)
    if digit == FILLER:
        # ICAO allows a filler check digit only for an optional field that is entirely fillers.
        return chk.name == "optional_data" and set(data) <= {FILLER}
    return digit == check_digit(data)


def effective_checks(spec: FormatSpec, text: str) -> tuple[CheckSpec, ...]:
    """The format's checks, with the document-number check adapted to a long number if present."""
    long_num = long_document_number_check(spec, text)
    out = []
    for chk in spec.checks:
        out.append(long_num if (long_num is not None and chk.name == "document_number") else chk)
    if spec.composite is not None:
        out.append(spec.composite)
    return tuple(out)


def parse_date(yymmdd: str, kind: str, today: date | None = None) -> date | None:
    """YYMMDD to a date; the century is chosen so that birth dates lie in the past and expiry
    dates within 50 years of today. Returns None when unknown or impossible."""
    if len(yymmdd) != 6 or not yymmdd.isdigit():
        return None
    today = today or date.today()
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    century = today.year // 100 * 100
    year = century + yy
    if kind == "birth" and year > today.year:
        year -= 100
    if kind == "expiry" and year > today.year + 50:
        year -= 100
    try:
        return date(year, mm, dd)
    except ValueError:
        return None


def split_names(raw: str) -> tuple[str, str]:
    """Primary identifier (surname) and secondary identifier (given names), fillers as spaces."""
    raw = raw.rstrip(FILLER)
    primary, _, secondary = raw.partition(FILLER + FILLER)
    return primary.replace(FILLER, " ").strip(), secondary.replace(FILLER, " ").strip()


def _confidences(r: MRZResult, within_field: bool) -> list[float]:
    return r.allowed_confidence if within_field else r.char_confidence


def _field_text(r: MRZResult, name: str, within_field: bool = False) -> tuple[int, str] | None:
    """(offset in the joined lines, text without trailing fillers) of a field, for an MRZ read from
    an image (with per-character confidences) of a known layout that has it; else None."""
    spec = FORMATS.get(r.format)
    text = "".join(r.lines)
    conf = _confidences(r, within_field)
    if spec is None or not conf or len(conf) != len(text):
        return None
    if name not in {f.name for f in spec.fields}:
        return None
    span = spec.field(name).span
    start = span.line * spec.width + span.start
    return start, text[start : span.line * spec.width + span.end].rstrip(FILLER)


def _letter_confidences(r: MRZResult, start: int, part: str, within_field: bool) -> tuple[float, ...]:
    conf = _confidences(r, within_field)
    return tuple(float(conf[start + j]) for j, ch in enumerate(part) if ch != FILLER)


def surname_confidence(r: MRZResult, within_field: bool = False) -> tuple[float, ...] | None:
    """The glyph classifier's probability of each surname letter as read, fillers skipped (so in the
    order of the surname's letters without spaces); None for an MRZ not read from an image or of an
    unknown layout. Names carry no check digit in the ICAO layouts: a misread letter is seen only here.
    `within_field`: the probability among the characters a name allows (letters and the filler)."""
    own = _field_text(r, "surname", within_field)  # layouts with a surname field of its own (FRA-ID)
    if own is not None:
        return _letter_confidences(r, *own, within_field)
    names = _field_text(r, "names", within_field)
    if names is None:
        return None
    start, field = names
    return _letter_confidences(r, start, field.partition(FILLER + FILLER)[0], within_field)


def given_names_confidence(r: MRZResult, within_field: bool = False) -> tuple[float, ...] | None:
    """As `surname_confidence`, for the given names (the secondary identifier, after the double filler)."""
    own = _field_text(r, "given_names", within_field)
    if own is not None:
        return _letter_confidences(r, *own, within_field)
    names = _field_text(r, "names", within_field)
    if names is None:
        return None
    start, field = names
    cut = field.find(FILLER + FILLER)
    if cut < 0:
        return ()
    offset = cut + 2
    while offset < len(field) and field[offset] == FILLER:
        offset += 1
    return _letter_confidences(r, start + offset, field[offset:], within_field)


def _clean(value: str) -> str:
    return value.replace(FILLER, " ").strip()


def extract_fields(
    text: str, spec: FormatSpec, today: date | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Field values of a flat MRZ text, with a list of field-level problems (impossible dates)."""
    raw = {f.name: span_text(text, spec, (f.span,)) for f in spec.fields}
    if "names" in raw:
        surname, given = split_names(raw["names"])
    else:  # a national layout with the two names in fields of their own (FRA-ID)
        surname, given = " ".join(_clean(raw["surname"]).split()), " ".join(_clean(raw["given_names"]).split())
    number = raw["document_number"]
    long_num = long_document_number_check(spec, text)
    optional = raw["optional_data"]
    if long_num is not None:
        number = span_text(text, spec, long_num.spans)
        optional = optional[long_num.digit.end - spec.field("optional_data").span.start :]
    dob = parse_date(raw["date_of_birth"], "birth", today)
    errors = []
    if dob is None:
        errors.append("date_of_birth")
    fields: dict[str, Any] = {
        "document_code": _clean(raw["document_code"] + raw["document_code_2"]),
        "issuing_state": _clean(raw["issuing_state"]),
        "surname": surname,
        "given_names": given,
        "document_number": _clean(number).replace(" ", ""),
    }
    if "nationality" in raw:  # FRA-ID has none (its `derive` adds the implied one)
        fields["nationality"] = _clean(raw["nationality"])
    fields.update({"date_of_birth": dob.isoformat() if dob else None, "date_of_birth_raw": raw["date_of_birth"],
                   "sex": _clean(raw["sex"]) or None, "date_of_expiry": None})
    if "date_of_expiry" in raw:  # FRA-ID has none: the card's printed validity is read from its face
        doe = parse_date(raw["date_of_expiry"], "expiry", today)
        if doe is None:
            errors.append("date_of_expiry")
        fields.update({"date_of_expiry": doe.isoformat() if doe else None, "date_of_expiry_raw": raw["date_of_expiry"]})
    fields["optional_data"] = _clean(optional)
    if spec.derive is not None:  # what a national layout implies beyond its fields (FRA-ID)
        errors += spec.derive(fields, today)
    if "optional_data_2" in raw:
        fields["optional_data_2"] = _clean(raw["optional_data_2"])
    return fields, errors


def parse_lines(lines: list[str], today: date | None = None) -> MRZResult:
    """Parse MRZ lines exactly as given (strip whitespace only). Raises MRZFormatError."""
    lines = [ln.strip().replace(" ", "") for ln in lines if ln.strip()]
    if not lines:
        raise MRZFormatError("no MRZ lines")
    width = len(lines[0])
    if any(len(ln) != width for ln in lines):
        raise MRZFormatError(f"lines differ in length: {[len(ln) for ln in lines]}")
    specs = layouts_for(len(lines), width, lines[0])
    if not specs:
        raise MRZFormatError(f"{len(lines)} lines of {width} characters is not an ICAO 9303 layout")
    text = "".join(lines)
    if not is_mrz_text(text):
        bad = sorted({c for c in text if not is_mrz_text(c)})
        raise MRZFormatError(f"characters outside the MRZ alphabet: {bad}")
    return best_layout([build_result(spec, text, today) for spec in specs])


def layouts_for(n_lines: int, width: int, head: str) -> list[FormatSpec]:
    """The layouts a block may be in, given the start of its first line: a national layout whose
    line 1 starts so (FRA-ID: ``IDFRA``) first, then the ICAO layout of that shape."""
    icao = format_for(n_lines, width, head[:1])
    national = national_format(n_lines, width, head)
    return [s for s in (national, icao) if s is not None]


def best_layout(results: list[MRZResult]) -> MRZResult:
    """Of one reading decoded in several layouts, the most plausible: valid first; then the one
    the decoder had to bend least (characters no field of the layout allows, and the nats its
    corrections cost - a TD2 block read as FRA-ID turns a dozen digits into letters, and can
    then even satisfy FRA-ID's check digits); then the larger share of check digits holding;
    ties go to the earlier (`layouts_for` puts the national one first)."""
    if len(results) == 1:  # the usual case: no national layout fits; nothing to weigh
        return results[0]
    return max(results, key=lambda r: (r.valid, -reading_cost(r), sum(r.checks.values()) / max(len(r.checks), 1)))


def reading_cost(r: MRZResult) -> float:
    """How far a reading departs from its layout: the nats of its corrections (a decoded reading
    only holds characters its fields allow; one read with no support for any costs about 30,
    correct.FLOOR), and :data:`UNSUPPORTED_NATS` for each character of text parsed as given that
    its field's kind forbids."""
    spec = FORMATS.get(r.format)
    unsupported = 0
    if spec is not None:
        text = "".join(r.lines)
        unsupported = sum(1 for ch, kind in zip(text, spec.kinds(), strict=False) if ch not in KIND_CHARS[kind])
    return float(sum(float(c.get("cost", 0.0)) for c in r.corrections)) + UNSUPPORTED_NATS * unsupported


UNSUPPORTED_NATS = 30.0  # as correct.FLOOR: the log-probability given to a character read with no support


def build_result(spec: FormatSpec, text: str, today: date | None = None,
                 corrections: list[dict[str, Any]] | None = None) -> MRZResult:
    checks = {c.name: check_holds(text, spec, c) for c in effective_checks(spec, text)}
    fields, errors = extract_fields(text, spec, today)
    lines = [text[i * spec.width : (i + 1) * spec.width] for i in range(spec.n_lines)]
    return MRZResult(spec.name, lines, fields, checks, corrections or [], errors)
