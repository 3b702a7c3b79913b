"""How sure was the reading where a check digit fails?

A check digit that does not hold is either printed that way (a misprint, or an MRZ altered by hand:
a fraud signal that a person should look at) or read that way (a blurred, noisy or glared photo
whose glyphs the classifier guessed). The reader cannot tell the two apart from the digits, but it
can say how sure it was of the characters involved: an altered MRZ photographed well is read
confidently and still fails, a genuine MRZ photographed badly fails where some character was a
guess. A failure is put down to a guess only if *every* failing check digit covers a guessed
character: `weakest_failing` takes, for each failing check, the lowest probability among the
characters it covers (its data and the digit itself), and returns the largest of these. Checks nest
(the composite covers the birth date, so a birth-date change fails both): for one altered field
this is the weakest character of that field, not of the composite's 39 characters, so a glared
filler elsewhere cannot make a confidently read alteration look like a misread. The
``document_mrz`` check compares it with a threshold tuned on altered MRZs
(``training/tune_mrz_misread.py``) and asks for a new photo below it instead of raising
MRZ_CHECKSUM.
"""

from __future__ import annotations

from openidv.documents.mrz.formats import FORMATS
from openidv.documents.mrz.parse import MRZResult, effective_checks


def weakest_failing(res: MRZResult) -> float | None:
    """The largest, over the failing check digits, of the lowest character probability each covers;
    None when every check digit holds or the result carries no per-character probabilities (text
    parsed, not read)."""
    fmt = FORMATS.get(res.format)
    text = "".join(res.lines)
    conf = res.char_confidence
    if fmt is None or res.valid or not conf or len(conf) != len(text):
        return None
    failing = [c for c in effective_checks(fmt, text) if res.checks.get(c.name) is False]
    if not failing:
        return None
    return float(max(min(conf[p] for p in c.covered(fmt.width)) for c in failing))


def guessed(res: MRZResult, misread_below: float) -> bool:
    """Is this reading's check-digit failure put down to a guess (a new photo, not MRZ_CHECKSUM)?"""
    weakest = weakest_failing(res)
    return weakest is not None and weakest < misread_below
