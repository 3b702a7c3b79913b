"""Cross-checks between what the document says in each zone and what the applicant declared.

Each zone yields a :class:`Claims` record (surname, given names, birth and expiry dates, document
number, sex, nationality). Zones are compared pairwise; a disagreement is recorded with the field,
the two sources and a similarity, never with the values themselves (evidence is stored).
VIZ text is searched rather than parsed: a value read in the MRZ or barcode must appear somewhere
in the printed text (names fuzzily, across scripts; dates in any printed style; numbers exactly up
to O/0 and I/1), which needs no knowledge of the issuer's layout.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from anyascii import anyascii
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from openidv.documents.viz.anchors import MIN_LETTERS as MIN_ANCHOR_LETTERS
from openidv.documents.viz.anchors import (
    NON_LATIN_ISSUERS,
    Anchored,
    Place,
    surname_above_given,
    surname_anchors,
    unexplained_name,
)
from openidv.documents.viz.anchors import letters as letter_count
from openidv.documents.viz.changed_letters import (
    MIN_ALTERED_READINGS,
    NAME_ALTERED_CONF,
    checkable,
    given_names_retyped,
    retyped,
)
from openidv.documents.viz.extract import VIZReading
from openidv.documents.viz.impossible_dates import (
    EARLIEST_YEAR,
    HIJRI_YEARS,
    LATEST_YEARS_AHEAD,
    impossible_dates,
)
from openidv.documents.viz.normalise import (
    NUMBER_LOOKALIKES,
    find_dates,
    lookalike_only,
    name_key,
    name_similarity,
    number_fold,
    number_key,
    ocr_fold,
)
from openidv.documents.viz.other_number import other_number

NAME_MATCH = 85.0  # token-set similarity (0-100) above which two names are the same person's
# A near spelling found somewhere (this to NAME_MATCH) is a misread of the name even against a clearly
# different name in the surname's place (stop 22 review: MUSTERMAMM at 80 is the holder's name);
# see _near_spelling for short names.
NAME_NEAR_MATCH = 75.0
NAME_CLEAR_MISMATCH = 60.0  # below this, a printed name differs beyond any plausible OCR misread
# Tesseract word confidences (0-100) above which a word is taken as read correctly. Set on
# genuine and forged documents of the *train* templates and capture conditions
# (var/diag-style dumps of the pipeline; docs/documents.md, "Cross-checks, stop 16").
NAME_SURE_CONF = 50.0
NAME_RESEMBLES = 50.0
# A word at a surname label (or above the given names) taken as clearly read: on the train dumps
# (stop 22: 200 genuine documents, 180 MRZ- and barcode-VIZ forgeries) every value from 75 to 90
# caught the same replaced surnames (25 of 44, 3 before) and flagged no further genuine document;
# 93 lost three.
NAME_ANCHOR_CONF = 85.0
NUMBER_SURE_CONF = 80.0
NUMBER_DOUBT_CONF = 60.0  # below this, a number-like word is too garbled to say anything
DATE_SURE_CONF = 85.0
# Another reading's copy contradicts a changed number from this confidence (30 or 0 lost forgeries
# on the train dump and gained no genuine document).
CONTRADICT_CONF = NUMBER_DOUBT_CONF
# A printed date one digit away from the reference is what a misread looks like, and also what a
# forger leaves who changes one MRZ birth-date digit and recomputes its check digits (the printed
# zone keeps the true date). Read at this confidence it is taken as printed: on the train-split
# dumps (480 genuine sessions, 80 MRZ tamperings; docs/documents.md, "stop 19") the only genuine
# same-kind date one digit off read at >= 85 was an expiry 3/8 confusion at 92.5; 11 of the 37
# tamperings with recomputed check digits were read at >= 93 (14 at >= 90). The lowest value that
# flags no genuine train session.
DATE_ONE_DIGIT_SURE_CONF = 93.0
_DIGIT_SPACE = re.compile(r"(?<=\d) (?=\d)")
BIRTH_MIN_AGE = 14  # years: a date this old is a birth date, not an issue date
EXPIRY_MAX_AHEAD = 12  # years: no document is valid longer
CENTURY_SLIP = 31  # years ahead: the latest a two-digit year parses to (normalise._year); beyond is noise


@dataclass
class Claims:
    source: str  # mrz | barcode | declared
    surname: str | None = None
    given_names: str | None = None
    date_of_birth: date | None = None
    date_of_expiry: date | None = None
    document_number: str | None = None
    sex: str | None = None
    nationality: str | None = None
    issuer: str | None = None  # ICAO issuing state (MRZ): see anchors.NON_LATIN_ISSUERS
    # How surely each surname letter was read (the MRZ glyph classifier's probabilities, fillers
    # skipped); None where the value is exact data (a barcode, a declaration) or was not read so.
    surname_conf: tuple[float, ...] | None = None
    given_conf: tuple[float, ...] | None = None  # the same for the given names' letters
    # End of validity derived from other data where the document encodes no expiry date (FRA-ID:
    # issue month and age at issue, mrz/fra_id.py); for document_validity only, never compared.
    valid_until: date | None = None


@dataclass
class Disagreement:
    field: str
    a: str
    b: str
    similarity: float | None = None
    strong: bool = True  # False: could be an OCR misread rather than a real difference
    # Nothing that conflicts with the value was read (the OCR missed it, or read only part of it):
    # recorded, but not a disagreement worth a reason code.
    unread: bool = False
    # Where the conflicting value was read, when its place made the difference (a replaced surname
    # at its label: "after_label", "under_label", "above_given_names"; viz/anchors.py).
    place: Place | None = None
    # The zone prints, in the date's place, a date that cannot exist (viz/impossible_dates.py).
    not_a_date: bool = False
    # The surname's place shows it with a letter or two changed (_letters_changed_at_place).
    letters_changed: bool = False
    # Another number of the document number's format is printed instead (viz/other_number.py).
    number_replaced: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "between": [self.a, self.b], "strong": self.strong, "unread": self.unread,
                **({} if self.similarity is None else {"similarity": round(self.similarity, 1)}),
                **({} if self.place is None else {"place": self.place}),
                **({"printed_date_impossible": True} if self.not_a_date else {}),
                **({"letters_changed": True} if self.letters_changed else {}),
                **({"number_replaced": True} if self.number_replaced else {})}


@dataclass
class CrossCheck:
    compared: list[str] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)


def compare(a: Claims, b: Claims) -> CrossCheck:
    """Field-by-field comparison of two structured sources (only fields both have)."""
    out = CrossCheck()
    for name in ("surname", "given_names"):
        va, vb = getattr(a, name), getattr(b, name)
        if va and vb:
            out.compared.append(name)
            sim = _name_sim(va, vb, truncated=a.source == "mrz" or b.source == "mrz")
            if sim < NAME_MATCH:
                out.disagreements.append(Disagreement(name, a.source, b.source, sim))
    for name in ("date_of_birth", "date_of_expiry"):
        va, vb = getattr(a, name), getattr(b, name)
        if va and vb:
            out.compared.append(name)
            if va != vb:
                out.disagreements.append(Disagreement(name, a.source, b.source))
    if a.document_number and b.document_number:
        out.compared.append("document_number")
        if number_key(a.document_number) != number_key(b.document_number):
            out.disagreements.append(Disagreement("document_number", a.source, b.source))
    for name in ("sex", "nationality"):
        va, vb = getattr(a, name), getattr(b, name)
        if va and vb and va not in ("X", "<") and vb not in ("X", "<"):
            out.compared.append(name)
            if va.upper()[:3] != vb.upper()[:3]:
                out.disagreements.append(Disagreement(name, a.source, b.source))
    return out


def _name_sim(a: str, b: str, truncated: bool) -> float:
    ka, kb = name_key(a), name_key(b)
    sim = name_similarity(ka, kb)
    if truncated and ka and kb:  # the MRZ truncates long names: a prefix match is a match
        short, long_ = sorted((ka.replace(" ", ""), kb.replace(" ", "")), key=len)
        if len(short) >= 8 and long_.startswith(short):
            sim = 100.0
    return sim


def against_viz(ref: Claims, viz: VIZReading, today: date | None = None, month_first: bool = False) -> CrossCheck:
    """Is each value of `ref` printed in the visual zone?

    A value not found is a *strong* disagreement (DATA_MISMATCH) only when the zone shows a
    confidently read alternative that an OCR slip cannot explain: a surname where every word that
    could hide the value was read clearly, or a clearly read other name in the surname's own place
    (at its label or above the given names: `_replaced_at_label`), a document number read clearly
    with characters that no common OCR confusion turns into the reference's (and not only glare
    look-alikes, `normalise.NUMBER_LOOKALIKES`), a birth or expiry date whose place is taken by
    another date of the same kind, or the reference date altered into no calendar date
    (`impossible_dates.py`), or a number replaced whole by another of its format
    (`other_number.py`). Given names shown at their place (`anchors.given_names_places`) with a
    letter or two retyped, read surely, are a clear mismatch (`changed_letters.py`); missing, they
    are unread, or unconfirmed when a clearly read name nothing explains is in the zone. A
    conflicting value read doubtfully is unconfirmed (a weak disagreement, VIZ_DATA_UNCONFIRMED: review), because the
    cheapest explanation is a misread.
    A value that was not found and that nothing shows to be replaced is ``unread``: the OCR missed
    the field or read a part of it that agrees, a name is a near spelling (similarity 60-85; a
    surname shown at its place one or two letters off, read surely, is the exception:
    `_letters_changed_at_place`) or neither name was found, no date of the field's kind was read
    (an expired printed expiry date reads as an issue date), or no number within three characters
    of it was read. The visual zone
    is searched, not parsed, so these cases cannot be told from a replaced value: a forger who
    changes both names, or prints an entirely different number of another format or one not read
    clearly, is left to VIZ_FIELD_UNREAD (review by default) - see docs/documents.md.
    Numeric dates are read month first when `month_first` (a US issuer), else day first.
    """
    out = CrossCheck()
    words = _words(viz)
    lines = [ocr_fold(t) for t, _ in viz.lines]
    found = {n: _name_found(ocr_fold(v), lines, truncated=ref.source == "mrz")
             for n in ("surname", "given_names") if (v := getattr(ref, n))}
    for name, best in found.items():
        out.compared.append(name)
        d = _name_against(name, best, found, ref, viz, words)
        if d is not None:
            out.disagreements.append(d)
    today = today or date.today()
    read = _dates_read(viz, words, month_first, today)
    known = {(d.day, d.month, d.year % 100) for d in (ref.date_of_birth, ref.date_of_expiry) if d}
    for name in ("date_of_birth", "date_of_expiry"):
        v = getattr(ref, name)
        if v and read:
            out.compared.append(name)
            d = _date_against(name, v, ref.source, read, known, today,
                              hijri=(ref.issuer or "") in NON_LATIN_ISSUERS)
            if d is not None:
                out.disagreements.append(d)
    _impossible_dates(out, ref, viz, words, read, today)
    if ref.document_number:
        out.compared.append("document_number")
        d = _number_against(ref.document_number, ref.source, _by_reading(viz, words),
                            [[viz.lines[i][1] for i in r] for r in viz.readings() if len(r)])
        if d is not None:
            out.disagreements.append(d)
    return out


def _name_against(name: str, best: float, found: dict[str, float], ref: Claims, viz: VIZReading,
                  words: list[list[tuple[str, float]]]) -> Disagreement | None:
    """The surname or the given names against the zone (`best`: how well the name is printed
    anywhere, `_name_found`); None when it is printed (or near enough to be a misread)."""
    places = _surname_places(viz, words, ref) if name == "surname" and best < 100.0 else []
    if name == "surname" and best < 100.0 and (changed := _letters_changed_at_place(places, ref,
                                                                                     found.get("given_names", 0))):
        return Disagreement(name, ref.source, "viz", similarity=best, place=changed, letters_changed=True)
    if (name == "given_names" and best < 100.0 and found.get("surname", 0.0) >= NAME_MATCH
            and checkable(ref.issuer)
            and given_names_retyped(viz, words, getattr(ref, name), ref.surname or "", ref.given_conf)):
        return Disagreement(name, ref.source, "viz", similarity=best, letters_changed=True)
    if best >= NAME_MATCH:
        return None
    # Strong only when the other name was found (the names were read) and no doubtfully read
    # word could be this one: a name the OCR missed is not a different name. Given names, which
    # have no place rule, are never clearly different for being missed: glare that wipes their
    # line leaves nothing doubtful behind (2 of 600 genuine train documents, no forgery, stop 23).
    other = found.get("given_names" if name == "surname" else "surname", 0.0)
    value = getattr(ref, name)
    strong = (name == "surname" and best < NAME_CLEAR_MISMATCH and other >= NAME_MATCH
              and not _could_hide(value, words))
    place = None
    if name == "surname" and not strong and not _near_spelling(value, best):
        place = _replaced_at_label(places, ref, other >= NAME_MATCH)
        strong = place is not None
    # A near match (a misread spelling) or a name missed with nothing like it read doubtfully
    # is no evidence either way; a doubtful word that resembles it leaves it unconfirmed. A
    # clearly different name in the surname's own place outweighs a near match elsewhere (a
    # short surname resembles some word of most cards: PARK 67 against a label fragment).
    unread = (best >= NAME_CLEAR_MISMATCH and place is None) or (not strong and not _doubtful(value, words))
    if name == "given_names" and unread and best < NAME_CLEAR_MISMATCH and other >= NAME_MATCH:
        # given names missing while the zone shows a clearly read name nothing explains ("BRITTA
        # LOUISE" where the MRZ says ANNA MARIA): unconfirmed, for a person to look at
        unread = not unexplained_name(viz, words, [v for v in (ref.surname, ref.given_names) if v])
    return Disagreement(name, ref.source, "viz", similarity=best, strong=strong, unread=unread, place=place)


def _impossible_dates(out: CrossCheck, ref: Claims, viz: VIZReading, words: list[list[tuple[str, float]]],
                      read: list[tuple[date, float, bool]], today: date) -> None:
    """A reference date the zone prints altered into no calendar date is a clear mismatch, whatever
    the search for valid dates concluded (it skips what does not parse) - unless the reference date
    itself was read, in a plausible year: then the odd date is another calendar's copy (a Saudi
    passport's Hijri 13/04/1396 beside 13/04/1976). A year such as 2732 parses, and its last two
    digits agree with 2032's; that is not the date read."""
    def seen(v: date) -> bool:
        return any((d.day, d.month, d.year % 100) == (v.day, v.month, v.year % 100)
                   and EARLIEST_YEAR <= d.year <= today.year + LATEST_YEARS_AHEAD for d, _, _ in read)

    refs = {n: v for n in ("date_of_birth", "date_of_expiry") if (v := getattr(ref, n)) and not seen(v)}
    for imp in impossible_dates(viz, words, refs, today, hijri=(ref.issuer or "") in NON_LATIN_ISSUERS):
        if imp.field not in out.compared:
            out.compared.append(imp.field)
        out.disagreements = [d for d in out.disagreements if d.field != imp.field]
        out.disagreements.append(Disagreement(imp.field, ref.source, "viz", strong=True, not_a_date=True))


