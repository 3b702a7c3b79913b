"""Measure the colour-flash challenge on simulated sessions; tune its operating points on one
set of identities and report acceptance on another.

    python -m openidv.liveness.training.tune_active --faces /path/to/lfw-dev \\
        --tune-sessions 60 --test-sessions 200 --out var/liveness/active \\
        --write-thresholds src/openidv/policy/data/thresholds/liveness_active.yaml

Four kinds of session, all from the simulator (:mod:`openidv.liveness.simulator`):
``genuine`` (follows the issued colours and action), ``replay`` (the frames of an earlier
genuine session, re-encoded and relabelled with the new challenge id), ``ignore`` (a stream
that does not know the colours: random ones or none, head action random or right) and ``still``
(the right colours on a face that does not move: only the head-action test rejects it).
Observations are threshold-free, so tuning and scoring reuse them.
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from openidv.liveness import simulator as sim
from openidv.liveness.active import ActiveParams, Observation, judge, observe_response
from openidv.liveness.challenge import N_COLOURS, issue_challenge
from openidv.liveness.colour import FlashReading
from openidv.liveness.pose import ActionMeasure
from openidv.liveness.training.faces import SourceEntry, detect_folder, load_ref, split_of

PROTOCOL = ActiveParams(0.0, -1.0, 0, 0.0, 0.0)  # observation only: no operating point applied
MAX_FLASH_MISSES = 1  # protocol choice: N_COLOURS (5) colours, one unreadable flash tolerated


def run_sessions(
    entries: list[SourceEntry],
    n: int,
    seed: int,
    shard: int = 0,
    shards: int = 1,
    cfg: sim.SimConfig | None = None,
) -> list[dict[str, Any]]:
    """Identities `shard`, `shard + shards`, ... of `n`: each gives a genuine session, a replay of
    it, an ignoring stream and a still face. Seeds depend on the identity index only, so shards
    add up. `cfg`: the simulator's ranges (frame rate, reflection, ...), default when None."""
    out: list[dict[str, Any]] = []
    for i in range(shard, n, shards):
        rng = np.random.default_rng([seed, i])
        r = random.Random(seed * 100_003 + i)
        ref = load_ref(entries[int(rng.integers(len(entries)))])
        first = issue_challenge(f"s{i}", n_colours=N_COLOURS, rng=r)
        frames = sim.genuine(ref, first, rng, cfg)
        out.append({"kind": "genuine", "obs": observe_response(frames, first, PROTOCOL)})
        second = issue_challenge(f"s{i}", n_colours=N_COLOURS, rng=r)
        out.append({"kind": "replay", "obs": observe_response(sim.replay(frames, second, rng), second, PROTOCOL)})
        third = issue_challenge(f"s{i}", n_colours=N_COLOURS, rng=r)
        out.append(
            {"kind": "ignore", "obs": observe_response(sim.ignore_sequence(ref, third, rng, cfg), third, PROTOCOL)}
        )
        fourth = issue_challenge(f"s{i}", n_colours=N_COLOURS, rng=r)
        out.append({"kind": "still", "obs": observe_response(sim.still(ref, fourth, rng, cfg), fourth, PROTOCOL)})
        print(f"identity {i + 1}/{n}", flush=True)
    return out


