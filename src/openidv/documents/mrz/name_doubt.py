"""Was every name letter read surely enough to pass unchecked?

No check digit covers the names in the ICAO 9303 layouts: a misread name letter (``MARTA`` for
``MARIA``, a surname's first letter half under glare read ``I`` for ``T``) leaves every check digit
holding, and the reading passes as valid. The classifier's own probability is the only witness:
`weakest_name_letter` is the lowest probability among the letters of the surname and the given
names as read (fillers skipped: a filler read as a letter shows up as a weak letter, a letter read
as a filler is not seen here). The probability is taken among the characters a name allows
(letters and the filler): an O is often read nearly as much a digit 0 as a letter, which no name
can hold - on stressed train documents 28 of the 32 correct readings whose weakest name letter was
below 0.3 over all characters had it on an O - while a misread letter loses to another letter (E
read C or L under glare, N read U, O read Q). The ``document_mrz`` check asks for a new photo when it is below
``doubtful_below`` of the ``document_mrz_names`` threshold set, tuned on genuine train documents
under photographic stress (``training/tune_mrz_names.py``) so that at most a chosen share of
correctly read documents is asked again.
"""

from __future__ import annotations

from openidv.documents.mrz.parse import MRZResult, given_names_confidence, surname_confidence


def weakest_name_letter(res: MRZResult) -> float | None:
    """The lowest classifier probability among the name letters as read, each among the characters
    a name allows; None for an MRZ not read from an image (no per-character probabilities) or with
    no name letter."""
    letters = (surname_confidence(res, True) or ()) + (given_names_confidence(res, True) or ())
    return float(min(letters)) if letters else None


def doubtful_name(res: MRZResult, doubtful_below: float) -> bool:
    """Is some name letter a guess (its probability below `doubtful_below`)?"""
    weakest = weakest_name_letter(res)
    return weakest is not None and weakest < doubtful_below