def _surname_places(viz: VIZReading, words: list[list[tuple[str, float]]], ref: Claims) -> list[Anchored]:
    """What is printed in the surname's place: at a surname label, and above the given names."""
    above = surname_above_given(viz, words, ref.given_names, NAME_MATCH) if ref.given_names else []
    return surname_anchors(viz, words) + above


def _letters_changed_at_place(anchors: list[Anchored], ref: Claims, given_found: float) -> Place | None:
    """Where the surname's place (at its label or above the given names) shows the surname with one
    or two letters changed - the same length, at least one change not a look-alike misread
    (`normalise.LETTER_LOOKALIKES`) - read at NAME_ALTERED_CONF by both the sparse and the automatic
    page-mode readings; None if nowhere. Not when the surname is printed exactly somewhere (the
    caller checks), nor when the given names were not read, nor for issuers with a non-Latin
    national script or a letter the English model reads as another (`changed_letters.checkable`), nor
    when the reference's own letter at a change was read doubtfully: MRZ names carry no check
    digit, so a misread MRZ letter would otherwise condemn a correctly printed name. The two
    readings mostly share one recognition pass (they guard against a line cut or joined wrongly,
    not against a letter the recogniser always misreads: hence the look-alikes and the issuers).
    Train readings, stop 23: 4 of 21 such field alterations, 0 of 600 genuine documents."""
    value = ref.surname or ""
    if given_found < NAME_MATCH or not value or not checkable(ref.issuer):
        return None
    target = name_key(value).replace(" ", "")
    seen: dict[str, set[int]] = {}
    places: dict[str, Place] = {}
    for a in anchors:
        read = name_key(a.leading(NAME_ALTERED_CONF)).replace(" ", "")
        if retyped(read, target, ref.surname_conf):
            seen.setdefault(read, set()).add(a.reading)
            places.setdefault(read, a.place)
    return next((places[k] for k, rs in seen.items() if len(rs) >= MIN_ALTERED_READINGS), None)