def tune(sessions: list[dict[str, Any]]) -> tuple[ActiveParams, dict[str, Any]]:
    """Operating points from the sessions of the tuning identities only.

    Flashes: the magnitude floor is half the 1st percentile of correctly read genuine flashes
    (the weakest genuine reflections still clear it; a stream with no flashes stays well under),
    the cosine floor is the lowest cosine of a correctly read genuine flash less 0.02 (the six
    colours are 60 degrees apart, cosine 0.5, so a reading above ~0.87 is unambiguous). Head
    movement, per action: halfway between the 2nd percentile of the asked movement in genuine
    sessions and the 99th percentile of what a face that did not do it shows (``still`` sessions'
    measurement of the asked action; for turns also genuine turns' swing the wrong way).
    """
    gen = [s["obs"] for s in sessions if s["kind"] == "genuine"]
    right = [f for o in gen for f in o.flashes if f.best == f.expected]
    mag = 0.5 * float(np.percentile([f.magnitude for f in right], 1))
    cos = float(np.min([f.cosine for f in right])) - 0.02
    still = [s["obs"] for s in sessions if s["kind"] == "still"]
    turns = [o.action.measured for o in gen if o.action.asked != "nod"]
    nods = [o.action.measured for o in gen if o.action.asked == "nod"]
    still_turns = [o.action.measured for o in still if o.action.asked != "nod"]
    turn_null = still_turns + [o.action.opposite for o in gen if o.action.asked != "nod"]
    nod_null = [o.action.measured for o in still if o.action.asked == "nod"]
    if not nod_null or not still_turns:
        raise ValueError("tuning needs still sessions with both actions (observations cached before stop 18 have none)")
    turn_p2, nod_p2 = float(np.percentile(turns, 2)), float(np.percentile(nods, 2))
    turn_n99, nod_n99 = float(np.percentile(turn_null, 99)), float(np.percentile(nod_null, 99))
    params = ActiveParams(mag, cos, MAX_FLASH_MISSES, (turn_p2 + turn_n99) / 2, (nod_p2 + nod_n99) / 2)
    attacks = [s["obs"] for s in sessions if s["kind"] != "genuine"]
    info = {
        "genuine_flashes": len(right),
        "turn_p2": turn_p2,
        "nod_p2": nod_p2,
        "turn_still_p99": turn_n99,
        "nod_still_p99": nod_n99,
        "tune_genuine_pass": float(np.mean([judge(o, params).ok for o in gen])),
        "tune_attack_pass": float(np.mean([judge(o, params).ok for o in attacks])) if attacks else None,
    }
    return params, info


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return 0.0, 1.0
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return float(max(0.0, c - h)), float(min(1.0, c + h))


def score(sessions: list[dict[str, Any]], p: ActiveParams) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind in ("genuine", "replay", "ignore", "still"):
        verdicts = [judge(s["obs"], p) for s in sessions if s["kind"] == kind]
        passed = sum(v.ok for v in verdicts)
        reasons: dict[str, int] = {}
        for v in verdicts:
            for f in v.failures:
                reasons[f] = reasons.get(f, 0) + 1
        out[kind] = {
            "n": len(verdicts),
            "passed": passed,
            "pass_rate": passed / max(len(verdicts), 1),
            "pass_rate_ci95": wilson(passed, len(verdicts)),
            "failures": reasons,
        }
    return out


def _obs_json(o: Observation) -> dict[str, Any]:
    return asdict(o)


def _obs_from(d: dict[str, Any]) -> Observation:
    return Observation(
        d["n_frames"],
        d["timing_problems"],
        d["faces_missing"],
        [FlashReading(**f) for f in d["flashes"]],
        ActionMeasure(**d["action"]),
        d.get("faces_tried", 0),
    )


def _collect(
    out: Path,
    part: str,
    n: int,
    seed: int,
    entries: list[SourceEntry],
    shard: int,
    shards: int,
    cfg: sim.SimConfig | None = None,
) -> list[dict[str, Any]]:
    """Observations of one part (`tune` or `test`), cached per shard so shards can run in parallel."""
    cache = out / f"observations_{part}_{shard}of{shards}.json"
    if cache.is_file():
        return [{"kind": s["kind"], "obs": _obs_from(s["obs"])} for s in json.loads(cache.read_text())]
    split = "train" if part == "tune" else "test"
    sessions = run_sessions([e for e in entries if split_of(e.person) == split], n, seed, shard, shards, cfg)
    cache.write_text(json.dumps([{"kind": s["kind"], "obs": _obs_json(s["obs"])} for s in sessions]))
    return sessions


