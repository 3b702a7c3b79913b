"""Benchmark: verification metrics with subject-bootstrap CIs over 10 million comparison scores.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/eval_metrics.py [--rows 10000000] [--bootstrap 200]

Synthetic set: 20,000 subjects, 5 genuine comparisons each (100,000), the rest impostor pairs with
a random second subject (so impostors are resampled by both subjects). Prints wall time of each
stage and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import numpy as np

from openidv.evaluation.bootstrap import BootstrapConfig
from openidv.evaluation.metrics.verification import evaluate_verification
from openidv.evaluation.scores import score_set_from_arrays


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def status_mib(field: str) -> float | None:
    """VmRSS / VmHWM from /proc (Linux), in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def reset_peak() -> bool:
    """Reset the kernel's peak-RSS counter so the metrics stage is measured on its own (Linux)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def make(rows: int, subjects: int, seed: int = 0) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    n_gen = subjects * 5
    gen_sub = np.repeat(np.arange(subjects), 5)
    imp_sub = rng.integers(0, subjects, rows - n_gen)
    imp_sub2 = (imp_sub + rng.integers(1, subjects, imp_sub.size)) % subjects
    effect = rng.normal(0.0, 0.4, subjects)
    score = np.concatenate([rng.normal(3.5 + effect[gen_sub], 1.0), rng.normal(0.0, 1.0, imp_sub.size)])
    positive = np.concatenate([np.ones(n_gen, bool), np.zeros(imp_sub.size, bool)])
    return score, positive, np.concatenate([gen_sub, imp_sub]), np.concatenate([gen_sub, imp_sub2])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--subjects", type=int, default=20_000)
    ap.add_argument("--bootstrap", type=int, default=200)
    ap.add_argument("--no-pairs", action="store_true", help="resample impostors by the first subject only")
    args = ap.parse_args()
    t0 = time.perf_counter()
    score, positive, sub, sub2 = make(args.rows, args.subjects)
    data = score_set_from_arrays(score, positive, sub, subject2=None if args.no_pairs else sub2)
    base = status_mib("VmRSS")
    was_reset = reset_peak()
    t1, c1 = time.perf_counter(), time.process_time()
    config = BootstrapConfig(n_boot=args.bootstrap)
    result = evaluate_verification(data, config=config)
    t2, c2 = time.perf_counter(), time.process_time()
    m = result.metrics
    print(
        f"rows={data.n_rows:,} subjects={data.n_subjects:,} bootstrap={args.bootstrap} "
        f"pairs={'no' if args.no_pairs else 'yes'}"
    )
    print(f"EER {m['eer'].value:.5f} [{m['eer'].ci_low:.5f}, {m['eer'].ci_high:.5f}]")
    for k, e in m["fnmr_at_fmr"].items():
        print(f"FNMR@FMR={k}: {e.value:.5f} [{e.ci_low:.5f}, {e.ci_high:.5f}]")
    print(f"replicates recomputed over all rows: {result.settings['window_recomputed_replicates']}")
    print(f"data generation {t1 - t0:.2f} s; metrics with CIs: {t2 - t1:.2f} s wall, {c2 - c1:.2f} s CPU")
    hwm = status_mib("VmHWM")
    if was_reset and hwm is not None and base is not None:
        print(
            f"memory: {base:.0f} MiB resident with the data loaded; peak during metrics {hwm:.0f} MiB "
            f"(+{hwm - base:.0f} MiB); process peak {peak_rss_mib():.0f} MiB"
        )
    else:
        print(f"process peak RSS {peak_rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
