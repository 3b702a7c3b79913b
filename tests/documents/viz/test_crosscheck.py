"""The visual-zone cross-check: what counts as a clear mismatch, an unconfirmed value, or a missed one.

Readings are built by hand (text and Tesseract-style word confidences), so every rule is pinned
without OCR.
"""

from __future__ import annotations

from datetime import date

from openidv.documents.viz.crosscheck import Claims, Disagreement, against_viz
from openidv.documents.viz.extract import VIZReading
from openidv.documents.viz.normalise import find_dates, number_fold

TODAY = date(2026, 11, 29)


def reading(*lines: tuple[str, float] | tuple[str, list[float]]) -> VIZReading:
    """Lines as (text, one confidence for every word) or (text, per-word confidences)."""
    texts, confs = [], []
    for text, conf in lines:
        n = len(text.split())
        confs.append(list(conf) if isinstance(conf, list) else [float(conf)] * n)
        texts.append((text, (0, 20 * len(texts), 100, 20 * len(texts) + 15)))
    return VIZReading(lines=texts, words=sum(len(t.split()) for t, _ in texts), mean_conf=90.0, confs=confs)


MRZ = Claims("mrz", "VIRTANEN", "ANNA MARIA", date(1972, 7, 17), date(2031, 4, 13), "HCD243471", "F", "FIN")


def genuine(**changes: tuple[str, float]) -> VIZReading:
    fields = {"surname": ("VIRTANEN", 96.0), "given": ("ANNA MARIA", 95.0), "dob": ("17.07.1972", 96.0),
              "issue": ("14.04.2021", 95.0), "expiry": ("13.04.2031", 96.0), "number": ("HCD243471", 93.0)}
    fields.update(changes)
    return reading(("REPUBLIC OF FINLAND", 96.0), ("PASSPORT / PASSI", 94.0), *fields.values(),
                   ("CENTRAL AUTHORITY", 95.0))


def disagreement(viz: VIZReading, field: str, ref: Claims = MRZ, month_first: bool = False) -> Disagreement | None:
    found = [d for d in against_viz(ref, viz, TODAY, month_first).disagreements if d.field == field]
    return found[0] if found else None


def test_a_genuine_reading_agrees_on_every_field() -> None:
    cc = against_viz(MRZ, genuine(), TODAY)
    assert set(cc.compared) == {"surname", "given_names", "date_of_birth", "date_of_expiry", "document_number"}
    assert cc.disagreements == []


def test_a_clearly_printed_other_surname_is_a_mismatch() -> None:
    d = disagreement(genuine(surname=("WALKER", 97.0)), "surname")
    assert d is not None and d.strong and not d.unread


def test_a_surname_the_ocr_garbled_is_not_a_mismatch() -> None:
    d = disagreement(genuine(surname=("VRTANFN", 31.0)), "surname")
    assert d is not None and not d.strong and d.unread  # a near match: a misread spelling
    d = disagreement(genuine(surname=("VIRTXXX", 31.0)), "surname")
    assert d is not None and not d.strong and not d.unread  # a doubtful look-alike: unconfirmed
    d = disagreement(genuine(surname=("VKRT4NFM", 12.0)), "surname")
    assert d is not None and not d.strong  # garbled letters: not a different name


def test_a_name_is_matched_on_whole_words_only() -> None:
    # a short line is not "found" inside a long name, nor a short name inside a label
    assert disagreement(genuine(surname=("T.", 6.0)), "surname") is not None
    ref = Claims("mrz", "WEISS", "ANNA MARIA", date(1972, 7, 17), date(2031, 4, 13), "HCD243471")
    viz = genuine(surname=("ROSSI", 95.0), given=("ANNA MARIA", 95.0))
    viz.lines[1] = ("IDENTITY CARD / PERSONALAUSWEIS", viz.lines[1][1])
    viz.confs[1] = [96.0] * 4
    d = disagreement(viz, "surname", ref)
    assert d is not None and d.strong


def test_a_missed_name_with_the_other_name_missed_too_is_unread() -> None:
    d = disagreement(genuine(surname=("", 0.0), given=("", 0.0)), "surname")
    assert d is not None and d.unread and not d.strong


def test_a_truncated_mrz_name_matches_the_start_of_the_printed_one() -> None:
    ref = Claims("mrz", "FERNANDEZDECORD", "ANNA MARIA", date(1972, 7, 17), date(2031, 4, 13), "HCD243471")
    assert disagreement(genuine(surname=("FERNANDEZ DE CORDOBA", 96.0)), "surname", ref) is None


