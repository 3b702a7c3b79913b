"""Where the visual zone prints the surname: after or under its label, or above the given names.

The cross-checks search the whole zone for each value, which needs no layout; but a value that is
not found could be a replaced one or a missed one, and on a card full of doubtfully read words
(labels in a script the OCR does not read, guilloche) the search cannot tell which. The surname's
*place* can: a clearly read name there that is nothing like the reference is a replaced value, not
a misread (a misread keeps most letters; a retyped letter or two, read surely, is judged by
``crosscheck._letters_changed_at_place``). This module finds what is printed in that place;
:mod:`openidv.documents.viz.crosscheck` decides.

Two places, each conservative because a false "replaced" sends an honest customer to review:

* at a surname label ("Surname", "Nom", "Apellidos", "1 LN", ...): the words after it on its line
  (in capitals) and the line under it; the label must start its line and must not be another
  field's ("Name at birth", "Nom d'usage", "Vorname / Name");
* above the given names: ICAO 9303 prints the surname first, then the given names, and AAMVA
  licences field 1 above field 2, so the nearest value-sized line in capitals above the one line
  that reads as the given names, in the same column, is the surname's slot - unless the surname's
  own label comes first (then its value was simply not read) or the slot is another field's value.

A birth or married name ("geb. GABLER", "ep. DUPONT") is never taken for the surname. Two code
reviews built the genuine layouts these rules guard against; each is a test in
``tests/documents/viz/test_anchors.py``.

Only the readings of Tesseract's sparse-text and automatic-layout modes (11 and 3) are used: the
one-block mode (6) runs a row's columns into one line from the card's left edge, so its lines do
not say what stands where. Labels are compared after OCR folding, per whole word, so "NOM" never
matches "NOMBRE" or "NOME". Documents of issuers whose national script is not Latin are left out
(`NON_LATIN_ISSUERS`): Tesseract's English model reads a Cyrillic or Greek name as a clean Latin
look-alike at high confidence (ИВАНОВА as UBAHOBA at 88), which would pass for a replaced name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, NamedTuple

from rapidfuzz import fuzz

from openidv.documents.viz.extract import VIZReading
from openidv.documents.viz.normalise import name_key, name_similarity, ocr_fold

# "registered_place": where a recognised design prints the field (viz/places.py)
Place = Literal["after_label", "under_label", "above_given_names", "registered_place"]
ANCHOR_MODES = frozenset({11, 3})  # page segmentation modes whose lines keep columns apart


def _fold_all(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(ocr_fold(w) for w in words)


# Label forms after ocr_fold (transliterated, upper case, look-alikes folded: I/L/1 -> I, 0 -> O,
# G -> C, ...): single words and phrases of up to three words. AAMVA's "LN" (a lane in an address)
# counts only after its field number, see _aamva_surname_label.
SURNAME_LABELS = _fold_all((
    "SURNAME", "SURNAMES", "LAST NAME", "FAMILY NAME", "NOM", "NOM DE FAMILLE", "APELLIDOS", "APELLIDO",
    "NAME", "NACHNAME", "FAMILIENNAME", "COGNOME", "APELIDO", "APELIDOS", "SOBRENOME", "ACHTERNAAM", "NAAM",
    "NAZWISKO", "SOYADI", "EFTERNAMN", "SUKUNIMI", "EFTERNAVN", "ETTERNAVN", "PRIJMENI", "NUME", "PRIEZVISKO",
    "CSALADI NEV", "PAVARDE", "UZVARDS", "PEREKONNANIMI", "PRIIMEK", "PREZIME", "EFTIRNAFN", "SLOINNE", "KUNJOM",
))
# Given-name labels: a label run holding one of these is the given names' label, whatever else it
# holds ("Vorname / Name", "Ime / Name": NAME alone would be a surname label).
GIVEN_LABELS = _fold_all((
    "GIVEN", "FIRST", "FN", "FORENAME", "FORENAMES", "PRENOMS", "PRENOM", "NOMBRE", "NOMBRES", "VORNAMEN",
    "VORNAME", "NOME", "NOMES", "IMIONA", "IMIE", "ADI", "FORNAMN", "ETUNIMET", "FORNAVN", "JMENO", "MENO",
    "IME", "PRENUME", "VOORNAMEN", "PRENOMES", "UTONEV", "VARDAS", "VARDS", "EESNIMED", "EIGINNAFN", "CEADAINM",
    "ISEM",
))
# Words that make a surname label another field's ("Name at birth", "Nom d'usage", "Nazwisko rodowe",
# "Name of holder", "Nom marital", "Surname and given names"): right after the label, or anywhere in
# its run for the unambiguous ones. A birth or married name is a genuinely different surname.
QUALIFIERS = _fold_all((
    "AT", "BIRTH", "D", "USAGE", "EPOUSE", "EPOUX", "RODOWE", "OF", "HOLDER", "GEB", "GEBOREN", "GEBURTSNAME",
    "MAIDEN", "SPOUSE", "FORMER", "PREVIOUS", "ANTERIOR", "CASADA", "SOLTERA", "NASCITA", "MARITAL", "AND", "UND",
    "ET", "Y", "E", "CODE",
))
QUALIFIERS_ANYWHERE = _fold_all(("BIRTH", "GEBURTSNAME", "MAIDEN", "MARITAL", "FORMER", "PREVIOUS", "RODOWE",
                                 "USAGE", "SPOUSE", "EPOUSE"))
# A value line opening with one of these is a birth or married name ("geb. GABLER", "ep. DUPONT").
NAME_PREFIXES = _fold_all(("GEB", "EP", "EPOUSE", "VVE", "VEUVE", "NEE", "WED", "EV"))
# Labels of the other fields and document titles: a line showing one is never the surname's value.
OTHER_LABELS = GIVEN_LABELS | _fold_all((
    "NAMES", "NATIONALITY", "NATIONALITE", "NACIONALIDAD", "DATE", "BIRTH", "SEX", "SEXE", "SEXO", "DOCUMENT",
    "NO", "PASSPORT", "IDENTITY", "CARD", "DOB", "EXP", "ISS", "DLN", "CLASS", "DRIVER", "LICENSE", "LICENCE",
    "PERSONAL", "NUMBER", "NUMERO", "NUMER", "PLACE", "LUGAR", "LIEU", "ISSUE", "EXPIRY", "AUTHORITY",
    "SIGNATURE", "ADDRESS", "HEIGHT", "EYES", "HGT", "NAISSANCE", "NACIMIENTO", "GEBURTSTAG", "GEBURTSORT",
    "GEBURTSNAME", "NASCITA", "URODZENIA",
    "REPUBLIC", "REPUBLIQUE", "REPUBLICA", "REPUBBLICA", "KINGDOM", "UNITED", "STATES", "FEDERAL",
    "DOCUMENTO", "IDENTIDAD", "IDENTITE", "IDENTITA", "PASSEPORT", "PASAPORTE", "PASSAPORTO", "REISEPASS",
    "PERSONALAUSWEIS", "PASZPORT", "TRAVEL",
))
# Words of document titles and issuer names, printed in capitals at the top of the data page. A
# slot above the given names holding one is a title the OCR reached because the surname's line and
# label were both missed (stop 22 review), never the surname. Only used there: as labels they would
# cut values short, and some are surnames too (IRELAND, HOLLAND).
TITLE_WORDS = _fold_all((
    "REPUBLIC", "REPUBLIQUE", "REPUBLICA", "REPUBBLICA", "REPUBLIK", "REPUBLIKA", "RESPUBLIKA", "KINGDOM",
    "KONGERIGET", "KONUNGARIKET", "KONINKRIJK", "UNITED", "STATES", "FEDERAL", "BUNDESREPUBLIK", "UNION",
    "EUROPEAN", "EUROPEENNE", "NATIONAL", "NATIONALE", "NACIONAL", "IDENTITY", "IDENTITE", "IDENTIDAD",
    "IDENTITA", "IDENTITATE", "ISKAZNICA", "OSOBNA", "OSOBNI", "PREUKAZ", "PERSONALAUSWEIS", "HENKILOKORTTI",
    "SZEMELYI", "IGAZOLVANY", "ASMENS", "TAPATYBES", "KORTELE", "PERSONAS", "APLIECIBA", "ISIKUTUNNISTUS",
    "CARD", "CARTE", "CARTA", "TARJETA", "PASSPORT", "PASSEPORT", "PASAPORTE", "PASSAPORTO", "REISEPASS",
    "PASZPORT", "DOCUMENT", "DOCUMENTO", "DRIVER", "LICENSE", "LICENCE", "PERMIS", "CONDUIRE",
    "DEUTSCHLAND", "FRANCE", "FRANCAISE", "ESPANA", "ITALIANA", "ITALIA", "NEDERLAND", "NETHERLANDS",
    "BELGIQUE", "BELGIE", "POLSKA", "POLSKIEJ", "CESKA", "SLOVENSKA", "SLOVENIJA", "HRVATSKA", "MAGYARORSZAG",
    "ROMANIA", "EESTI", "LATVIJAS", "LIETUVOS", "SUOMI", "FINLAND", "SVERIGE", "NORGE", "DANMARK", "ISLAND",
    "EIRE", "IRELAND", "MALTA", "PORTUGUESA", "OSTERREICH", "SCHWEIZ", "SUISSE", "SVIZZERA", "LUXEMBOURG",
    "KIBRIS", "TURKIYE", "BRASIL", "ARGENTINA", "MEXICO", "MEXICANOS", "CANADA", "AUSTRALIA", "ZEALAND",
    "AMERICA", "CALIFORNIA", "TEXAS", "FLORIDA", "YORK",
))
ALL_LABELS = SURNAME_LABELS | OTHER_LABELS
# Words naming someone other than the holder: a given-names label holding one is a parent's or a
# spouse's ("Nombre del padre", "Nome do pai", "Prénom du père", "Father's given name").
RELATIVES = _fold_all((
    "FATHER", "FATHERS", "MOTHER", "MOTHERS", "PARENT", "PARENTS", "PADRE", "MADRE", "PAI", "MAE", "PERE", "MERE",
    "VATER", "MUTTER", "OJCA", "MATKI", "SPOUSE", "HUSBAND", "WIFE", "EPOUX", "EPOUSE", "CONYUGE", "GUARDIAN",
    "BABA", "ANNE",
))
# How far above a line, in its heights, the line over it may end to be its label or the surname's
# line: the given names' label row lies between them (1.2-2.1 heights on train documents); a glared
# row of values and labels more (3.4).
GIVEN_PLACE_REACH = 2.5
# Label words that belong to the names' own labels ("Given names", "Prénoms / Nom"): not another field.
NAME_WORDS = _fold_all(("NAMES", "NAME", "NOM", "NAMN", "NAVN"))
# rapidfuzz ratio from which a read word is taken for a label word of six letters or more
# ("SURMAME" for SURNAME is 86; "PERSSON", a surname, against PERSONAL is 80)
LABEL_SIMILAR = 85.0
MIN_LETTERS = 3  # a value of fewer letters ("M", "DE") says nothing about a replaced name
# A value line is at least the first and at most the second share of the given names' line's height:
# labels print smaller (1.3 against 2.0 mm on ID-1 cards, 1.6 against 2.6 on passport pages), values
# alike, titles larger. (Stop 24 measured judging it against the reading's surely read dates and
# numbers as well, for given-names lines stretched by accents: a label with a descender and dots
# ("Ismijiet") reaches 0.85 of a digit line, so it was withdrawn - a review's genuine layouts.)
VALUE_HEIGHT = (0.8, 1.3)
# How far above the top of the given names' line the surname's line may end, in document
# millimetres: the given names' own label lies between them on most designs (4-5 mm on ID-1 cards,
# 6 on passport pages), a document's title further up (12 and more).
ABOVE_GIVEN_MAX_MM = 9.0
# ICAO issuing-state codes whose documents print the holder's name in a non-Latin national script
# as well (Cyrillic, Greek, Armenian, Georgian, Hebrew, Arabic, CJK, Thai, Indic): see the module
# docstring. Where a Latin line was read it is searched as before; only the place rules are off.
NON_LATIN_ISSUERS = frozenset((
    "ARM", "BGR", "BIH", "BLR", "CYP", "GEO", "GRC", "KAZ", "KGZ", "MKD", "MNE", "MNG", "RUS", "SRB", "TJK",
    "UKR", "UZB", "ISR", "ARE", "BHR", "DZA", "EGY", "IRN", "IRQ", "JOR", "KWT", "LBN", "LBY", "MAR", "OMN",
    "PAK", "QAT", "SAU", "SDN", "SYR", "TUN", "YEM", "AFG", "CHN", "HKG", "MAC", "TWN", "JPN", "KOR", "PRK",
    "THA", "LAO", "KHM", "MMR", "IND", "NPL", "BGD", "LKA", "ETH", "ERI", "BTN", "MDV", "PSE", "MRT",
))
_AAMVA_SURNAME = re.compile(r"^\W*1\W*L\s*N\b", re.IGNORECASE)


class Token(NamedTuple):
    folded: str  # for label comparison (look-alikes merged)
    letters: str  # for the value (name_key: transliterated letters)
    printed: str  # the word as Tesseract read it (digits kept)
    conf: float


@dataclass(frozen=True)
class Anchored:
    """Words printed in the surname's place, with their Tesseract confidences, and which place."""

    words: tuple[tuple[str, float], ...]
    place: Place
    reading: int = -1  # which page-mode reading (its first line's index): places agree across readings

    @property
    def text(self) -> str:
        return " ".join(t for t, _ in self.words)

    def leading(self, min_conf: float) -> str:
        """The value's first words read at `min_conf` or better (OCR noise often trails a value:
        a signature, a guilloche line, the next column)."""
        return " ".join(leading_words(self.words, min_conf))


