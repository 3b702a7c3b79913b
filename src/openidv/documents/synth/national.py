"""MRZs in a national layout rather than ICAO 9303 (see mrz/formats.NATIONAL).

France's identity card of 1988-2021 (``FRA-ID``) is the one such layout in wide use: millions are
still valid, and a reader built only for TD2 sees its 2 x 36 block, applies TD2's fields and check
digits, and fails. The generator draws it on the page of any TD2 template when asked
(``make_document(..., mrz_layout="FRA-ID")``; the design is not France's, the MRZ is what is
measured): card number = issue year and month, departement, five-digit serial; issuing office =
departement and office number.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np

from openidv.documents.mrz.compose import MRZData, compose
from openidv.documents.mrz.fra_id import LAST_ISSUE, valid_until
from openidv.documents.synth.identity import Identity

NATIONAL_LAYOUTS = ("FRA-ID",)
# Office codes: a metropolitan departement (01-95, Corsica as 2A / 2B) and a digit, or an overseas
# departement (971-976).
_DEPARTEMENTS = [f"{d:02d}" for d in range(1, 96) if d != 20] + ["2A", "2B"]
_OVERSEAS = [str(d) for d in range(971, 977)]


def national_mrz(kind: str, ident: Identity, layout: str, seed: int) -> tuple[Identity, list[str]]:
    """The identity as the national card shows it (its own card number) and its MRZ lines in
    `layout`, drawn from `seed`; ValueError for a layout or document kind it does not fit."""
    if layout not in NATIONAL_LAYOUTS or kind != "TD2":
        raise ValueError(f"no national MRZ layout {layout!r} for a {kind} template")
    rng = np.random.default_rng([seed, 250])
    overseas = rng.random() >= 0.97
    dept = str(rng.choice(_OVERSEAS)) if overseas else str(rng.choice(_DEPARTEMENTS)) + str(rng.integers(10))
    # issued in the design's last ten years (older cards have expired), and not before the holder's birth
    first = max(date(2012, 1, 1), ident.date_of_birth + timedelta(days=31))
    issue = first + timedelta(days=int(rng.integers(max(1, (LAST_ISSUE - first).days + 28))))
    number = issue.strftime("%y%m") + dept + f"{int(rng.integers(100000)):05d}"
    office = dept + f"{int(rng.integers(1, 1000)):03d}"
    # the printed expiry: the card's validity (mrz/fra_id.py; extended cards of 2004-2013 would
    # print five years less, which nothing compares)
    ident = replace(ident, document_number=number, nationality="FRA", date_of_issue=issue,
                    date_of_expiry=valid_until(issue.replace(day=1), ident.date_of_birth))
    data = MRZData("ID", "FRA", ident.surname, ident.given_names, number, "FRA", ident.date_of_birth,
                   ident.sex, ident.date_of_expiry, optional_data=office)
    return ident, compose("FRA-ID", data)