def _near_spelling(value: str, best: float) -> bool:
    """Was a near spelling of the name found somewhere (NAME_NEAR_MATCH or better)? Then it is
    printed and misread, whatever *other* name stands in its place (a surname shown there one or
    two letters off and read surely is judged first, `_letters_changed_at_place`); not for names
    under five letters, which resemble some fragment of most cards by chance (PARK 75 against PARS)."""
    return best >= NAME_NEAR_MATCH and len(name_key(value).replace(" ", "")) >= 5


def _replaced_at_label(anchors: list[Anchored], ref: Claims, given_found: bool) -> Place | None:
    """Where a clearly read name stands in the surname's place (at a surname label, or above the
    given names) that is neither the surname nor the given names; None if nowhere. Then the missing
    surname was replaced, whatever doubtful words the zone also holds (`_could_hide` cannot rule
    out a misread anywhere; the surname's place can). Only when the given names were read (the
    zone was read at all, the right page) and never for issuers whose national script is not Latin
    (a Cyrillic name reads as a clean Latin look-alike); any place showing something like the
    surname vetoes the rest."""
    value, given = ref.surname or "", ref.given_names
    if not given_found or not value or (ref.issuer or "") in NON_LATIN_ISSUERS:
        return None
    truncated = ref.source == "mrz"
    # Any place showing something like the surname - read clearly or not, whole or in part (a run of
    # its words: "VIRTAMFM SUOMI") - is a misread, not a replacement.
    for a in anchors:
        toks = [t for t, _ in a.words]
        runs = [" ".join(toks[i:j]) for i in range(len(toks)) for j in range(i + 1, len(toks) + 1)]
        if any(_name_sim(r, value, truncated) >= NAME_CLEAR_MISMATCH for r in runs):
            return None
    for a in anchors:
        sure = a.leading(NAME_ANCHOR_CONF)
        if letter_count(sure) < MIN_ANCHOR_LETTERS:
            continue
        if given and _name_sim(sure, given, truncated) >= NAME_CLEAR_MISMATCH:
            continue  # the given names' line taken for the value
        return a.place
    return None