def test_numbers_fold_the_characters_ocr_confuses() -> None:
    assert number_fold("Z73264572") == number_fold("273264572")
    assert number_fold("T64637295") == number_fold("164637295")
    assert number_fold("NCI2ASQEI") == number_fold("NCIZASQE!")
    ref = Claims("mrz", "VIRTANEN", "ANNA MARIA", date(1972, 7, 17), date(2031, 4, 13), "Z73264572")
    assert disagreement(genuine(number=("273264572", 90.0)), "document_number", ref) is None


def test_a_number_changed_and_read_clearly_is_a_mismatch_read_doubtfully_is_not() -> None:
    d = disagreement(genuine(number=("HCD243971", 95.0)), "document_number")
    assert d is not None and d.strong
    d = disagreement(genuine(number=("HCD243971", 70.0)), "document_number")
    assert d is not None and not d.strong and not d.unread
    d = disagreement(genuine(number=("HCD243971", 30.0)), "document_number")
    assert d is not None and d.unread


def test_a_number_read_in_parts_is_found_or_unread() -> None:
    assert disagreement(genuine(number=("HCD243 471", 95.0)), "document_number") is None
    viz = genuine(number=("HCD24", 95.0))
    viz.lines.insert(8, ("3471", viz.lines[7][1]))
    viz.confs.insert(8, [95.0])
    assert disagreement(viz, "document_number") is None  # split over two lines
    d = disagreement(genuine(number=("243471", 96.0)), "document_number")
    assert d is not None and d.unread and not d.strong  # a partial read that agrees


def test_a_birth_date_moved_by_years_is_a_mismatch_a_misread_digit_is_not() -> None:
    d = disagreement(genuine(dob=("03.02.1965", 96.0)), "date_of_birth")
    assert d is not None and d.strong
    d = disagreement(genuine(dob=("17.07.1979", 90.0)), "date_of_birth")
    assert d is not None and not d.strong  # one digit apart
    d = disagreement(genuine(dob=("1.07.1972", 90.0)), "date_of_birth")
    assert d is not None and not d.strong  # a digit lost
    d = disagreement(genuine(dob=("03.02.1965", 60.0)), "date_of_birth")
    assert d is not None and not d.strong  # read doubtfully


def test_a_missed_birth_date_is_unread_not_replaced_by_the_issue_date() -> None:
    d = disagreement(genuine(dob=("", 0.0)), "date_of_birth")
    assert d is not None and d.unread and not d.strong


def test_an_expiry_replaced_by_a_later_one_is_a_mismatch_by_a_past_one_is_not() -> None:
    d = disagreement(genuine(expiry=("20.06.2034", 96.0)), "date_of_expiry")
    assert d is not None and d.strong
    d = disagreement(genuine(expiry=("13.04.2034", 90.0)), "date_of_expiry")
    assert d is not None and not d.strong and not d.unread  # one digit: as a misread would be, unconfirmed
    d = disagreement(genuine(expiry=("", 0.0)), "date_of_expiry")
    assert d is not None and d.unread


def test_us_licence_dates_are_read_month_first() -> None:
    ref = Claims("barcode", "VIRTANEN", "ANNA MARIA", date(1959, 4, 3), date(2029, 12, 30), "D3916556")
    viz = reading(("VIRTANEN", 96.0), ("ANNA MARIA", 96.0), ("04/03/1959", 96.0), ("12/30/2029", 96.0),
                  ("D3916556", 95.0))
    assert against_viz(ref, viz, TODAY, month_first=True).disagreements == []
    assert disagreement(viz, "date_of_birth", ref, month_first=False) is not None


def test_dates_survive_common_ocr_slips() -> None:
    assert date(1970, 11, 24) in find_dates("24 NOVINOV 70")  # "NOV/NOV" with the slash read as I
    viz = genuine(expiry=("2031-04-1 3", [87.0, 97.0]))
    assert disagreement(viz, "date_of_expiry") is None  # a space inside the day


def test_review_findings_numbers_in_groups_and_a_clear_copy_beside_a_partial() -> None:
    assert disagreement(genuine(number=("HCD 243 471", 95.0)), "document_number") is None  # three groups
    viz = genuine(number=("HCD243971", 96.0))
    viz.lines.insert(8, ("24347", viz.lines[7][1]))
    viz.confs.insert(8, [96.0])
    d = disagreement(viz, "document_number")
    assert d is not None and d.strong  # a clear changed copy outweighs a part that agrees


