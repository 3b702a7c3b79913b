"""Latency and throughput of the submit path (pipeline + decision + store) on one worker.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/service_submit.py [--sessions 200] [--concurrency 4]
        [--plugins core] [--database-url URL] [--captures drawn|demo]

Starts `openidv serve` (one uvicorn worker) on a fresh store, creates sessions with a document
photo (1200x780 JPEG) and a selfie (720x720 JPEG), then measures:
- sequential submit latency p50/p99 (one request at a time, the pipeline's own latency included);
- submit throughput (requests/s) with N concurrent clients;
- the server's peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from chaos_sigkill import BIN, free_port, start


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--plugins", default="core", help="comma-separated plugin names, or 'all'")
    ap.add_argument("--database-url", default=None)
    ap.add_argument(
        "--captures",
        choices=("drawn", "demo"),
        default="drawn",
        help="drawn: cartoon card and face (usability path); demo: a generated passport and a real sample "
        "photograph, as `make run` seeds (what the document and face checks are built for)",
    )
    args = ap.parse_args()

    import subprocess

    from openidv.demo import synthetic as syn
    from openidv.imaging.decode import encode_jpeg

    home = Path(tempfile.mkdtemp(prefix="openidv-bench-"))
    env = dict(os.environ, OPENIDV_HOME=str(home), OPENIDV_LOG_LEVEL="WARNING", OMP_NUM_THREADS="1")
    if args.plugins != "all":
        env["OPENIDV_ENABLED_PLUGINS"] = json.dumps(args.plugins.split(","))
    if args.database_url:
        env["OPENIDV_DATABASE_URL"] = args.database_url
    out = subprocess.run(
        [str(BIN), "keys", "create", "--name", "bench", "--scopes", "client"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    key = json.loads(out.stdout.strip().splitlines()[-1])["key"]
    port = free_port()
    proc = start(env, port)
    base, headers = f"http://127.0.0.1:{port}", {"X-API-Key": key}
    rng = np.random.default_rng(3)
    if args.captures == "demo":
        from openidv.demo.seed import demo_case, sample_face

        (_, doc), (_, selfie) = demo_case(rng, 0, sample_face()).captures
    else:
        card = syn.draw_id_card(rng, syn.CardText("DOE", "JANE", "X1", "1990-01-01", "2031-01-01", "UTO"), width=1200)
        doc, selfie = encode_jpeg(syn.place_on_background(rng, card, 1.1)), encode_jpeg(syn.draw_face(rng, 720))

    def prepare(c: httpx.Client) -> str:
        sid = c.post("/v1/sessions", json={}).json()["id"]
        c.post(f"/v1/sessions/{sid}/captures", files={"file": ("d.jpg", doc)}, data={"kind": "document_front"})
        c.post(f"/v1/sessions/{sid}/captures", files={"file": ("s.jpg", selfie)}, data={"kind": "selfie"})
        return sid

    def submit(c: httpx.Client, sid: str) -> float:
        t = time.perf_counter()
        r = c.post(f"/v1/sessions/{sid}/submit", headers={"Idempotency-Key": sid})
        r.raise_for_status()
        return time.perf_counter() - t

    try:
        with httpx.Client(base_url=base, headers=headers, timeout=120) as c:
            seq_ids = [prepare(c) for _ in range(args.sessions)]
            par_ids = [prepare(c) for _ in range(args.sessions)]
            submit(c, prepare(c))  # warm-up
            lat = np.array([submit(c, s) for s in seq_ids]) * 1e3
        t0 = time.perf_counter()
        with (
            ThreadPoolExecutor(args.concurrency) as pool,
            httpx.Client(base_url=base, headers=headers, timeout=120) as c,
        ):
            list(pool.map(lambda s: submit(c, s), par_ids))
        rps = len(par_ids) / (time.perf_counter() - t0)
        rss = peak_rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(
        json.dumps(
            {
                "benchmark": "submit path, one uvicorn worker",
                "plugins": args.plugins,
                "captures": args.captures,
                "sessions": args.sessions,
                "latency_ms": {
                    "p50": round(float(np.percentile(lat, 50)), 1),
                    "p99": round(float(np.percentile(lat, 99)), 1),
                    "mean": round(float(lat.mean()), 1),
                },
                "throughput_rps": round(rps, 2),
                "concurrency": args.concurrency,
                "server_peak_rss_mb": round(rss, 1),
                "cpu_count": os.cpu_count(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
