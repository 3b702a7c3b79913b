"""Kill the service with SIGKILL in the middle of a burst of submissions, restart it, and prove that
no acknowledged decision was lost or duplicated.

    .venv/bin/python scripts/chaos_sigkill.py [--sessions 200] [--database-url URL]

Steps: start `openidv serve` on a fresh store; create N sessions with one capture each; submit
them all concurrently, each with its own Idempotency-Key; SIGKILL the server once a third of the
answers have arrived; restart; resubmit every session with the same key. Every decision the
client saw before the kill must come back byte-identical (not re-decided), every session must end
with exactly one decision, and the audit chain must verify. Exit 0 when all hold.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent / "openidv"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [str(BIN), "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("service did not become ready")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=200)
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--kill-after", type=float, default=0.33, help="fraction of answers before SIGKILL")
    args = ap.parse_args()

    from openidv.demo import synthetic as syn
    from openidv.imaging.decode import encode_jpeg

    home = Path(tempfile.mkdtemp(prefix="openidv-chaos-"))
    env = dict(
        os.environ,
        OPENIDV_HOME=str(home),
        OPENIDV_LOG_LEVEL="WARNING",
        OPENIDV_ENABLED_PLUGINS='["core"]',
        OMP_NUM_THREADS="1",
    )
    if args.database_url:
        env["OPENIDV_DATABASE_URL"] = args.database_url
    out = subprocess.run(
        [str(BIN), "keys", "create", "--name", "chaos", "--scopes", "client,admin"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    key = json.loads(out.stdout.strip().splitlines()[-1])["key"]
    port = free_port()
    base, headers = f"http://127.0.0.1:{port}", {"X-API-Key": key}
    proc = start(env, port)

    rng = np.random.default_rng(5)
    image = encode_jpeg(syn.draw_face(rng, size=400))
    with httpx.Client(base_url=base, headers=headers, timeout=60) as c:
        sids = []
        for _ in range(args.sessions):
            sid = c.post("/v1/sessions", json={}).json()["id"]
            c.post(f"/v1/sessions/{sid}/captures", files={"file": ("s.jpg", image)}, data={"kind": "selfie"})
            sids.append(sid)

    acked: dict[str, str] = {}
    lock = threading.Lock()
    killed = threading.Event()

    def submit(sid: str) -> None:
        try:
            r = httpx.post(
                f"{base}/v1/sessions/{sid}/submit", headers=headers | {"Idempotency-Key": f"k-{sid}"}, timeout=60
            )
        except httpx.HTTPError:
            return  # connection died with the server: not acknowledged
        if r.status_code == 200:
            with lock:
                acked[sid] = r.text
                if len(acked) >= args.sessions * args.kill_after and not killed.is_set():
                    killed.set()
                    os.kill(proc.pid, signal.SIGKILL)

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(submit, sids))
    proc.wait()
    acked_at_kill = len(acked)

    proc = start(env, port)
    problems = []
    with httpx.Client(base_url=base, headers=headers, timeout=60) as c:
        for sid in sids:
            r = c.post(f"/v1/sessions/{sid}/submit", headers={"Idempotency-Key": f"k-{sid}"})
            if r.status_code != 200:
                problems.append({"session": sid, "status": r.status_code, "body": r.text[:200]})
            elif sid in acked and json.loads(r.text) != json.loads(acked[sid]):
                problems.append({"session": sid, "problem": "acknowledged decision changed after restart"})
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)

    from sqlalchemy import func, select

    from openidv.config import Settings
    from openidv.store.audit import verify_chain
    from openidv.store.db import Database
    from openidv.store.models import DecisionRow

    db = Database(Settings(home=home, database_url=args.database_url).resolved_database_url())
    with db.session() as orm:
        n_decisions = orm.execute(select(func.count()).select_from(DecisionRow)).scalar_one()
    chain = verify_chain(db)
    summary = {
        "sessions": len(sids),
        "acknowledged_before_kill": acked_at_kill,
        "killed": killed.is_set(),
        "decisions_in_store": n_decisions,
        "audit_chain_ok": chain.ok,
        "audit_entries": chain.entries,
        "problems": problems[:10],
        "store": db.safe_url,
    }
    print(json.dumps(summary, indent=2))
    ok = killed.is_set() and not problems and n_decisions == len(sids) and chain.ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
