"""Genuine layouts two reviews built against the stop-24 rules (the surname's slot on mixed-case
designs, another number of the document number's format, given names retyped): hand-made readings of
genuine documents, each of which once drew a false clear mismatch. Each test asserts the rule does not
fire. Geometry: rectified documents at 9 px/mm; ID-1 labels ~1.3 mm (11-12 px), values ~2.0 mm
(15-18 px), ~4.4 mm (40 px) per field.
"""

from __future__ import annotations

import random
from datetime import date

import pytest

from openidv.documents.viz.anchors import given_names_places, surname_above_given
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


# --- second review (ea4e46b) ---------------------------------------------------------------------

def not_retyped(d: Disagreement | None) -> bool:
    return d is None or not d.as_dict().get("letters_changed")


def not_replaced(d: Disagreement | None) -> bool:
    return d is None or not d.as_dict().get("number_replaced")


def mrz(surname: str, given: str, issuer: str, number: str = "XP1234567") -> Claims:
    return Claims("mrz", surname, given, date(1983, 8, 12), date(2031, 4, 13), number, "M", issuer, issuer=issuer,
                  surname_conf=(0.99,) * len(surname.replace(" ", "")),
                  given_conf=(0.99,) * len(given.replace(" ", "")))

def _fathers_name_under(label: str) -> Disagreement | None:
    """A Peruvian-style card: the son's given-names value glared, a father's-name field under it."""
    ref = mrz("ROSSI", "MARIO", "PER", "AB1234567")
    one = reading(("APELLIDOS / SURNAME", 90.0, 40, 60, 11), ("ROSSI", 95.0, 44, 76),
                  ("NOMBRES / GIVEN NAMES", 90.0, 40, 100, 11),  # value glared
                  ("NACIONALIDAD / NATIONALITY", 90.0, 40, 140, 11), ("PERUANA", 95.0, 44, 156),
                  (label, 90.0, 40, 180, 11), ("MARCO", 95.0, 44, 196))
    return field(read_by(one, (11, 3)), ref, "given_names")



# ============================ rule 3: given names retyped ============================================

def test_3_1_stacked_card_given_value_glared_next_label_missed_place_of_birth_is_under_the_surname() -> None:
    """ID-1 card (old Belgian eID style): Name / Given names / Place and date of birth, stacked. Glare
    wipes the given-names value and the small place-of-birth label (or the OCR just misses it); the
    given-names LABEL is read. For the place/date line, the given-names label is 3.1 heights above
    (beyond 2h, so `continue`), and the search climbs to the surname's line 6.3 mm above: 'under the
    surname'. GENT (city) vs GERT (given name): one non-look-alike letter (N/R)."""
    ref = mrz("PEETERS", "GERT", "BEL")
    one = reading(("BELGIE BELGIQUE BELGIEN BELGIUM", 96.0, 40, 10),
                  ("Naam / Name", 90.0, 40, 60, 11), ("PEETERS", 95.0, 44, 76, 17),
                  ("Voornamen / Given names", 90.0, 40, 100, 11),
                  # given-names value (116) and "Geboorteplaats en -datum / Place and date of birth" (140): glare
                  # (a date printed "12 AUG 1983" would add AUG to the value: tokens drop pure-digit words)
                  ("GENT 12.08.1983", 94.0, 44, 156, 17))
    viz = read_by(one, (11, 3))
    assert not_retyped(field(viz, ref, "given_names")), given_names_places(viz, _words(viz), "PEETERS", 85.0)


def test_3_2_same_with_the_given_names_label_also_glared() -> None:
    ref = mrz("PEETERS", "GERT", "BEL")
    one = reading(("BELGIE BELGIQUE BELGIEN BELGIUM", 96.0, 40, 10),
                  ("Naam / Name", 90.0, 40, 60, 11), ("PEETERS", 95.0, 44, 76, 17),
                  ("GENT 12.08.1983", 94.0, 44, 156, 17))
    assert not_retyped(field(read_by(one, (11, 3)), ref, "given_names"))