def _cached(out: Path, part: str) -> list[dict[str, Any]]:
    found = []
    for path in sorted(out.glob(f"observations_{part}_*.json")):
        found += [{"kind": s["kind"], "obs": _obs_from(s["obs"])} for s in json.loads(path.read_text())]
    return found


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--faces", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--tune-sessions", type=int, default=60)
    ap.add_argument("--test-sessions", type=int, default=200)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--part", choices=("tune", "test"), default=None, help="only simulate this part (one shard)")
    ap.add_argument("--shard", type=int, default=0)
    ap.add_argument("--shards", type=int, default=1)
    ap.add_argument("--write-thresholds", type=Path, default=None)
    ap.add_argument(
        "--fps", type=str, default=None, help="simulated frame rate range LO,HI (default: the simulator's 10,18)"
    )
    ap.add_argument(
        "--score-with",
        type=Path,
        default=None,
        help="score this folder's test observations with a liveness_active.yaml (a fresh test set) instead of tuning",
    )
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.score_with:
        params = params_from(args.score_with)
        report = {
            "params": asdict(params),
            "thresholds": str(args.score_with),
            "test": score(_cached(args.out, "test"), params),
        }
        (args.out / "report_scored.json").write_text(json.dumps(report, indent=2))
        print(json.dumps(report, indent=1))
        return
    entries = detect_folder(args.faces, args.out / "faces.json")
    if args.part:
        n = args.tune_sessions if args.part == "tune" else args.test_sessions
        seed = args.seed if args.part == "tune" else args.seed + 1
        cfg = None
        if args.fps:
            lo, hi = (float(v) for v in args.fps.split(","))
            cfg = sim.SimConfig(fps=(lo, hi))
        _collect(args.out, args.part, n, seed, entries, args.shard, args.shards, cfg)
        return
    tune_s = _cached(args.out, "tune") or _collect(args.out, "tune", args.tune_sessions, args.seed, entries, 0, 1)
    test_s = _cached(args.out, "test") or _collect(args.out, "test", args.test_sessions, args.seed + 1, entries, 0, 1)
    params, info = tune(tune_s)
    report = {
        "params": asdict(params),
        "tuning": info,
        "tune_identities": sum(s["kind"] == "genuine" for s in tune_s),
        "test": score(test_s, params),
    }
    (args.out / "report.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=1))
    if args.write_thresholds:
        write_thresholds(args.write_thresholds, params, report, args)


def params_from(path: Path) -> ActiveParams:
    """The operating points of a written ``liveness_active`` threshold file."""
    from openidv.policy.thresholds import load_threshold_file

    return ActiveParams.from_thresholds(load_threshold_file(path))


def write_thresholds(path: Path, p: ActiveParams, report: dict[str, Any], args: argparse.Namespace) -> None:
    from openidv.policy.thresholds import ThresholdSet

    values = {
        "min_flash_magnitude": round(p.min_flash_magnitude, 5),
        "min_flash_cosine": round(p.min_flash_cosine, 4),
        "max_flash_misses": p.max_flash_misses,
        "min_turn": round(p.min_turn, 4),
        "min_nod": round(p.min_nod, 4),
    }
    test = report["test"]
    source = {
        "tool": "python -m openidv.liveness.training.tune_active",
        "data": "simulated challenge responses from lfw-dev faces, tune/test split by person",
        "tuned_on": f"{args.tune_sessions} genuine sessions of train-split identities",
        "rule": "see tune_active.tune (tuning identities only)",
        "measured_on_test": {k: {"pass_rate": round(v["pass_rate"], 4), "n": v["n"]} for k, v in test.items()},
        "date": datetime.now(UTC).date().isoformat(),
    }
    ThresholdSet("liveness_active", next_version(path), values, source).write(path)


def next_version(path: Path) -> str:
    """Today's date with a counter one above the written file's, if that is from today."""
    from openidv.evaluation.tuning import default_version
    from openidv.policy.thresholds import load_threshold_file

    return default_version(load_threshold_file(path).version if path.is_file() else None)


if __name__ == "__main__":
    main()
