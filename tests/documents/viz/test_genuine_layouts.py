"""Genuine layouts a review built against the stop-24 rules (the surname's slot on mixed-case designs,
another number of the document number's format, given names retyped): hand-made readings of genuine
documents, each of which once drew a false clear mismatch. Each test asserts the rule does not fire.
"""

from __future__ import annotations

from datetime import date

import pytest

from openidv.documents.viz.anchors import surname_above_given
from openidv.documents.viz.crosscheck import Claims, Disagreement, _words, against_viz
from openidv.documents.viz.extract import VIZReading
from openidv.documents.viz.other_number import other_number

TODAY = date(2026, 11, 30)
NOISE = ("Oamuniia", 8.0, 300, 60)  # a doubtful word (guilloche, an unreadable script)


def reading(*lines, breaks=(), modes=()) -> VIZReading:
    """Lines as (text, confidence of every word, left x, top y[, height: 15 px]) - as tests/…/test_anchors.py."""
    boxes = [(ln[0], (ln[2], ln[3], ln[2] + 12 * len(ln[0]), ln[3] + (ln[4] if len(ln) > 4 else 15)))
             for ln in lines]
    return VIZReading(lines=boxes, words=sum(len(ln[0].split()) for ln in lines), mean_conf=90.0,
                      confs=[[ln[1]] * len(ln[0].split()) for ln in lines], breaks=list(breaks), modes=modes)


def read_by(viz: VIZReading, modes=(11, 3, 6)) -> VIZReading:
    """The same lines read by each page-mode reading in `modes` (the shared recogniser reads them alike)."""
    n = len(viz.lines)
    return VIZReading(lines=viz.lines * len(modes), words=viz.words, mean_conf=viz.mean_conf,
                      confs=viz.confs * len(modes), breaks=[n * k for k in range(1, len(modes))], modes=modes)


def field(viz: VIZReading, ref: Claims, name: str) -> Disagreement | None:
    found = [d for d in against_viz(ref, viz, TODAY).disagreements if d.field == name]
    return found[0] if found else None


def clear_mismatch(d: Disagreement | None) -> bool:
    return d is not None and d.strong and not d.unread


# --- 1. b8f6114: the surname's slot above mixed-case given names, sized by the dates -----------------

def test_1a_a_national_given_names_label_in_title_case_is_taken_for_a_replaced_surname() -> None:
    """Mixed-case design (given names "Anna Maria"), surname value lost to glare. The given names'
    national label is read on its own line (the English half is printed apart / in lighter ink):
    "Ismijiet" (Maltese), Title case, 11 px - a label's 1.6 mm font, stretched by the j's descender
    and the dots, is 0.85 of the 13 px digit lines (digits have neither), though only 0.73 of the
    given names' line. Before b8f6114 it failed _capitals; now it is 'a replaced surname'."""
    ref = Claims("mrz", "CAMILLERI", "ANNA MARIA", date(1972, 7, 17), date(2031, 4, 13), "1234567M", "F", "MLT",
                 issuer="MLT")
    viz = reading(("REPUBLIC OF MALTA", 96.0, 40, 10), NOISE, ("Kunjom / Surname", 93.0, 40, 96, 11),
                  ("Ismijiet", 93.0, 40, 136, 11), ("Given names", 90.0, 160, 136, 11),
                  ("Anna Maria", 95.0, 44, 156, 15), ("17.07.1972", 96.0, 44, 196, 13),
                  ("13.04.2031", 96.0, 44, 236, 13))
    assert surname_above_given(viz, _words(viz), "ANNA MARIA", 85.0) == []
    assert not clear_mismatch(field(viz, ref, "surname"))


