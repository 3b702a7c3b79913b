"""PAD error rates (ISO/IEC 30107-3) with bootstrap confidence intervals, by subject.

Used by the training script for quick figures; the reported figures come from the evaluation
layer (``openidv eval run --kind pad``) on the same score files.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray


def threshold_at_bpcer(bona: NDArray[np.float64], bpcer: float) -> float:
    """Largest threshold t with the share of bona fide scores below t at most `bpcer`."""
    s = np.sort(bona)
    k = int(np.floor(bpcer * len(s)))
    return float(s[k]) if k < len(s) else float(s[-1])


def threshold_at_apcer(attack: NDArray[np.float64], apcer: float) -> float:
    """Smallest threshold t with the share of attack scores at or above t at most `apcer`."""
    s = np.sort(attack)[::-1]
    k = int(np.floor(apcer * len(s)))
    return float(np.nextafter(s[k], np.inf)) if k < len(s) else float(s[-1])


def _boot(
    values: NDArray[np.bool_], groups: NDArray[Any], rng: np.random.Generator, n: int = 500
) -> tuple[float, float]:
    ids, inv = np.unique(groups, return_inverse=True)
    err = np.bincount(inv, weights=values.astype(np.float64), minlength=len(ids))
    cnt = np.bincount(inv, minlength=len(ids)).astype(np.float64)
    stats = []
    for _ in range(n):
        pick = rng.integers(0, len(ids), len(ids))
        stats.append(err[pick].sum() / max(cnt[pick].sum(), 1.0))
    lo, hi = np.percentile(stats, [2.5, 97.5])
    return float(lo), float(hi)


def pad_report(
    scores: NDArray[np.float64], species: Sequence[str], subjects: Sequence[str], seed: int = 0
) -> dict[str, Any]:
    """Per-species APCER at BPCER 1% and BPCER at APCER 1% (per species), with 95% CIs."""
    sp = np.asarray(species)
    subj = np.asarray(subjects)
    bona = scores[sp == "bona_fide"]
    t_b = threshold_at_bpcer(bona, 0.01)
    rng = np.random.default_rng(seed)
    out: dict[str, Any] = {"threshold_bpcer1": t_b, "n_bona_fide": len(bona), "species": {}}
    for name in sorted(set(sp) - {"bona_fide"}):
        sel = sp == name
        att = scores[sel]
        apcer_flags = att >= t_b
        t_a = threshold_at_apcer(att, 0.01)
        bpcer_flags = bona < t_a
        out["species"][name] = {
            "n": int(sel.sum()),
            "apcer_at_bpcer1": float(apcer_flags.mean()),
            "apcer_ci": _boot(apcer_flags, subj[sel], rng),
            "bpcer_at_apcer1": float(bpcer_flags.mean()),
            "bpcer_ci": _boot(bpcer_flags, subj[sp == "bona_fide"], rng),
        }
    return out