def test_review_findings_a_date_keeps_its_own_lines_confidence() -> None:
    viz = genuine(dob=("03.02.1965", 99.0))
    viz.lines.insert(4, ("ANNA A7", viz.lines[3][1]))
    viz.confs.insert(4, [95.0, 20.0])
    d = disagreement(viz, "date_of_birth")
    assert d is not None and d.strong  # not the doubtful neighbour's confidence


def test_review_findings_a_far_future_year_is_not_a_birth_date() -> None:
    d = disagreement(genuine(dob=("23.01.4567", 95.0)), "date_of_birth")
    assert d is not None and not d.strong and d.unread


def test_lines_of_different_readings_are_not_joined() -> None:
    """The zone is read once per page segmentation mode; a date is assembled from a line and its
    successor only within one reading ("12 AUG" / "1974"), never across two readings."""
    within = reading(("13.04.2031", 96.0), ("17 JUL", 96.0), ("1972", 96.0))
    assert list(within.successive()) == [0, 1]
    assert disagreement(within, "date_of_birth") is None  # joined: found
    across = reading(("13.04.2031", 96.0), ("17 JUL", 96.0), ("1972", 96.0))
    across.breaks = [2]  # "1972" opens the second reading
    assert list(across.successive()) == [0]
    d = disagreement(across, "date_of_birth")
    assert d is not None and d.unread  # dates were read (the expiry), no birth date among them


def test_a_date_one_digit_off_read_very_clearly_is_a_mismatch() -> None:
    """An MRZ birth date with one digit changed and its check digits recomputed: the printed zone
    keeps the true date. Read at DATE_ONE_DIGIT_SURE_CONF or better it is taken as printed."""
    tampered = Claims("mrz", "VIRTANEN", "ANNA MARIA", date(1978, 7, 17), date(2031, 4, 13), "HCD243471")
    d = disagreement(genuine(), "date_of_birth", ref=tampered)
    assert d is not None and d.strong
    d = disagreement(genuine(dob=("17.07.1972", 92.0)), "date_of_birth", ref=tampered)
    assert d is not None and not d.strong and not d.unread  # read less surely: a misread is as likely


def two_readings(first: list[tuple[str, float]], second: list[tuple[str, float]]) -> VIZReading:
    """A zone read twice (two page segmentation modes): `second` opens the second reading."""
    viz = reading(*first, *second)
    viz.breaks = [len(first)]
    return viz


def test_a_changed_number_contradicted_by_the_other_reading_is_unconfirmed() -> None:
    """A clear copy one character off is a mismatch when the other reading shows the same copy, or
    nothing like the number; when it shows a different copy the first was a misread."""
    head = [("VIRTANEN", 96.0), ("ANNA MARIA", 95.0)]
    same = two_readings([*head, ("HCD243971", 93.0)], [*head, ("HCD243971", 88.0)])
    d = disagreement(same, "document_number")
    assert d is not None and d.strong
    nothing = two_readings([*head, ("HCD243971", 93.0)], head)
    d = disagreement(nothing, "document_number")
    assert d is not None and d.strong
    other = two_readings([*head, ("HCD243971", 93.0)], [*head, ("HCD243477", 82.0)])
    d = disagreement(other, "document_number")
    assert d is not None and not d.strong and not d.unread


def test_number_look_alikes_the_fold_cannot_merge() -> None:
    """Z read as 7, S as $, J as }: a misread, not a changed number."""
    ref = Claims("mrz", "VIRTANEN", "ANNA MARIA", date(1972, 7, 17), date(2031, 4, 13), "Z2426369")
    assert disagreement(genuine(number=("72426369", 93.0)), "document_number", ref=ref) is None
    ref = Claims("mrz", "VIRTANEN", "ANNA MARIA", date(1972, 7, 17), date(2031, 4, 13), "SV2383797")
    assert disagreement(genuine(number=("$V2383797", 93.0)), "document_number", ref=ref) is None
    ref = Claims("mrz", "VIRTANEN", "ANNA MARIA", date(1972, 7, 17), date(2031, 4, 13), "MYJ734818")
    assert disagreement(genuine(number=("MY}734818", 93.0)), "document_number", ref=ref) is None