def leading_words(words: tuple[tuple[str, float], ...], min_conf: float) -> list[str]:
    """The first words read at `min_conf` or better, up to the first one read worse."""
    out = []
    for t, c in words:
        if c < min_conf:
            break
        out.append(t)
    return out


def letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _tokens(words: list[tuple[str, float]]) -> list[Token]:
    """Tokens of one line: a word OCR glued to its neighbour with a hyphen or a slash
    ("Nom-/-Surname") is split into its parts, each with the word's confidence; a plural mark
    "(S)" ("Nome(s)", "Forename(s)") is dropped."""
    out: list[Token] = []
    for t, c in words:
        for part in name_key(re.sub(r"\(S\)", "", t, flags=re.IGNORECASE)).split():
            out.append(Token(ocr_fold(part), part, t, c))
    return out


def _is_label(folded: list[str], i: int, labels: frozenset[str]) -> int:
    """How many tokens from `i` on form a label of `labels` (0: none). OCR garbles labels as it
    garbles anything printed small in a light colour: a word within a letter or so of a label word
    (ratio >= LABEL_SIMILAR) or its first five letters or more (a label cut by the page's edge or a
    neighbouring column) counts as that word - for single label words of six letters or more: a
    short one ("NAME", "NUME") is a letter away from too many other words ("NAMES", "NUMER") and
    must be read exactly, and a phrase must match phrase for phrase."""
    for n in (3, 2, 1):
        if i + n > len(folded):
            continue
        phrase = " ".join(folded[i : i + n])
        if phrase in labels:
            return n
    word = folded[i]
    if len(word) >= 5 and any(len(w) >= 6 and " " not in w and (fuzz.ratio(word, w) >= LABEL_SIMILAR
                                                                or w.startswith(word)) for w in labels):
        return 1
    return 0


