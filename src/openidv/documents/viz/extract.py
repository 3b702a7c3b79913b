"""OCR the visual zone of a rectified document and pull out dates, names and numbers."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openidv.documents.viz.normalise import find_dates
from openidv.documents.viz.ocr import Word, line_groups, ocr_words, prepare

# Tesseract page segmentation modes read in turn; the reading is the union of their lines.
# 11 (sparse text) finds isolated labels and values anywhere on a card; 3 (automatic layout)
# keeps a value's words together where 11 merges them with a signature, a ghost image or a
# guilloche line below; 6 (one uniform block) reads rows of small values that the other two break
# up or drop under shadow and blur. The cross-checks *search* the zone for each value, so a further
# reading adds candidates rather than replacing any. Measured on genuine train-split documents
# (var/diag runs, docs/documents.md "Two readings of the visual zone"): sessions with a field not
# read at all 19 -> 13 and 21 -> 11 of 40 with the second reading; with the third (stop 22,
# 160 train documents, true rectification) documents with any visual-zone code 62 -> 56, fields
# not read 107 -> 96, clear mismatches unchanged (3); psm 4 or 12 as the third did less (61, 66).
# Each reading costs one Tesseract call (~0.2 s on a 900-pixel card).
PAGE_MODES = (11, 3, 6)


@dataclass
class VIZReading:
    """Text lines read from the visual zone (boxes in rectified-document pixels) and the dates in them.

    With several readings (page segmentation modes) `lines`, `confs` and `mean_conf` cover all of
    them, while `words` is the largest single reading's word count (how much one pass found)."""

    lines: list[tuple[str, tuple[int, int, int, int]]] = field(default_factory=list)
    dates: list[tuple[date, tuple[int, int, int, int]]] = field(default_factory=list)
    words: int = 0
    mean_conf: float = 0.0
    # Tesseract's confidence (0-100) of each word of each line, in the order the line's text lists
    # them: a value read wrongly is usually a word read with low confidence, whatever the page's mean.
    confs: list[list[float]] = field(default_factory=list)
    # Index of the first line of each reading after the first (one per page segmentation mode):
    # lines are joined with their successor only within one reading.
    breaks: list[int] = field(default_factory=list)
    # Scale of the rectified document the boxes refer to (the visual-zone check rectifies at 9)
    px_per_mm: float = 9.0
    # Tesseract page segmentation mode of each reading, in order (empty: unknown)
    modes: tuple[int, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(t for t, _ in self.lines)

    def readings(self) -> list[range]:
        """Line index range of each reading, in page-mode order (empty ranges kept, so that the
        i-th range is the reading of ``modes[i]``; breaks out of range are clamped)."""
        n = len(self.lines)
        cuts = [0, *sorted(min(max(b, 0), n) for b in self.breaks), n]
        return [range(a, b) for a, b in itertools.pairwise(cuts)]

    def successive(self) -> Iterator[int]:
        """Indices i whose line i + 1 follows it in the same reading ("12 AUG" / "1974")."""
        for i in range(len(self.lines) - 1):
            if i + 1 not in self.breaks:
                yield i

    def confident_chars(self, min_conf: float = 80.0) -> int:
        """Letters and digits in words read at `min_conf` or better: how much of the zone was
        really read (a card read upside down yields a few doubtful fragments)."""
        return sum(sum(ch.isalnum() for ch in t) for line, cs in zip(self.lines, self.confs, strict=False)
                   for t, c in zip(line[0].split(), cs, strict=False) if c >= min_conf)

    def evidence(self) -> dict[str, Any]:
        """Counts and boxes only: the text itself is personal data and stays out of evidence."""
        return {"lines": len(self.lines), "words": self.words, "mean_conf": round(self.mean_conf, 1),
                "date_boxes": [list(b) for _, b in self.dates]}


def read_viz(rgb: NDArray[np.uint8], exclude_bottom: float = 0.0, month_first: bool = False,
             today: date | None = None, page_modes: tuple[int, ...] = PAGE_MODES,
             px_per_mm: float = 9.0) -> VIZReading:
    """OCR the document above its MRZ (`exclude_bottom`: share of the height to skip), once per
    page segmentation mode in `page_modes`, and find the dates in what was read."""
    h = rgb.shape[0]
    top = rgb[: int(h * (1 - exclude_bottom))] if exclude_bottom > 0 else rgb
    gray, f = prepare(top)
    out = VIZReading(px_per_mm=px_per_mm, modes=tuple(page_modes))
    every: list[Word] = []
    for k, psm in enumerate(page_modes):
        words = [w for w in ocr_words(gray, psm=psm) if w.conf >= 0]
        grouped = line_groups(words)
        if k > 0:
            out.breaks.append(len(out.lines))
        out.lines += [(t, (int(b[0] / f), int(b[1] / f), int(b[2] / f), int(b[3] / f))) for t, b, _ in grouped]
        out.confs += [c for _, _, c in grouped]
        out.words = max(out.words, len(words))
        every += words
    out.mean_conf = float(np.mean([w.conf for w in every])) if every else 0.0
    # Dates may be split over Tesseract lines ("12 AUG" / "1974"); search each line and each pair.
    out.dates += dates_of_lines(out.lines, month_first, today)
    for i in out.successive():
        joined = out.lines[i][0] + " " + out.lines[i + 1][0]
        b = out.lines[i][1]
        out.dates += [(d, b) for d in find_dates(joined, month_first, today=today) if all(d != x for x, _ in out.dates)]
    return out


def dates_of_lines(lines: list[tuple[str, tuple[int, int, int, int]]], month_first: bool = False,
                   today: date | None = None) -> list[tuple[date, tuple[int, int, int, int]]]:
    """The dates in each line, once each, with the box of the first line that shows it."""
    out: list[tuple[date, tuple[int, int, int, int]]] = []
    for t, b in lines:
        out += [(d, b) for d in find_dates(t, month_first, today=today) if all(d != x for x, _ in out)]
    return out
