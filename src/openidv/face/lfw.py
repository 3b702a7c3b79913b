"""The LFW verification protocol on any folder in LFW layout.

Layout: ``ROOT/Name/Name_0001.jpg``. Pairs file: one pair a line, ``name i j`` (mated) or
``name1 i name2 j`` (non-mated), tab or space separated, with an optional header line of counts
(``300`` or ``10 300``: folds and pairs per class per fold).

Folds: with a ``10 300`` header the file is read as LFW publishes it (each fold 300 mated then 300
non-mated lines). Without one, folds are recovered from the file's own order: LFW sorts each fold's
pairs by name, so a fold boundary is where the sorted order restarts. This recovers the standard
ten folds from a filtered copy of pairs.txt (e.g. ``lfw-dev``: runs of 173, 162, ... mated and
105, 97, ... non-mated pairs). If no such structure exists, pairs are dealt into 10 folds by index.

Protocol accuracy: for each fold, the threshold that maximises accuracy on the other nine is
applied to it; the figure is the mean (and standard error) of the ten fold accuracies. Pairs with
no score (no face found) count as errors, never as silently dropped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

N_FOLDS = 10


@dataclass(frozen=True)
class Pair:
    name1: str
    i: int
    name2: str
    j: int
    fold: int

    @property
    def mated(self) -> bool:
        return self.name1 == self.name2


def image_path(root: Path, name: str, index: int) -> Path:
    return root / name / f"{name}_{index:04d}.jpg"


def _parse_line(parts: list[str]) -> tuple[str, int, str, int]:
    if len(parts) == 3:
        return parts[0], int(parts[1]), parts[0], int(parts[2])
    if len(parts) == 4:
        return parts[0], int(parts[1]), parts[2], int(parts[3])
    raise ValueError(f"a pairs line needs 3 or 4 fields, got {len(parts)}: {' '.join(parts)!r}")


def _segments(rows: list[tuple[str, int, str, int]]) -> list[list[int]]:
    """Runs of the same kind (mated / non-mated) in name order; a new run where either changes."""
    segs: list[list[int]] = []
    prev: tuple[str, int, str, int] | None = None
    for k, row in enumerate(rows):
        kind_changed = prev is None or (prev[0] == prev[2]) != (row[0] == row[2])
        if kind_changed or (prev is not None and row[0] < prev[0]):
            segs.append([])
        segs[-1].append(k)
        prev = row
    return segs


def _folds(rows: list[tuple[str, int, str, int]], header: list[int]) -> list[int]:
    n = len(rows)
    if len(header) == 2 and header[0] * header[1] * 2 == n:
        per = header[1]
        return [k // (2 * per) for k in range(n)]
    segs = _segments(rows)
    mated = [s for s in segs if rows[s[0]][0] == rows[s[0]][2]]
    other = [s for s in segs if rows[s[0]][0] != rows[s[0]][2]]
    fold = [k % N_FOLDS for k in range(n)]
    if len(mated) == len(other) and 2 <= len(mated) <= 20:
        for f, (a, b) in enumerate(zip(mated, other, strict=True)):
            for k in (*a, *b):
                fold[k] = f
    return fold


def read_pairs(path: Path) -> list[Pair]:
    """Pairs with their fold (see module docstring)."""
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    header: list[int] = []
    if lines and re.fullmatch(r"\d+([ \t]+\d+)?", lines[0]):
        header = [int(x) for x in lines[0].split()]
        lines = lines[1:]
    rows = [_parse_line(ln.split()) for ln in lines]
    folds = _folds(rows, header)
    return [Pair(a, i, b, j, f) for (a, i, b, j), f in zip(rows, folds, strict=True)]


def best_threshold(scores: NDArray[np.float64], labels: NDArray[np.bool_]) -> float:
    """The threshold (score >= t means same person) with the highest accuracy on these pairs."""
    order = np.argsort(scores)
    s, y = scores[order], labels[order]
    # Accepting everything at or above candidate k: correct = mated at/above + non-mated below.
    mated_above = np.cumsum(y[::-1])[::-1]
    nonmated_below = np.concatenate([[0], np.cumsum(~y)[:-1]])
    correct = mated_above + nonmated_below
    k = int(np.argmax(correct))
    lower = s[k - 1] if k > 0 else s[k] - 1e-6
    return float((lower + s[k]) / 2.0)


@dataclass(frozen=True)
class ProtocolResult:
    accuracy: float
    std_error: float
    fold_accuracies: tuple[float, ...]
    fold_thresholds: tuple[float, ...]
    unscored: int

    def as_dict(self) -> dict[str, object]:
        return {
            "accuracy": self.accuracy,
            "std_error": self.std_error,
            "fold_accuracies": list(self.fold_accuracies),
            "fold_thresholds": list(self.fold_thresholds),
            "unscored_pairs": self.unscored,
        }


def protocol_accuracy(scores: Sequence[float | None], pairs: Sequence[Pair]) -> ProtocolResult:
    """Ten-fold protocol accuracy; unscored pairs count as errors in their test fold."""
    s = np.array([np.nan if v is None else float(v) for v in scores], dtype=np.float64)
    y = np.array([p.mated for p in pairs], dtype=bool)
    folds = np.array([p.fold for p in pairs])
    accs, ts = [], []
    for f in sorted(set(folds.tolist())):
        train = (folds != f) & ~np.isnan(s)
        test = folds == f
        t = best_threshold(s[train], y[train])
        with np.errstate(invalid="ignore"):
            correct = np.where(np.isnan(s[test]), False, (s[test] >= t) == y[test])
        accs.append(float(correct.mean()))
        ts.append(t)
    mean = float(np.mean(accs))
    se = float(np.std(accs, ddof=1) / math.sqrt(len(accs))) if len(accs) > 1 else 0.0
    return ProtocolResult(mean, se, tuple(accs), tuple(ts), int(np.isnan(s).sum()))