@pytest.mark.parametrize("label", ["Pangalan", "Eesnimi", "Etunimi", "Majina"])
def test_1b_other_unknown_title_case_given_name_labels(label: str) -> None:
    ref = Claims("mrz", "VIRTANEN", "ANNA MARIA", date(1972, 7, 17), date(2031, 4, 13), "XP1234567", "F", "FIN",
                 issuer="FIN")
    viz = reading(NOISE, ("Surname", 93.0, 40, 96, 11), (label, 93.0, 40, 136, 11),
                  ("Anna Maria", 95.0, 44, 156, 15), ("17.07.1972", 96.0, 44, 196, 13),
                  ("13.04.2031", 96.0, 44, 236, 13))
    assert not clear_mismatch(field(viz, ref, "surname")), label


def test_1c_caps_design_an_unknown_label_sized_like_the_smaller_dates_is_taken_for_the_surname() -> None:
    """Caps design printing names larger (2.6 mm) than its other values (2.0 mm): an unknown national
    given-names label (1.6 mm, 'EMRI') is 0.67 of the given names' line - a label before b8f6114 -
    but 0.83 of the surely read date lines, so now 'value-sized'; surname value lost to glare."""
    ref = Claims("mrz", "HOXHA", "ANNA MARIA", date(1972, 7, 17), date(2031, 4, 13), "BA1234567", "F", "ALB",
                 issuer="ALB")
    viz = reading(NOISE, ("MBIEMRI", 93.0, 40, 96, 10), ("EMRI", 93.0, 40, 138, 10),
                  ("ANNA MARIA", 95.0, 44, 156, 15), ("17 07 1972", 96.0, 44, 196, 12),
                  ("13 04 2031", 96.0, 44, 236, 12), ("BA1234567", 96.0, 300, 236, 12))
    assert not clear_mismatch(field(viz, ref, "surname"))


# --- 2. 1776a46: another number of the document number's format --------------------------------------

def test_2a_a_previous_passport_number_on_the_data_page_is_no_replaced_number() -> None:
    """Data pages that print 'Previous Passport No.' (e.g. Bangladesh's) in the same LLDDDDDDD
    format; the holder's own number (top right, red) lost to glare."""
    ref = Claims("mrz", "RAHMAN", "ABDUL KARIM", date(1980, 1, 1), date(2031, 4, 13), "BN0123456", "M", "BGD",
                 issuer="BGD")
    one = reading(("Passport No.", 90.0, 600, 40, 11),  # the number itself: not read
                  ("Surname", 90.0, 300, 80, 11), ("RAHMAN", 95.0, 300, 96),
                  ("Given Name", 90.0, 300, 120, 11), ("ABDUL KARIM", 95.0, 300, 136),
                  ("Previous Passport No.", 90.0, 300, 160, 11), ("BM0987654", 92.0, 300, 176),
                  ("01 JAN 1980", 95.0, 600, 176))
    d = field(read_by(one), ref, "document_number")
    assert d is None or not d.as_dict().get("number_replaced")


def test_2b_a_licence_document_discriminator_of_the_dl_numbers_format_is_no_replaced_number() -> None:
    """A US licence whose DD / audit / inventory number happens to share the DL number's letter-digit
    pattern (AAMVA leaves the DD format to the issuer); the DL number (red, over the ghost image)
    not read. The rule's own test accepts 'No. F6070090' - nothing tells 'DD' from 'No.'."""
    ref = Claims("barcode", "SAMPLE", "JANE", date(1980, 1, 1), date(2031, 4, 13), "D8509354", "F", None)
    one = reading(("CALIFORNIA", 96.0, 300, 10), ("DRIVER LICENSE", 96.0, 300, 30),
                  ("LN SAMPLE", 95.0, 300, 100), ("FN JANE", 95.0, 300, 120),
                  ("DOB 01/01/1980", 93.0, 300, 160), ("DD F6070090", 92.0, 300, 300))
    d = field(read_by(one), ref, "document_number")
    assert d is None or not d.as_dict().get("number_replaced")


