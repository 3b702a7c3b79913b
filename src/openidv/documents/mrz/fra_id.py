"""Until when is a French identity card of the 1988-2021 design valid? (FRA-ID, mrz/formats.py)

Its MRZ has no expiry date. The card number starts with the issue year and month (YYMM), and the
validity follows from the issue date and the holder's age then: 10 years for a card issued to a
minor or before 2 January 2004; 15 years for one issued to an adult since then (decree 2013-1188:
cards issued to adults from 2 January 2004 to 31 December 2013 were extended by five years without
a new card, so their printed date is five years short). The issue day is not encoded: the end of
the issue month is used, which can only make a card look valid up to a month longer. The printed
expiry (back of the card) is not compared with this date, since it is wrong for extended cards.
"""

from __future__ import annotations

import calendar
from datetime import date

EXTENDED_FROM = date(2004, 1, 2)  # cards issued to adults since then are valid 15 years
ADULT_AGE = 18


def issue_month(number: str, today: date | None = None) -> date | None:
    """First day of the issue month encoded in a card number (YYMM...), or None when the number
    does not start with a plausible year and month (the century: not after `today`)."""
    head = number[:4]
    if len(head) < 4 or not head.isdigit() or not 1 <= int(head[2:]) <= 12:
        return None
    today = today or date.today()
    year = 2000 + int(head[:2])
    if year > today.year:
        year -= 100
    return date(year, int(head[2:]), 1)


def valid_until(issued: date, date_of_birth: date | None) -> date:
    """Last day of validity of a card issued in the month of `issued` to a holder born on
    `date_of_birth` (unknown: taken as a minor, the shorter validity)."""
    end_of_month = date(issued.year, issued.month, calendar.monthrange(issued.year, issued.month)[1])
    adult = date_of_birth is not None and _age(date_of_birth, end_of_month) >= ADULT_AGE
    years = 15 if adult and end_of_month >= EXTENDED_FROM else 10
    last_day = calendar.monthrange(end_of_month.year + years, end_of_month.month)[1]
    return date(end_of_month.year + years, end_of_month.month, last_day)


def _age(dob: date, on: date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