def test_a_date_that_lost_a_digit_in_reading_is_not_a_changed_date() -> None:
    """"3 DEC 2030" read for 13 DEC 2030 at high confidence: the reading lost a digit."""
    ref = Claims("mrz", "VIRTANEN", "ANNA MARIA", date(1972, 7, 17), date(2030, 12, 13), "HCD243471")
    d = disagreement(genuine(expiry=("3.12.2030", 96.0)), "date_of_expiry", ref=ref)
    assert d is not None and not d.strong and not d.unread


def test_a_printed_leading_zero_is_not_a_lost_digit() -> None:
    """Printed 03.07.1972 against an MRZ birth date tampered to 13.07.1972: the zero was read, so
    no digit was lost; read clearly it is a mismatch."""
    tampered = Claims("mrz", "VIRTANEN", "ANNA MARIA", date(1972, 7, 13), date(2031, 4, 13), "HCD243471")
    d = disagreement(genuine(dob=("03.07.1972", 96.0)), "date_of_birth", ref=tampered)
    assert d is not None and d.strong
    d = disagreement(genuine(dob=("3.07.1972", 96.0)), "date_of_birth", ref=tampered)
    assert d is not None and not d.strong  # read as a lone digit: the "1" may have been lost


def test_only_a_clear_other_copy_contradicts_a_changed_number() -> None:
    """Garbage read doubtfully does not contradict; the same copy glued to a label confirms."""
    head = [("VIRTANEN", 96.0), ("ANNA MARIA", 95.0)]
    garbage = two_readings([*head, ("HCD243971", 93.0)], [*head, ("HCD24397", 10.0)])
    d = disagreement(garbage, "document_number")
    assert d is not None and d.strong
    glued = two_readings([*head, ("HCD243971", 93.0)], [*head, ("No.HCD243971", 70.0)])
    d = disagreement(glued, "document_number")
    assert d is not None and d.strong


def test_more_number_look_alikes_seen_on_genuine_documents() -> None:
    """T read as 7, H read as two strokes: misreads, not changed numbers."""
    ref = Claims("mrz", "VIRTANEN", "ANNA MARIA", date(1972, 7, 17), date(2031, 4, 13), "LT8803390")
    assert disagreement(genuine(number=("178803390", 92.0)), "document_number", ref=ref) is None
    ref = Claims("barcode", "VIRTANEN", "ANNA MARIA", date(1972, 7, 17), date(2031, 4, 13), "H8926391")
    assert disagreement(genuine(number=("118926391", 89.0)), "document_number", ref=ref) is None


def test_two_lines_joined_do_not_make_a_date_out_of_two() -> None:
    # a licence's "04/28" (a partial read) and the next line's issue date "05/02/2023", joined as the
    # date search joins successive lines: not a birth date 04/28/05 (stop 23, a genuine licence)
    today = date(2026, 11, 30)
    assert find_dates("04/28 05/02/2023", month_first=True, today=today) == [date(2023, 5, 2)]
    assert find_dates("17.07.1972 13.04.2031", today=today) == [date(1972, 7, 17), date(2031, 4, 13)]
    assert find_dates("DOB 12 05 74", today=today) == [date(1974, 5, 12)]


def test_given_names_missing_with_nothing_in_their_place_are_unread_not_different() -> None:
    # glare wipes the given names' line: every word left is read clearly, none is like them
    d = disagreement(genuine(given=("", 95.0)), "given_names")
    assert d is not None and not d.strong and d.unread
    # the surname missed the same way, given names read: still a clear mismatch (nothing could hide it)
    d = disagreement(genuine(surname=("", 95.0)), "surname")
    assert d is not None and d.strong


def test_a_number_differing_only_by_glare_look_alikes_is_unconfirmed() -> None:
    ref = Claims("mrz", "VIRTANEN", "ANNA MARIA", date(1972, 7, 17), date(2031, 4, 13), "R9N6HBH42", "F", "FIN")
    # 9 read as O (glare takes its tail), B as 6, E as F: what genuine documents showed at 84-93
    for printed in ("RONGHBH42", "R9N6H6H42"):
        d = disagreement(genuine(number=(printed, 92.0)), "document_number", ref)
        assert d is not None and not d.strong, printed
    d = disagreement(genuine(number=("0F7102934", 92.0)), "document_number",
                     Claims("mrz", "VIRTANEN", "ANNA MARIA", date(1972, 7, 17), date(2031, 4, 13), "OE7102934"))
    assert d is not None and not d.strong
    # C read as Q (folded to 0): a genuine train card, stop 23
    d = disagreement(genuine(number=("QQ8340275", 86.0)), "document_number",
                     Claims("mrz", "VIRTANEN", "ANNA MARIA", date(1972, 7, 17), date(2031, 4, 13), "CQ8340275"))
    assert d is not None and not d.strong
    # a changed digit that is no look-alike stays a clear mismatch
    d = disagreement(genuine(number=("R9N6HBH47", 92.0)), "document_number", ref)
    assert d is not None and d.strong


