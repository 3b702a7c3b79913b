"""Tune and measure movement-replay detection (``behavior_replay``) on real human recordings.

    python -m openidv.behavior.training.tune_replay --data ../shared/data/mouse-dev/training_files \\
        --json var/behavior/replay.json --write-thresholds

Users are split in two (sorted, alternating): the *tuning* users choose the operating point, the
*evaluation* users give every reported figure, through a real SQLite store and the shipped lookup.

Choosing the operating point. A stroke of one person lies within distance ``d`` of some stroke of
*another* person at a rate ``p(d)`` that grows with the number of strokes stored. It is measured
on the tuning users (each user's strokes against the other tuning users'), taken at its one-sided
95% upper bound, and scaled linearly to :data:`REFERENCE_BANK` stored strokes (a deployment's
retention: about 20,000 sessions at the ~10 strokes a session stores on average; *assumption*). A genuine session with
:data:`~openidv.behavior.replay.MAX_STROKES` strokes is then flagged with probability
``P(Binomial(MAX_STROKES, p) >= m)``; the largest ``d`` of the grid keeping that under
``--target`` is taken for each ``m`` in (2, 3, 4), and of these the one that catches more replay
bots made on the tuning users' own recordings.

Evaluation (evaluation users): every window is stored as a session; then (1) each window looked
up as a new session (its own excluded): genuine sessions flagged; (2) a replay bot made on each
window from its user's recorded strokes, which the store holds: replays of *seen* recordings
caught; (3) replay bots whose recordings come from the tuning users, never stored: replays of
*unseen* recordings (the method cannot catch these, by design; the figure says so); (4) the
stored-recording replays distorted as an attacker aware of the method would: re-timed
non-uniformly (a smooth warp of +-10 ms, 1-2% of a stroke) or stretched 10% along one axis.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from openidv.behavior.botgen import generate
from openidv.behavior.replay import MAX_STROKES, find_replayed, record, stroke_descriptors
from openidv.behavior.skeleton import DonorPool, donor_strokes, extract
from openidv.behavior.training.dataset import Window, human_windows

# Strokes a deployment holds (assumption: ~20,000 sessions of ~10 stored strokes, e.g. 90 days of a small
# deployment). The tuning users give ~14,000 strokes: with none matched, the 95% upper bound of the
# rate alone, scaled to much larger banks, certifies nothing useful; a larger deployment re-tunes on
# its own stored strokes (--reference-bank).
REFERENCE_BANK = 200_000
GRID = (0.002, 0.003, 0.004, 0.005, 0.006, 0.0075, 0.01)
SEED = 20261130


def _ci(k: int, n: int) -> dict[str, float]:
    lo = stats.beta.ppf(0.025, k, n - k + 1) if k else 0.0
    hi = stats.beta.ppf(0.975, k + 1, n - k) if k < n else 1.0
    return {"k": k, "n": n, "value": k / n if n else float("nan"), "ci_low": float(lo), "ci_high": float(hi)}


def nearest(queries: NDArray[Any], bank: NDArray[Any]) -> NDArray[np.float64]:
    """Distance (:func:`openidv.behavior.replay.distance`) of each query to its nearest bank row."""
    import faiss

    if not len(queries):
        return np.zeros(0)
    index = faiss.IndexFlatL2(bank.shape[1])
    index.add(np.ascontiguousarray(bank, np.float32))
    d2, _ = index.search(np.ascontiguousarray(queries, np.float32), 1)
    return np.sqrt(np.maximum(d2[:, 0], 0.0) / bank.shape[1])


def cross_person_distances(desc: dict[str, NDArray[Any]]) -> tuple[NDArray[np.float64], int]:
    """Each user's strokes: distance to the nearest stroke of another user; and the bank size."""
    out, sizes = [], []
    for user, d in desc.items():
        bank = np.vstack([v for u, v in desc.items() if u != user])
        sizes.append(len(bank))
        out.append(nearest(d, bank))
    return np.concatenate(out), int(np.mean(sizes))


