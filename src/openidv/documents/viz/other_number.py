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

from openidv.documents.viz.normalise import number_fold

OTHER_NUMBER_CONF = 85.0  # Tesseract confidence (0-100) of the word, in each reading
MIN_READINGS = 2  # page-mode readings that read the same word that surely
MIN_DISTANCE = 3  # characters from the reference, after look-alike folding: not a misread copy
MIN_LENGTH = 6  # shorter formats (a class, a code) say little about which field a word is
# Words that name another number: a candidate after one on its line, or under a line holding one, is
# that number (a data page's previous passport number, a licence's document discriminator "DD", an
# audit or inventory control number, a card access number). Stop 24 review; upper case, letters only.
OTHER_NUMBER_WORDS = frozenset((
    "PREVIOUS", "FORMER", "OLD", "PRIOR", "ANCIEN", "ANCIENNE", "ANTERIOR", "PRECEDENTE", "VORHERIGER",
    "VORHERIGE", "FRUHERER", "FRUHERE", "DD", "AUDIT", "ICN", "INVENTORY", "CONTROL", "REF", "REFERENCE",
    "CAN", "SERIAL", "SERIE", "SERIENNUMMER", "PERSONAL", "PERSONNEL", "PERSONNUMMER", "RECORD", "FILE",
    "DOSSIER", "ACCOUNT", "CUSTOMER", "PERMIT", "VISA",
))


def number_format(value: str) -> str:
    """Letters as L and digits as D, other characters dropped: ``XW6357675`` -> ``LLDDDDDDD``."""
    return "".join("L" if ch.isalpha() else "D" for ch in value if ch.isalnum())


def _identifying(fmt: str) -> bool:
    return len(fmt) >= MIN_LENGTH and "L" in fmt and "D" in fmt


def _names_another(words: list[tuple[str, float]]) -> bool:
    """Does a word name another number (`OTHER_NUMBER_WORDS`; "Prev." and "No." stripped of marks)?"""
    return any(part in OTHER_NUMBER_WORDS for text, _ in words for part in re.split(r"[^A-Z]+", text.upper()) if part)


def other_number(value: str, readings: list[list[list[tuple[str, float]]]]) -> str | None:
    """The other document number read (upper case), or None. `readings`: each page-mode reading's
    lines of (word, confidence)."""
    ref = re.sub(r"[^A-Z0-9]", "", value.upper())
    fmt = number_format(ref)
    if not _identifying(fmt):
        return None
    seen: dict[str, set[int]] = defaultdict(set)
    for k, lines in enumerate(readings):
        for n, line in enumerate(lines):
            for m, (text, conf) in enumerate(line):
                word = re.sub(r"^\W+|\W+$", "", text).upper()
                if (conf >= OTHER_NUMBER_CONF and word.isascii() and word.isalnum() and number_format(word) == fmt
                        and Levenshtein.distance(number_fold(word), number_fold(ref)) >= MIN_DISTANCE
                        and not _names_another(line[:m] + (lines[n - 1] if n else []))):
                    seen[word].add(k)
    return next((w for w, ks in seen.items() if len(ks) >= MIN_READINGS), None)


__all__ = ["OTHER_NUMBER_CONF", "number_format", "other_number"]
