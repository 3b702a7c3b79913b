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

In-session loops (``--in-session``; the shipped figures come from this one command)::

    python -m openidv.behavior.training.tune_replay --data ../shared/data/mouse-dev/training_files \
        --in-session --json var/behavior/replay_loop.json --write-thresholds

A bot can loop one recorded segment within a session; :func:`~openidv.behavior.replay.find_looped`
flags two distinct strokes of one session within ``loop_max_distance``. Every recording is read
whole and cut into consecutive capture-length windows (:data:`LOOP_WINDOWS_MIN` minutes). The
distance chosen on the tuning users is the largest of :data:`GRID` at which (a) no two strokes of
one tuning recording, over the whole recording (hours; every stroke of 30 px, not only the 24
longest: some hundred times the strokes of a capture), lie within it, and (b) no tuning window, as
the check sees it (its 24 longest strokes), is flagged. The evaluation users then give: windows
and whole recordings flagged, and looped-segment attacks made on their recordings
(:func:`looped`: 2-6 repeats of a 5-30 s segment, 0-2 px and 0-5 ms jitter; and the same with
each repeat time-stretched by its own 5-10%) caught.
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
from openidv.behavior.events import Pointer
from openidv.behavior.replay import (
    LOOP_MIN_STROKES,
    MAX_STROKES,
    featureless,
    find_looped,
    find_replayed,
    record,
    stroke_descriptors,
    timed_stroke_descriptors,
)
from openidv.behavior.skeleton import DonorPool, donor_strokes, extract
from openidv.behavior.training.dataset import Window, human_windows

# Strokes a deployment holds (assumption: ~20,000 sessions of ~10 stored strokes, e.g. 90 days of a small
# deployment). The tuning users give ~14,000 strokes: with none matched, the 95% upper bound of the
# rate alone, scaled to much larger banks, certifies nothing useful; a larger deployment re-tunes on
# its own stored strokes (--reference-bank).
REFERENCE_BANK = 200_000
GRID = (0.002, 0.003, 0.004, 0.005, 0.006, 0.0075, 0.01)
SEED = 20261130
LOOP_SEED = 20261201
LOOP_WINDOWS_MIN = (1, 2, 3, 5)  # capture-length windows of the in-session measurement


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


def looped(p: Pointer, rng: np.random.Generator, stretch: bool = False) -> tuple[Pointer, dict[str, float]]:
    """A bot looping a segment of recording `p`: 2-6 repeats of 5-30 s starting shortly (0-2 s)
    before a movement, each with 0-2 px of position noise (rounded to pixels), 0-5 ms of sample-time
    noise and 0-300 ms between repeats; `stretch`: each repeat after the first slowed by its own
    5-10% (uniformly)."""
    seg_ms, repeats = float(rng.uniform(5, 30)) * 1000.0, int(rng.integers(2, 7))
    starts = p.t[np.flatnonzero(np.diff(p.t, prepend=-np.inf) > 300.0)]
    s0 = float(rng.choice(starts)) - float(rng.uniform(0, 2000))
    seg = p.window(s0, s0 + seg_ms).shifted(s0)
    sigma, tau = float(rng.uniform(0, 2)), float(rng.uniform(0, 5))
    parts, off = [], 0.0
    for j in range(repeats):
        k = float(1 + rng.uniform(0.05, 0.10)) if stretch and j else 1.0
        n = seg.t.size
        parts.append((np.sort(seg.t * k + rng.uniform(-tau, tau, n)) + off,
                      np.round(seg.x + rng.normal(0, sigma, n)), np.round(seg.y + rng.normal(0, sigma, n)),
                      seg.down_t * k + off, seg.down_x, seg.down_y, seg.up_t * k + off))
        off += seg_ms * k + float(rng.uniform(0, 300))
    cols = [np.concatenate([q[i] for q in parts]) for i in range(7)]
    return Pointer(*cols), {"segment_s": seg_ms / 1000.0, "repeats": repeats, "jitter_px": sigma, "jitter_ms": tau}