def test_3_3_table_layout_labels_left_values_right_next_row_is_under_the_surname() -> None:
    """Labels in a left column, values in a right column (psm 11/3 split them into separate lines):
    nothing but the surname stands above the place of birth in the values' column once the
    given-names value is glared - the first review's PARIS/MARIA pair, now via 'under the surname'."""
    ref = mrz("DUBOIS", "MARIA", "FRA", "18FV12345")
    one = reading(("Nom / Surname", 90.0, 40, 100, 11), ("DUBOIS", 95.0, 220, 98),
                  ("Prenoms / Given names", 90.0, 40, 140, 11),  # value at (220, 138): glare
                  ("Lieu de naissance / Place of birth", 90.0, 40, 180, 11), ("PARIS", 94.0, 220, 178),
                  ("Date de naissance / Date of birth", 90.0, 40, 220, 11), ("12.08.1983", 95.0, 220, 218))
    viz = read_by(one, (11, 3))
    assert not_retyped(field(viz, ref, "given_names")), given_names_places(viz, _words(viz), "DUBOIS", 85.0)


def test_3_4_aamva_numbered_fields_given_line_glared_address_is_under_the_surname() -> None:
    """US licence: numbered fields, no label lines ('1 SAMPLE', '2 JANE', '8 ADDRESS'). Field 2
    glared; the address line's digits drop out of the tokens, leaving its street words, right under
    the surname line: 'under the surname'. DAVIS (street) vs DAVID (barcode first name, no MRZ
    letter confidences to protect it): one letter S/D."""
    ref = Claims("barcode", "SAMPLE", "DAVID", date(1983, 8, 12), date(2031, 4, 13), "D8509354", "M", None)
    one = reading(("CALIFORNIA", 96.0, 300, 10), ("DRIVER LICENSE", 96.0, 300, 30),
                  ("DL D8509354", 93.0, 300, 60), ("1 SAMPLE", 95.0, 300, 100),
                  # "2 DAVID" at (300, 122): glare
                  ("8 1400 DAVIS", 93.0, 300, 144), ("SACRAMENTO, CA 95818", 93.0, 300, 166),
                  ("DOB 08/12/1983", 93.0, 300, 200))
    viz = read_by(one, (11, 3))
    assert not_retyped(field(viz, ref, "given_names")), given_names_places(viz, _words(viz), "SAMPLE", 85.0)


@pytest.mark.parametrize("label", ["NOMBRE DEL PADRE / FATHER'S NAME", "NOME DO PAI / FATHER'S NAME",
                                   "Prenom du pere / Father's given name"])
def test_3_5_a_parents_name_label_holds_a_given_names_label_word(label: str) -> None:
    """A father's-name field (Latin-script documents printing filiation on the holder's side): its label
    holds NOMBRE / NOME / PRENOM / GIVEN, so the line under it is 'under a given-names label'. Father
    MARCO, son MARIO (C/I), the son's given-names value glared."""
    assert not_retyped(_fathers_name_under(label))


def test_3_6_a_given_names_label_and_another_field_label_merged_on_one_row() -> None:
    """Row of two labels read as one line ('Given names   Place of birth'), the values row below split
    in columns; the given-names value (right) glared; the left-column value under the merged label
    line is 'under a given-names label'."""
    ref = mrz("DUBOIS", "MARIA", "FRA", "18FV12345")
    one = reading(("Nom / Surname", 90.0, 40, 60, 11), ("DUBOIS", 95.0, 44, 76),
                  ("Lieu de naissance / Place of birth   Prenoms / Given names", 90.0, 40, 100, 11),
                  ("PARIS", 94.0, 44, 116))
    assert not_retyped(field(read_by(one, (11, 3)), ref, "given_names"))


def test_3_7_surname_and_given_names_on_one_line_then_a_city() -> None:
    """'SAMPLE, JANE ANN' on one line: the line under it must not count as under the surname."""
    ref = Claims("barcode", "SAMPLE", "DAVID", date(1983, 8, 12), date(2031, 4, 13), "D8509354", "M", None)
    one = reading(("1 SAMPLE, DAVIB", 40.0, 300, 100), ("8 1400 DAVIS", 93.0, 300, 122))
    assert not_retyped(field(read_by(one, (11, 3)), ref, "given_names"))


# ============================ rule 2: another number of the document number's format ================