def test_2c_conservative_with_a_single_reading_or_unknown_modes() -> None:
    lines = [[("XW6357675", 92.0)]]
    assert other_number("EU3832025", [lines]) is None
    viz = reading(("VIRTANEN", 96.0, 0, 0), ("ANNA MARIA", 95.0, 0, 20), ("XW6357675", 92.0, 0, 40))
    ref = Claims("mrz", "VIRTANEN", "ANNA MARIA", None, None, "EU3832025", "F", "FIN")
    d = field(viz, ref, "document_number")  # modes () and one reading
    assert d is None or not d.as_dict().get("number_replaced")


# --- 3. 557636b: given names with a letter or two retyped --------------------------------------------

@pytest.mark.parametrize(("given", "place"), [("MARIA", "PARIS (75)"), ("BORIS", "PARIS"), ("SIMON", "DIJON (21)"),
                                               ("LEON", "LYON 3E ARRONDISSEMENT")])
def test_3a_a_place_of_birth_a_letter_or_two_from_the_given_name_is_not_the_given_names(given: str,
                                                                                       place: str) -> None:
    """French passport / CNI: the given-names value wiped by the hologram's glare (the project's own
    'given names unread' case), the place of birth read clearly by both readings. MARIA/PARIS differ
    at M/P and A/S; LEON/LYON at E/Y; neither pair is a look-alike."""
    ref = Claims("mrz", "DUBOIS", given, date(1985, 3, 12), date(2031, 4, 13), "18FV12345", "F", "FRA",
                 issuer="FRA", given_conf=(0.99,) * len(given))
    one = reading(("PASSEPORT", 96.0, 40, 10), ("Nom/Surname", 90.0, 300, 60, 11), ("DUBOIS", 95.0, 300, 76),
                  ("Prénoms/Given names", 90.0, 300, 100, 11),
                  ("Lieu de naissance/Place of birth", 90.0, 300, 180, 11), (place, 93.0, 300, 196),
                  ("Date de naiss./Date of birth", 90.0, 600, 140, 11), ("12 03 1985", 95.0, 600, 156))
    d = field(read_by(one, (11, 3)), ref, "given_names")
    assert d is None or not d.as_dict().get("letters_changed"), d


def test_3b_a_national_label_a_letter_or_two_from_the_given_name_is_not_the_given_names() -> None:
    """Italian CIE: 'SESSO / SEX' (SESSO is in no label list) against TESSA: S/T, O/A."""
    ref = Claims("mrz", "ROSSI", "TESSA", date(1985, 3, 12), date(2031, 4, 13), "CA00000AA", "F", "ITA",
                 issuer="ITA", given_conf=(0.99,) * 5)
    one = reading(("REPUBBLICA ITALIANA", 96.0, 40, 10), ("COGNOME / SURNAME", 90.0, 300, 60, 11),
                  ("ROSSI", 95.0, 300, 76), ("NOME / NAME", 90.0, 300, 100, 11),
                  ("SESSO / SEX", 93.0, 300, 180, 11), ("F", 95.0, 300, 196), ("12.03.1985", 95.0, 600, 156))
    d = field(read_by(one, (11, 3)), ref, "given_names")
    assert d is None or not d.as_dict().get("letters_changed"), d


def test_3c_conservative_when_modes_are_empty_or_do_not_match() -> None:
    ref = Claims("mrz", "DUBOIS", "MARIA", date(1985, 3, 12), date(2031, 4, 13), "18FV12345", "F", "FRA",
                 issuer="FRA")
    one = reading(("DUBOIS", 95.0, 300, 76), ("PARIS", 93.0, 300, 196))
    twice = read_by(one, (11, 3))
    for viz in (one, VIZReading(lines=twice.lines, confs=twice.confs, words=4, breaks=twice.breaks, modes=(11,)),
                VIZReading(lines=twice.lines, confs=twice.confs, words=4, breaks=twice.breaks, modes=(6, 6))):
        d = field(viz, ref, "given_names")
        assert d is None or not d.as_dict().get("letters_changed"), viz.modes
