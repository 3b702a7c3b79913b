"""Normalise what OCR reads: dates in any printed style, names across scripts, numbers."""

from __future__ import annotations

import re
from datetime import date
from itertools import combinations

from anyascii import anyascii
from rapidfuzz import fuzz

MONTHS = {
    # English, French, Spanish, German, Italian, Portuguese, Dutch, Polish, Turkish abbreviations.
    "JAN": 1, "JANV": 1, "ENE": 1, "GEN": 1, "JANUARY": 1, "STY": 1, "OCA": 1,
    "FEB": 2, "FEV": 2, "FEVR": 2, "FEBRUARY": 2, "LUT": 2, "SUB": 2,
    "MAR": 3, "MARS": 3, "MAR.": 3, "MARCH": 3, "MRZ": 3, "MAER": 3, "MARZ": 3, "MART": 3,
    "APR": 4, "AVR": 4, "ABR": 4, "APRIL": 4, "KWI": 4, "NIS": 4,
    "MAY": 5, "MAI": 5, "MAG": 5, "MEI": 5, "MAJ": 5, "MAYIS": 5,
    "JUN": 6, "JUIN": 6, "GIU": 6, "JUNE": 6, "CZE": 6, "HAZ": 6,
    "JUL": 7, "JUIL": 7, "LUG": 7, "JULY": 7, "LIP": 7, "TEM": 7,
    "AUG": 8, "AOUT": 8, "AGO": 8, "AUGUST": 8, "SIE": 8, "AGU": 8,
    "SEP": 9, "SEPT": 9, "SET": 9, "SEPTEMBER": 9, "WRZ": 9, "EYL": 9,
    "OCT": 10, "OKT": 10, "OTT": 10, "OUT": 10, "OCTOBER": 10, "PAZ": 10, "EKI": 10,
    "NOV": 11, "NOVEMBER": 11, "LIS": 11, "KAS": 11,
    "DEC": 12, "DIC": 12, "DEZ": 12, "DECEMBER": 12, "GRU": 12, "ARA": 12,
}
_MON = "|".join(sorted(MONTHS, key=len, reverse=True)).replace(".", r"\.")
_PATTERNS = [
    # "12 AUG/AOUT 74"; the slash between two languages' months is often read as I, L or 1
    ("dmy_text", re.compile(rf"\b(\d{{1,2}})\s*({_MON})(?:\s*[/|IL1]\s*[A-Z]{{3,5}})?\.?\s*(\d{{4}}|\d{{2}})\b")),
    ("iso", re.compile(r"\b(\d{4})[-./](\d{1,2})[-./](\d{1,2})\b")),
    # not part of a longer date: two lines joined ("04/28" / "05/02/2023") must not give 04/28/05;
    # a hyphen may join two dates ("13.04.2021-13.04.2031", a validity range)
    ("numeric", re.compile(r"(?<![0-9][./])\b(\d{1,2})[./ -](\d{1,2})[./ -](\d{4}|\d{2})\b(?![./]\d)")),
]


def _year(y: str, kind: str, today: date) -> int:
    if len(y) == 4:
        return int(y)
    yy = int(y)
    year = today.year // 100 * 100 + yy
    if kind == "birth" and year > today.year:
        year -= 100
    if kind == "expiry" and year > today.year + 50:
        year -= 100
    if kind == "any" and year > today.year + 30:
        year -= 100
    return year


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def find_dates(text: str, month_first: bool = False, kind: str = "any", today: date | None = None) -> list[date]:
    """Every date printed in `text`, in any of the usual styles (diacritics and case ignored).

    Numeric dates are read day-first unless `month_first` (US documents)."""
    today = today or date.today()
    t = anyascii(text).upper()
    found: list[date] = []
    for name, pat in _PATTERNS:
        for m in pat.finditer(t):
            if name == "dmy_text":
                d = _safe(_year(m.group(3), kind, today), MONTHS[m.group(2).rstrip(".")], int(m.group(1)))
            elif name == "iso":
                d = _safe(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            else:
                a, b = int(m.group(1)), int(m.group(2))
                mo, da = (a, b) if month_first else (b, a)
                d = _safe(_year(m.group(3), kind, today), mo, da)
            if d is not None and d not in found:
                found.append(d)
    return found


def name_key(name: str) -> str:
    """Comparable form of a name in any script: transliterated, upper case, letters and spaces."""
    t = anyascii(name).upper()
    t = re.sub(r"[^A-Z]+", " ", t)
    return " ".join(t.split())


def name_similarity(a: str, b: str) -> float:
    """0-100, tolerant of word order, missing middle names and MRZ truncation."""
    ka, kb = name_key(a), name_key(b)
    if not ka or not kb:
        return 0.0
    return float(max(fuzz.token_set_ratio(ka, kb), fuzz.ratio(ka.replace(" ", ""), kb.replace(" ", ""))))


def number_key(s: str) -> str:
    """Document numbers compared without separators and with O/0, I/1 folded."""
    t = re.sub(r"[^A-Z0-9]", "", anyascii(s).upper())
    return t.replace("O", "0").replace("I", "1").replace("Q", "0")


# What OCR confuses in a printed number: letters and digits of similar shape folded together.
_NUMBER_FOLD = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "T": "1", "J": "1",
                              "Z": "2", "S": "5", "B": "8", "G": "6"})


