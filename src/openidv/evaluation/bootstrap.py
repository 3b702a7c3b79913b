"""Subject-level bootstrap: confidence intervals that respect who produced the samples.

Rows from one subject are correlated (same face, same device, same fraud ring), so resampling rows
would give intervals that are far too narrow. Instead each replicate draws one weight per
*subject* and every row inherits the weight of its subject (for an impostor pair with a second
subject, the product of both subjects' weights: the two-way "pigeonhole" bootstrap of Owen, 2007).
A statistic is written once as a function of the ``(replicates, subjects)`` weight matrix and is
evaluated with all-ones weights for the point estimate, so point and interval always agree.

Weights are multinomial (the classical bootstrap: ``S`` draws with replacement from ``S``
subjects) or Poisson(1) (its streaming approximation). They are generated in fixed-size chunks from
``numpy.random.SeedSequence([seed, chunk])``, so the same seed gives the same replicates to every
statistic, to every slice and to both models in a paired comparison.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

Statistic = Callable[[np.ndarray], np.ndarray]
MAX_WEIGHT_CELLS = 4_000_000  # cells of one (replicates x subjects) weight chunk
MAX_CHUNK = 50  # replicates per chunk at most, so long runs report progress


@dataclass(frozen=True)
class BootstrapConfig:
    """How intervals are computed.

    ``identity_weighting`` (default on) gives every subject the same total weight within each
    class (genuine, impostor, bona fide, each attack species): a rate is the mean of per-subject
    rates, so one subject with thousands of samples cannot dominate. Off, every row counts once.
    """

    n_boot: int = 200
    ci_level: float = 0.95
    seed: int = 0
    method: Literal["multinomial", "poisson"] = "multinomial"
    identity_weighting: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_boot": self.n_boot,
            "ci_level": self.ci_level,
            "seed": self.seed,
            "method": self.method,
            "resampling_unit": "subject",
            "identity_weighting": self.identity_weighting,
            "interval": "percentile",
        }


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its bootstrap percentile interval and optional context (threshold ...).

    ``replicates`` keeps the bootstrap values (not serialised) so that two results computed with
    the same seed can be compared replicate by replicate (the paired bootstrap of the gate).
    """

    value: float | None
    ci_low: float | None
    ci_high: float | None
    extra: Mapping[str, Any] = field(default_factory=dict)
    replicates: np.ndarray | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "ci_low": self.ci_low, "ci_high": self.ci_high, **dict(self.extra)}

    @classmethod
    def from_replicates(cls, value: float, replicates: np.ndarray, level: float, **extra: Any) -> Estimate:
        low, high = percentile_ci(replicates, level)
        return cls(_finite(value), low, high, extra, np.asarray(replicates, dtype=np.float64))


def _finite(x: float) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


def percentile_ci(replicates: np.ndarray, level: float) -> tuple[float | None, float | None]:
    """Percentile interval over the finite replicates (a class can be empty in a replicate)."""
    reps = np.asarray(replicates, dtype=np.float64)
    reps = reps[np.isfinite(reps)]
    if reps.size == 0:
        return None, None
    alpha = (1.0 - level) / 2.0
    low, high = np.quantile(reps, [alpha, 1.0 - alpha])
    return float(low), float(high)


def chunk_size(n_subjects: int, n_boot: int) -> int:
    """Replicates per chunk: bounded memory whatever the number of subjects."""
    return int(max(1, min(n_boot, MAX_CHUNK, MAX_WEIGHT_CELLS // max(n_subjects, 1))))


def weight_chunks(n_subjects: int, config: BootstrapConfig) -> Iterator[np.ndarray]:
    """Yield ``(b, n_subjects)`` float64 weight matrices, ``config.n_boot`` rows in total."""
    size = chunk_size(n_subjects, config.n_boot)
    done, index = 0, 0
    while done < config.n_boot:
        b = min(size, config.n_boot - done)
        rng = np.random.default_rng(np.random.SeedSequence([config.seed, index]))
        if config.method == "poisson":
            w = rng.poisson(1.0, size=(b, n_subjects)).astype(np.float64)
        else:
            # S draws with replacement per replicate, counted per subject (a flat bincount is ~6x
            # faster than Generator.multinomial and gives the same distribution)
            draws = rng.integers(0, n_subjects, size=(b, n_subjects)) + n_subjects * np.arange(b)[:, None]
            w = np.bincount(draws.ravel(), minlength=b * n_subjects).reshape(b, n_subjects).astype(np.float64)
        yield w
        done, index = done + b, index + 1


def point_weights(n_subjects: int) -> np.ndarray:
    return np.ones((1, n_subjects), dtype=np.float64)


def run_bootstrap(
    stats: Mapping[str, Statistic],
    n_subjects: int,
    config: BootstrapConfig,
    progress: Callable[[str], None] | None = None,
) -> dict[str, np.ndarray]:
    """Evaluate each statistic on the same replicates; returns name -> ``(n_boot, ...)`` array."""
    out: dict[str, list[np.ndarray]] = {name: [] for name in stats}
    if config.n_boot <= 0:
        return {name: np.empty((0,)) for name in stats}
    done = 0
    for w in weight_chunks(n_subjects, config):
        for name, stat in stats.items():
            out[name].append(np.asarray(stat(w), dtype=np.float64))
        done += w.shape[0]
        if progress is not None and done < config.n_boot:
            progress(f"bootstrap {done}/{config.n_boot} replicates")
    return {name: np.concatenate(parts, axis=0) for name, parts in out.items()}


def estimates(
    stats: Mapping[str, Statistic],
    n_subjects: int,
    config: BootstrapConfig,
    progress: Callable[[str], None] | None = None,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Point values (``stat`` on all-ones weights) and replicates for each statistic."""
    ones = point_weights(n_subjects)
    points = {name: np.asarray(stat(ones), dtype=np.float64)[0] for name, stat in stats.items()}
    reps = run_bootstrap(stats, n_subjects, config, progress)
    return {name: (points[name], reps[name]) for name in stats}
