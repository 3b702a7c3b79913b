"""ICAO 9303 machine-readable zones: layouts, parsing, check digits, correction and reading."""

from openidv.documents.mrz.alphabet import ALPHABET, check_digit
from openidv.documents.mrz.correct import read_logp, read_text
from openidv.documents.mrz.formats import FORMATS, FormatSpec
from openidv.documents.mrz.parse import MRZFormatError, MRZResult, parse_lines

__all__ = [
    "ALPHABET",
    "FORMATS",
    "FormatSpec",
    "MRZFormatError",
    "MRZResult",
    "check_digit",
    "parse_lines",
    "read_logp",
    "read_text",
]