def choose(dists: NDArray[np.float64], bank: int, target: float, replay_caught: Any,
           reference: int = REFERENCE_BANK) -> dict[str, Any]:
    """The operating point (see the module docstring); `replay_caught(d, m)` -> share caught."""
    options = []
    for m in (2, 3, 4):
        ok = []
        for d in GRID:
            k = int(np.sum(dists <= d))
            p_hi = float(stats.beta.ppf(0.95, k + 1, len(dists) - k))
            p_ref = min(1.0, p_hi * reference / bank)
            flag = float(stats.binom.sf(m - 1, MAX_STROKES, p_ref))
            if flag <= target:
                ok.append((d, p_hi, flag))
        if ok:
            d, p_hi, flag = ok[-1]
            options.append({"max_distance": d, "min_strokes": m, "stroke_rate_upper": p_hi,
                            "session_flag_bound_at_reference": flag, "tuning_replays_caught": replay_caught(d, m)})
    if not options:
        raise SystemExit("no operating point meets the target on this grid")
    return max(options, key=lambda o: o["tuning_replays_caught"])


def replay_bots(windows: list[Window], donors: dict[str, DonorPool], seed: int) -> list[Any]:
    return [generate("replay", extract(w.pointer), np.random.default_rng([seed, i]), donors[w.user])
            for i, w in enumerate(windows)]


def time_warped(p: Any, amp_ms: float = 10.0, period_ms: float = 1500.0) -> Any:
    """A smooth, monotone re-timing of the whole stream (t + amp sin(2 pi t / period))."""
    from openidv.behavior.events import Pointer

    def w(t: Any) -> Any:
        return t + amp_ms * np.sin(2 * np.pi * t / period_ms)

    return Pointer(w(p.t), p.x, p.y, w(p.down_t), p.down_x, p.down_y, w(p.up_t))


def stretched(p: Any, k: float = 1.1) -> Any:
    """The stream stretched by `k` along x only (not a similarity)."""
    from openidv.behavior.events import Pointer

    return Pointer(p.t, p.x * k, p.y, p.down_t, p.down_x * k, p.down_y, p.up_t)


def _pools(windows: list[Window]) -> dict[str, DonorPool]:
    pools: dict[str, list[Any]] = defaultdict(list)
    for w in windows:
        pools[w.user].extend(donor_strokes(w.pointer))
    return {u: DonorPool(s) for u, s in pools.items()}


def _in_memory_caught(bots: list[Any], bank: NDArray[np.float64], d: float, m: int) -> float:
    return float(np.mean([int(np.sum(nearest(stroke_descriptors(b), bank) <= d)) >= m for b in bots]))


