"""Hand-made visual-zone readings for the cross-check tests: the same lines read by several
page-mode readings, as Tesseract's modes read a clean card alike."""

from __future__ import annotations

from openidv.documents.viz.extract import VIZReading


def read_alike(lines: list[tuple[str, list[float]]], readings: int = 2) -> VIZReading:
    """`lines` (text, each word's confidence) read `readings` times, stacked 20 px apart."""
    out: list[tuple[str, tuple[int, int, int, int]]] = []
    confs: list[list[float]] = []
    breaks: list[int] = []
    for _ in range(readings):
        if out:
            breaks.append(len(out))
        for text, c in lines:
            out.append((text, (0, 20 * len(out), 100, 20 * len(out) + 15)))
            confs.append(c)
    return VIZReading(lines=out, words=10, mean_conf=90.0, confs=confs, breaks=breaks, modes=(11, 3, 6)[:readings])
