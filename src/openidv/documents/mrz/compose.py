"""Build MRZ lines from document data (for the synthetic generator and for tests).

Follows ICAO 9303: names transliterated to A-Z, spaces and hyphens become fillers, the name field
truncated to fit, every check digit computed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from anyascii import anyascii

from openidv.documents.mrz.alphabet import FILLER, check_digit
from openidv.documents.mrz.formats import FORMATS


@dataclass
class MRZData:
    document_code: str  # "P", "ID", "I<", "AC", "V" ...
    issuing_state: str
    surname: str
    given_names: str
    document_number: str
    nationality: str
    date_of_birth: date
    sex: str  # M, F, X or "<"
    date_of_expiry: date
    optional_data: str = ""
    optional_data_2: str = ""  # TD1 line 2 only


def mrz_name_part(text: str) -> str:
    """Transliterate a name to MRZ characters (ICAO 9303-3 §6: spaces, hyphens, apostrophes)."""
    ascii_text = anyascii(text).upper()
    ascii_text = re.sub(r"['`´]", "", ascii_text)
    ascii_text = re.sub(r"[^A-Z]+", FILLER, ascii_text)
    return ascii_text.strip(FILLER)


def name_field(surname: str, given: str, width: int) -> str:
    primary = mrz_name_part(surname)
    secondary = mrz_name_part(given)
    raw = primary + (FILLER * 2 + secondary if secondary else "")
    return raw[:width].ljust(width, FILLER)


def _fit(text: str, width: int) -> str:
    cleaned = re.sub(r"[^A-Z0-9<]", FILLER, anyascii(text).upper())
    return cleaned[:width].ljust(width, FILLER)


def _yymmdd(d: date) -> str:
    return d.strftime("%y%m%d")


def compose(fmt: str, d: MRZData) -> list[str]:
    """The MRZ lines of `d` in layout `fmt` ("TD1", "TD2", "TD3", "MRV-A", "MRV-B", "FRA-ID")."""
    if fmt == "FRA-ID":
        return _compose_fra_id(d)
    spec = FORMATS[fmt]
    w = spec.width
    code = _fit(d.document_code, 2)
    state, nat = _fit(d.issuing_state, 3), _fit(d.nationality, 3)
    dob, doe = _yymmdd(d.date_of_birth), _yymmdd(d.date_of_expiry)
    sex = d.sex if d.sex in ("M", "F", "X") else FILLER
    if fmt == "TD1":
        num, num_cd, opt1 = _document_number_td1(d.document_number, d.optional_data)
        l1 = code + state + num + num_cd + opt1
        l2_body = dob + check_digit(dob) + sex + doe + check_digit(doe) + nat + _fit(d.optional_data_2, 11)
        composite = check_digit(l1[5:30] + l2_body[0:7] + l2_body[8:15] + l2_body[18:29])
        return [l1, l2_body + composite, name_field(d.surname, d.given_names, 30)]
    l1 = code + state + name_field(d.surname, d.given_names, w - 5)
    num = _fit(d.document_number, 9)
    head = num + check_digit(num) + nat + dob + check_digit(dob) + sex + doe + check_digit(doe)
    if fmt == "TD3":
        opt = _fit(d.optional_data, 14)
        opt_cd = check_digit(opt) if opt.strip(FILLER) else FILLER
        l2 = head + opt + opt_cd
        l2 += check_digit(l2[0:10] + l2[13:20] + l2[21:43])
    elif fmt == "TD2":
        l2 = head + _fit(d.optional_data, 7)
        l2 += check_digit(l2[0:10] + l2[13:20] + l2[21:35])
    else:  # MRV-A / MRV-B
        l2 = head + _fit(d.optional_data, w - 28)
    return [l1, l2]


def _document_number_td1(number: str, optional: str) -> tuple[str, str, str]:
    clean = re.sub(r"[^A-Z0-9]", "", anyascii(number).upper())
    if len(clean) <= 9:
        num = clean.ljust(9, FILLER)
        return num, check_digit(num), _fit(optional, 15)
    # Long number: 9 characters, a filler, the rest in the optional data, then its check digit.
    rest = clean[9:] + check_digit(clean) + FILLER
    return clean[:9], FILLER, _fit(rest + optional, 15)


def _compose_fra_id(d: MRZData) -> list[str]:
    """France's 1988-2021 identity card (formats.FRA_ID): `optional_data` is the 6-character issuing
    office, the document number has 12 characters, given names are separated by double fillers."""
    l1 = "IDFRA" + _fit(mrz_name_part(d.surname), 25) + _fit(d.optional_data, 6)
    num = _fit(d.document_number, 12)
    given = (FILLER * 2).join(mrz_name_part(g) for g in re.split(r"[,\s]+", d.given_names) if mrz_name_part(g))
    dob = _yymmdd(d.date_of_birth)
    sex = d.sex if d.sex in ("M", "F") else FILLER
    l2 = num + check_digit(num) + given[:14].ljust(14, FILLER) + dob + check_digit(dob) + sex
    return [l1, l2 + check_digit(l1 + l2)]