def _bgd(label: str, *, interleave: bool = False, split: bool = False) -> VIZReading:
    lines = [("Passport No.", 90.0, 600, 40, 11),  # the holder's own number (red): not read
             ("Surname", 90.0, 300, 80, 11), ("RAHMAN", 95.0, 300, 96),
             ("Given Name", 90.0, 300, 120, 11), ("ABDUL KARIM", 95.0, 300, 136)]
    if split:
        a, b = label.rsplit(" ", 2)[0], " ".join(label.rsplit(" ", 2)[1:])
        lines += [(a, 90.0, 300, 150, 11), (b, 90.0, 300, 162, 11)]
    else:
        lines.append((label, 90.0, 300, 160, 11))
    if interleave:
        lines.append(("Date of Issue", 90.0, 600, 160, 11))
    lines += [("BM0987654", 92.0, 300, 176), ("01 JAN 1980", 95.0, 600, 176)]
    return read_by(reading(*lines))


BGD = Claims("mrz", "RAHMAN", "ABDUL KARIM", date(1980, 1, 1), date(2031, 4, 13), "BN0123456", "M", "BGD",
             issuer="BGD")


@pytest.mark.parametrize("label", ["N° passeport précédent", "Früherer Reisepass Nr.", "Pasaporte anterior",
                                   "Vorige paspoort nr.", "Poprzedni paszport nr", "Tidigare pass nr",
                                   "Prev. Passport No.", "Old PP No.", "Ancien N° passeport",
                                   "Předchozí pas č.", "Önceki pasaport no"])
def test_2_1_previous_number_labels_in_national_languages_and_abbreviations(label: str) -> None:
    d = field(_bgd(label), BGD, "document_number")
    assert not_replaced(d), label


def test_2_2_label_not_the_previous_line_in_reading_order_two_columns() -> None:
    """psm 11 / psm 3 list the right column's label of the same row ('Date of Issue') between the
    'Previous Passport No.' label and its value: lines[n-1] is then that other label."""
    assert not_replaced(field(_bgd("Previous Passport No.", interleave=True), BGD, "document_number"))


def test_2_3_label_wrapped_onto_two_lines() -> None:
    """'Previous' / 'Passport No.': the naming word is two lines above the value."""
    assert not_replaced(field(_bgd("Previous Passport No.", split=True), BGD, "document_number"))


def test_2_4_other_number_accented_word_is_split() -> None:
    lines = [[("Früherer", 90.0), ("Pass", 90.0)], [("BM0987654", 92.0)]]
    assert other_number("BN0123456", [lines, lines]) is None


# --- third review (863c959) ----------------------------------------------------------------------

@pytest.mark.parametrize(("printed_read", "surname"), [("GOEAB", "GOLAB"), ("MAEECKI", "MALECKI"),
                                                       ("PAWEOWSKI", "PAWLOWSKI")])
def test_b1_polish_surname_with_l_stroke_read_as_e(printed_read: str, surname: str) -> None:
    """Polish ID card: 'NAZWISKO / SURNAME' over GOŁĄB, read GOEAB at 91 by psm 11 and psm 3 (one
    recogniser pass); MRZ GOLAB read surely."""
    ref = mrz(surname, "ANNA", "POL", "ABA300000")
    one = reading(("RZECZPOSPOLITA POLSKA", 96.0, 40, 10), ("NAZWISKO / SURNAME", 90.0, 40, 60, 11),
                  (printed_read, 91.0, 44, 76, 17), ("IMIONA / GIVEN NAMES", 90.0, 40, 100, 11),
                  ("ANNA", 95.0, 44, 116, 17), ("12.08.1983", 95.0, 44, 156, 15))
    d = field(read_by(one, (11, 3)), ref, "surname")
    assert not_retyped(d), d


@pytest.mark.parametrize(("printed_read", "given"), [("EUKASZ", "LUKASZ"), ("STANISEAW", "STANISLAW"),
                                                     ("WEADYSEAW", "WLADYSLAW"), ("EUCJA", "LUCJA")])
