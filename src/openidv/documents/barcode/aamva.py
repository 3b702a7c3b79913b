"""AAMVA DL/ID card design standard: build and parse the PDF417 payload, validate its fields.

Payload layout (AAMVA 2020 §D.12)::

    @ LF RS CR  "ANSI " IIN(6) version(2) jurisdiction-version(2) entries(2)
    { subfile-type(2) offset(4) length(4) } * entries
    "DL" "DAQ..." LF "DCS..." LF ... CR

Dates are MMDDCCYY for the USA and CCYYMMDD for Canada (the header's country decides, else DCG).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

HEADER_RE = re.compile(r"^@\n\x1e\r(ANSI |AAMVA)(\d{6})(\d{2})(\d{2})?(\d{2})")
DATE_ELEMENTS = ("DBA", "DBB", "DBD", "DDB", "DDC", "DDH", "DDI", "DDJ")
REQUIRED = ("DCA", "DCB", "DCD", "DBA", "DCS", "DAC", "DBD", "DBB", "DBC", "DAY", "DAU", "DAG", "DAI", "DAJ",
            "DAK", "DAQ", "DCF", "DCG")
NAMES = {
    "DAQ": "customer_id", "DCS": "family_name", "DAC": "first_name", "DAD": "middle_names",
    "DBB": "date_of_birth", "DBA": "date_of_expiry", "DBD": "date_of_issue", "DBC": "sex",
    "DAG": "street", "DAI": "city", "DAJ": "jurisdiction", "DAK": "postal_code", "DCG": "country",
    "DCA": "vehicle_class", "DCF": "document_discriminator", "DAU": "height", "DAY": "eye_colour",
}
CANADA_IIN_PREFIXES = ("6360", "6043", "6046", "6047", "6048", "6049")


class AAMVAError(ValueError):
    """The payload is not a well-formed AAMVA card payload."""


@dataclass
class AAMVARecord:
    iin: str
    version: int
    jurisdiction_version: int
    subfiles: dict[str, dict[str, str]]
    fields: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def country(self) -> str:
        """USA or CAN: the DCG element, else the issuer number's range (it decides the date order)."""
        dl = self.subfiles.get("DL") or self.subfiles.get("ID") or {}
        return dl.get("DCG", "CAN" if self.iin.startswith(CANADA_IIN_PREFIXES) else "USA")

    def to_dict(self) -> dict[str, Any]:
        return {"iin": self.iin, "version": self.version, "jurisdiction_version": self.jurisdiction_version,
                "subfile_types": sorted(self.subfiles), "fields": dict(self.fields), "problems": list(self.problems),
                "valid": self.valid}


def format_date(d: date, country: str) -> str:
    return d.strftime("%Y%m%d") if country == "CAN" else d.strftime("%m%d%Y")


def parse_date(raw: str, country: str) -> date | None:
    raw = raw.strip()
    if not re.fullmatch(r"\d{8}", raw):
        return None
    try:
        if country == "CAN":
            return date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
        return date(int(raw[4:]), int(raw[:2]), int(raw[2:4]))
    except ValueError:
        return None


def build(elements: dict[str, str], iin: str, version: int = 10, jurisdiction_version: int = 0,
          subfile_type: str = "DL") -> str:
    """AAMVA payload with one subfile holding `elements` (element id -> value)."""
    body = subfile_type + "\n".join(f"{k}{v}" for k, v in elements.items()) + "\r"
    header_len = 21 + 10
    header = f"@\n\x1e\rANSI {iin}{version:02d}{jurisdiction_version:02d}01"
    header += f"{subfile_type}{header_len:04d}{len(body):04d}"
    return header + body


def _subfiles(text: str, entries: int, version: int) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    start = 21 if version >= 2 else 19
    for i in range(entries):
        d = text[start + 10 * i : start + 10 * (i + 1)]
        if len(d) < 10 or not d[2:].isdigit():
            raise AAMVAError(f"subfile designator {i} is malformed: {d!r}")
        kind, offset, length = d[:2], int(d[2:6]), int(d[6:10])
        chunk = text[offset : offset + length] if offset + length <= len(text) + 1 else ""
        if not chunk.startswith(kind):  # some issuers count offsets loosely: search for the type
            pos = text.find(kind, start + 10 * entries)
            if pos < 0:
                raise AAMVAError(f"subfile {kind} not found")
            chunk = text[pos:]
        elements: dict[str, str] = {}
        for part in re.split(r"[\n\r]", chunk[2:]):
            if len(part) >= 3 and part[:3].isalnum():
                elements.setdefault(part[:3], part[3:].strip())
        out[kind] = elements
    return out


def parse(payload: str | bytes, today: date | None = None) -> AAMVARecord:
    """Parse and validate a PDF417 payload; raises AAMVAError if it is not AAMVA at all."""
    text = payload.decode("latin-1") if isinstance(payload, bytes) else payload
    m = HEADER_RE.match(text)
    if not m:
        raise AAMVAError("no AAMVA header")
    iin, version = m.group(2), int(m.group(3))
    jver = int(m.group(4) or 0)
    entries = int(m.group(5))
    subfiles = _subfiles(text, entries, version)
    rec = AAMVARecord(iin, version, jver, subfiles)
    _validate(rec, today or date.today())
    return rec


def _validate(rec: AAMVARecord, today: date) -> None:
    dl = rec.subfiles.get("DL") or rec.subfiles.get("ID") or {}
    if not dl:
        rec.problems.append("no DL or ID subfile")
        return
    country = rec.country
    for el in REQUIRED:
        if el not in dl and rec.version >= 4:
            rec.problems.append(f"missing {el}")
    for el, name in NAMES.items():
        if el not in dl:
            continue
        if el in DATE_ELEMENTS:
            d = parse_date(dl[el], country)
            rec.fields[name] = d.isoformat() if d else None
            if d is None:
                rec.problems.append(f"invalid date {el}")
        else:
            rec.fields[name] = dl[el]
    if "DBC" in dl and dl["DBC"] not in ("1", "2", "9", "M", "F", "X"):
        rec.problems.append("invalid sex code DBC")
    if "DBC" in dl:
        rec.fields["sex"] = {"1": "M", "2": "F", "9": "X"}.get(dl["DBC"], dl["DBC"])
    dob, issue, exp = rec.fields.get("date_of_birth"), rec.fields.get("date_of_issue"), rec.fields.get("date_of_expiry")
    if dob and issue and dob > issue:
        rec.problems.append("issue date before birth date")
    if dob and date.fromisoformat(dob) > today:
        rec.problems.append("birth date in the future")
    if issue and exp and issue > exp:
        rec.problems.append("expiry before issue")
    if "DAK" in dl and country == "USA" and not re.fullmatch(r"\d{5}(\d{4})?\s*0*", dl["DAK"].replace("-", "")):
        rec.problems.append("malformed postal code DAK")
