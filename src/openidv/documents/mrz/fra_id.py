"""What a French identity card of the 1988-2021 design says beyond its MRZ fields (FRA-ID).

Its MRZ has no expiry date and no nationality. The card is issued to French nationals only, so the
nationality is implied. The card number starts with the issue year and month (YYMM), and French
law sets the validity from the issue date and the holder's age then (decree 2013-1188): 10 years
for a card issued to a minor or before 2 January 2004; 15 years for one issued to an adult since
then (cards issued to adults from 2 January 2004 to 31 December 2013 were extended by five years
without a new card, so their printed date is five years short and is not compared).

The issue day is not encoded, so the rule is applied to the *first* day of the issue month: a
holder who turned 18 later that month counts as a minor and a card of January 2004 as not
extended - the shorter validity whenever the month leaves it open - and the validity ends on the
last day of its month, at most a month later than the real one. European limits on such cards
(Regulation (EU) 2019/1157, Article 5) are a policy parameter of ``document_validity``.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from openidv.documents.ages import age_on

NATIONALITY = "FRA"  # issued to French nationals only
FIRST_ISSUE = date(1988, 1, 1)  # the design's first and last issue months
LAST_ISSUE = date(2021, 12, 1)
EXTENDED_FROM = date(2004, 1, 2)  # decree 2013-1188: adults' cards issued since then are valid 15 years
YEARS_ADULT, YEARS_MINOR = 15, 10
ADULT_AGE = 18


def issue_month(number: str, today: date | None = None) -> date | None:
    """First day of the issue month encoded in a card number (YYMM...), or None when the number
    does not start with a month in which such cards were issued (1988-2021, and not after `today`)."""
    head = number[:4]
    if len(head) < 4 or not head.isdigit() or not 1 <= int(head[2:]) <= 12:
        return None
    year = 1900 + int(head[:2]) if int(head[:2]) >= 88 else 2000 + int(head[:2])
    issued = date(year, int(head[2:]), 1)
    if not FIRST_ISSUE <= issued <= min(LAST_ISSUE, today or date.today()):
        return None
    return issued


def valid_until(issued: date, date_of_birth: date | None) -> date:
    """Last day of validity of a card issued in the month starting `issued` (see the module's
    docstring) to a holder born on `date_of_birth` (unknown: taken as a minor, the shorter)."""
    dob = date_of_birth
    # a two-digit birth year read into the wrong century: born in a month after the issue month
    # (born in the issue month itself is a newborn's card)
    if dob is not None and (dob.year, dob.month) > (issued.year, issued.month):
        dob = dob.replace(year=dob.year - 100) if not (dob.month == 2 and dob.day == 29) else date(dob.year - 100, 3, 1)
    adult = dob is not None and age_on(dob, issued) >= ADULT_AGE
    years = YEARS_ADULT if adult and issued >= EXTENDED_FROM else YEARS_MINOR
    year = issued.year + years
    return date(year, issued.month, calendar.monthrange(year, issued.month)[1])


def derive(fields: dict[str, Any], today: date | None) -> list[str]:
    """Add what the card implies to parsed FRA-ID `fields` (nationality, issue month, derived
    validity); return field errors (``date_of_issue`` when the number encodes no issue month)."""
    fields["nationality"] = NATIONALITY
    issued = issue_month(str(fields.get("document_number") or ""), today)
    if issued is None:
        return ["date_of_issue"]
    dob = date.fromisoformat(fields["date_of_birth"]) if fields.get("date_of_birth") else None
    fields["date_of_issue_month"] = issued.isoformat()[:7]
    fields["valid_until_derived"] = valid_until(issued, dob).isoformat()
    return []