def _label_run(folded: list[str], labels: frozenset[str]) -> tuple[int, bool]:
    """(index just past the line's leading run of labels, whether a label of `labels` is in it)."""
    i, found = 0, False
    while i < len(folded):
        n = _is_label(folded, i, ALL_LABELS)
        if not n:
            break
        found = found or _is_label(folded, i, labels) > 0
        i += n
    return i, found


def _has_label(folded: list[str]) -> bool:
    return any(_is_label(folded, i, ALL_LABELS) for i in range(len(folded)))


def _value_words(toks: list[Token]) -> tuple[tuple[str, float], ...]:
    """The leading run of name-like tokens: a value column ends at the first word with digits (the
    next column's number or date) or a label. A leading AAMVA code (LN, FN) is dropped; a line
    opening with a birth or married-name prefix ("geb. GABLER") gives nothing."""
    folded = [t.folded for t in toks]
    start = 1 if folded and folded[0] in (ocr_fold("LN"), ocr_fold("FN")) else 0
    if start < len(folded) and folded[start] in NAME_PREFIXES:
        return ()
    out: list[tuple[str, float]] = []
    for i in range(start, len(toks)):
        t = toks[i]
        if any(ch.isdigit() for ch in t.printed) or _is_label(folded, i, ALL_LABELS):
            break
        out.append((t.letters, t.conf))
    return tuple(out)


