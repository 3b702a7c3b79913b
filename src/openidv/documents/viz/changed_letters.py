"""A name printed with a letter or two changed and read surely: retyped, not misread.

The fuzzy name match forgives a letter or two (that is what OCR gets wrong), so a forger who
retypes one letter of a name passes it. What tells a retyped letter from a misread one is how
surely the zone and the MRZ were read, and which letters changed:

* the printed name is read at :data:`NAME_ALTERED_CONF` or better, the same way, by at least
  :data:`MIN_ALTERED_READINGS` page-mode readings, with the name's length;
* at most two letters differ, fewer than half of them, and at least one change is not a
  look-alike the recogniser makes (``normalise.LETTER_LOOKALIKES``: glare and coarse captures,
  and diacritics the English model reads as another letter - Ø read as E, Ü as O);
* the MRZ's own letter at each change was read surely (:data:`MRZ_LETTER_SURE`): names carry no
  check digit, so a misread MRZ letter would otherwise condemn a correctly printed name;
* never for issuers whose national script is not Latin, or whose Latin alphabet has a letter the
  English model reads as another (:data:`LETTER_MISREAD_ISSUERS`).

The surname is looked for at its place (``crosscheck._letters_changed_at_place``), the given names
at theirs (``anchors.given_names_places``: at their label, or under the surname's line). Any line
would not do: a place of birth PARIS is two letters from MARIA, a label SESSO from TESSA (stop 24
review). Train readings, stop 24: 0 of 1,300 genuine documents.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from openidv.documents.viz.anchors import (
    ALL_LABELS,
    NON_LATIN_ISSUERS,
    _label_run,
    _tokens,
    _value_words,
    given_names_places,
    leading_words,
)
from openidv.documents.viz.extract import VIZReading
from openidv.documents.viz.normalise import LETTER_LOOKALIKES, lookalike_only, name_key

# Confidence of the name's words and the page-mode readings that must read it so. Set on train
# readings (stop 23): 85 and two readings 4 of 21 surname alterations, 0 of 600 genuine; one
# reading 6, 90 and two readings 2.
NAME_ALTERED_CONF = 85.0
MIN_ALTERED_READINGS = 2
# The MRZ glyph classifier's probability from which a reference letter counts as read surely.
MRZ_LETTER_SURE = 0.9
MAX_CHANGED = 2
MIN_GIVEN_LETTERS = 4  # shorter given names are a letter away from too many words
PLACE_MATCH = 85.0  # how closely the line above must read as the surname to be the surname's line
# Issuers whose Latin alphabet has a letter Tesseract's English model reads clearly as another:
# Azerbaijani schwa (RAHIMOV printed RƏHIMOV reads ROHIMOV at 89-91; stop 23 review).
LETTER_MISREAD_ISSUERS = frozenset({"AZE"})


def checkable(issuer: str | None) -> bool:
    """May this issuer's names be judged letter by letter?"""
    return (issuer or "") not in NON_LATIN_ISSUERS and (issuer or "") not in LETTER_MISREAD_ISSUERS


def retyped(read: str, target: str, mrz_conf: Sequence[float] | None) -> bool:
    """Is `read` the name `target` (letters only, no spaces) with one or two letters retyped?
    `mrz_conf`: the MRZ's probability of each letter of `target` (None: exact data, a barcode)."""
    if len(read) != len(target):
        return False
    changed = [k for k, (x, y) in enumerate(zip(read, target, strict=True)) if x != y]
    if not 0 < len(changed) <= MAX_CHANGED or 2 * len(changed) >= len(target):
        return False
    if lookalike_only(read, target, LETTER_LOOKALIKES):
        return False
    if mrz_conf is None:
        return True
    return len(mrz_conf) == len(target) and all(mrz_conf[k] >= MRZ_LETTER_SURE for k in changed)


def given_names_retyped(viz: VIZReading, words: list[list[tuple[str, float]]], given: str, surname: str,
                        mrz_conf: Sequence[float] | None) -> str | None:
    """The given names as printed with a letter or two retyped (letters only), or None: the whole
    value of a line at the given names' place (`anchors.given_names_places`: at their label, or
    under the surname), read at NAME_ALTERED_CONF by MIN_ALTERED_READINGS readings."""
    target = name_key(given).replace(" ", "")
    if len(target) < MIN_GIVEN_LETTERS:
        return None
    seen: dict[str, set[int]] = defaultdict(set)
    for start, i in given_names_places(viz, words, surname, PLACE_MATCH):
        toks = _tokens(words[i])
        end, _ = _label_run([t.folded for t in toks], ALL_LABELS)
        value = _value_words(toks[end:])
        sure = leading_words(value, NAME_ALTERED_CONF)
        if not value or len(sure) != len(value):
            continue
        read = name_key(" ".join(sure)).replace(" ", "")
        if retyped(read, target, mrz_conf):
            seen[read].add(start)
    return next((r for r, ks in seen.items() if len(ks) >= MIN_ALTERED_READINGS), None)


__all__ = ["MIN_ALTERED_READINGS", "MRZ_LETTER_SURE", "NAME_ALTERED_CONF", "checkable", "given_names_retyped",
           "retyped"]