def closest_pair(p: Pointer) -> tuple[int, float]:
    """The check's view of a session: its strokes (24 longest) and the distance of its closest
    pair of distinct strokes not overlapping in time (inf without a pair)."""
    d, t = timed_stroke_descriptors(p)
    found = find_looped(d, t, np.inf)
    return len(d), found[0].distance if found else float("inf")


def same_recording_pairs(p: Pointer, grid: tuple[float, ...] = GRID) -> tuple[int, int, list[int], float]:
    """Every stroke of a whole recording (not only the longest): strokes, pairs of distinct strokes
    not overlapping in time, how many of those lie within each distance of `grid`, and the closest."""
    d, t = timed_stroke_descriptors(p, None)
    keep = ~featureless(d)  # as find_looped: straight, uniform strokes take no part
    d, t = d[keep].astype(np.float64), t[keep]
    sq = np.sum(d * d, axis=1)
    counts, pairs, closest = np.zeros(len(grid), np.int64), 0, float("inf")
    for i in range(0, len(d), 512):
        g = np.sqrt(np.maximum(sq[i:i + 512, None] + sq[None, :] - 2 * d[i:i + 512] @ d.T, 0.0) / d.shape[1])
        later = np.arange(i, i + len(g))[:, None] < np.arange(len(d))[None, :]
        disjoint = (t[i:i + 512, None, 1] <= t[None, :, 0]) | (t[None, :, 1] <= t[i:i + 512, None, 0])
        g = g[later & disjoint]
        pairs += g.size
        counts += [int(np.sum(g <= x)) for x in grid]
        closest = min(closest, float(g.min())) if g.size else closest
    return len(d), pairs, counts.tolist(), closest


def _capture_windows(p: Pointer, minutes: float) -> list[Pointer]:
    """Consecutive windows of `minutes` from the recording's first sample, times from their start."""
    out, pos, end, step = [], float(p.t[0]), float(p.t[-1]), minutes * 60_000.0
    while pos <= end:
        out.append(p.window(pos, pos + step).shifted(pos))
        pos += step
    return out


def _loop_humans(recs: dict[tuple[str, str], Pointer]) -> dict[str, Any]:
    """Per recording and window length: the check's closest pair; per recording: pair counts."""
    out: dict[str, Any] = {"windows": {m: [] for m in LOOP_WINDOWS_MIN}, "recordings": []}
    for (user, _), p in recs.items():
        n, pairs, within, closest = same_recording_pairs(p)
        out["recordings"].append((user, n, pairs, within, closest_pair(p)[1], closest))
        for m in LOOP_WINDOWS_MIN:
            out["windows"][m].extend((user, *closest_pair(w)) for w in _capture_windows(p, m))
    return out


def choose_loop(rec_within: list[list[int]], window_closest: NDArray[np.float64]) -> float:
    """The largest distance of :data:`GRID` with no pair within it in any tuning recording (whole)
    and no tuning window flagged (see the module docstring)."""
    ok = [x for i, x in enumerate(GRID) if sum(r[i] for r in rec_within) == 0 and not np.any(window_closest <= x)]
    if not ok:
        raise SystemExit("no in-session distance leaves every tuning recording unflagged")
    return ok[-1]