def _capitals(toks: list[Token], n: int) -> bool:
    """Are the first `n` tokens printed in capitals? Names in a visual zone are on most designs;
    labels, and words on a label's line the lexicon lacks ("Sloinne", "and", "Code"), are not."""
    return all(t.printed == t.printed.upper() for t in toks[:n])


def _title_word(word: str) -> bool:
    """Is the word printed as a name in mixed case: each part (split at a hyphen or an apostrophe)
    one capital and then small letters only ("Moreau", "O'Connor", "Al-Sayed")? A misread name
    rarely keeps that shape ("Kov aGevié"), and a capital inside a part ("MacDonald") simply
    does not count."""
    parts = re.split(r"[-'’]", word.strip(".,:;"))
    return all(p and p[0].isupper() and p[0].isalpha() and (len(p) == 1 or (p[1:].isalpha() and p[1:].islower()))
               for p in parts) and len(parts[-1]) > 1


def _names_case(toks: list[Token], n: int, given: list[Token]) -> bool:
    """Are the first `n` tokens printed as names are on this design: in capitals, or - where the
    given names' own line is printed in mixed case (some designs print names so) - in mixed case."""
    if _capitals(toks, n):
        return True
    end, _ = _label_run([t.folded for t in given], ALL_LABELS)
    shown = [t for t in given[end:] if not any(ch.isdigit() for ch in t.printed)]
    return (bool(shown) and n > 0 and all(_title_word(t.printed) for t in shown)
            and all(_title_word(t.printed) for t in toks[:n]))