def number_fold(s: str) -> str:
    """A document number as OCR may have read it: separators dropped, look-alike characters folded
    (used only to search the visual zone; numbers from the MRZ and barcode compare by ``number_key``)."""
    # a pound or euro sign is an E misread (E9471897 read as £9471897 at 84, a genuine licence, stop 38);
    # transliterated they would become three letters (GBP, EUR) and shift the rest of the number
    text = anyascii(s.replace("£", "E").replace("€", "E")).upper()
    text = text.replace("!", "I").replace("|", "I").replace("}", "J").replace("$", "S")
    return re.sub(r"[^A-Z0-9]", "", text).translate(_NUMBER_FOLD)


# Characters Tesseract trades *at high confidence* on a dim, glared or coarse capture (after
# number_fold), from the misreads of genuine train documents read at 80-95 (stop 23). In dates: the
# round digits among themselves (2026 read as 2626, 04 as 84), 1 / 7 and 2 / 7. In document
# numbers fewer were seen (9 losing its tail to glare as O, B / 8 as 6, E as F, C as O or Q), and the
# wider date set would excuse a quarter of the changed numbers of train forgeries for no genuine one
# more. Stop 38, 400 more genuine train documents: 6 read as O (J6CXFIZ0E as JOCXFIZOE at 86, three
# readings) and 8 as S (J0N8BGMB4 as JONSBGMB4 at 83-89; folded, 0 / 6 and 5 / 8): genuine
# documents flagged by their number 3 -> 1 of 400, number alterations of train forgeries 15 -> 14 of 30.
def _pairs(*groups: str) -> frozenset[frozenset[str]]:
    return frozenset(frozenset(p) for g in groups for p in combinations(g, 2))


DATE_LOOKALIKES = _pairs("03689", "17", "27")
NUMBER_LOOKALIKES = _pairs("09", "68", "EF", "C0", "06", "58")
# Capital letters a glared or coarse capture trades, and those a diacritic the English model does not
# know turns into (C with cedilla or caron as G or E, L with stroke as T): a name differing only by
# these is misread, not altered (genuine train readings: KOWALCZYK read KOWALEZYK, FERREIRA FERRETRA).
# Vowels among themselves too (stop 24): a vowel with a diacritic reads as another vowel, surely and
# twice (MÜLLER read MOLLER, JØRGENSEN JERGENSEN, SØREN SEREN, JÜRGEN JORGEN), and the MRZ, which
# drops the diacritic, cannot say which vowel was printed; so a forger's vowel swap (ANDERSEN printed
# ANDERSON) is no longer caught by this rule. L with stroke reads as E (GOŁĄB as GOEAB, ŁUKASZ as
# EUKASZ at 86-92 in two fonts), T with comma below as J (ȚURCANU as JURCANU at 81): a stop-24 review's
# renders. Otherwise pairs, not groups: D/E is no look-alike.
LETTER_LOOKALIKES = _pairs("CE", "CG", "OQ", "OD", "IL", "LT", "IT", "IJ", "RP", "UV", "EF", "BR", "AEIOU", "LE",
                           "TJ")


def lookalike_only(read: str, ref: str, pairs: frozenset[frozenset[str]]) -> bool:
    """Do two strings of one length differ, and only by look-alike characters (`pairs`)?"""
    if len(read) != len(ref):
        return False
    diff = [frozenset((a, b)) for a, b in zip(read, ref, strict=True) if a != b]
    return bool(diff) and all(p in pairs for p in diff)


# Letters an OCR engine without the right language data confuses, mostly on diacritics
# (C with caron read as G or E, I with acute as L) - folded together when a printed name is
# compared with its MRZ transliteration, never when data is compared with data.
_OCR_FOLD = str.maketrans({"G": "C", "Q": "O", "0": "O", "1": "I", "L": "I", "J": "I", "5": "S", "8": "B"})


def ocr_fold(text: str) -> str:
    return name_key(text).translate(_OCR_FOLD)
