"""Movement-replay lookup at scale: store growth, lookup cost and recall as the stroke bank grows.

    OMP_NUM_THREADS=1 python benchmarks/behavior_replay.py [--sessions 10000] [--probes 200] [--db URL]

The store is filled at the descriptor level: each stored session is a real human window's strokes
(../shared/data/mouse-dev, 60 s windows; generated sigma-lognormal movements when it is absent),
each stroke bent by a smooth random deformation of 1.5-4% of its length, so that sessions are as
varied in shape as people's strokes and as clustered (straight, bell-shaped strokes crowd the
same buckets), but none is a copy of another. At each checkpoint, ``--probes`` new sessions made
the same way are looked up as the check does (CPU and wall time, flagged share), and as many
replays of stored sessions (each stroke with 0.002 of white noise, about what a replay's noise
leaves on a long stroke): the share found shows what the newest-50-per-key cap costs as buckets
fill. Descriptor extraction (parse + strokes) is not included: about a millisecond a session.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openidv.behavior.replay import BINS, SIGNAL_KIND, find_replayed, record, stroke_descriptors

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mouse-dev" / "training_files"
Desc = NDArray[np.float32]


def base_sessions() -> tuple[list[Desc], str]:
    """Stroke descriptors of real human windows (or generated movements without the data)."""
    if SHARED.is_dir():
        from openidv.behavior.training.dataset import human_windows

        out = [stroke_descriptors(w.pointer) for w in human_windows(SHARED, seed=20261128)]
        return [d for d in out if len(d)], "mouse-dev windows"
    from openidv.behavior.botgen import generate
    from openidv.behavior.skeleton import Action, Skeleton

    out = []
    for i in range(300):
        rng = np.random.default_rng([7, i])
        t, acts = 0.0, []
        while t < 60_000:
            x, y = rng.uniform(0, 1400, 2)
            dur = float(rng.uniform(300, 900))
            acts += [Action("move", t, dur, float(x), float(y)),
                     Action("down", t + dur + 150, 0, float(x), float(y)),
                     Action("up", t + dur + 250, 0, float("nan"), float("nan"))]
            t += dur + float(rng.uniform(800, 3000))
        out.append(stroke_descriptors(generate("sigma_lognormal", Skeleton((700.0, 400.0), tuple(acts)), rng)))
    return out, "generated sigma-lognormal movements"


def bent(d: Desc, rng: np.random.Generator) -> Desc:
    """Each stroke bent by a smooth deformation (sines over the bins' centres) of 1.5-4% of its
    length, RMS; the end bins move a little too, which real descriptors fix at 0 and 1."""
    tau = (np.arange(BINS) + 0.5) / BINS
    basis = np.stack([np.sin(np.pi * j * tau) for j in (1, 2, 3)])  # (3, BINS)
    coef = rng.normal(size=(len(d), 2, 3))
    delta = np.einsum("nij,jk->nik", coef, basis)  # (n, 2, BINS)
    rms = np.sqrt((delta**2).mean(axis=(1, 2), keepdims=True)) + 1e-9
    delta *= rng.uniform(0.015, 0.04, size=(len(d), 1, 1)) / rms
    return (d + delta.reshape(len(d), 2 * BINS)).astype(np.float32)


def _probe(signals: Any, sessions: list[Desc], d: float, m: int) -> dict[str, Any]:
    cpu, wall, hits = [], [], 0
    for desc in sessions:
        t0, c0 = time.perf_counter(), time.process_time()
        found = find_replayed(signals, desc, "probe", d)
        cpu.append(1000 * (time.process_time() - c0))
        wall.append(1000 * (time.perf_counter() - t0))
        hits += len(found) >= m
    def pct(v: list[float], q: float) -> float:
        return round(float(np.percentile(v, q)), 2)

    return {"cpu_ms_p50": pct(cpu, 50), "cpu_ms_p99": pct(cpu, 99), "wall_ms_p50": pct(wall, 50),
            "wall_ms_p99": pct(wall, 99), "flagged": hits, "n": len(sessions)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=10_000)
    ap.add_argument("--probes", type=int, default=200)
    ap.add_argument("--checkpoints", default="1000,3000,10000")
    ap.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    a = ap.parse_args(argv)
    from openidv.behavior.training.device_latency import _store
    from openidv.policy.thresholds import ThresholdRegistry

    t = ThresholdRegistry.load().get("behavior_replay")
    d, m = t["max_distance"], int(t["min_strokes"])
    base, source = base_sessions()
    checkpoints = sorted({int(c) for c in a.checkpoints.split(",") if int(c) <= a.sessions} | {a.sessions})
    rng = np.random.default_rng(20261130)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        url = a.db or f"sqlite:///{tmp}/replay_bench.db"
        db, keys, repo, signals, session_cls, writer_cls = _store(url)
        stored: list[Desc] = []
        insert_cpu: list[float] = []
        strokes = 0
        for i in range(a.sessions):
            desc = bent(base[int(rng.integers(len(base)))], rng)
            s = session_cls()
            repo.create_session(s, actor="bench")
            c0 = time.process_time()
            with db.transaction() as orm:
                record(writer_cls(orm, keys, s.id), desc)
            insert_cpu.append(1000 * (time.process_time() - c0))
            strokes += len(desc)
            if i < 1000:  # replays below are of the oldest sessions: the cap's worst case
                stored.append(desc)
            if i + 1 in checkpoints:
                fresh = [bent(base[int(rng.integers(len(base)))], rng) for _ in range(a.probes)]
                picks = [stored[int(k)] for k in rng.choice(len(stored), min(a.probes, len(stored)), replace=False)]
                noisy = [(p + rng.normal(0, 0.002, p.shape)).astype(np.float32) for p in picks]
                row: dict[str, Any] = {"sessions": i + 1, "strokes": strokes,
                                       "insert_cpu_ms_p50": round(float(np.percentile(insert_cpu, 50)), 2),
                                       "new_sessions": _probe(signals, fresh, d, m),
                                       "replays_of_oldest_1000": _probe(signals, noisy, d, m)}
                if url.startswith("sqlite:///"):
                    row["db_mib"] = round(os.path.getsize(url.removeprefix("sqlite:///")) / 2**20, 1)
                rows.append(row)
                print(json.dumps(row), flush=True)
        n_signals = sum(1 for _ in signals.iter_kind(SIGNAL_KIND, batch=20000))
        db.dispose()
    print(json.dumps({"source": source, "threshold": {"max_distance": d, "min_strokes": m}, "signals": n_signals,
                      "checkpoints": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