def _readings(viz: VIZReading) -> list[range]:
    """Line index ranges of the readings whose page segmentation mode keeps columns apart (all
    readings when the modes are unknown; none when they do not match the readings)."""
    spans = viz.readings()
    if viz.modes and len(viz.modes) != len(spans):
        return []
    modes: list[int | None] = list(viz.modes) if viz.modes else [None] * len(spans)
    return [r for r, m in zip(spans, modes, strict=True) if len(r) and (m is None or m in ANCHOR_MODES)]


def _surname_label_end(toks: list[Token], raw: str) -> int | None:
    """Index just past a surname label that starts the line and is not qualified, else None. A run
    holding a given-names label ("Vorname / Name") or a birth / married-name word anywhere is
    another field's label."""
    folded = [t.folded for t in toks]
    if _AAMVA_SURNAME.match(raw):
        end = next((k + 1 for k, f in enumerate(folded) if f in (ocr_fold("LN"), "N")), None)
    else:
        end, found = _label_run(folded, SURNAME_LABELS)
        if not found or any(f in GIVEN_LABELS or f in QUALIFIERS_ANYWHERE for f in folded[:end]):
            return None
    if end is None or (end < len(folded) and folded[end] in QUALIFIERS):
        return None
    return end


def _has_surname_label(toks: list[Token], raw: str) -> bool:
    """Does the line hold an unqualified surname label anywhere ("Prezime / Surname" with the national
    word unknown)? Then it is the surname's own label line."""
    folded = [t.folded for t in toks]
    if any(f in GIVEN_LABELS or f in QUALIFIERS_ANYWHERE for f in folded):
        return False
    return _surname_label_end(toks, raw) is not None or any(
        _is_label(folded, i, SURNAME_LABELS) and (i + 1 >= len(folded) or folded[i + 1] not in QUALIFIERS)
        for i in range(len(folded)))


