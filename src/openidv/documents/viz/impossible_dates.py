"""A printed date that is no date: the holder's date with a digit or two changed.

A forger who retypes a birth or expiry date in the visual zone changes a digit or two; as often as
not the result is no calendar date at all (2004-16-12, 11/91/2027, 9005-09-48, 58.04.5949). An
issuer never prints one, so such a date - read clearly, more than once, and aligned digit for
digit with the date the MRZ or barcode holds - is a clear mismatch, where a valid date one digit
away is only as sure as the reading (crosscheck.one_digit_apart).

What keeps genuine documents out (train readings, stop 23: 0 of 600 genuine documents against up
to 1 of 600 at a single reading):

* only full numeric dates with four-digit years, in both day-first and month-first order
  impossible (a US issuer's 12/25/2030 is a valid date, not a day 25 of month 12 reversed);
* the same impossible date read in at least :data:`MIN_READINGS` of the page-mode readings (one
  reading's confident misread is not enough), every digit-bearing word of it at
  :data:`IMPOSSIBLE_DATE_FLOOR` or better in each and at :data:`IMPOSSIBLE_DATE_CONF` in at least one
  (stop 38; until then at IMPOSSIBLE_DATE_CONF = 95 in every such reading: a forger's font reads less
  surely than the issuer's, and 13/78/1958 read at 61, 61 and 93 was left unread);
* at most two digits differ from the reference date, and at least one of them is not a look-alike
  Tesseract trades at high confidence (``normalise.DATE_LOOKALIKES``: 0, 3, 6, 8, 9 among themselves,
  1 / 7, 2 / 7; 2026 read as 2626, 04/02 as 64/62) - a changed digit, not a misread one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from openidv.documents.viz.normalise import DATE_LOOKALIKES, lookalike_only

if TYPE_CHECKING:
    from openidv.documents.viz.extract import VIZReading

IMPOSSIBLE_DATE_CONF = 90.0  # Tesseract word confidence (0-100) of the date's words in its surest reading
IMPOSSIBLE_DATE_FLOOR = 50.0  # ... and in every other reading that counts
MIN_READINGS = 2  # page-mode readings that read the same impossible date
MAX_CHANGED_DIGITS = 2
EARLIEST_YEAR = 1900  # no living holder was born before, no document expires before
LATEST_YEARS_AHEAD = 30  # no document expires later than this many years from today
# Years of the Islamic (Hijri) calendar in use on documents: Saudi passports print each date in both
# calendars, and for a month of 1976 births the Hijri date 13/04/1396 is two digits from 13/04/1976
# (stop 23 review). Only for issuers writing a non-Latin national script (anchors.NON_LATIN_ISSUERS,
# which holds the Arabic-script states); elsewhere a 14xx year is a forger's (1956 -> 1456).
# Buddhist-era (25xx), Solar Hijri and Ethiopian dates never come within two digits of their
# Gregorian date, so need no exception.
HIJRI_YEARS = (1300, 1500)

_SEP = r"\s?[-./]\s?"
_ISO = re.compile(rf"(?<![0-9])(\d{{4}}){_SEP}(\d{{2}}){_SEP}(\d{{2}})(?![0-9])")
_NUMERIC = re.compile(rf"(?<![0-9])(\d{{2}}){_SEP}(\d{{2}}){_SEP}(\d{{4}})(?![0-9])")


@dataclass(frozen=True)
class ImpossibleDate:
    """A date printed in the zone that is no calendar date, and the reference date it alters."""

    field: str  # "date_of_birth" or "date_of_expiry"
    digits: str  # the eight digits as read (kept out of evidence: personal data)


def _valid(y: int, m: int, d: int, today: date, hijri: bool) -> bool:
    if hijri and HIJRI_YEARS[0] <= y < HIJRI_YEARS[1]:
        return True  # a lunar Hijri year: a real calendar, not an altered one (see HIJRI_YEARS)
    if not EARLIEST_YEAR <= y <= today.year + LATEST_YEARS_AHEAD:
        return False
    try:
        date(y, m, d)
    except ValueError:
        return False
    return True


def _impossible(match: re.Match[str], iso: bool, today: date, hijri: bool) -> bool:
    if iso:
        y, m, d = (int(g) for g in match.groups())
        return not _valid(y, m, d, today, hijri)
    a, b, y = (int(g) for g in match.groups())
    return not (_valid(y, b, a, today, hijri) or _valid(y, a, b, today, hijri))


def _forms(value: date, iso: bool) -> list[str]:
    """The reference date's eight digits in the order the printed one was written."""
    if iso:
        return [f"{value.year:04d}{value.month:02d}{value.day:02d}"]
    return [f"{value.day:02d}{value.month:02d}{value.year:04d}", f"{value.month:02d}{value.day:02d}{value.year:04d}"]


def _altered(read: str, ref: str) -> bool:
    """One or two digits changed, at least one of them not a look-alike of the reference's."""
    changed = sum(a != b for a, b in zip(read, ref, strict=True))
    return 0 < changed <= MAX_CHANGED_DIGITS and not lookalike_only(read, ref, DATE_LOOKALIKES)


def _span_conf(text: str, confs: list[tuple[str, float]], start: int, end: int) -> float:
    """Lowest confidence of the line's digit-bearing words that overlap text[start:end] (0 if none:
    an unknown confidence is a doubtful one). `confs` are the line's words in order."""
    lowest, pos, seen = 100.0, 0, False
    for word, c in confs:
        at = text.find(word, pos)
        if at < 0:
            return 0.0
        pos = at + len(word)
        if at < end and pos > start and any(ch.isdigit() for ch in word):
            lowest, seen = min(lowest, c), True
    return lowest if seen else 0.0


def impossible_dates(viz: VIZReading, words: list[list[tuple[str, float]]], refs: dict[str, date],
                     today: date, hijri: bool = False) -> list[ImpossibleDate]:
    """Impossible dates the zone prints in place of a reference date (`refs`: field -> date).
    `words` are `viz.lines` split into (word, confidence), as the cross-checks do; `hijri`: the
    issuer may print Hijri dates too (HIJRI_YEARS are then valid years)."""
    seen: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)  # reading -> its surest confidence
    for r, lines in enumerate(viz.readings()):
        for i in lines:
            text = viz.lines[i][0]
            for iso, pattern in ((True, _ISO), (False, _NUMERIC)):
                for m in pattern.finditer(text):
                    conf = _span_conf(text, words[i], *m.span())
                    if not _impossible(m, iso, today, hijri) or conf < IMPOSSIBLE_DATE_FLOOR:
                        continue
                    digits = "".join(m.groups())
                    for name, value in refs.items():
                        if any(_altered(digits, f) for f in _forms(value, iso)):
                            confs = seen[(name, digits)]
                            confs[r] = max(conf, confs.get(r, 0.0))
    return [ImpossibleDate(name, digits) for (name, digits), confs in seen.items()
            if len(confs) >= MIN_READINGS and max(confs.values()) >= IMPOSSIBLE_DATE_CONF]
