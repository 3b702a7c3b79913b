"""Another document number of the holder's number's format, printed in the visual zone.

A near copy of the document number (a character or two retyped) is judged in
``crosscheck._number_against``. A number replaced *whole* - a field spliced in from another
document, a forger printing a number of their own - leaves nothing near the reference to find, so
it used to be only "not read" (VIZ_FIELD_UNREAD, review): the zone is searched, not parsed, and an
unfamiliar number could be any other field's. One kind of number says which field it is: an issuer
prints its document numbers in one format, letters and digits at fixed places (passport numbers
such as ``XW6357675``, licence numbers such as ``D8509354``). A word of exactly that format, read
clearly by two page-mode readings and three or more characters (after look-alike folding) from the
reference, is another document number: a clear mismatch.

Numbers of digits only are left out: personal and record numbers print in the same format (a nine-
digit number beside a nine-digit passport number: 4 of 1,300 genuine train and held-out readings
at 90), as are numbers of letters only, which words share (AUTHORITY for a nine-letter number).
Train readings, stop 24: 9 of 160 digital splicings (26 of them replace a number of mixed format),
0 of 1,300 genuine documents.
"""

from __future__ import annotations

import re
from collections import defaultdict

from rapidfuzz.distance import Levenshtein

from openidv.documents.viz.normalise import name_key, number_fold

OTHER_NUMBER_CONF = 85.0  # Tesseract confidence (0-100) of the word, in each reading
MIN_READINGS = 2  # page-mode readings that read the same word that surely
MIN_DISTANCE = 3  # characters from the reference, after look-alike folding: not a misread copy
MIN_LENGTH = 6  # shorter formats (a class, a code) say little about which field a word is
# Words that name another number: a candidate after one on its line, or under one, is that number (a
# data page's previous passport number, a licence's document discriminator "DD", an audit or
# inventory control number, a card access number). Whole short words, and stems (a word's first five
# letters, so that inflections count: früheren, předchozího, aiemman) of the words for "previous" in
# the languages of Latin-script documents ("EXPIRED" whole: its stem is "Date of expiry"'s). Stop 24
# reviews; upper case, transliterated.
OTHER_NUMBER_WORDS = frozenset((
    "DD", "CAN", "ICN", "REF", "OLD", "ALT", "ALTE", "ALTER", "LAST", "PREV", "ESKI", "LAMA", "VISA", "FILE", "EX",
    "PRIOR", "AUDIT", "EXPIRED",
))
OTHER_NUMBER_STEMS = frozenset(w[:5] for w in (
    "PREVIOUS", "FORMER", "CANCELLED", "REPLACED", "ANCIEN", "ANTERIOR", "ANTIGO", "PRECEDENT",
    "VORHERIG", "FRUHER", "VORIGE", "POPRZEDNI", "PREDCHOZI", "PREDOSLY", "PRETHODNI", "PREJSNJI", "KORABBI",
    "ANKSTESNIS", "IEPRIEKSEJAIS", "EELMINE", "EDELLINEN", "AIEMPI", "AIEMMAN", "TIDIGARE", "TIDLIGERE",
    "FOREGAENDE", "FORRIGE", "EERDERE", "VECCHIO", "SEBELUMNYA", "DATING", "ZAMANI", "ONCEKI",
    "SERIAL", "SERIE", "REFERENCE", "INVENTORY", "CONTROL", "PERSONAL", "RECORD", "DOSSIER", "ACCOUNT",
    "CUSTOMER", "PERMIT",
))
LABEL_REACH = 3  # line heights above a number within which a naming word (a label, wrapped or not) counts


def number_format(value: str) -> str:
    """Letters as L and digits as D, other characters dropped: ``XW6357675`` -> ``LLDDDDDDD``."""
    return "".join("L" if ch.isalpha() else "D" for ch in value if ch.isalnum())


def _identifying(fmt: str) -> bool:
    return len(fmt) >= MIN_LENGTH and "L" in fmt and "D" in fmt


def _names_another(words: list[tuple[str, float]]) -> bool:
    """Does a word name another number (`OTHER_NUMBER_WORDS`, after transliteration: "Früherer",
    "Prev.")?"""
    return any(part in OTHER_NUMBER_WORDS or (len(part) >= 5 and part[:5] in OTHER_NUMBER_STEMS)
               for text, _ in words for part in name_key(text).split())


Box = tuple[int, int, int, int]


def _above(boxes: list[Box] | None, n: int) -> list[int]:
    """Lines of the reading that may hold line `n`'s label: over it in its column (overlapping it, or
    starting within two of its heights) and ending within LABEL_REACH heights above it - whatever
    lies between in reading order (another column's label of the row) - or to its left on its row
    (a label read as a line of its own); without boxes, the two lines before it."""
    if boxes is None:
        return [k for k in (n - 1, n - 2) if k >= 0]
    x0, y0, x1, y1 = boxes[n]
    h = max(y1 - y0, 1)
    over = [k for k, (a0, _, a1, b1) in enumerate(boxes) if k != n and y0 - LABEL_REACH * h <= b1 <= y0 + h // 4
            and (min(x1, a1) > max(x0, a0) or abs(a0 - x0) <= 2 * h)]
    left = [k for k, (_, b0, a1, b1) in enumerate(boxes) if k != n and a1 <= x0 + h and min(y1, b1) > max(y0, b0)]
    return over + left


def other_number(value: str, readings: list[list[list[tuple[str, float]]]],
                 boxes: list[list[Box]] | None = None) -> str | None:
    """The other document number read (upper case), or None. `readings`: each page-mode reading's
    lines of (word, confidence); `boxes`: each reading's line boxes, where known (labels are then
    found by place, not by reading order)."""
    ref = re.sub(r"[^A-Z0-9]", "", value.upper())
    fmt = number_format(ref)
    if not _identifying(fmt):
        return None
    seen: dict[str, set[int]] = defaultdict(set)
    for k, lines in enumerate(readings):
        lboxes = boxes[k] if boxes is not None and k < len(boxes) and len(boxes[k]) == len(lines) else None
        for n, line in enumerate(lines):
            for m, (text, conf) in enumerate(line):
                word = re.sub(r"^\W+|\W+$", "", text).upper()
                if (conf >= OTHER_NUMBER_CONF and word.isascii() and word.isalnum() and number_format(word) == fmt
                        and Levenshtein.distance(number_fold(word), number_fold(ref)) >= MIN_DISTANCE
                        and not _names_another(line[:m] + [w for a in _above(lboxes, n) for w in lines[a]])):
                    seen[word].add(k)
    return next((w for w, ks in seen.items() if len(ks) >= MIN_READINGS), None)


__all__ = ["OTHER_NUMBER_CONF", "number_format", "other_number"]