def surname_anchors(viz: VIZReading, words: list[list[tuple[str, float]]]) -> list[Anchored]:
    """Values printed at a surname label: the words after the label on its line, if printed in
    capitals ("Surname: WALKER"), and the line under it (starting in the label's column, within two
    of its heights, not a label line). Both are returned when both are read, so either can veto.
    `words` are `viz.lines` split into (word, confidence), as the cross-checks do."""
    out: list[Anchored] = []
    for lines in _readings(viz):
        for i in lines:
            toks = _tokens(words[i])
            end = _surname_label_end(toks, viz.lines[i][0])
            if end is None:
                continue
            rest = _value_words(toks[end:])
            if letters(" ".join(t for t, _ in rest)) >= MIN_LETTERS and _capitals(toks[end:], len(rest)):
                out.append(Anchored(rest, "after_label", lines.start))
            below = _line_below(viz, words, i, lines)
            if below is not None:
                value = _value_words(_tokens(words[below]))
                if letters(" ".join(t for t, _ in value)) >= MIN_LETTERS:
                    out.append(Anchored(value, "under_label", lines.start))
    return out


def _line_below(viz: VIZReading, words: list[list[tuple[str, float]]], i: int, lines: range) -> int | None:
    """The nearest line of the reading that starts in line `i`'s column (within two of its heights
    of its left edge) and whose top lies within two heights below it; None if that is a label line."""
    x0, y0, _, y1 = viz.lines[i][1]
    h = max(y1 - y0, 1)
    below = [j for j in lines if j != i and y1 - h // 2 <= viz.lines[j][1][1] <= y1 + 2 * h
             and abs(viz.lines[j][1][0] - x0) <= 2 * h]
    if not below:
        return None
    j = min(below, key=lambda k: viz.lines[k][1][1])
    return None if _has_label([t.folded for t in _tokens(words[j])]) else j


def _name_like(value: tuple[tuple[str, float], ...]) -> bool:
    """One word, or a word of four letters or more among several: a row of codes ("P FIN", the
    document type and issuing state printed above the names on passports) is not a name."""
    return len(value) == 1 or any(len(t) >= 4 for t, _ in value)


def _labelled_otherwise(viz: VIZReading, words: list[list[tuple[str, float]]], j: int, lines: range) -> bool:
    """Is line `j` the value of another field's label, the nearest label line just above it in its
    column ("Name at birth" over GABLER, between the surname and the given names on some designs)?
    A slot under a surname label, or under no label read at all, is the surname's."""
    x0, y0, _, y1 = viz.lines[j][1]
    h = max(y1 - y0, 1)
    over = [k for k in lines if k != j and y0 - 2 * h <= viz.lines[k][1][3] <= y0 + h // 4
            and abs(viz.lines[k][1][0] - x0) <= 2 * h]
    if not over:
        return False
    k = max(over, key=lambda m: viz.lines[m][1][3])
    toks = _tokens(words[k])
    if not _has_label([t.folded for t in toks]):
        return False
    return not _has_surname_label(toks, viz.lines[k][0])