def evaluate(windows: list[Window], bots_seen: list[Any], bots_unseen: list[Any], d: float, m: int,
             url: str, distorted: dict[str, list[Any]] | None = None) -> dict[str, Any]:
    """The figures through a real store and the shipped lookup."""
    from openidv.behavior.training.device_latency import _store

    db, keys, repo, signals, session_cls, writer_cls = _store(url)
    ids = []
    for w in windows:
        s = session_cls()
        repo.create_session(s, actor="tune_replay")
        with db.transaction() as orm:
            record(writer_cls(orm, keys, s.id), stroke_descriptors(w.pointer))
        ids.append(s.id)
    cpu: list[float] = []

    def flagged(pointer: Any, own: str) -> bool:
        c0 = time.process_time()
        found = find_replayed(signals, stroke_descriptors(pointer), own, d)
        cpu.append(time.process_time() - c0)
        return len(found) >= m

    genuine = sum(flagged(w.pointer, sid) for w, sid in zip(windows, ids, strict=True))
    seen = sum(flagged(b, "probe") for b in bots_seen)
    unseen = sum(flagged(b, "probe") for b in bots_unseen)
    extra = {f"replays_of_stored_recordings_{name}_caught": _ci(sum(flagged(b, "probe") for b in bots), len(bots))
             for name, bots in (distorted or {}).items()}
    db.dispose()
    return {"genuine_sessions_flagged": _ci(genuine, len(windows)),
            "replays_of_stored_recordings_caught": _ci(seen, len(bots_seen)),
            "replays_of_unseen_recordings_caught": _ci(unseen, len(bots_unseen)), **extra,
            "lookup_cpu_ms": {"p50": 1000 * float(np.percentile(cpu, 50)), "p99": 1000 * float(np.percentile(cpu, 99))},
            "stored_sessions": len(windows)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True, help="mouse-dev training_files (<user>/<session>)")
    ap.add_argument("--target", type=float, default=0.001, help="genuine sessions flagged at the reference bank")
    ap.add_argument("--reference-bank", type=int, default=REFERENCE_BANK, help="stored strokes to certify for")
    ap.add_argument("--probes", type=int, default=400, help="evaluation windows looked up / replayed")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--write-thresholds", action="store_true")
    a = ap.parse_args(argv)
    windows = human_windows(a.data, seed=20261128)
    users = sorted({w.user for w in windows})
    tune_u, eval_u = set(users[0::2]), set(users[1::2])
    tune = [w for w in windows if w.user in tune_u]
    ev = [w for w in windows if w.user in eval_u]
    desc = {u: np.vstack([stroke_descriptors(w.pointer) for w in tune if w.user == u]) for u in sorted(tune_u)}
    dists, bank = cross_person_distances(desc)
    all_tune = np.vstack(list(desc.values())).astype(np.float64)
    rng = np.random.default_rng(SEED)
    tune_probe = [tune[i] for i in rng.choice(len(tune), min(a.probes, len(tune)), replace=False)]
    tune_bots = replay_bots(tune_probe, _pools(tune), SEED)
    point = choose(dists, bank, a.target, lambda d, m: _in_memory_caught(tune_bots, all_tune, d, m), a.reference_bank)
    probe = [ev[i] for i in rng.choice(len(ev), min(a.probes, len(ev)), replace=False)]
    seen = replay_bots(probe, _pools(ev), SEED + 1)
    unseen_donors = _pools(tune)
    cross = {u: unseen_donors[sorted(tune_u)[i % len(tune_u)]] for i, u in enumerate(sorted(eval_u))}
    unseen = replay_bots(probe, cross, SEED + 2)
    with tempfile.TemporaryDirectory() as tmp:
        figures = evaluate(ev, seen, unseen, point["max_distance"], int(point["min_strokes"]),
                           f"sqlite:///{tmp}/replay.db",
                           {"time_warped": [time_warped(b) for b in seen], "stretched": [stretched(b) for b in seen]})
    report = {"tuning_users": sorted(tune_u), "evaluation_users": sorted(eval_u), "tuning_strokes": len(dists),
              "tuning_bank": bank, "reference_bank": a.reference_bank, "target": a.target, "operating_point": point,
              "evaluation": figures}
    print(json.dumps(report, indent=1))
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps(report, indent=2))
    if a.write_thresholds:
        _write(point, report, a)
    return 0


def _write(point: dict[str, Any], report: dict[str, Any], a: argparse.Namespace) -> None:
    from openidv.evaluation.tuning import default_version
    from openidv.policy.thresholds import ThresholdSet, load_threshold_file

    here = Path(__file__).resolve().parents[2] / "policy" / "data" / "thresholds" / "behavior_replay.yaml"
    existing = load_threshold_file(here).version if here.is_file() else None
    source = {"tool": "python -m openidv.behavior.training.tune_replay", "data": f"{a.data.name}: tuning users "
              f"{', '.join(report['tuning_users'])}", "target": {"genuine_session_flag_rate_at_reference": a.target,
              "reference_bank_strokes": a.reference_bank},
              "accept_rule": "MOVEMENT_REPLAYED iff >= min_strokes strokes lie within max_distance of another "
                             "session's stroke", "operating_point": point, "evaluation": report["evaluation"]}
    values = {"max_distance": point["max_distance"], "min_strokes": float(point["min_strokes"])}
    ThresholdSet("behavior_replay", default_version(existing), values, source).write(here)


if __name__ == "__main__":
    sys.exit(main())
