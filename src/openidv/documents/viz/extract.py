"""OCR the visual zone of a rectified document and pull out dates, names and numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openidv.documents.viz.normalise import find_dates
from openidv.documents.viz.ocr import Word, line_groups, ocr_words, prepare


@dataclass
class VIZReading:
    """Text lines read from the visual zone (boxes in rectified-document pixels) and the dates in them."""

    lines: list[tuple[str, tuple[int, int, int, int]]] = field(default_factory=list)
    dates: list[tuple[date, tuple[int, int, int, int]]] = field(default_factory=list)
    words: int = 0
    mean_conf: float = 0.0
    # Tesseract's confidence (0-100) of each word of each line, in the order the line's text lists
    # them: a value read wrongly is usually a word read with low confidence, whatever the page's mean.
    confs: list[list[float]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(t for t, _ in self.lines)

    def evidence(self) -> dict[str, Any]:
        """Counts and boxes only: the text itself is personal data and stays out of evidence."""
        return {"lines": len(self.lines), "words": self.words, "mean_conf": round(self.mean_conf, 1),
                "date_boxes": [list(b) for _, b in self.dates]}


def read_viz(rgb: NDArray[np.uint8], exclude_bottom: float = 0.0, month_first: bool = False,
             today: date | None = None) -> VIZReading:
    """OCR the document above its MRZ (`exclude_bottom`: share of the height to skip)."""
    h = rgb.shape[0]
    top = rgb[: int(h * (1 - exclude_bottom))] if exclude_bottom > 0 else rgb
    gray, f = prepare(top)
    words: list[Word] = [w for w in ocr_words(gray, psm=11) if w.conf >= 0]
    grouped = line_groups(words)
    lines = [(t, tuple(int(v / f) for v in b)) for t, b, _ in grouped]
    out = VIZReading(lines=lines, words=len(words),  # type: ignore[arg-type]
                     mean_conf=float(np.mean([w.conf for w in words])) if words else 0.0,
                     confs=[c for _, _, c in grouped])
    # Dates may be split over Tesseract lines ("12 AUG" / "1974"); search each line and each pair.
    for i, (t, b) in enumerate(out.lines):
        for d in find_dates(t, month_first, today=today):
            out.dates.append((d, b))
        if i + 1 < len(out.lines):
            joined = t + " " + out.lines[i + 1][0]
            for d in find_dates(joined, month_first, today=today):
                if all(d != x for x, _ in out.dates):
                    out.dates.append((d, b))
    return out