def _relative(word: str) -> bool:
    """A relative's word, read exactly or (four letters or more) one letter off: a garbled "PAORE"
    still names the father (stop 24 review)."""
    return word in RELATIVES or (len(word) >= 4 and any(
        len(r) >= 4 and abs(len(r) - len(word)) <= 1 and fuzz.ratio(word, r) >= 75 for r in RELATIVES))


def _given_label_line(folded: list[str]) -> bool:
    """Is this the given names' own label line: holding a given-names label (OCR garbles the rest:
    "Pgshoms / Given names"), and naming no one else ("Nombre del padre", "Father's given name")
    nor another field ("Place of birth ... Given names", two labels of a row read as one line)?"""
    if any(_relative(f) for f in folded) or not any(_is_label(folded, i, GIVEN_LABELS)
                                                       for i in range(len(folded))):
        return False
    return not any(_is_label(folded, i, OTHER_LABELS - GIVEN_LABELS) and folded[i] not in NAME_WORDS
                   for i in range(len(folded)))


def given_names_places(viz: VIZReading, words: list[list[tuple[str, float]]], surname: str,
                       match: float) -> list[tuple[int, int]]:
    """(reading's first line, line) of each line printed where the given names go: after the given
    names' label on its own line (`_given_label_line`), under that label line (the nearest line above
    in its column, within GIVEN_PLACE_REACH of its heights), or right under the surname's line (the
    nearest line above in its column reads as `surname` at `match`, as close). Any other line is
    none of them: a place of birth PARIS is two letters from MARIA (stop 24 reviews: a value under
    a missed label, a value two rows down when the given names' row was glared, a parent's name
    under "Nombre del padre")."""
    key = name_key(surname).replace(" ", "")
    out: list[tuple[int, int]] = []
    for lines in _readings(viz):
        # where the given names' label was read, only a place at that label counts (names printed
        # side by side put another row's value under the surname)
        labelled = any(_given_label_line([t.folded for t in _tokens(words[k])]) for k in lines)
        for j in lines:
            toks = _tokens(words[j])
            folded = [t.folded for t in toks]
            end, _ = _label_run(folded, ALL_LABELS)
            if _has_label(folded[end:]) or any(ch.isdigit() for t, _ in words[j] for ch in t):
                continue
            if end:
                if _given_label_line(folded[:end]):
                    out.append((lines.start, j))
                continue  # after another field's label
            x0, y0, _, y1 = viz.lines[j][1]
            h = max(y1 - y0, 1)
            over = sorted((k for k in lines if k != j
                           and y0 - GIVEN_PLACE_REACH * h <= viz.lines[k][1][3] <= y0 + h // 4
                           and abs(viz.lines[k][1][0] - x0) <= 2 * h), key=lambda m: -viz.lines[m][1][3])
            for k in over:
                kfold = [t.folded for t in _tokens(words[k])]
                if _has_label(kfold):  # a label line over this one: its field decides
                    if _given_label_line(kfold):
                        out.append((lines.start, j))
                    break
                value = "".join(t for t, _ in _value_words(_tokens(words[k])))
                if key and value and not labelled and fuzz.ratio(value, key) >= match:
                    out.append((lines.start, j))
                break
    return out


def _is_given_line(toks: list[Token], given_key: str, match: float) -> bool:
    """Does the line read as the given names, whole (after any leading label)? Compared as one run of
    letters, so "SANTA MARIA" is not the given name MARIA."""
    end, _ = _label_run([t.folded for t in toks], ALL_LABELS)
    value = "".join(t for t, _ in _value_words(toks[end:]))
    return bool(value) and fuzz.ratio(value, given_key) >= match