def in_session(root: Path, tune_u: set[str], eval_u: set[str], loops: int) -> dict[str, Any]:
    """The in-session operating point (tuning users) and its figures (evaluation users)."""
    from openidv.behavior.balabit import read_balabit
    from openidv.behavior.training.dataset import recordings

    recs = {(u, s): read_balabit(path).mouse for u, s, path in recordings(root)}
    recs = {k: p for k, p in recs.items() if p.n}
    h = _loop_humans(recs)

    def windows(users: set[str], m: int) -> tuple[NDArray[np.float64], int]:
        rows = [(n, c) for u, n, c in h["windows"][m] if u in users]
        judged = np.array([c for n, c in rows if n >= LOOP_MIN_STROKES])
        return judged, len(rows) - len(judged)

    tune_rec = [r for r in h["recordings"] if r[0] in tune_u]
    tune_closest = np.concatenate([windows(tune_u, m)[0] for m in LOOP_WINDOWS_MIN])
    d = choose_loop([r[3] for r in tune_rec], tune_closest)
    gi = GRID.index(d)
    n_tune_pairs = sum(r[2] for r in tune_rec)
    p_hi = float(stats.beta.ppf(0.95, 1, n_tune_pairs))  # none within d (the rule)
    n_pairs = MAX_STROKES * (MAX_STROKES - 1) // 2
    tuning = {
        "recordings": len(tune_rec), "strokes": sum(r[1] for r in tune_rec), "same_recording_pairs": n_tune_pairs,
        "pairs_within": {str(x): sum(r[3][i] for r in tune_rec) for i, x in enumerate(GRID)},
        "closest_pair_in_a_recording": min(r[5] for r in tune_rec),
        "windows_flagged": {f"{m}min": _ci(int(np.sum(windows(tune_u, m)[0] <= d)), len(windows(tune_u, m)[0]))
                            for m in LOOP_WINDOWS_MIN},
        "closest_pair_in_a_window": float(tune_closest.min()),
        "pair_rate_upper": p_hi,
        "session_flag_bound": min(1.0, n_pairs * p_hi),  # union bound over a full session's pairs
    }
    ev_rec = [r for r in h["recordings"] if r[0] in eval_u]
    human = {f"{m}min": {**_ci(int(np.sum(windows(eval_u, m)[0] <= d)), len(windows(eval_u, m)[0])),
                         "not_judged": windows(eval_u, m)[1]} for m in LOOP_WINDOWS_MIN}
    human["whole_recordings_24_longest"] = _ci(sum(r[4] <= d for r in ev_rec), len(ev_rec))
    human["whole_recordings_pairs_within"] = {"k": sum(r[3][gi] for r in ev_rec), "n": sum(r[2] for r in ev_rec),
                                              "closest": min(r[5] for r in ev_rec)}
    ev_p = [p for (u, _), p in sorted(recs.items()) if u in eval_u]
    rng = np.random.default_rng(LOOP_SEED)
    attacks: dict[str, Any] = {}
    for name, stretch in (("looped", False), ("looped_time_stretched", True)):
        rows = []
        for _ in range(loops):
            bot, meta = looped(ev_p[int(rng.integers(len(ev_p)))], rng, stretch)
            n, c = closest_pair(bot)
            rows.append((n, c <= d, meta["jitter_px"]))
        caught = [r[1] for r in rows]
        attacks[f"{name}_caught"] = _ci(sum(caught), len(rows))
        attacks[f"{name}_not_judged"] = sum(r[0] < LOOP_MIN_STROKES for r in rows)
        for lo, hi in ((0.0, 1.0), (1.0, 2.0)):
            sub = [r[1] for r in rows if lo <= r[2] < hi]
            attacks[f"{name}_caught_jitter_{lo:g}_{hi:g}px"] = _ci(sum(sub), len(sub))
    return {"loop_max_distance": d, "loop_min_strokes": LOOP_MIN_STROKES, "tuning": tuning,
            "evaluation": {"human": human, "attacks": attacks, "attacks_per_kind": loops}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True, help="mouse-dev training_files (<user>/<session>)")
    ap.add_argument("--target", type=float, default=0.001, help="genuine sessions flagged at the reference bank")
    ap.add_argument("--reference-bank", type=int, default=REFERENCE_BANK, help="stored strokes to certify for")
    ap.add_argument("--probes", type=int, default=400, help="evaluation windows looked up / replayed")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--write-thresholds", action="store_true")
    ap.add_argument("--in-session", action="store_true", help="tune the in-session loop distance only")
    ap.add_argument("--loops", type=int, default=500, help="looped-segment attacks per kind (--in-session)")
    a = ap.parse_args(argv)
    if a.in_session:
        from openidv.behavior.training.dataset import recordings

        users = sorted({u for u, _, _ in recordings(a.data)})
        loop = {"tuning_users": users[0::2], "evaluation_users": users[1::2],
                **in_session(a.data, set(users[0::2]), set(users[1::2]), a.loops)}
        _emit(loop, a.json)
        if a.write_thresholds:
            _write_loop(loop, a)
        return 0
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
    _emit(report, a.json)
    if a.write_thresholds:
        _write(point, report, a)
    return 0