def test_review_spaced_dates_and_validity_ranges() -> None:
    today = date(2026, 11, 30)
    # a validity range joined by a hyphen keeps both dates
    assert find_dates("13.04.2021-13.04.2031", today=today) == [date(2021, 4, 13), date(2031, 4, 13)]
    assert date(1972, 7, 17) in find_dates("17.07.1972-1234", today=today)
    # a partial birth date "17 07" on one line and the issue date "05 02 2023" opening the next: the
    # joined lines must not make 17 07 05 a birth date (French and Spanish cards space their dates)
    d = disagreement(genuine(dob=("17 07", 96.0), issue=("05 02 2023", 95.0), expiry=("13 04 2031", 96.0)),
                     "date_of_birth")
    assert d is None or not d.strong
    # "12 AUG" / "1974" still joins
    ref = Claims("mrz", "VIRTANEN", "ANNA MARIA", date(1974, 8, 12), date(2031, 4, 13), "HCD243471")
    assert disagreement(genuine(dob=("12 AUG", 96.0), issue=("1974", 96.0)), "date_of_birth", ref) is None


def test_review_given_names_replaced_by_a_clear_name_are_unconfirmed() -> None:
    d = disagreement(genuine(given=("BRITTA LOUISE", 97.0)), "given_names")
    assert d is not None and not d.strong and not d.unread  # VIZ_DATA_UNCONFIRMED: a person looks


def test_a_partial_number_with_the_next_word_glued_on_is_no_changed_copy() -> None:
    """LR930160 (the number's last digit lost) followed on its line by 26, the expiry's day: run
    together the pair is LR93016026, two edits from LR9301607, and was a clear mismatch on a genuine
    train card (stop 38). A pair whose one word is the number but for one character is that read."""
    ref = Claims("mrz", "VIRTANEN", "ANNA MARIA", date(1972, 7, 17), date(2033, 2, 26), "LR9301607", "F", "FIN")
    d = disagreement(genuine(number=("LR930160 26", 92.0), expiry=("26.02.2033", 96.0)), "document_number", ref)
    assert d is not None and not d.strong
    # the number printed in two groups, one of them changed, is still a clear changed copy
    d = disagreement(genuine(number=("LR930 1647", 92.0), expiry=("26.02.2033", 96.0)), "document_number", ref)
    assert d is not None and d.strong


def test_six_read_as_o_and_eight_as_s_are_look_alikes_in_numbers() -> None:
    """Genuine train documents, stop 38: J6CXFIZ0E read JOCXFIZOE at 86 in three readings, J0N8BGMB4
    read JONSBGMB4 at 83-89. Unconfirmed, not a clear mismatch; another digit changed still is."""
    for number, printed in (("J6CXFIZ0E", "JOCXFIZOE"), ("J0N8BGMB4", "JONSBGMB4")):
        ref = Claims("mrz", "VIRTANEN", "ANNA MARIA", date(1972, 7, 17), date(2031, 4, 13), number, "F", "FIN")
        d = disagreement(genuine(number=(printed, 89.0)), "document_number", ref)
        assert d is not None and not d.strong, printed
    ref = Claims("mrz", "VIRTANEN", "ANNA MARIA", date(1972, 7, 17), date(2031, 4, 13), "J0N8BGMB4", "F", "FIN")
    d = disagreement(genuine(number=("J0N3BGMB4", 89.0)), "document_number", ref)
    assert d is not None and d.strong


def test_a_pound_or_euro_sign_in_a_number_is_an_e() -> None:
    """E9471897 read £9471897 at 84 on a genuine licence (stop 38): transliterated to GBP it was a
    three-letter prefix, and the number went unread."""
    assert number_fold("£9471897") == number_fold("E9471897") == number_fold("€9471897")
    ref = Claims("barcode", "VIRTANEN", "ANNA MARIA", date(1972, 7, 17), date(2031, 4, 13), "E9471897")
    assert disagreement(genuine(number=("£9471897", 84.0)), "document_number", ref) is None