def surname_above_given(viz: VIZReading, words: list[list[tuple[str, float]]], given: str,
                        match: float) -> list[Anchored]:
    """Values printed where the surname goes when no label says so: above the line that reads as
    the given names (whole, at `match` similarity or better, and only once in the reading), in the
    same reading and column. The lines above it are taken nearest first; the given names' label
    line is passed over, the surname's own label ends the search (its value was not read), and the
    first other line is the slot: a value-sized line in capitals, or in mixed case
    where the given names print so (`_names_case`), read as a name, not under another field's
    label, gives its words; anything else (garbage, digits, a small or a large line) gives
    nothing, so the search never climbs to the document's title. It must end within
    ABOVE_GIVEN_MAX_MM of the given names (the largest gap on genuine documents was 7.9 mm, TD2)."""
    out: list[Anchored] = []
    given_key = name_key(given).replace(" ", "")
    if not given_key:
        return out
    for lines in _readings(viz):
        given_lines = [i for i in lines if _is_given_line(_tokens(words[i]), given_key, match)]
        if len(given_lines) != 1:
            continue  # not read, or read twice (a place of birth VICTORIA): no telling which is which
        i = given_lines[0]
        x0, y0, _, y1 = viz.lines[i][1]
        h = max(y1 - y0, 1)
        above = sorted((j for j in lines if j != i and viz.lines[j][1][3] <= y0 + h // 4
                        and abs(viz.lines[j][1][0] - x0) <= 2 * h
                        and viz.lines[j][1][3] >= y0 - ABOVE_GIVEN_MAX_MM * viz.px_per_mm),
                       key=lambda k: -viz.lines[k][1][3])
        for j in above:
            toks = _tokens(words[j])
            if _has_surname_label(toks, viz.lines[j][0]):
                break  # the surname's own label: its value was not read, the slot is empty
            if _has_label([t.folded for t in toks]):
                continue  # the given names' label line, or another label: look further up
            if any(t.folded in TITLE_WORDS for t in toks):
                break  # the document's title: the surname's line and label were both missed
            jy0, jy1 = viz.lines[j][1][1], viz.lines[j][1][3]
            value = _value_words(toks)
            if (VALUE_HEIGHT[0] * h <= jy1 - jy0 <= VALUE_HEIGHT[1] * h
                    and letters(" ".join(t for t, _ in value)) >= MIN_LETTERS and _name_like(value)
                    and _names_case(toks, len(value), _tokens(words[i]))
                    and not _labelled_otherwise(viz, words, j, lines)):
                out.append(Anchored(value, "above_given_names", lines.start))
            break  # the surname's slot, read or not
    return out


def unexplained_name(viz: VIZReading, words: list[list[tuple[str, float]]], names: list[str],
                     min_conf: float = 85.0, unlike: float = 60.0) -> bool:
    """Does the zone show a name nothing explains - a line's value (after any label), read at
    `min_conf`, in capitals, name-like, of MIN_LETTERS letters or more, holding no title or label
    word (nor a label after it: "CENTRAL AUTHORITY") and resembling none of `names` (similarity
    below `unlike`)? Given names that were not found
    have no place rule; such a name is what a replacement leaves (a place of birth or a city on a
    licence does too, so it only makes the missing name unconfirmed)."""
    keys = [name_key(n) for n in names if name_key(n)]
    for lines in _readings(viz):
        for i in lines:
            toks = _tokens(words[i])
            end, _ = _label_run([t.folded for t in toks], ALL_LABELS)
            value = _value_words(toks[end:])
            sure = leading_words(value, min_conf)
            text = " ".join(sure)
            if (letters(text) < MIN_LETTERS or not _name_like(tuple((t, 0.0) for t in sure))
                    or not _capitals(toks[end:], len(sure)) or any(t.folded in TITLE_WORDS for t in toks)
                    or _has_label([t.folded for t in toks[end:]])):  # "CENTRAL AUTHORITY": a label's words
                continue
            runs = [" ".join(sure[a:b]) for a in range(len(sure)) for b in range(a + 1, len(sure) + 1)]
            if all(name_similarity(r, k) < unlike for r in runs for k in keys):
                return True
    return False