def _words(viz: VIZReading) -> list[list[tuple[str, float]]]:
    """Each line's words with their confidences (0 where a reading carries none: unknown = doubtful)."""
    out = []
    for i, (text, _) in enumerate(viz.lines):
        confs = viz.confs[i] if i < len(viz.confs) else []
        toks = text.split()
        out.append([(t, float(confs[j]) if j < len(confs) and len(confs) == len(toks) else 0.0)
                    for j, t in enumerate(toks)])
    return out


def _by_reading(viz: VIZReading, words: list[list[tuple[str, float]]]) -> list[list[list[tuple[str, float]]]]:
    """The lines' words split into the zone's separate readings (one per page segmentation mode)."""
    return [words[r.start : r.stop] for r in viz.readings() if len(r)]


def _could_hide(value: str, words: list[list[tuple[str, float]]]) -> bool:
    """Is there a doubtfully read word that could hide `value` (mostly letters, at least half its
    length)? Then a missing name may be a garbled one. Deliberately broad: on the train dumps,
    also asking for the name's length and some resemblance raised genuine DATA_MISMATCH from 1% to
    2-4% for a few more forgeries caught; symbols alone do not count (likewise measured)."""
    letters = len(ocr_fold(value).replace(" ", ""))
    return any(c < NAME_SURE_CONF and sum(ch.isalpha() for ch in t) >= max(2, letters // 2)
               for line in words for t, c in line)


def _doubtful(value: str, words: list[list[tuple[str, float]]]) -> bool:
    """Is there a doubtfully read word that could be `value` misread (a run of one or two words,
    read below NAME_SURE_CONF, that resembles it)?"""
    key = ocr_fold(value).replace(" ", "")
    for line in words:
        for size in (1, 2):
            for i in range(len(line) - size + 1):
                run = line[i : i + size]
                if min(c for _, c in run) < NAME_SURE_CONF and fuzz.ratio(
                        key, ocr_fold("".join(t for t, _ in run)).replace(" ", "")) >= NAME_RESEMBLES:
                    return True
    return False


def _name_found(key: str, lines: list[str], truncated: bool = False) -> float:
    """How well (0-100) the name is printed somewhere: the best match of the whole name against any
    run of whole words of a line, with and without spaces (OCR splits and joins words). Whole words,
    because a short name is a substring of many labels ("WEISS" in "PERSONALAUSWEIS") and a short
    line is a substring of many names. The MRZ truncates long names (`truncated`): a long enough
    key may match the beginning of a run."""
    n = len(key.split())
    flat = key.replace(" ", "")
    best = 0.0
    for line in lines:
        toks = line.split()
        for size in range(max(1, n - 1), (len(toks) if truncated else n + 1) + 1):
            for i in range(len(toks) - size + 1):
                run = toks[i : i + size]
                joined = "".join(run)
                best = max(best, fuzz.ratio(key, " ".join(run)), fuzz.ratio(flat, joined))
                if truncated and len(flat) >= 8 and len(joined) > len(flat):
                    best = max(best, fuzz.ratio(flat, joined[: len(flat)]))
    return best


def _dates_read(viz: VIZReading, words: list[list[tuple[str, float]]], month_first: bool,
                today: date) -> list[tuple[date, float, bool]]:
    """Dates in the zone (each line, and each line joined with the next: "12 AUG" / "1974"), each
    with the lowest confidence of the digit-bearing words it was read from (the best such reading
    when a date is read more than once), and whether its day or month was read as a lone digit
    (no leading zero in what was read: a digit may have been lost)."""
    def conf(*idx: int) -> float:
        return min((c for i in idx for t, c in words[i] if any(ch.isdigit() for ch in t)), default=0.0)

    best: dict[date, float] = {}
    short: set[date] = set()

    def dates_in(text: str) -> list[date]:  # also with the spaces OCR puts inside numbers removed
        return find_dates(text, month_first, today=today) + find_dates(
            _DIGIT_SPACE.sub("", text), month_first, today=today)

    pairs = set(viz.successive())
    for i, (text, _) in enumerate(viz.lines):
        found = [(d, conf(i), text) for d in dates_in(text)]
        if i in pairs and not _opens_with_date(viz.lines[i + 1][0], month_first, today):
            # "12 AUG" / "1974"; not "17 07" / "05 02 2023": a line opening with a whole date of its
            # own would lend a partial one its first numbers (04/28/05, a false birth date)
            joined = text + " " + viz.lines[i + 1][0]
            found += [(d, conf(i, i + 1), joined) for d in dates_in(joined)]
        for d, c, src in found:  # a date read on its own line keeps that line's confidence
            best[d] = max(c, best.get(d, c))
            if _lone_digit(d, src):
                short.add(d)
    return [(d, c, d in short) for d, c in best.items()]


def _opens_with_date(text: str, month_first: bool, today: date) -> bool:
    """Does the line start with a whole date (its first word, or its first three: "05 02 2023")?"""
    toks = text.split()
    return any(find_dates(" ".join(toks[:k]), month_first, today=today) for k in (1, 3) if len(toks) >= k)


def _lone_digit(d: date, text: str) -> bool:
    """Is the date's day (or numeric month) below 10 and written in `text` as a single digit?"""
    t = anyascii(text)
    return any(v < 10 and re.search(rf"(?<![0-9]){v}(?![0-9])", t) is not None for v in (d.day, d.month))


def date_at_place(name: str, value: date, ref: Claims, text: str, confs: list[float], today: date,
                  month_first: bool = False) -> Disagreement | None:
    """`name`'s reference date against what was read at the field's own place (viz/places.py): as
    the zone's dates are judged (the reference's other date explains a date read, a lost digit
    excuses one digit off, Hijri copies, spaces inside numbers), except that a date read there is
    of the field's kind whatever its year - the place says which field it is. None: confirmed."""
    line = VIZReading(lines=[(text, (0, 0, 0, 0))], confs=[list(confs)], words=len(text.split()))
    read = _dates_read(line, _words(line), month_first, today)
    known = {(d.day, d.month, d.year % 100) for d in (ref.date_of_birth, ref.date_of_expiry) if d}
    return _date_against(name, value, ref.source, read, known, today, hijri=(ref.issuer or "") in NON_LATIN_ISSUERS,
                         any_kind=True)


def _date_against(name: str, value: date, source: str, read: list[tuple[date, float, bool]],
                  known: set[tuple[int, int, int]], today: date, hijri: bool = False,
                  any_kind: bool = False) -> Disagreement | None:
    if (value.day, value.month, value.year % 100) in {(d.day, d.month, d.year % 100) for d, _, _ in read}:
        return None
    if hijri:  # a Hijri copy of a date (13/04/1396 on a Saudi passport) is no Gregorian birth date
        read = [x for x in read if not HIJRI_YEARS[0] <= x[0].year < HIJRI_YEARS[1]]
    # Dates the reference does not explain, of this field's kind: an issue date (the past decade)
    # is neither a birth date nor an expiry date; a two-digit birth year may parse a century late.
    others = [x for x in read if (x[0].day, x[0].month, x[0].year % 100) not in known]
    if any_kind:
        same_kind = others
    elif name == "date_of_birth":
        same_kind = [x for x in others
                     if x[0] <= _years_before(today, BIRTH_MIN_AGE)
                     or _years_before(today, -EXPIRY_MAX_AHEAD) < x[0] <= _years_before(today, -CENTURY_SLIP)]
    else:
        same_kind = [x for x in others if today <= x[0] <= _years_before(today, -EXPIRY_MAX_AHEAD)]
    strong = any(c >= DATE_SURE_CONF and (not one_digit_apart(d, value)
                                          or (c >= DATE_ONE_DIGIT_SURE_CONF and not (lone and _digit_lost(d, value))))
                 for d, c, lone in same_kind)
    return Disagreement(name, source, "viz", strong=strong, unread=not same_kind)


def _digit_lost(read: date, ref: date) -> bool:
    """Has the date fewer day and month digits than the reference ("3 DEC" for 13 DEC)? When it was
    also read as a lone digit (no leading zero), the reading lost a digit: a misread, not a digit a
    forger changed. A printed "03" against a tampered 13 keeps its zero and stays a mismatch."""
    return len(f"{read.day}{read.month}") < len(f"{ref.day}{ref.month}")


def _years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def one_digit_apart(a: date, b: date) -> bool:
    """Printed dates one digit apart (changed, lost or added): what a misread looks like. A forger
    changing one digit (a decade, a month) is therefore a clear mismatch only when the printed
    date was read at DATE_ONE_DIGIT_SURE_CONF, else unconfirmed."""
    sa, sb = a.strftime("%d%m%y"), b.strftime("%d%m%y")
    if sum(x != y for x, y in zip(sa, sb, strict=True)) <= 1:
        return True
    ua, ub = (f"{d.day}.{d.month}.{d.year % 100}" for d in (a, b))
    return bool(Levenshtein.distance(ua, ub) <= 1)


def _number_against(value: str, source: str, readings: list[list[list[tuple[str, float]]]],
                    boxes: list[list[tuple[int, int, int, int]]] | None = None) -> Disagreement | None:
    """Is the document number printed? `readings`: each reading's lines of words (`boxes`: their
    line boxes, where known).

    A clear changed copy (one or two characters off, read at NUMBER_SURE_CONF) is a mismatch
    unless another reading contradicts it: shows a different copy near the number, read at
    NUMBER_DOUBT_CONF, and not this one. When nothing like the number was read, another number of
    its format read clearly is a mismatch too (`other_number.py`). A misread is rarely repeated by a
    second segmentation of the page; a printed number is. On the stop-19 train dump (with the look-alikes of
    `_number_targets` and `number_fold`) genuine documents flagged by their number went 5 -> 1 of
    300, MRZ-VIZ number forgeries 16 -> 16 of 27, barcode-VIZ 13 -> 13 (docs/documents.md).
    """
    targets = _number_targets(value)
    if not targets:
        return None
    grouped = [_number_candidates(words) for words in readings]
    per = [[(c, conf) for c, conf, _ in g] for g in grouped]
    cands = [x for g in grouped for x in g]
    if any(t in c for c, _, _ in cands for t in targets):
        return None
    strong = near = partial = False
    for c, conf, parts in cands:
        target = min(targets, key=lambda t: Levenshtein.distance(c, t))  # Z read as 2 or as 7
        if _agrees_in_part(c, target):
            partial = True  # a partial read that agrees
        elif abs(len(c) - len(target)) <= 1 and Levenshtein.distance(c, target) <= 2 and conf >= NUMBER_SURE_CONF:
            # the same number with one or two characters changed, read clearly - unless every change
            # is a look-alike a dim or glared capture makes (9 read as O, B as 6, E as F), or the
            # "copy" is the number read but for one character with a neighbouring word glued on
            # (LR930160 + 26, the expiry's day, against LR9301607: a genuine train card, stop 38)
            glued = len(parts) > 1 and any(len(q) >= len(target) - 1 and q in target for q in parts)
            if glued or lookalike_only(c, target, NUMBER_LOOKALIKES) or any(_contradicts(p, c, target) for p in per):
                near = True
            else:
                strong = True
        elif abs(len(c) - len(target)) <= 2 and Levenshtein.distance(c, target) <= 3 and conf >= NUMBER_DOUBT_CONF:
            near = True  # something like it, read doubtfully: unconfirmed
    if not (strong or near or partial) and other_number(value, readings, boxes):
        # nothing like the number read, and another number of its format read clearly: replaced
        return Disagreement("document_number", source, "viz", number_replaced=True)
    # a clear changed copy outweighs a part that agrees; a part that agrees outweighs a doubtful copy
    return Disagreement("document_number", source, "viz", strong=strong, unread=not strong and (partial or not near))


def _agrees_in_part(c: str, target: str) -> bool:
    """A read group that is a long enough part of the number (five characters, or all but four)."""
    return len(c) >= max(5, len(target) - 4) and c in target


def _contradicts(reading: list[tuple[str, float]], copy: str, target: str) -> bool:
    """Does this reading show, at NUMBER_DOUBT_CONF or better, another copy near the number and not
    `copy` (on its own or inside a longer group read as surely: a label glued to it)? A group read
    doubtfully confirms nothing: a label fragment joined to a partial read of the number makes a
    "copy" too (stop 19, a genuine passport)."""
    if any(copy in x and k >= NUMBER_DOUBT_CONF for x, k in reading):
        return False
    return any(k >= CONTRADICT_CONF and abs(len(x) - len(target)) <= 2 and Levenshtein.distance(x, target) <= 3
               for x, k in reading)


def _number_targets(value: str) -> list[str]:
    """The number as it may be printed and read: folded, with Z and T read as 7 (look-alikes the
    fold cannot merge, since Z also reads as 2 and T as 1), and with H read as two strokes (II).
    Each seen on genuine train documents read clearly (stop 19)."""
    v = value.upper()
    out = [number_fold(v), number_fold(v.replace("Z", "7").replace("T", "7")), number_fold(v.replace("H", "II"))]
    return [t for i, t in enumerate(out) if t and t not in out[:i]]


def _number_candidates(words: list[list[tuple[str, float]]]) -> list[tuple[str, float, tuple[str, ...]]]:
    """Every word, every pair of neighbouring words (a number printed or read in groups), also across
    consecutive lines, and every line of three or more words run together, folded; a group's
    confidence is its lowest word's. Each comes with its words, folded (one for a single word)."""
    flat = [(t, c) for line in words for t, c in line]
    out: list[tuple[str, float, tuple[str, ...]]] = [(number_fold(t), c, (number_fold(t),)) for t, c in flat]
    out += [(number_fold(a + b), min(ca, cb), (number_fold(a), number_fold(b)))
            for (a, ca), (b, cb) in itertools.pairwise(flat)]
    out += [(number_fold("".join(t for t, _ in line)), min(c for _, c in line), tuple(number_fold(t) for t, _ in line))
            for line in words if len(line) > 2]
    return [(t, c, parts) for t, c, parts in out if t]
