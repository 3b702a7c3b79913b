"""Bootstrap CI coverage on simulated data (the designs of openidv.evaluation.validation).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/eval_coverage.py [--sims 1000] [--bootstrap 300]

Prints, for nominal 95% percentile intervals, the share of simulations whose interval contains the
true value: a clustered error rate (identity- and row-weighted) and the FMR of a crossed impostor
design resampled by both subjects (and, for contrast, by the first subject only).
"""

from __future__ import annotations

import argparse
import time

from openidv.evaluation.validation import clustered_rate, coverage, crossed_pairs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sims", type=int, default=1000)
    ap.add_argument("--bootstrap", type=int, default=300)
    args = ap.parse_args()
    designs = {
        "clustered rate, identity weighting": lambda r: clustered_rate(r, True),
        "clustered rate, row weighting": lambda r: clustered_rate(r, False),
        "crossed impostor pairs, two-way (both subjects)": crossed_pairs,
        "crossed impostor pairs, one-way (first subject only)": lambda r: crossed_pairs(r, pairs=False),
    }
    for name, design in designs.items():
        t = time.perf_counter()
        cov = coverage(design, args.sims, args.bootstrap)
        se = (cov * (1 - cov) / args.sims) ** 0.5
        print(f"{name:<52} coverage {cov:.3f} +- {se:.3f} (MC s.e.)  [{time.perf_counter() - t:.1f} s]")


if __name__ == "__main__":
    main()
