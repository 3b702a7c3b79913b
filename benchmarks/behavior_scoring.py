"""Behaviour scoring latency (features + models) per session, and the endpoint's throughput.

    OMP_NUM_THREADS=1 python benchmarks/behavior_scoring.py [--sessions 300] [--endpoint 200]

Sessions are real human windows (60 s) from ../shared/data/mouse-dev when it is there, else
generated sessions on task skeletons; each is scored from its telemetry events exactly as the
check does (parse -> features -> ONNX bot model + anomaly model -> decision). Wall-clock and CPU
time are both reported: on a shared machine the CPU time is the honest per-core cost.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from openidv.behavior.events import parse_events, pointer_events
from openidv.behavior.features import pointer_features
from openidv.behavior.scoring import assess, models, packaged_thresholds

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mouse-dev" / "training_files"


def real_sessions(n: int) -> list[list[dict[str, Any]]]:
    from openidv.behavior.balabit import read_balabit

    out = []
    for path in sorted(SHARED.glob("user*/session_*")):
        m = read_balabit(path).mouse
        for start in np.arange(0.0, m.span_ms() - 60_000, 600_000):
            w = m.window(float(start), float(start) + 60_000)
            if pointer_features(w).scorable:
                out.append(pointer_events(w.shifted(float(start))))
            if len(out) >= n:
                return out
    return out


def generated_sessions(n: int) -> list[list[dict[str, Any]]]:
    from openidv.behavior.botgen import generate
    from openidv.behavior.skeleton import Action, Skeleton

    out = []
    for i in range(n):
        rng = np.random.default_rng(i)
        t, acts = 0.0, []
        while t < 60_000:
            x, y = rng.uniform(0, 1400, 2)
            dur = float(rng.uniform(300, 900))
            acts += [Action("move", t, dur, float(x), float(y)), Action("down", t + dur + 150, 0, float(x), float(y)),
                     Action("up", t + dur + 250, 0, float("nan"), float("nan"))]
            t += dur + float(rng.uniform(800, 3000))
        p = generate("sigma_lognormal", Skeleton((700.0, 400.0), tuple(acts)), rng)
        out.append(pointer_events(p))
    return out


def pct(values: list[float]) -> dict[str, float]:
    a = np.asarray(values)
    return {"p50_ms": round(float(np.percentile(a, 50)), 3), "p99_ms": round(float(np.percentile(a, 99)), 3),
            "max_ms": round(float(a.max()), 3)}


def bench_scoring(sessions: list[list[dict[str, Any]]]) -> dict[str, Any]:
    """Per session: parse (JSON events -> arrays), features + models + decision, and both together."""
    m, t = models(), packaged_thresholds()
    for events in sessions[:5]:  # warm-up: model load, first-call allocations
        assess(parse_events(events), t, m)
    parse_cpu, fm_cpu, fm_wall, total_cpu = [], [], [], []
    for events in sessions:
        c0 = time.process_time()
        inter = parse_events(events)
        c1, w1 = time.process_time(), time.perf_counter()
        assess(inter, t, m)
        c2, w2 = time.process_time(), time.perf_counter()
        parse_cpu.append((c1 - c0) * 1000)
        fm_cpu.append((c2 - c1) * 1000)
        fm_wall.append((w2 - w1) * 1000)
        total_cpu.append((c2 - c0) * 1000)
    n_events = [len(e) for e in sessions]
    return {"sessions": len(sessions), "events_per_session_median": int(np.median(n_events)),
            "events_per_session_max": int(max(n_events)),
            "features_models_cpu": pct(fm_cpu), "features_models_wall": pct(fm_wall),
            "parse_cpu": pct(parse_cpu), "parse_features_models_cpu": pct(total_cpu),
            "throughput_per_core_per_s": round(1000.0 / float(np.mean(total_cpu)), 1)}


def bench_endpoint(sessions: list[list[dict[str, Any]]], n: int) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from openidv.config import Settings
    from openidv.service.app import create_app
    from openidv.store.apikeys import ApiKeys
    from openidv.store.db import Database

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(home=Path(tmp), database_url=f"sqlite:///{tmp}/b.sqlite3", log_level="WARNING",
                            enabled_plugins=["core", "behavior"])
        db = Database(settings.resolved_database_url())
        db.upgrade()
        key = ApiKeys(db).create("bench", ["client"])[0]
        db.dispose()
        bodies = [json.dumps({"version": "1", "events": e}) for e in sessions]
        with TestClient(create_app(settings)) as client:
            headers = {"X-API-Key": key, "Content-Type": "application/json"}
            client.post("/v1/behavior/score", content=bodies[0], headers=headers)
            lat = []
            started = time.perf_counter()
            for i in range(n):
                t0 = time.perf_counter()
                r = client.post("/v1/behavior/score", content=bodies[i % len(bodies)], headers=headers)
                lat.append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 200, r.text
            elapsed = time.perf_counter() - started
    return {"requests": n, "sequential_requests_per_s": round(n / elapsed, 1), "latency": pct(lat),
            "note": "in-process TestClient, one worker, API-key check against SQLite on every request"}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=300)
    ap.add_argument("--endpoint", type=int, default=200, help="Endpoint requests (0 to skip).")
    ap.add_argument("--source", choices=("auto", "real", "generated"), default="auto",
                    help="real: mouse-dev windows; generated: continuous 60 s sessions (dense, 60-125 Hz)")
    a = ap.parse_args()
    real = a.source == "real" or (a.source == "auto" and SHARED.is_dir())
    source = "mouse-dev human windows (60 s)" if real else "generated sessions (60 s, continuous movement)"
    sessions = real_sessions(a.sessions) if real else generated_sessions(a.sessions)
    out: dict[str, Any] = {"source": source, "scoring": bench_scoring(sessions)}
    if a.endpoint:
        out["endpoint"] = bench_endpoint(sessions, a.endpoint)
    out["max_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["load_average"] = [round(x, 2) for x in __import__("os").getloadavg()]
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