def test_b2_polish_given_names_with_l_stroke_read_as_e(printed_read: str, given: str) -> None:
    ref = mrz("KOWALSKI", given, "POL", "ABA300000")
    one = reading(("RZECZPOSPOLITA POLSKA", 96.0, 40, 10), ("NAZWISKO / SURNAME", 90.0, 40, 60, 11),
                  ("KOWALSKI", 95.0, 44, 76, 17), ("IMIONA / GIVEN NAMES", 90.0, 40, 100, 11),
                  (printed_read, 91.0, 44, 116, 17), ("12.08.1983", 95.0, 44, 156, 15))
    d = field(read_by(one, (11, 3)), ref, "given_names")
    assert not_retyped(d), d


# ============ (a) rule 3: given-names places ==========================================================

@pytest.mark.parametrize("label", ["NOMBRE DEL PAORE", "NOMBRE DEL PADHE", "Prenom du pore"])
def test_a1_relatives_word_garbled_while_the_given_label_word_is_read(label: str) -> None:
    """test_3_5 with the relative's word misread (D read as O - a pair LETTER_LOOKALIKES itself lists;
    R as H; è as o). GIVEN_LABELS match fuzzily (>= 5 letters, ratio 85) but RELATIVES only exactly, so
    a label garbled in the relative's word but not in NOMBRE / PRENOM is 'the given names' label'."""
    assert not_retyped(_fathers_name_under(label))


@pytest.mark.parametrize("label", ["BABA ADI", "ANNE ADI"])
def test_a1b_turkish_parents_labels_monolingual(label: str) -> None:
    """'Baba Adı' / 'Anne Adı' (father's / mother's name): ADI is a given-names label, BABA / ANNE /
    ANA are no RELATIVES. (Turkish eID prints them on the back, which is not read; kept for any
    holder-side design printing them without the English half, or with it glared.)"""
    ref = mrz("YILMAZ", "MARIO", "TUR", "A01A12345")
    one = reading(("SOYADI / SURNAME", 90.0, 40, 60, 11), ("YILMAZ", 95.0, 44, 76),
                  ("ADI / GIVEN NAMES", 90.0, 40, 100, 11),
                  ("UYRUGU / NATIONALITY", 90.0, 40, 140, 11), ("T.C.", 95.0, 44, 156),
                  (label, 90.0, 40, 180, 11), ("MARCO", 95.0, 44, 196))
    assert not_retyped(field(read_by(one, (11, 3)), ref, "given_names"))


def test_a4_given_names_right_of_the_surname_next_row_is_under_the_surname() -> None:
    """Names row printed 'DUBOIS   MARIA' (psm 11 / 3 split it into two lines), MARIA glared; the
    next row's value (place of birth) sits right under the surname, its small label not read. The
    row under the surname is then another field's, within 2.5 heights."""
    ref = mrz("DUBOIS", "MARIA", "FRA", "18FV12345")
    one = reading(("Nom / Surname", 90.0, 40, 60, 11), ("DUBOIS", 95.0, 44, 76),
                  ("Prenoms / Given names", 90.0, 300, 60, 11),  # value (300, 76): glare
                  # "Lieu de naissance / Place of birth" (40, 96): light ink, not read
                  ("PARIS", 94.0, 44, 110))
    viz = read_by(one, (11, 3))
    assert not_retyped(field(viz, ref, "given_names")), given_names_places(viz, _words(viz), "DUBOIS", 85.0)


# ============ (a) rule 2: another number of the document number's format ==============================

BGD = Claims("mrz", "RAHMAN", "ABDUL KARIM", date(1980, 1, 1), date(2031, 4, 13), "BN0123456", "M", "BGD",
             issuer="BGD")


def _bgd_row(label: str) -> VIZReading:
    return read_by(reading(("Passport No.", 90.0, 600, 40, 11),
                           ("Surname", 90.0, 300, 80, 11), ("RAHMAN", 95.0, 300, 96),
                           ("Given Name", 90.0, 300, 120, 11), ("ABDUL KARIM", 95.0, 300, 136),
                           (label, 90.0, 300, 160, 11), ("BM0987654", 92.0, 300, 176),
                           ("01 JAN 1980", 95.0, 600, 176)))


