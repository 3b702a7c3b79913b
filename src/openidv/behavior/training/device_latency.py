"""Latency of a device lookup against the signals store (the service's path), on a generated population.

    python -m openidv.behavior.training.device_latency [--enrolled 5000] [--probes 500] [--composite-index]

Enrols ``--enrolled`` generated devices into a fresh store exactly as ``on_decision`` does (sealed
fingerprint, blinded blocking and storage keys, in one transaction per session), then times
``StoreDeviceIndex.match`` for returning and new probes: CPU and wall time per lookup, p50 / p99.
The in-memory figures (``DeviceIndex``) come from ``train_device`` (``latency_in_memory``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from openidv.behavior.device.fingerprint import Fingerprint, form_factor
from openidv.behavior.device.linking import LinkParams
from openidv.behavior.device.store_index import StoreDeviceIndex
from openidv.behavior.training import device_eval as de

# SignalStore.find filters on (kind, key) and orders by created_at. Since store migration 0003 the
# signals table has this composite index; the flag re-creates it (a no-op on a migrated store) and
# is kept so that older stores can be measured with and without it.
COMPOSITE_INDEX = "CREATE INDEX IF NOT EXISTS ix_signals_kind_key_created ON signals (kind, key, created_at)"


def _store(url: str, composite_index: bool = False) -> Any:
    from openidv.domain import Session
    from openidv.store.crypto import KeyRing
    from openidv.store.db import Database
    from openidv.store.repository import SessionRepository
    from openidv.store.signals import SignalStore, SignalWriter

    db = Database(url)
    db.upgrade()
    if composite_index:
        from sqlalchemy import text

        with db.transaction() as orm:
            orm.execute(text(COMPOSITE_INDEX))
    keys = KeyRing.from_b64({"k": KeyRing.generate_key()}, "k", KeyRing.generate_key())
    return db, keys, SessionRepository(db, keys), SignalStore(db, keys), Session, SignalWriter


def run(a: argparse.Namespace) -> dict[str, Any]:
    from openidv.models.registry import model_path

    params = LinkParams.from_json(model_path("openidv.behavior", "device_link").read_text("utf-8"))
    thresholds = _thresholds()
    pop = de.generate(a.seed, a.enrolled, a.probes // 2, a.probes - a.probes // 2)
    db, keys, repo, signals, session_cls, writer_cls = _store(a.db, a.composite_index)
    idx = StoreDeviceIndex(params, signals)
    for i, fp in enumerate(pop.base):
        s = session_cls()
        repo.create_session(s, actor="latency")
        with db.transaction() as orm:
            idx.enrol(writer_cls(orm, keys, s.id), f"d{i}", fp)
    out: dict[str, Any] = {"enrolled": a.enrolled, "probes": len(pop.probes.fps), "db": a.db.split(":")[0],
                           "composite_index": a.composite_index}
    for cache in ("cold", "warm"):  # cold: no fingerprint cached (a fresh process); warm: all cached
        if cache == "cold":
            idx = StoreDeviceIndex.build(params, signals)
        out[cache] = _time(idx, pop.probes.fps, thresholds)
    db.dispose()
    return out


def _time(idx: StoreDeviceIndex, fps: list[Fingerprint], thresholds: dict[str, float]) -> dict[str, Any]:
    cpu, wall = [], []
    for fp in fps:
        probe = Fingerprint(fp.values, None)  # fingerprint only: the slow path
        t0, c0 = time.perf_counter(), time.process_time()
        idx.match(probe, thresholds["mobile" if form_factor(probe) == "mobile" else "desktop"])
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    q = {"p50": 50, "p99": 99}
    return {"cpu_ms": {k: float(np.percentile(cpu, v)) for k, v in q.items()},
            "wall_ms": {k: float(np.percentile(wall, v)) for k, v in q.items()}}


def _thresholds() -> dict[str, float]:
    from openidv.policy.thresholds import load_threshold_file

    path = Path(__file__).resolve().parents[2] / "policy" / "data" / "thresholds" / "behavior_device.yaml"
    values = load_threshold_file(path).values
    return {"desktop": float(values["link"]), "mobile": float(values["link_mobile"])}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Store-backed device lookup latency")
    ap.add_argument("--enrolled", type=int, default=5000)
    ap.add_argument("--probes", type=int, default=500)
    ap.add_argument("--seed", type=int, default=4404)
    ap.add_argument("--db", default=None, help="SQLAlchemy URL (default: a temporary SQLite file)")
    ap.add_argument("--composite-index", action="store_true",
                    help="Add an index on signals (kind, key, created_at) first (the proposed core fix).")
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        a.db = a.db or f"sqlite:///{tmp}/latency.db"
        print(json.dumps(run(a), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