def _emit(report: dict[str, Any], path: Path | None) -> None:
    print(json.dumps(report, indent=1))
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=2))


THRESHOLDS = Path(__file__).resolve().parents[2] / "policy" / "data" / "thresholds" / "behavior_replay.yaml"
LOOP_KEYS = ("loop_max_distance",)


def _write(point: dict[str, Any], report: dict[str, Any], a: argparse.Namespace) -> None:
    from openidv.evaluation.tuning import default_version
    from openidv.policy.thresholds import ThresholdSet, load_threshold_file

    here = THRESHOLDS
    old = load_threshold_file(here) if here.is_file() else None
    existing = old.version if old else None
    source = {"tool": "python -m openidv.behavior.training.tune_replay", "data": f"{a.data.name}: tuning users "
              f"{', '.join(report['tuning_users'])}", "target": {"genuine_session_flag_rate_at_reference": a.target,
              "reference_bank_strokes": a.reference_bank},
              "accept_rule": "MOVEMENT_REPLAYED iff >= min_strokes strokes lie within max_distance of another "
                             "session's stroke", "operating_point": point, "evaluation": report["evaluation"]}
    values = {"max_distance": point["max_distance"], "min_strokes": float(point["min_strokes"])}
    if old is not None:  # the in-session distance and its source stay as tuned (--in-session)
        values.update({k: v for k, v in old.values.items() if k in LOOP_KEYS})
        if "in_session" in old.source:
            source["in_session"] = old.source["in_session"]
    ThresholdSet("behavior_replay", default_version(existing), values, source).write(here)


def _write_loop(loop: dict[str, Any], a: argparse.Namespace) -> None:
    """Add the in-session distance and its source to the shipped file (the cross-session values kept)."""
    from datetime import UTC, datetime

    from openidv.evaluation.tuning import default_version
    from openidv.policy.thresholds import ThresholdSet, load_threshold_file

    if not THRESHOLDS.is_file():
        raise SystemExit(f"{THRESHOLDS} is absent: tune the cross-session point first (without --in-session)")
    old = load_threshold_file(THRESHOLDS)
    source = {k: v for k, v in old.source.items() if k != "in_session"}
    source["in_session"] = {
        "tool": "python -m openidv.behavior.training.tune_replay --in-session",
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "data": f"{a.data.name}: tuning users {', '.join(loop['tuning_users'])}; figures: evaluation users "
                f"{', '.join(loop['evaluation_users'])}",
        "accept_rule": "MOVEMENT_REPLAYED iff two distinct strokes of the session (its 24 longest), not "
                       "overlapping in time, lie within loop_max_distance; fewer than "
                       f"{LOOP_MIN_STROKES} strokes: not judged",
        "choice_rule": "largest grid distance at which no two strokes of one tuning recording (whole, every "
                       f"stroke) and no tuning window ({', '.join(f'{m}' for m in LOOP_WINDOWS_MIN)} min) lie "
                       "within it",
        "grid": list(GRID), "seed": LOOP_SEED, "tuning": loop["tuning"], "evaluation": loop["evaluation"],
    }
    values = {**old.values, "loop_max_distance": float(loop["loop_max_distance"])}
    ThresholdSet("behavior_replay", default_version(old.version), values, source).write(THRESHOLDS)


if __name__ == "__main__":
    sys.exit(main())