@pytest.mark.parametrize("label", [
    "Nr. des früheren Passes", "Vorheriger", "Číslo předchozího pasu", "Predchádzajúci pas č.",
    "Korábbi útlevél száma", "Broj prethodne putovnice", "Prejšnji potni list št.", "Ankstesnio paso Nr.",
    "Iepriekšējās pases Nr.", "Eelmise passi nr", "Aiemman passin numero", "Edellinen passi nro",
    "Föregående pass nr", "Forrige pas nr.", "Eerdere paspoort nr.", "Passaporte antigo n.º",
    "Pasaporte previo", "Vecchio passaporto n.", "Preċedenti passaport Nru", "No. Paspor Lama",
    "Paspor sebelumnya", "Dating Pasaporte Blg.", "Pasipoti ya zamani", "Last Passport No.",
    "Cancelled Passport No.", "Expired Passport No.", "Replaced Passport No.",
])
def test_a3_previous_number_label_words_missing(label: str) -> None:
    assert not_replaced(field(_bgd_row(label), BGD, "document_number")), label


def test_a3b_label_left_of_the_number_on_its_row_read_as_its_own_line() -> None:
    """Table layout ('Previous Passport No.    BM0987654'): psm 11 / 3 give the label and the value as
    two lines of one row. `_above` takes only lines ending above the value's top (+h/4), and with
    boxes known the reading-order fallback (n-1, n-2) is off."""
    one = reading(("Passport No.", 90.0, 600, 40, 11),
                  ("Surname", 90.0, 40, 96, 11), ("RAHMAN", 95.0, 300, 94),
                  ("Given Name", 90.0, 40, 136, 11), ("ABDUL KARIM", 95.0, 300, 134),
                  ("Previous Passport No.", 90.0, 40, 176, 11), ("BM0987654", 92.0, 300, 174))
    assert not_replaced(field(read_by(one), BGD, "document_number"))


def test_a3c_licence_dd_label_split_from_its_value() -> None:
    """test_2b with 'DD' printed a few millimetres left of its value (psm 11 splits the row)."""
    ref = Claims("barcode", "SAMPLE", "JANE", date(1980, 1, 1), date(2031, 4, 13), "D8509354", "F", None)
    one = reading(("CALIFORNIA", 96.0, 300, 10), ("DRIVER LICENSE", 96.0, 300, 30),
                  ("LN SAMPLE", 95.0, 300, 100), ("FN JANE", 95.0, 300, 120),
                  ("DOB 01/01/1980", 93.0, 300, 160), ("DD", 90.0, 300, 302, 11), ("F6070090", 92.0, 350, 300))
    assert not_replaced(field(read_by(one), ref, "document_number"))


# ============ (c) exceptions: random readings through against_viz =====================================

def test_c_no_exception_on_odd_readings() -> None:
    rng = random.Random(24)
    words = ["", " ", "Ł", "ÉÉ", "$", "(S)", "-", "DD", "BM0987654", "MARIA", "DUBOIS", "Given", "names", "1",
             "Nom", "/", "PAORE", "'", "’", "Al-", "-Sayed", "O'", "ÞÓRA", "12.08.1983", "İ", "ß", "\t"]
    refs = [mrz("DUBOIS", "MARIA", "FRA", "BN0123456"),
            Claims("barcode", "SAMPLE", "JANE", None, None, "D8509354", None, None),
            Claims("mrz", "O'NEIL", "ANN-MARIE", None, None, "<<", None, None, given_conf=(0.5,)),
            Claims("mrz", "", " ", None, None, "", None, None)]
    for _ in range(300):
        lines = []
        for _ in range(rng.randint(0, 8)):
            text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 4)))
            x, y = rng.randint(-5, 400), rng.randint(-5, 300)
            lines.append((text, (x, y, x + rng.randint(0, 200), y + rng.randint(0, 30))))
        n = len(lines)
        confs = [[rng.choice([0.0, 50.0, 90.0, -1.0]) for _ in t.split()] for t, _ in lines]
        k = rng.randint(1, 3)
        viz = VIZReading(lines=lines * k, confs=confs * k, words=n, mean_conf=80.0,
                         breaks=[n * j for j in range(1, k)] + ([rng.randint(-2, 3 * n)] if rng.random() < .2 else []),
                         modes=rng.choice([(), (11,), (11, 3), (11, 3, 6), (6, 6, 6)]))
        for ref in refs:
            against_viz(ref, viz, TODAY)
