"""The MRZ character set, character values and the ICAO 9303 check digit.

ICAO 9303 part 3 §4.9: each character has a value (digits 0-9, A-Z 10-35, the filler ``<`` 0);
the check digit is the sum of the values times the repeating weights 7, 3, 1, modulo 10.
"""

from __future__ import annotations

import string

DIGITS = string.digits
LETTERS = string.ascii_uppercase
FILLER = "<"
# Class order of the glyph classifier; never reorder (the shipped model depends on it).
ALPHABET = DIGITS + LETTERS + FILLER
INDEX = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = (7, 3, 1)


def char_value(ch: str) -> int:
    """Value of one MRZ character for check-digit arithmetic."""
    if ch in DIGITS:
        return ord(ch) - 48
    if ch in LETTERS:
        return ord(ch) - 55
    if ch == FILLER:
        return 0
    raise ValueError(f"{ch!r} is not an MRZ character")


def check_digit(text: str) -> str:
    """The check digit of `text` as a character ('0'-'9')."""
    total = sum(char_value(c) * WEIGHTS[i % 3] for i, c in enumerate(text))
    return str(total % 10)


def is_mrz_text(text: str) -> bool:
    return all(c in INDEX for c in text)
