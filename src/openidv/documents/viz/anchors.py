"""What the visual zone prints *at* a field's label: the value next to "Surname", "Nom", "1 LN".

The cross-checks search the whole zone for each value, which needs no layout; but a value that is
not found could be a replaced one or a missed one, and on a card full of doubtfully read words
(labels in a script the OCR does not read, guilloche) the search cannot tell which. The label
can: documents print their fields under or after a label, and a clearly read word in the label's
place that is nothing like the reference is a replaced value, not a misread (a misread keeps most
letters). This module finds those words; :mod:`openidv.documents.viz.crosscheck` decides.

The label words are those of real documents (ICAO 9303 data pages print the national language
with English and/or French; AAMVA licences number their fields, "1" family name, "2" given names,
often with "LN" / "FN"), compared after OCR folding and per whole word, so "NOM" never matches
"NOMBRE" or "NOME". Scripts Tesseract's English model does not read (Cyrillic, Greek) are left out:
their labels come back as noise and are simply not anchors.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from openidv.documents.viz.extract import VIZReading
from openidv.documents.viz.normalise import name_key, name_similarity, ocr_fold

# Whole-word label forms after ocr_fold (transliterated, upper case, look-alikes folded: I/L/1 -> I,
# 0 -> O, G -> C, ...). Single words and two-word phrases; a phrase must appear as consecutive words.
SURNAME_LABELS: frozenset[str] = frozenset(ocr_fold(w) for w in (
    "SURNAME", "SURNAMES", "LAST NAME", "FAMILY NAME", "LN", "NOM", "NOM DE FAMILLE", "APELLIDOS", "APELLIDO",
    "NAME", "NACHNAME", "FAMILIENNAME", "COGNOME", "APELIDO", "APELIDOS", "SOBRENOME", "ACHTERNAAM", "NAAM",
    "NAZWISKO", "SOYADI", "EFTERNAMN", "SUKUNIMI", "EFTERNAVN", "ETTERNAVN", "PRIJMENI", "NUME", "PRIEZVISKO",
))
# Labels of the neighbouring fields: a line showing one is a label line, never a value.
OTHER_LABELS: frozenset[str] = frozenset(ocr_fold(w) for w in (
    "GIVEN", "NAMES", "FIRST", "FN", "PRENOMS", "PRENOM", "NOMBRE", "NOMBRES", "VORNAMEN", "VORNAME", "NOME",
    "IMIONA", "IMIE", "ADI", "FORNAMN", "ETUNIMET", "FORNAVN", "JMENO", "PRENUME", "VOORNAMEN", "PRENOMES",
    "NATIONALITY", "NATIONALITE", "NACIONALIDAD", "DATE", "BIRTH", "SEX", "SEXE", "SEXO", "DOCUMENT", "NO",
    "PASSPORT", "IDENTITY", "CARD", "DOB", "EXP", "ISS", "DLN", "CLASS", "DRIVER", "LICENSE", "LICENCE",
    "PERSONAL", "NUMBER", "NUMERO", "NUMER", "PLACE", "ISSUE", "EXPIRY", "AUTHORITY", "SIGNATURE", "ADDRESS",
    "HEIGHT", "EYES", "HGT", "SEX", "NAISSANCE", "NACIMIENTO", "GEBURTSTAG", "NASCITA", "URODZENIA",
    # document titles and issuers, printed above the first field
    "REPUBLIC", "REPUBLIQUE", "REPUBLICA", "REPUBBLICA", "KINGDOM", "STATES", "FEDERAL", "DOCUMENTO",
    "IDENTIDAD", "IDENTITE", "IDENTITA", "PASSEPORT", "PASAPORTE", "PASSAPORTO", "REISEPASS",
    "PERSONALAUSWEIS", "PASZPORT", "TRAVEL",
))
ALL_LABELS = SURNAME_LABELS | OTHER_LABELS
LABEL_SIMILAR = 80.0  # rapidfuzz ratio from which a read word is taken for a label word
MIN_LETTERS = 3  # a value of fewer letters ("M", "DE") says nothing about a replaced name


@dataclass(frozen=True)
class Anchored:
    """Words printed in a field's place: their text and Tesseract confidences, and which place
    (``after_label`` on the label's line, ``under_label``, or ``above_given_names``)."""

    words: tuple[tuple[str, float], ...]
    place: str

    @property
    def text(self) -> str:
        return " ".join(t for t, _ in self.words)

    def leading(self, min_conf: float) -> str:
        """The value's first words read at `min_conf` or better (OCR noise often trails a value:
        a signature, a guilloche line, the next column)."""
        out = []
        for t, c in self.words:
            if c < min_conf:
                break
            out.append(t)
        return " ".join(out)


def _is_label(tokens: list[str], i: int, labels: frozenset[str]) -> int:
    """How many tokens from `i` on form a label of `labels` (0: none). OCR garbles labels as it
    garbles anything printed small in a light colour: a word within a letter or two of a label
    word (ratio >= LABEL_SIMILAR) or its first five letters or more (a label
    cut by the page's edge or a neighbouring column) counts as that word - for label words of six
    letters or more: a short one ("NAME", "NUME") is a letter away from too many other words
    ("NAMES", "NUMER") and must be read exactly."""
    for n in (3, 2, 1):
        if i + n > len(tokens):
            continue
        phrase = " ".join(tokens[i : i + n])
        if phrase in labels:
            return n
        if len(phrase) >= 5 and any(len(w) >= 6 and (fuzz.ratio(phrase, w) >= LABEL_SIMILAR or w.startswith(phrase))
                                    for w in labels):
            return n
    return 0


def _tokens(words: list[tuple[str, float]]) -> list[tuple[str, str, str, float]]:
    """(folded, letters, printed word, confidence) per token: a word OCR glued to its neighbour with
    a hyphen or a slash ("Nom-/-Surname") is split into its parts, each with the word's confidence.
    Labels are compared folded (look-alikes merged); values keep their letters (`name_key`)."""
    out: list[tuple[str, str, str, float]] = []
    for t, c in words:
        for part in name_key(t).split():
            out.append((ocr_fold(part), part, t, c))
    return out


def _label_first(tokens: list[str], end: int) -> bool:
    """Do the line's first `end` tokens hold nothing but labels? A label starts its line (after a
    field number, which folding drops); "LN" inside "3 CEDAR LN, SALEM" is a street, not a label."""
    i = 0
    while i < end:
        n = _is_label(tokens, i, ALL_LABELS)
        if not n:
            return False
        i += n
    return True


def _label_end(tokens: list[str], labels: frozenset[str]) -> int | None:
    """Index just past the last label of `tokens`, None if there is none."""
    end = None
    i = 0
    while i < len(tokens):
        n = _is_label(tokens, i, labels)
        if n:
            end = i + n
            i += n
        else:
            i += 1
    return end


def _value_words(toks: list[tuple[str, str, str, float]]) -> tuple[tuple[str, float], ...]:
    """The leading run of name-like tokens: a value column ends at the first word with digits (the
    next column's number or date) or a label."""
    out: list[tuple[str, float]] = []
    folded = [f for f, _, _, _ in toks]
    for i, (_, letters, printed, c) in enumerate(toks):
        if any(ch.isdigit() for ch in printed) or _is_label(folded, i, ALL_LABELS):
            break
        out.append((letters, c))
    return tuple(out)


def surname_anchors(viz: VIZReading, words: list[list[tuple[str, float]]]) -> list[Anchored]:
    """Values printed at a surname label, in every reading: the words after the label on its line
    ("Surname: WALKER"), else the first line below it that starts under the label and is not a
    label line. `words` are `viz.lines` split into (word, confidence), as the cross-checks do."""
    out: list[Anchored] = []
    breaks = set(viz.breaks)
    for i, line in enumerate(words):
        toks = _tokens(line)
        folded = [f for f, _, _, _ in toks]
        end = _label_end(folded, SURNAME_LABELS)
        if end is None or not _label_first(folded, end):
            continue
        rest = _value_words(toks[end:])
        if sum(ch.isalpha() for t, _ in rest for ch in t) >= MIN_LETTERS:
            out.append(Anchored(rest, "after_label"))
            continue
        below = _line_below(viz, words, i, breaks)
        if below is not None:
            value = _value_words(_tokens(words[below]))
            if sum(ch.isalpha() for t, _ in value for ch in t) >= MIN_LETTERS:
                out.append(Anchored(value, "under_label"))
    return out


def _line_below(viz: VIZReading, words: list[list[tuple[str, float]]], i: int, breaks: set[int]) -> int | None:
    """The next line of the same reading that starts under line `i`'s left part and lies within two
    of its heights below it, unless it is a label line."""
    x0, _, x1, y1 = viz.lines[i][1]
    h = max(viz.lines[i][1][3] - viz.lines[i][1][1], 1)
    for j in range(i + 1, len(viz.lines)):
        if j in breaks:
            return None  # the next reading starts
        bx0, by0, _, _ = viz.lines[j][1]
        if by0 < y1 - h // 2 or by0 > y1 + 2 * h:
            continue
        if not (x0 - h <= bx0 <= x0 + max(2 * h, (x1 - x0) // 2)):
            continue
        if _label_end([f for f, _, _, _ in _tokens(words[j])], ALL_LABELS) is not None:
            return None
        return j
    return None


# How far above the top of the given names' line the surname's line may end, in document
# millimetres: the given names' own label lies between them on most designs (4-5 mm on ID-1 cards,
# 6 on passport pages), a document's title further up (12 and more).
ABOVE_GIVEN_MAX_MM = 9.0


def surname_above_given(viz: VIZReading, words: list[list[tuple[str, float]]], given: str,
                        match: float, px_per_mm: float) -> list[Anchored]:
    """Values printed where the surname goes when no label says so: the first line above the given
    names' line (found at `match` similarity or better), in the same reading, starting in the same
    column, that is not a label line. ICAO 9303 orders the visual zone surname first, then given
    names (TD1, TD2, TD3 alike), and AAMVA licences field 1 (family name) above field 2 (given
    names), so on a card whose labels the OCR cannot read (another script, too small) this is
    where the surname is printed. Label lines are passed over; the first other line is the
    surname's slot, and a slot read as garbage (digits, nothing) gives no value rather than letting
    the search climb to the document's title."""
    out: list[Anchored] = []
    starts = [0, *sorted(b for b in viz.breaks if 0 < b < len(words))]
    for i, line in enumerate(words):
        toks = _tokens(line)
        value = " ".join(k for _, k, _, _ in toks)
        if not value or name_similarity(value, given) < match:
            continue
        x0, y0, _, y1 = viz.lines[i][1]
        h = max(y1 - y0, 1)
        first = max(s for s in starts if s <= i)
        for j in range(i - 1, first - 1, -1):
            bx0, _, _, by1 = viz.lines[j][1]
            if by1 < y0 - ABOVE_GIVEN_MAX_MM * px_per_mm:
                break
            if by1 > y0 or abs(bx0 - x0) > 2 * h:
                continue
            cand = _tokens(words[j])
            folded = [f for f, _, _, _ in cand]
            end = _label_end(folded, ALL_LABELS)
            if end is not None and _label_first(folded, end) and end == len(cand):
                continue  # the given names' label line (or an unrelated label): look further up
            rest = _value_words(cand[end or 0 :] if end is not None and _label_first(folded, end) else cand)
            if sum(ch.isalpha() for t, _ in rest for ch in t) >= MIN_LETTERS:
                out.append(Anchored(rest, "above_given_names"))
            break  # the surname's slot, read or not: never look past it to a title
    return out
