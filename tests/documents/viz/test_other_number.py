"""Another document number of the holder's number's format: when it is a clear mismatch.

Readings are built by hand: the same lines read by two or three page-mode readings, with
Tesseract-style word confidences.
"""

from __future__ import annotations

from datetime import date

from viz_readings import read_alike

from openidv.documents.viz.crosscheck import Claims, against_viz
from openidv.documents.viz.extract import VIZReading
from openidv.documents.viz.other_number import number_format, other_number

TODAY = date(2026, 11, 30)


def mrz(number: str) -> Claims:
    return Claims("mrz", "VIRTANEN", "ANNA MARIA", date(1972, 7, 17), date(2031, 4, 13), number, "F", "FIN")


def zone(number_line: str, conf: float = 92.0, readings: int = 2) -> VIZReading:
    """A card's zone read `readings` times, each reading giving the same lines."""
    return read_alike([("VIRTANEN", [96.0]), ("ANNA MARIA", [95.0, 95.0]), ("17.07.1972", [96.0]),
                       (number_line, [conf] * len(number_line.split())), ("13.04.2031", [96.0])], readings)


def number(viz: VIZReading, ref: str) -> dict[str, object] | None:
    found = [d for d in against_viz(mrz(ref), viz, TODAY).disagreements if d.field == "document_number"]
    return found[0].as_dict() if found else None


def test_a_number_of_the_same_format_in_place_of_the_holders_is_a_clear_mismatch() -> None:
    d = number(zone("XW6357675"), "EU3832025")  # a passport number spliced in from another document
    assert d is not None and d["strong"] and not d["unread"] and d["number_replaced"]
    d = number(zone("No. F6070090"), "D8509354")  # a licence number after its label
    assert d is not None and d["strong"] and d["number_replaced"]


def test_the_format_must_identify_the_number() -> None:
    assert number_format("XW-635 7675") == "LLDDDDDDD"
    for ref, read in (("418270970", "464355018"),  # digits only: a personal number prints so
                      ("BMMBSREAJ", "AUTHORITY"),  # letters only: words share the format
                      ("A12B3", "C45D6")):  # too short to say which field it is
        d = number(zone(read), ref)
        assert d is None or not d["strong"], ref


def test_a_misread_copy_a_doubtful_word_or_one_reading_is_no_replaced_number() -> None:
    for viz, ref in ((zone("XW6357675", conf=80.0), "EU3832025"),  # read doubtfully
                     (zone("XW6357675", readings=1), "EU3832025"),  # one reading's word
                     (zone("EU383Z0Z5"), "EU3832025"),  # the holder's number with look-alikes
                     (zone("XW6357675 EU383"), "EU3832025")):  # a part of the holder's number agrees
        d = number(viz, ref)
        assert d is None or not d.get("number_replaced"), viz.lines[3]
    assert other_number("EU3832025", [[[("XW6357675", 92.0)]], [[("XW6357675", 84.0)]]]) is None
    assert other_number("EU3832025", [[[("XW6357675", 92.0)]], [[("(XW6357675)", 86.0)]]]) == "XW6357675"
