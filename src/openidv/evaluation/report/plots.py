"""Figures as inline SVG (matplotlib, Agg backend, imported only when a report is drawn).

DET curves use normal-deviate (probit) axes as ISO/IEC 19795-1 recommends: on those axes two
Gaussian score distributions give a straight line, so shape differences between systems stand out.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

DET_TICKS = (1e-5, 1e-4, 1e-3, 1e-2, 0.05, 0.2, 0.5, 0.8)
CLIP = (1e-6, 1 - 1e-6)


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def to_svg(fig: Any) -> str:
    """Serialise a figure as an ``<svg>`` element (no XML prolog) and close it."""
    plt = _pyplot()
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def probit(x: Sequence[float | None]) -> np.ndarray:
    from scipy.stats import norm

    arr = np.array([np.nan if v is None else v for v in x], dtype=np.float64)
    return np.asarray(norm.ppf(np.clip(arr, *CLIP)))


def det_svg(lines: Mapping[str, Mapping[str, Sequence[float | None]]], xlabel: str, ylabel: str) -> str:
    """DET curves on probit axes; ``lines`` maps a legend label to false_accept/false_reject lists."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.2, 5.0))
    for label, pts in lines.items():
        ax.plot(probit(pts["false_accept"]), probit(pts["false_reject"]), label=label, linewidth=1.4)
    ticks = probit(DET_TICKS)
    names = [f"{100 * t:g}%" for t in DET_TICKS]
    ax.set_xticks(ticks, names, rotation=45)
    ax.set_yticks(ticks, names)
    ax.set_xlim(ticks[0], ticks[-1])
    ax.set_ylim(ticks[0], ticks[-1])
    ax.plot(ticks, ticks, color="#bbbbbb", linewidth=0.8, linestyle=":")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, linewidth=0.4, alpha=0.6)
    ax.set_title("DET (normal-deviate axes)")
    ax.legend(fontsize=8, loc="upper right")
    return to_svg(fig)


def histogram_svg(edges: Sequence[float], counts: Mapping[str, Sequence[int]], title: str) -> str:
    """Per-class score densities on shared bins (each class normalised to area 1)."""
    plt = _pyplot()
    e = np.asarray(edges, dtype=np.float64)
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    widths = np.diff(e)
    for label, c in counts.items():
        arr = np.asarray(c, dtype=np.float64)
        total = arr.sum()
        if total <= 0:
            continue
        ax.stairs(arr / (total * widths), e, label=f"{label} (n={int(total):,})", linewidth=1.3)
    ax.set_xlabel("score (higher = more likely genuine / bona fide)")
    ax.set_ylabel("density")
    ax.set_title(title)
    ax.legend(fontsize=8)
    ax.grid(True, linewidth=0.4, alpha=0.6)
    return to_svg(fig)


def pr_svg(recall: Sequence[float | None], precision: Sequence[float | None]) -> str:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.0, 4.0))
    ax.plot(np.asarray(recall, dtype=float), np.asarray(precision, dtype=float), linewidth=1.4)
    ax.set_xlabel("recall (attacks flagged)")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.grid(True, linewidth=0.4, alpha=0.6)
    ax.set_title("Precision-recall (attack = positive)")
    return to_svg(fig)
